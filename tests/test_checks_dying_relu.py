"""The dying-ReLU checkers accept the solutions, and reject stubs and plausible mistakes with
a message that points at the mistake."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from relu_course import models, train
from relu_course.checks import (
    check_born_dead_probability,
    check_dead_mask,
    check_revived_digits_model,
)
from relu_course.data import digits


def _stub(*args, **kwargs):
    raise NotImplementedError()


# --- check_dead_mask ------------------------------------------------------------------------


def test_check_dead_mask_accepts_the_solution_and_prints_one_line(capsys):
    check_dead_mask(lambda H: (H == 0).all(dim=0))
    out = capsys.readouterr().out
    assert out.startswith("✓ dead_mask agrees with the definition") and out.count("\n") == 1


def test_check_dead_mask_accepts_an_equivalent_formulation():
    check_dead_mask(lambda H: ~(H != 0).any(dim=0))


def test_check_dead_mask_reports_a_stub_as_not_implemented():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_dead_mask(_stub)


def test_check_dead_mask_rejects_zero_on_some_input_instead_of_every_input():
    with pytest.raises(AssertionError) as info:
        check_dead_mask(lambda H: (H == 0).any(dim=0))
    message = str(info.value)
    assert "dead_mask(H) is wrong" in message and "all, not any" in message


def test_check_dead_mask_rejects_a_tolerance_around_zero():
    with pytest.raises(AssertionError, match="no tolerance: an output of 1e-30"):
        check_dead_mask(lambda H: (H.abs() < 1e-6).all(dim=0))


def test_check_dead_mask_rejects_reducing_over_the_wrong_dimension():
    with pytest.raises(AssertionError, match="one value per input"):
        check_dead_mask(lambda H: (H == 0).all(dim=1))


def test_check_dead_mask_rejects_a_float_mask_with_the_dtype_in_the_message():
    with pytest.raises(AssertionError, match=r"dtype torch\.float32, expected torch\.bool"):
        check_dead_mask(lambda H: (H == 0).all(dim=0).float())


# --- check_born_dead_probability ------------------------------------------------------------


def test_check_born_dead_probability_accepts_the_solution_and_prints_one_line(capsys):
    check_born_dead_probability(lambda width, depth: 1 - (1 - 2.0**-width) ** depth)
    out = capsys.readouterr().out
    assert out.startswith("✓ p_born_dead matches") and out.count("\n") == 1


def test_check_born_dead_probability_reports_a_stub_as_not_implemented():
    with pytest.raises(AssertionError, match="not implemented yet"):
        check_born_dead_probability(_stub)


def test_check_born_dead_probability_recognises_the_survival_probability():
    with pytest.raises(AssertionError, match="the probability that the input survives"):
        check_born_dead_probability(lambda width, depth: (1 - 2.0**-width) ** depth)


def test_check_born_dead_probability_recognises_the_union_bound():
    with pytest.raises(AssertionError) as info:
        check_born_dead_probability(lambda width, depth: min(1.0, depth * 2.0**-width))
    message = str(info.value)
    assert "union bound" in message and "width=" in message and "expected:" in message


def test_check_born_dead_probability_recognises_a_single_layer():
    with pytest.raises(AssertionError, match="`depth` chances to die"):
        check_born_dead_probability(lambda width, depth: 2.0**-width)


def test_check_born_dead_probability_recognises_an_off_by_one_depth():
    with pytest.raises(AssertionError, match="count every one of the `depth` layers"):
        check_born_dead_probability(lambda width, depth: 1 - (1 - 2.0**-width) ** (depth - 1))


# --- check_revived_digits_model -------------------------------------------------------------


@pytest.fixture(scope="module")
def split():
    return digits()


def test_check_revived_digits_model_accepts_a_batch_normalised_relu_net(split, capsys):
    net = models.mlp([64, 128, 128, 10], init="default", bias=None, batch_norm=True, seed=0)
    train.fit(net, split, epochs=8, lr=0.03, optimizer="adam", batch_size=128, seed=0,
              progress=False)
    check_revived_digits_model(net)
    out = capsys.readouterr().out
    assert out.startswith("✓ 0.0% dead units") and out.count("\n") == 1


def test_check_revived_digits_model_rejects_the_dying_recipe_with_the_dead_fraction(split):
    net = models.mlp([64, 128, 128, 10], init="default", bias=None, seed=0)
    train.fit(net, split, epochs=8, lr=0.03, optimizer="adam", batch_size=128, seed=0,
              progress=False)
    with pytest.raises(AssertionError) as info:
        check_revived_digits_model(net)
    message = str(info.value)
    assert "of the hidden units are dead on the training digits" in message
    assert "act0:" in message and "smaller learning rate" in message


def test_check_revived_digits_model_rejects_an_untrained_network_for_its_accuracy():
    net = models.mlp([64, 32, 10], seed=0)  # few dead units, but about 10% accuracy
    with torch.no_grad():
        net.linear0.bias.fill_(0.5)  # every unit fires on some input
    with pytest.raises(AssertionError, match="of the test digits correctly; the target is 90%"):
        check_revived_digits_model(net)


def test_check_revived_digits_model_rejects_replacing_relu_by_leaky_relu():
    net = models.mlp([64, 32, 10], activation="leaky_relu", seed=0)
    with pytest.raises(AssertionError, match="act0 is LeakyReLU"):
        check_revived_digits_model(net)


def test_check_revived_digits_model_rejects_a_model_without_activations():
    with pytest.raises(AssertionError, match="no activation layer"):
        check_revived_digits_model(nn.Linear(64, 10))


def test_check_revived_digits_model_rejects_something_that_is_not_a_module():
    with pytest.raises(AssertionError, match=r"expects a trained torch\.nn\.Module, got str"):
        check_revived_digits_model("my model")


def test_check_revived_digits_model_leaves_the_model_in_training_mode(split):
    net = models.mlp([64, 32, 10], batch_norm=True, seed=0)
    net.train()
    with pytest.raises(AssertionError):
        check_revived_digits_model(net)
    assert net.training
