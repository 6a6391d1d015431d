"""The dying-ReLU checkers accept the solutions, and reject stubs and plausible mistakes with
a message that names the misconception."""

from __future__ import annotations

import inspect
import math

import pytest
import torch
from torch import nn

import relu_course.checks.dying_relu as module
from relu_course import models, train
from relu_course.checks import (
    check_born_dead_probability,
    check_revived_digits_model,
    check_weight_decay_prediction,
    hint,
)
from relu_course.data import digits


def _stub(*args, **kwargs):
    raise NotImplementedError()


# --- check_weight_decay_prediction ----------------------------------------------------------


def test_weight_decay_prediction_accepts_b_and_shows_the_measured_numbers(capsys):
    check_weight_decay_prediction(" B ")
    out = capsys.readouterr().out
    assert out.startswith("✓ right: the unit stays dead while its weights shrink.")
    assert "went from -0.500 to -0.4" in out and "factor 0.916" in out and out.count("\n") == 1


def test_weight_decay_prediction_without_a_prediction_is_not_implemented_yet():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_weight_decay_prediction(None)


def test_weight_decay_prediction_a_is_told_that_scaling_cannot_flip_a_sign():
    with pytest.raises(AssertionError) as info:
        check_weight_decay_prediction("a")
    message = str(info.value)
    assert "it stays dead" in message and "scaled, never flipped" in message
    assert "Moving weights is not the same as moving them towards firing" in message


def test_weight_decay_prediction_c_is_told_that_the_penalty_has_a_gradient():
    with pytest.raises(AssertionError, match="the penalty has a gradient of its own"):
        check_weight_decay_prediction("c")


@pytest.mark.parametrize("bad", ["d", "maybe", 2, ""])
def test_weight_decay_prediction_rejects_anything_but_the_three_letters(bad):
    with pytest.raises(AssertionError, match="must be one of the letters 'a', 'b' or 'c'"):
        check_weight_decay_prediction(bad)


# --- check_born_dead_probability ------------------------------------------------------------


def _solution(widths):
    alive = 1.0
    for n in widths:
        alive *= 1.0 - 2.0**-n
    return 1.0 - alive


def test_born_dead_probability_accepts_the_solution_and_prints_one_line(capsys):
    check_born_dead_probability(_solution)
    out = capsys.readouterr().out
    assert out.startswith("✓ p_born_dead is right on 12 networks") and out.count("\n") == 1


def test_born_dead_probability_accepts_a_tensor_scalar():
    check_born_dead_probability(lambda ws: torch.tensor(_solution(ws), dtype=torch.float64))


def test_born_dead_probability_reports_a_stub_as_not_implemented():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_born_dead_probability(_stub)


@pytest.mark.parametrize("wrong, misconception", [
    (lambda ws: 1.0 - _solution(ws) if ws else 0.0, "the probability that the input survives"),
    (lambda ws: min(1.0, sum(2.0**-n for n in ws)), "union bound"),
    (lambda ws: math.prod(2.0**-n for n in ws) if ws else 0.0, "one layer is enough"),
    (lambda ws: 1 - (1 - 2.0 ** -(sum(ws) / len(ws))) ** len(ws) if ws else 0.0,
     "not a function of the average width"),
    (lambda ws: 1 - (1 - 2.0 ** -min(ws)) ** len(ws) if ws else 0.0,
     "not every layer is as narrow as the narrowest"),
    (lambda ws: 2.0 ** -ws[-1] if ws else 0.0, "is not the only chance to die"),
    (lambda ws: _solution(ws[1:]), "count the first hidden layer too"),
    (lambda ws: 1.0 if not ws else _solution(ws), "with no layer there is nothing to kill"),
])
def test_born_dead_probability_names_each_misconception(wrong, misconception):
    with pytest.raises(AssertionError) as info:
        check_born_dead_probability(wrong)
    message = str(info.value)
    assert misconception in message and "widths=" in message and "expected:" in message


def test_born_dead_probability_rejects_a_non_number():
    with pytest.raises(AssertionError, match="should return a number, got str"):
        check_born_dead_probability(lambda ws: "0.5")


