"""The sparsity checkers accept the solutions, and reject stubs and plausible mistakes with a
message that points at the mistake."""

from __future__ import annotations

import math

import pytest
import torch

from relu_course.checks import (
    check_expected_zero_fraction,
    check_seeds_needed,
    check_sign_prediction,
    check_zero_fraction,
)
from relu_course.checks.sample_size import HINTS as SAMPLE_SIZE_HINTS
from relu_course.checks.sparsity import HINTS, SIGN_CASES


def _stub(*args, **kwargs):
    raise NotImplementedError()


# --- check_zero_fraction -----------------------------------------------------------------


def zero_fraction_solution(h):
    return (h == 0).float().mean().item()


def test_check_zero_fraction_accepts_the_solution_and_prints_one_line(capsys):
    check_zero_fraction(zero_fraction_solution)
    out = capsys.readouterr().out
    assert out.startswith("✓ zero_fraction agrees with probes.sparsity") and out.count("\n") == 1


def test_check_zero_fraction_accepts_a_one_element_tensor():
    check_zero_fraction(lambda h: (h == 0).double().mean())


def test_check_zero_fraction_reports_a_stub_as_not_implemented():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_zero_fraction(_stub)


def test_check_zero_fraction_rejects_counting_negative_values_as_zeros():
    with pytest.raises(AssertionError) as info:
        check_zero_fraction(lambda h: (h <= 0).float().mean().item())
    message = str(info.value)
    assert "zero_fraction(h) is wrong" in message
    assert "a negative value is not zero" in message


def test_check_zero_fraction_rejects_a_tolerance_around_zero():
    with pytest.raises(AssertionError, match="a tiny positive value is not zero"):
        check_zero_fraction(lambda h: (h.abs() < 1e-6).float().mean().item())


def test_check_zero_fraction_rejects_the_fraction_of_non_zeros():
    with pytest.raises(AssertionError) as info:
        check_zero_fraction(lambda h: h.count_nonzero().item() / h.numel())
    message = str(info.value)
    assert "expected: 0.25" in message and "actual:   0.75" in message


def test_check_zero_fraction_rejects_a_count_instead_of_a_fraction():
    with pytest.raises(AssertionError, match="zero_fraction\\(h\\) is wrong"):
        check_zero_fraction(lambda h: (h == 0).sum().item())


def test_check_zero_fraction_compares_whole_layers_with_probes_sparsity():
    def first_values_only(h):  # right on the small tensors, wrong on a (256, 32) layer output
        return (h.flatten()[:64] == 0).float().mean().item()

    with pytest.raises(AssertionError, match="zero_fraction of layer 'act0' of a ReLU MLP"):
        check_zero_fraction(first_values_only)


# --- check_expected_zero_fraction ----------------------------------------------------------


def _phi(t):
    return 0.5 * (1 + math.erf(t / math.sqrt(2)))


def expected_zero_fraction_solution(bias, weight_std, input_norm):
    return _phi(-bias / (weight_std * input_norm))


def test_check_expected_zero_fraction_accepts_the_solution(capsys):
    check_expected_zero_fraction(expected_zero_fraction_solution)
    out = capsys.readouterr().out
    assert out.startswith("✓ expected_zero_fraction is right on 6 settings")


def test_check_expected_zero_fraction_accepts_a_tensor_with_one_element():
    check_expected_zero_fraction(lambda b, s, r: torch.tensor(_phi(-b / (s * r))))


def test_check_expected_zero_fraction_reports_a_stub_as_not_implemented():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_expected_zero_fraction(_stub)


@pytest.mark.parametrize("wrong, misconception", [
    (lambda b, s, r: _phi(b / (s * r)), "fraction of units that are on"),
    (lambda b, s, r: _phi(-b / s), "the spread of w.x is weight_std \\* \\|\\|x\\|\\|"),
    (lambda b, s, r: _phi(-b / (s * r) ** 2), "not by its variance"),
    (lambda b, s, r: _phi(-b / (s * r**2)), "with the norm not squared"),
    (lambda b, s, r: _phi(-b / (s * math.sqrt(r))), "already is the square root"),
    (lambda b, s, r: 0.5, "one half is right only without a bias"),
])
def test_check_expected_zero_fraction_names_each_misconception(wrong, misconception):
    with pytest.raises(AssertionError, match=misconception):
        check_expected_zero_fraction(wrong)


def test_check_expected_zero_fraction_rejects_an_unrecognised_wrong_value_with_the_formula():
    with pytest.raises(AssertionError) as info:
        check_expected_zero_fraction(lambda b, s, r: 0.3)
    assert "is wrong" in str(info.value) and "mean b and standard deviation" in str(info.value)


def test_check_expected_zero_fraction_rejects_a_non_number():
    with pytest.raises(AssertionError, match="should return a number"):
        check_expected_zero_fraction(lambda b, s, r: "half")


# --- check_sign_prediction ---------------------------------------------------------------


RIGHT = {"sigmoid, batch 1": 1.0, "sigmoid, batch 128": 0.75, "leaky_relu, batch 1": 0.0}


