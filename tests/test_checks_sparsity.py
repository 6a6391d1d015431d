"""The sparsity checkers accept the solutions, and reject stubs and plausible mistakes with a
message that points at the mistake."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from relu_course.checks import check_sparse_digits_model, check_zero_fraction
from relu_course.checks.sparsity import ACCURACY_TARGET, SPARSITY_TARGET


def _stub(*args):
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


# --- check_sparse_digits_model -----------------------------------------------------------


def _train_digits(l1: float, epochs: int = 30, seed: int = 0) -> nn.Module:
    """Adam on the digits with lambda * mean |activation| of every hidden layer added."""
    from relu_course import data, models
    from relu_course.activations import is_activation

    split = data.digits()
    net = models.mlp([64, 64, 64, 10], seed=seed)
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    g = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        for rows in torch.randperm(len(split.X_train), generator=g).split(128):
            h, penalty = split.X_train[rows], 0.0
            for layer in net:
                h = layer(h)
                if is_activation(layer):
                    penalty = penalty + h.abs().mean()
            loss = nn.functional.cross_entropy(h, split.y_train[rows]) + l1 * penalty
            opt.zero_grad()
            loss.backward()
            opt.step()
    return net


@pytest.fixture(scope="module")
def sparse_net():
    return _train_digits(l1=3.0)


@pytest.fixture(scope="module")
def plain_net():
    return _train_digits(l1=0.0)


def test_check_sparse_digits_model_accepts_a_net_trained_with_an_l1_penalty(sparse_net, capsys):
    check_sparse_digits_model(sparse_net)
    out = capsys.readouterr().out
    assert out.startswith("✓ test accuracy") and f"target {SPARSITY_TARGET:.0%}" in out


def test_check_sparse_digits_model_rejects_an_accurate_but_dense_net(plain_net):
    with pytest.raises(AssertionError) as info:
        check_sparse_digits_model(plain_net)
    message = str(info.value)
    assert f"the target is {SPARSITY_TARGET:.0%}" in message
    assert "accuracy" in message and "is fine" in message
    assert "act0:" in message and "L1" not in message.split("hint:")[0]
    assert "raise lambda" in message


def test_check_sparse_digits_model_rejects_an_untrained_net_on_accuracy():
    from relu_course import models

    with pytest.raises(AssertionError) as info:
        check_sparse_digits_model(models.mlp([64, 32, 10], seed=0))
    message = str(info.value)
    assert f"the target is {ACCURACY_TARGET:.0%}" in message
    assert "weaken the L1 penalty" in message


def test_check_sparse_digits_model_rejects_a_model_without_activation_layers():
    from relu_course import data

    split = data.digits()
    linear = nn.Linear(64, 10)
    opt = torch.optim.Adam(linear.parameters(), lr=0.05)
    for _ in range(200):
        loss = nn.functional.cross_entropy(linear(split.X_train), split.y_train)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with pytest.raises(AssertionError, match="no activation layer"):
        check_sparse_digits_model(linear)


def test_check_sparse_digits_model_rejects_wrong_output_shapes_and_non_modules():
    with pytest.raises(AssertionError, match="scores of shape"):
        check_sparse_digits_model(nn.Sequential(nn.Linear(64, 3), nn.ReLU()))
    with pytest.raises(AssertionError, match="expects a trained"):
        check_sparse_digits_model("net")
