"""The non-linearity checkers accept the solutions, and reject stubs and plausible mistakes
with a message that names the misconception."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from relu_course.checks import (
    check_collapse,
    check_sawtooth_prediction,
    check_units_needed,
    hint,
)
from relu_course.checks import nonlinearity as checks


def _stub(*args):
    raise NotImplementedError()


# --- check_collapse ----------------------------------------------------------------------


def collapse_solution(first, second):
    layer = nn.Linear(first.in_features, second.out_features)
    with torch.no_grad():
        layer.weight.copy_(second.weight @ first.weight)
        layer.bias.copy_(second.weight @ first.bias + second.bias)
    return layer


def collapse_with(weight, bias):
    def collapse(first, second):
        layer = nn.Linear(first.in_features, second.out_features)
        with torch.no_grad():
            layer.weight.copy_(weight(first, second))
            layer.bias.copy_(bias(first, second))
        return layer

    return collapse


RIGHT_WEIGHT = lambda f, s: s.weight @ f.weight  # noqa: E731
RIGHT_BIAS = lambda f, s: s.weight @ f.bias + s.bias  # noqa: E731


def test_check_collapse_accepts_the_solution(capsys):
    check_collapse(collapse_solution)
    assert capsys.readouterr().out.startswith("✓ collapse(first, second) computes")


def test_check_collapse_reports_a_stub_as_not_implemented():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_collapse(_stub)


def test_check_collapse_finds_the_planted_bias_fault_first():
    buggy = collapse_with(lambda f, s: f.weight @ s.weight, lambda f, s: f.bias + s.bias)
    with pytest.raises(AssertionError, match="does not skip the second layer"):
        check_collapse(buggy)


def test_check_collapse_names_the_order_of_the_weight_product():
    with pytest.raises(AssertionError, match="do not commute"):
        check_collapse(collapse_with(lambda f, s: f.weight @ s.weight, RIGHT_BIAS))


def test_check_collapse_names_incompatible_shapes_when_the_order_fails_on_non_square_layers():
    def transposed(f, s):  # right on square layers' shapes only by accident
        return (f.weight.T @ s.weight.T).T if f.weight.shape[0] == f.weight.shape[1] \
            else f.weight @ s.weight
    with pytest.raises(AssertionError, match="incompatible shapes"):
        check_collapse(collapse_with(transposed, RIGHT_BIAS))


def test_check_collapse_rejects_a_bias_that_forgets_the_second_weight():
    with pytest.raises(AssertionError, match="collapsed\\(0\\)"):
        check_collapse(collapse_with(RIGHT_WEIGHT, lambda f, s: f.bias.sum() + s.bias))


def test_check_collapse_rejects_something_that_is_not_a_linear_layer():
    with pytest.raises(AssertionError, match=r"should return an nn\.Linear, got Sequential"):
        check_collapse(lambda first, second: nn.Sequential(first, second))


def test_check_collapse_rejects_a_layer_of_the_wrong_size():
    with pytest.raises(AssertionError, match="expected Linear"):
        check_collapse(lambda first, second: nn.Linear(second.out_features, first.in_features)
                       if first.in_features != second.out_features else nn.Linear(1, 1))


def test_check_collapse_rejects_changing_the_given_layers():
    def in_place(first, second):
        with torch.no_grad():
            second.bias.add_(second.weight @ first.bias)
            second.weight.copy_(second.weight @ first.weight) if first.in_features == \
                second.in_features else None
        return second

    with pytest.raises(AssertionError, match="changed the weights or biases"):
        check_collapse(in_place)


# --- check_sawtooth_prediction ---------------------------------------------------------------


def test_check_sawtooth_prediction_accepts_the_count(capsys):
    check_sawtooth_prediction({3: 8, 6: 64})
    out = capsys.readouterr().out
    assert "6 times 64" in out and "at least 63 units" in out


@pytest.mark.parametrize(
    ("prediction", "message"),
    [
        ({3: 7, 6: 13}, "rule for one hidden layer"),
        ({3: 6, 6: 12}, "added pieces layer by layer"),
        ({3: 27, 6: 729}, "two pieces, not three"),
        ({3: 8, 6: 36}, "follow one pass"),
    ],
    ids=["one-layer-rule", "additive", "three-pieces", "other"],
)
def test_check_sawtooth_prediction_names_the_misconception(prediction, message):
    with pytest.raises(AssertionError, match=message) as info:
        check_sawtooth_prediction(prediction)
    assert "counted 64" in str(info.value)


@pytest.mark.parametrize(
    ("prediction", "message"),
    [(None, "keys 3 and 6"), ({3: 8}, "keys 3 and 6"), ({3: 8.0, 6: 64}, "whole number"),
     ({3: 8, 6: 0}, "whole number"), ({3: True, 6: 64}, "whole number")],
    ids=["missing", "one-key", "float", "zero", "bool"],
)
def test_check_sawtooth_prediction_rejects_a_malformed_prediction(prediction, message):
    with pytest.raises(AssertionError, match=message):
        check_sawtooth_prediction(prediction)


def test_the_counted_pieces_double_with_each_layer():
    assert [checks._pieces(d) for d in range(1, 7)] == [2, 4, 8, 16, 32, 64]


# --- check_units_needed ----------------------------------------------------------------------


def units_solution(eps):
    return math.ceil(1 / (2 * math.sqrt(eps)))


def test_check_units_needed_accepts_the_solution(capsys):
    check_units_needed(units_solution)
    assert capsys.readouterr().out.startswith("✓ units_needed gives the smallest width")


def test_check_units_needed_reports_a_stub_as_not_implemented():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_units_needed(_stub)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda eps: math.ceil(1 / math.sqrt(8 * eps)), "f'' = 1"),
        (lambda eps: max(1, units_solution(eps) // 2), "find where the gap is largest"),
        (lambda eps: units_solution(eps) + 1, "one unit over"),
        (lambda eps: 2 * units_solution(eps) + 3, "round up once"),
        (lambda eps: 1 / (2 * math.sqrt(eps)), "positive whole number"),
        (lambda eps: 0, "positive whole number"),
        (lambda eps: 10**9, "far more than the smallest"),
    ],
    ids=["generic-bound", "too-few", "knots-not-pieces", "far-over", "float", "zero", "huge"],
)
def test_check_units_needed_names_the_misconception(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_units_needed(wrong)


def test_the_reference_error_of_x_squared_is_a_quarter_of_h_squared():
    for n in (1, 3, 10):
        assert checks._interpolation_error(n) == pytest.approx(1 / (4 * n * n), rel=1e-9)
    assert [checks._smallest_width(eps) for eps in (0.3, 0.003)] == [1, 10]


# --- no answers in help(), hints ---------------------------------------------------------


@pytest.mark.parametrize("checker", [check_collapse, check_sawtooth_prediction,
                                     check_units_needed])
def test_help_shows_no_exercise_answer(checker):
    shown = (checker.__doc__ or "") + (checks.__doc__ or "")
    for answer in ("second.weight @ first.weight", "W2 b1", "2 ** L", "2**L", "64 pieces",
                   "h**2 / 4", "sqrt"):
        assert answer not in shown, (checker.__name__, answer)


@pytest.mark.parametrize("exercise", ["collapse", "sawtooth_prediction", "units_needed"])
def test_each_exercise_has_a_three_rung_hint_ladder(exercise):
    assert all(hint(exercise, n).startswith(f"Hint {n} of 3") for n in (1, 2, 3))