def test_check_sign_prediction_accepts_predictions_near_the_measurement(capsys):
    check_sign_prediction(RIGHT)
    out = capsys.readouterr().out
    assert out.startswith("✓ every prediction within 25%") and "sigmoid, batch 128: 7" in out


@pytest.mark.parametrize("key, value, mechanism", [
    ("sigmoid, batch 1", 0.0, "sigmoid outputs are all positive"),
    ("sigmoid, batch 128", 0.1, "all close to 1/2 at initialisation"),
    ("leaky_relu, batch 1", 1.0, "small negative values"),
])
def test_check_sign_prediction_explains_each_miss(key, value, mechanism):
    with pytest.raises(AssertionError) as info:
        check_sign_prediction({**RIGHT, key: value})
    message = str(info.value)
    assert "1 of the 3 predictions missed" in message and key in message and mechanism in message


def test_check_sign_prediction_says_when_a_prediction_is_not_filled_in():
    with pytest.raises(AssertionError, match="not filled in yet"):
        check_sign_prediction({**RIGHT, "sigmoid, batch 1": ...})


@pytest.mark.parametrize("bad", [None, {"sigmoid": 1.0}, {**RIGHT, "sigmoid, batch 1": 1.5},
                                 {**RIGHT, "sigmoid, batch 1": True}])
def test_check_sign_prediction_rejects_malformed_predictions(bad):
    with pytest.raises(AssertionError, match="prediction"):
        check_sign_prediction(bad)


def test_sign_cases_are_the_three_the_lab_asks_for():
    assert set(SIGN_CASES) == set(RIGHT)


# --- check_seeds_needed -----------------------------------------------------------------


def seeds_needed_solution(sd, half_width, comparisons=1):
    from scipy.stats import t

    n = 2
    while t.ppf(1 - 0.05 / (2 * comparisons), n - 1) * sd / math.sqrt(n) > half_width:
        n += 1
    return n


def test_check_seeds_needed_accepts_the_solution(capsys):
    check_seeds_needed(seeds_needed_solution)
    assert capsys.readouterr().out.startswith("✓ seeds_needed gives the smallest")


def test_check_seeds_needed_reports_a_stub_as_not_implemented():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_seeds_needed(_stub)


def test_check_seeds_needed_recognises_the_normal_quantile():
    def normal(sd, half_width, comparisons=1):
        return math.ceil((1.959963984540054 * sd / half_width) ** 2)

    with pytest.raises(AssertionError, match="that is the normal's 1\\.96"):
        check_seeds_needed(normal)


def test_check_seeds_needed_recognises_a_missing_bonferroni_correction():
    with pytest.raises(AssertionError, match="Bonferroni"):
        check_seeds_needed(lambda sd, h, comparisons=1: seeds_needed_solution(sd, h, 1))


def test_check_seeds_needed_recognises_a_missing_square_root():
    from scipy.stats import t

    def no_root(sd, half_width, comparisons=1):
        n = 2
        while t.ppf(1 - 0.05 / (2 * comparisons), n - 1) * sd / n > half_width:
            n += 1
        return n

    with pytest.raises(AssertionError, match="not sd / n"):
        check_seeds_needed(no_root)


def test_check_seeds_needed_rejects_one_seed_too_many_as_wasteful():
    with pytest.raises(AssertionError, match="not the smallest number"):
        check_seeds_needed(lambda sd, h, comparisons=1:
                           seeds_needed_solution(sd, h, comparisons) + 1)


def test_check_seeds_needed_rejects_too_few_seeds_as_too_wide():
    with pytest.raises(AssertionError, match="would not be narrow enough"):
        check_seeds_needed(lambda sd, h, comparisons=1:
                           seeds_needed_solution(sd, h, comparisons) - 1)


@pytest.mark.parametrize("bad", [1, 2.5, "7", None])
def test_check_seeds_needed_rejects_a_non_integer_or_a_single_seed(bad):
    with pytest.raises(AssertionError, match="integer of at least 2"):
        check_seeds_needed(lambda sd, h, comparisons=1: bad)


# --- hints and help ------------------------------------------------------------------------


def test_every_exercise_has_a_three_rung_hint_ladder():
    ladders = {**HINTS, **SAMPLE_SIZE_HINTS}
    assert set(ladders) == {"zero_fraction", "expected_zero_fraction", "sign_prediction",
                            "seeds_needed"}
    assert all(len(ladder) == 3 and all(rung.strip() for rung in ladder)
               for ladder in ladders.values())


@pytest.mark.parametrize("checker, answer", [
    (check_zero_fraction, "(h == 0)"),
    (check_expected_zero_fraction, "erf"),
    (check_expected_zero_fraction, "-bias / (weight_std"),
    (check_sign_prediction, "0.75"),
    (check_seeds_needed, "ppf("),
])
def test_help_of_a_checker_does_not_show_the_answer(checker, answer):
    import inspect

    assert answer not in (checker.__doc__ or "")
    assert answer not in inspect.getmodule(checker).__doc__
