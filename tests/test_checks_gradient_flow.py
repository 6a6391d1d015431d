"""The gradient-flow checkers accept the solutions, and reject stubs and plausible mistakes
with a message that points at the mistake."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from relu_course.checks import (
    check_he_std,
    check_symmetry_prediction,
    check_variance_preserving_init,
)
from relu_course.checks.gradient_flow import HINTS, SYMMETRY_CASES


def _stub(*args, **kwargs):
    raise NotImplementedError()


# --- check_he_std ---------------------------------------------------------------------------


def he_std_solution(fan_in, negative_slope=0.0):
    return math.sqrt(2.0 / ((1.0 + negative_slope**2) * fan_in))


def test_check_he_std_accepts_the_solution_and_prints_one_line(capsys):
    check_he_std(he_std_solution)
    out = capsys.readouterr().out
    assert out.startswith("✓ he_std matches") and out.count("\n") == 1


def test_check_he_std_accepts_a_zero_dimensional_tensor():
    check_he_std(lambda fan_in, negative_slope=0.0: torch.tensor(he_std_solution(fan_in,
                                                                                negative_slope)))


def test_check_he_std_reports_a_stub_as_not_implemented():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_he_std(_stub)


def test_check_he_std_recognises_the_variance_instead_of_the_standard_deviation():
    with pytest.raises(AssertionError, match="you returned the variance"):
        check_he_std(lambda fan_in, negative_slope=0.0:
                     he_std_solution(fan_in, negative_slope) ** 2)


def test_check_he_std_recognises_a_slope_that_is_ignored():
    with pytest.raises(AssertionError) as info:
        check_he_std(lambda fan_in, negative_slope=0.0: math.sqrt(2.0 / fan_in))
    message = str(info.value)
    assert "negative_slope=0.01" in message and "the slope a must enter" in message


def test_check_he_std_recognises_lecun_initialisation():
    with pytest.raises(AssertionError, match="LeCun's standard deviation"):
        check_he_std(lambda fan_in, negative_slope=0.0: math.sqrt(1.0 / fan_in))


def test_check_he_std_recognises_a_slope_that_is_not_squared():
    with pytest.raises(AssertionError, match=r"enters squared: \(1 \+ a\^2\)"):
        check_he_std(lambda fan_in, negative_slope=0.0:
                     math.sqrt(2.0 / ((1.0 + negative_slope) * fan_in)))


def test_check_he_std_rejects_a_non_number_with_its_type():
    with pytest.raises(AssertionError, match="should return a number, got str"):
        check_he_std(lambda fan_in, negative_slope=0.0: "0.1")


# --- check_variance_preserving_init ---------------------------------------------------------


def he_init_solution(net):
    for layer in net.modules():
        if isinstance(layer, nn.Linear):
            with torch.no_grad():
                layer.weight.normal_(0.0, math.sqrt(2.0 / layer.in_features))
                layer.bias.zero_()


def test_check_variance_preserving_init_accepts_the_solution_and_prints_one_line(capsys):
    check_variance_preserving_init(he_init_solution)
    out = capsys.readouterr().out
    assert out.startswith("✓ over 20 ReLU layers the mean square changes by a factor")
    assert out.count("\n") == 1


def test_check_variance_preserving_init_accepts_torch_kaiming_uniform():
    def kaiming_uniform(net):
        for layer in net.modules():
            if isinstance(layer, nn.Linear):
                nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu")
                nn.init.zeros_(layer.bias)

    check_variance_preserving_init(kaiming_uniform)


def test_check_variance_preserving_init_leaves_the_global_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    check_variance_preserving_init(he_init_solution)
    assert torch.equal(torch.rand(3), expected)


def test_check_variance_preserving_init_reports_a_stub_as_not_implemented():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_variance_preserving_init(_stub)


def test_check_variance_preserving_init_rejects_xavier_with_the_factor_two_hint():
    def xavier(net):
        for layer in net.modules():
            if isinstance(layer, nn.Linear):
                nn.init.xavier_normal_(layer.weight)
                nn.init.zeros_(layer.bias)

    with pytest.raises(AssertionError) as info:
        check_variance_preserving_init(xavier)
    message = str(info.value)
    assert "it shrinks the signal" in message and "Var(w) = 2 / fan_in" in message


def test_check_variance_preserving_init_rejects_scaling_by_fan_out():
    def fan_out(net):
        for layer in net.modules():
            if isinstance(layer, nn.Linear):
                nn.init.kaiming_normal_(layer.weight, mode="fan_out", nonlinearity="relu")

    with pytest.raises(AssertionError, match="you scaled by fan_out"):
        check_variance_preserving_init(fan_out)


def test_check_variance_preserving_init_rejects_weights_that_are_too_large():
    def too_large(net):
        for layer in net.modules():
            if isinstance(layer, nn.Linear):
                nn.init.normal_(layer.weight, 0.0, 2.0 / math.sqrt(layer.in_features))

    with pytest.raises(AssertionError, match="it amplifies the signal"):
        check_variance_preserving_init(too_large)


def test_check_variance_preserving_init_rejects_a_function_that_changes_nothing():
    with pytest.raises(AssertionError, match="left every weight as PyTorch created it"):
        check_variance_preserving_init(lambda net: None)


def test_check_variance_preserving_init_rejects_returning_a_new_network():
    def new_network(net):
        return nn.Sequential(nn.Linear(1, 1))

    with pytest.raises(AssertionError, match="returned a new network"):
        check_variance_preserving_init(new_network)


def test_check_variance_preserving_init_catches_a_deep_drift_that_single_layers_hide():
    # Right variance on the first layer, too small on the others: the deep test notices.
    def only_first(net):
        linears = [m for m in net.modules() if isinstance(m, nn.Linear)]
        for i, layer in enumerate(linears):
            std = math.sqrt(2.0 / layer.in_features) * (1.0 if i == 0 else 0.9)
            nn.init.normal_(layer.weight, 0.0, std)
            nn.init.zeros_(layer.bias)

    with pytest.raises(AssertionError) as info:
        check_variance_preserving_init(only_first)
    message = str(info.value)
    assert "across the 20 hidden layers" in message and "it shrinks" in message


def test_check_he_std_names_the_generic_rule_for_an_unrecognised_wrong_value():
    with pytest.raises(AssertionError, match="the share of the mean square that phi keeps"):
        check_he_std(lambda fan_in, negative_slope=0.0: 0.123)


def test_check_variance_preserving_init_accepts_the_debugged_colleague_init():
    def fixed(net):
        for layer in net.modules():
            if isinstance(layer, nn.Linear):
                with torch.no_grad():
                    layer.weight.normal_(0.0, math.sqrt(2.0 / layer.weight.shape[1]))
                    layer.bias.zero_()

    check_variance_preserving_init(fixed)


def test_check_variance_preserving_init_names_the_planted_fault_of_the_debug_exercise():
    def buggy(net):  # the lab's buggy_init: weight.shape[0] is the fan-out
        for layer in net.modules():
            if isinstance(layer, nn.Linear):
                with torch.no_grad():
                    layer.weight.normal_(0.0, math.sqrt(2.0 / layer.weight.shape[0]))
                    layer.bias.zero_()

    with pytest.raises(AssertionError, match="you scaled by fan_out"):
        check_variance_preserving_init(buggy)


# --- check_symmetry_prediction -------------------------------------------------------------

RIGHT = {"Adam instead of SGD": False, "dropout (p = 0.2)": True, "weight decay": False,
         "random biases (weights still constant)": True}


def test_check_symmetry_prediction_accepts_the_right_prediction(capsys):
    check_symmetry_prediction(RIGHT)
    out = capsys.readouterr().out
    assert out.startswith("✓ all 4 predictions match training")
    assert "dropout (p = 0.2) and random biases" in out


@pytest.mark.parametrize("case, mechanism", [
    ("Adam instead of SGD", "identical gradient histories"),
    ("dropout (p = 0.2)", "different random set of units"),
    ("weight decay", "identical weights get identical decay"),
    ("random biases (weights still constant)", "different biases"),
])
def test_check_symmetry_prediction_explains_each_miss(case, mechanism):
    with pytest.raises(AssertionError) as info:
        check_symmetry_prediction({**RIGHT, case: not RIGHT[case]})
    message = str(info.value)
    assert "1 of the 4 predictions missed" in message and case in message
    assert mechanism in message


def test_check_symmetry_prediction_says_when_a_prediction_is_not_filled_in():
    with pytest.raises(AssertionError, match="not filled in yet"):
        check_symmetry_prediction({**RIGHT, "weight decay": ...})


@pytest.mark.parametrize("bad", [None, {"Adam": True}, {**RIGHT, "weight decay": 0}])
def test_check_symmetry_prediction_rejects_malformed_predictions(bad):
    with pytest.raises(AssertionError, match="prediction"):
        check_symmetry_prediction(bad)


def test_symmetry_cases_are_the_four_the_lab_asks_for():
    assert set(SYMMETRY_CASES) == set(RIGHT)


# --- hints and help ------------------------------------------------------------------------


def test_every_exercise_has_a_three_rung_hint_ladder():
    assert set(HINTS) == {"he_std", "init_deep_relu_net", "symmetry_prediction"}
    assert all(len(ladder) == 3 and all(rung.strip() for rung in ladder)
               for ladder in HINTS.values())


@pytest.mark.parametrize("checker, answer", [
    (check_he_std, "1 + a^2"),
    (check_he_std, "negative_slope**2"),
    (check_variance_preserving_init, "2 / fan_in"),
    (check_variance_preserving_init, "shape[1]"),
    (check_symmetry_prediction, "dropout (p = 0.2) and"),
])
def test_help_of_a_checker_does_not_show_the_answer(checker, answer):
    import relu_course.checks.gradient_flow as module

    assert answer not in (checker.__doc__ or "")
    assert answer not in module.__doc__