def test_born_dead_probability_rejects_the_old_two_argument_signature():
    with pytest.raises(AssertionError, match="p_born_dead raised TypeError"):
        check_born_dead_probability(lambda width, depth: 0.0)


# --- check_revived_digits_model -------------------------------------------------------------


@pytest.fixture(scope="module")
def split():
    return digits()


def test_revived_digits_model_accepts_sgd_at_a_moderate_rate_in_float64(split, capsys):
    net = models.mlp([64, 128, 128, 10], seed=0).double()
    train.fit(net, (split.X_train.double(), split.y_train), epochs=8, lr=0.3, optimizer="sgd",
              batch_size=128, seed=0, progress=False)
    check_revived_digits_model(net)
    out = capsys.readouterr().out
    assert out.startswith("✓ ") and "dead units (target < 5%)" in out and out.count("\n") == 1


def test_revived_digits_model_rejects_the_dying_recipe_with_the_dead_fraction(split):
    net = models.mlp([64, 128, 128, 10], seed=0)
    train.fit(net, split, epochs=5, lr=0.03, optimizer="adam", batch_size=128, seed=0,
              progress=False)
    with pytest.raises(AssertionError) as info:
        check_revived_digits_model(net)
    message = str(info.value)
    assert "of the hidden units are dead on the training digits" in message
    assert "act0:" in message and "Try smaller steps" in message


def test_revived_digits_model_rejects_batch_normalisation_by_name():
    net = models.mlp([64, 32, 10], batch_norm=True, seed=0)
    with pytest.raises(AssertionError, match=r"uses batch normalisation \(bn0\)"):
        check_revived_digits_model(net)


def test_revived_digits_model_rejects_an_untrained_network_for_its_accuracy():
    net = models.mlp([64, 32, 10], seed=0)  # few dead units, but about 10% accuracy
    with torch.no_grad():
        net.linear0.bias.fill_(0.5)  # every unit fires on some input
    with pytest.raises(AssertionError, match="of the test digits correctly; the target is 90%"):
        check_revived_digits_model(net)


def test_revived_digits_model_rejects_replacing_relu_by_leaky_relu():
    net = models.mlp([64, 32, 10], activation="leaky_relu", seed=0)
    with pytest.raises(AssertionError, match="act0 is LeakyReLU"):
        check_revived_digits_model(net)


def test_revived_digits_model_rejects_a_model_without_activations():
    with pytest.raises(AssertionError, match="no activation layer"):
        check_revived_digits_model(nn.Linear(64, 10))


def test_revived_digits_model_without_a_network_is_not_implemented_yet():
    with pytest.raises(AssertionError, match="net is not implemented yet"):
        check_revived_digits_model(None)


def test_revived_digits_model_rejects_something_that_is_not_a_module():
    with pytest.raises(AssertionError, match=r"expects a trained torch\.nn\.Module, got str"):
        check_revived_digits_model("my model")


def test_revived_digits_model_rejects_wrong_output_shape():
    net = nn.Sequential(nn.Linear(64, 5), nn.ReLU())
    with pytest.raises(AssertionError, match=r"scores of shape \(450, 10\), got \(450, 5\)"):
        check_revived_digits_model(net)


def test_revived_digits_model_leaves_the_model_in_training_mode():
    net = models.mlp([64, 32, 10], seed=0)
    net.train()
    with pytest.raises(AssertionError):
        check_revived_digits_model(net)
    assert net.training


# --- no answers in help(), and the hint ladders ----------------------------------------------


def test_help_shows_no_answer():
    shown = inspect.getdoc(module) + "".join(
        inspect.getdoc(f) for f in (check_born_dead_probability, check_weight_decay_prediction,
                                     check_revived_digits_model))
    for answer in ("1 - 2**-n", "prod", "(1 - 2^-N)", "lr=0.3", "answer is", "is right"):
        assert answer not in shown, answer


@pytest.mark.parametrize("exercise", ["weight_decay_prediction", "born_dead_probability",
                                      "revived_digits_model"])
def test_each_exercise_has_a_three_rung_hint_ladder(exercise):
    assert [hint(exercise, n).split(":")[0] for n in (1, 2, 3)] == [
        "Hint 1 of 3 (a nudge)", "Hint 2 of 3 (the key idea)", "Hint 3 of 3 (the hardest line)"]
