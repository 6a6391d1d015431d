"""The Definition chapter's checkers: solutions pass, stubs and plausible wrong answers fail
with messages that name the misconception."""

import pytest
import torch

from relu_course.checks import (
    check_backward_from_output,
    check_kink_prediction,
    check_relu,
    hint,
)
from relu_course.checks import definition as checks


def solution_relu(x):
    return torch.where(x < 0, torch.zeros_like(x), x)


def solution_backward(grad_output, y):
    return torch.where(y > 0, grad_output, torch.zeros_like(grad_output))


SOLUTION_PREDICTION = {
    "p": {"torch.relu": 1.0, "clamp": -1.0, "maximum": 0.0},
    "q": {"torch.relu": 0.0, "clamp": 0.0, "maximum": 0.25},
}


def stub(*args):
    raise NotImplementedError()


# --- check_relu ----------------------------------------------------------------------------


def test_check_relu_accepts_the_solution_and_confirms(capsys):
    check_relu(solution_relu)
    assert capsys.readouterr().out.startswith("✓ my_relu matches torch.relu")


def test_check_relu_rejects_the_stub_saying_it_is_not_implemented():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_relu(stub)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda x: torch.where(x > 0, x, torch.zeros_like(x)), "swallows NaN"),
        (lambda x: x * (x > 0), "0 \\* inf is NaN"),
        (lambda x: (x + x.abs()) / 2, "returns NaN for an input that is not NaN"),
        (lambda x: x.abs(), "negative inputs map to 0"),
        (lambda x: x.clamp_(min=0), "changed its input in place"),
        (lambda x: torch.where(x < 0, 0.0, x).float(), "dtype"),
        (lambda x: x, "negative inputs map to 0"),
    ],
    ids=["where-x-gt-0", "mask-multiply", "abs-formula", "abs", "in-place", "float32-cast",
         "identity"],
)
def test_check_relu_rejects_plausible_wrong_answers_with_a_hint(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_relu(wrong)


def test_check_relu_rejects_returning_the_input_itself(monkeypatch):
    real_randn = torch.randn

    def positive_randn(*shape, generator=None, dtype=None):  # inputs without negatives
        return real_randn(*shape, generator=generator, dtype=dtype).abs()

    monkeypatch.setattr(torch, "randn", positive_randn)
    with pytest.raises(AssertionError, match="returned its input tensor itself"):
        check_relu(lambda x: x if not (x < 0).any() else solution_relu(x))


def test_check_relu_names_the_nan_branch_without_giving_the_answer_away():
    with pytest.raises(AssertionError) as info:
        check_relu(lambda x: torch.where(x > 0, x, torch.zeros_like(x)))
    assert "x < 0" not in str(info.value)


# --- check_kink_prediction -----------------------------------------------------------------


def test_check_kink_prediction_accepts_what_autograd_returns(capsys):
    check_kink_prediction(SOLUTION_PREDICTION)
    out = capsys.readouterr().out
    assert out.startswith("✓ your predictions match autograd") and "no single relu'(0)" in out


def prediction_with(function, values):
    prediction = {f: dict(ways) for f, ways in SOLUTION_PREDICTION.items()}
    prediction[function] = dict(zip(("torch.relu", "clamp", "maximum"), values))
    return prediction


@pytest.mark.parametrize(
    ("function", "values", "message"),
    [
        ("p", (0, 0, 0), "true derivative"),
        ("p", (1, 1, 1), "only the derivative of the x term"),
        ("p", (1, 3, 2), "without their signs"),
        ("p", (1, -1, 0.5), "term by term"),
        ("q", (0, 1, 0.5), "outer ReLU's slope alone"),
        ("q", (0, 0, 0), "both\nnon-zero|both non-zero"),
        ("q", (0, 0, 0.5), "1 - relu'\\(0\\)"),
    ],
    ids=["p-true-derivative", "p-x-term-only", "p-no-signs", "p-other", "q-outer-only",
         "q-true-derivative", "q-other"],
)
def test_check_kink_prediction_names_the_misconception(function, values, message):
    with pytest.raises(AssertionError, match=message) as info:
        check_kink_prediction(prediction_with(function, values))
    assert f"prediction for {function} differs from autograd" in str(info.value)


@pytest.mark.parametrize(
    ("prediction", "message"),
    [
        ([1, -1, 0], "keys 'p' and 'q'"),
        ({"p": {}, "q": {}}, "exactly the keys"),
        (prediction_with("p", (1, "-1", 0)), "should be a finite number"),
        (prediction_with("q", (0, 0, float("nan"))), "should be a finite number"),
        (prediction_with("q", (0, True, 0.25)), "should be a finite number"),
    ],
    ids=["list", "empty-inner", "string", "nan", "bool"],
)
def test_check_kink_prediction_rejects_a_malformed_prediction(prediction, message):
    with pytest.raises(AssertionError, match=message):
        check_kink_prediction(prediction)


def test_check_kink_prediction_fails_when_the_cell_was_not_filled_in():
    with pytest.raises(AssertionError, match="keys 'p' and 'q'"):
        check_kink_prediction(None)


# --- check_backward_from_output ------------------------------------------------------------


def test_check_backward_from_output_accepts_the_solution(capsys):
    check_backward_from_output(solution_backward)
    assert "kink included, and passes gradcheck" in capsys.readouterr().out


def test_check_backward_from_output_rejects_the_stub():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_backward_from_output(stub)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda g, y: torch.where(y < 0, torch.zeros_like(g), g), "never negative"),
        (lambda g, y: g * (y >= 0), "never negative"),
        (lambda g, y: torch.where(y > 0, torch.zeros_like(g), g), "mask inverted"),
        (lambda g, y: g * (y > 0) + (y == 0) * g * 0.5, "gradient through where the output is 0"),
        (lambda g, y: (y > 0).to(g.dtype), "not the slope alone"),
        (lambda g, y: (g * (y > 0)).float(), "dtype"),
    ],
    ids=["planted-fault", "y-ge-0", "inverted", "half-at-zero", "mask-only", "float32"],
)
def test_check_backward_from_output_names_the_misconception(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_backward_from_output(wrong)


def test_check_backward_from_output_runs_gradcheck_on_the_repaired_function():
    def wrong_on_one_dimensional_doubles(g, y):  # right on the value checks' shapes only
        out = g * (y > 0)
        return out * 2 if y.ndim == 1 and y.dtype == torch.float64 else out

    with pytest.raises(AssertionError, match=r"fails torch\.autograd\.gradcheck"):
        check_backward_from_output(wrong_on_one_dimensional_doubles)


def test_check_backward_from_output_reports_an_error_raised_inside_gradcheck():
    def raises_on_twelve(g, y):
        if y.ndim == 1 and y.numel() == 12:
            raise RuntimeError("boom")
        return g * (y > 0)

    with pytest.raises(AssertionError, match=r"gradcheck could not run .*boom"):
        check_backward_from_output(raises_on_twelve)


# --- no answers in help(), hints --------------------------------------------------------


@pytest.mark.parametrize("checker", [check_relu, check_kink_prediction,
                                     check_backward_from_output])
def test_help_shows_no_exercise_answer(checker):
    shown = (checker.__doc__ or "") + (checks.__doc__ or "")
    for answer in ("x < 0", "y > 0", "0.25", "1 - s", "s * (1 - s)"):
        assert answer not in shown, (checker.__name__, answer)


@pytest.mark.parametrize("exercise", ["my_relu", "kink_prediction", "backward_from_output"])
def test_each_exercise_has_a_three_rung_hint_ladder(exercise):
    assert all(hint(exercise, n).startswith(f"Hint {n} of 3") for n in (1, 2, 3))
