"""relu_course.probes: planted dead units are found exactly, hooks never linger, numbers by hand."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from relu_course import activations, models, probes

DEVICES = ["cpu", *(["cuda"] if torch.cuda.is_available() else [])]


def _no_hooks(model: nn.Module) -> bool:
    return all(not m._forward_hooks and not m._forward_pre_hooks and not m._backward_hooks
               for m in model.modules())


def planted_mlp(dead0=(1, 5), dead1=(0, 3, 7)) -> nn.Sequential:
    """An MLP whose only dead units are the ones planted by very negative biases.

    Layer 0's weights have no zero row and its biases are 0, so on Gaussian inputs every
    unit fires for about half of them; layer 1's weights are positive and its inputs are
    non-negative, so every unit fires whenever any input fires. Biases of -100 kill.
    """
    model = models.mlp([2, 8, 8, 2], seed=0)
    with torch.no_grad():
        model.linear1.weight.abs_().add_(0.1)
        model.linear0.bias[list(dead0)] = -100.0
        model.linear1.bias[list(dead1)] = -100.0
    return model


@pytest.mark.parametrize("device", DEVICES)
def test_dead_units_finds_exactly_the_planted_units(device):
    model = planted_mlp().to(device)
    X = torch.randn(1000, 2, generator=torch.Generator().manual_seed(0), device="cpu")
    found = probes.dead_units(model, X)
    assert list(found) == ["act0", "act1"]
    assert found["act0"] == probes.DeadUnits(2 / 8, 2, 8, [1, 5])
    assert found["act1"] == probes.DeadUnits(3 / 8, 3, 8, [0, 3, 7])
    assert probes.dead_fraction(model, X) == 5 / 16
    assert float(found["act1"]) == 3 / 8


def test_a_healthy_network_has_no_dead_units():
    X = torch.randn(1000, 2, generator=torch.Generator().manual_seed(0))
    found = probes.dead_units(planted_mlp(dead0=(), dead1=()), X)
    assert all(d.count == 0 and d.indices == [] for d in found.values())


def test_a_dead_conv_channel_is_one_that_is_zero_at_every_position():
    model = models.digits_cnn(channels=(4, 6), seed=0)
    with torch.no_grad():
        model.conv0.bias[2] = -100.0
        model.conv1.bias[[1, 4]] = -100.0
    found = probes.dead_units(model, torch.rand(64, 1, 8, 8))
    assert found["act0"].indices == [2] and found["act0"].total == 4
    assert found["act1"].indices == [1, 4] and found["act1"].total == 6


def test_sparsity_counts_exact_zeros_per_layer():
    model = nn.Sequential(nn.Linear(1, 3), nn.ReLU(), nn.Linear(3, 1), nn.ReLU())
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[1.0], [-1.0], [0.0]]))
        model[0].bias.zero_()
        model[2].weight.fill_(1.0)
        model[2].bias.fill_(-1.5)
    X = torch.tensor([[1.0], [2.0], [-1.0], [-3.0]])
    # layer "1": unit 0 fires for x>0 (2 of 4), unit 1 for x<0 (2 of 4), unit 2 never.
    # layer "3": relu(|x| - 1.5) is non-zero for x=2 and x=-3: 2 of 4 are zero.
    assert probes.sparsity(model, X) == {"1": pytest.approx(8 / 12), "3": 0.5}


def test_activation_stats_match_a_hand_computation():
    model = planted_mlp()
    X = torch.randn(500, 2)
    with probes.capture_activations(model) as outs, torch.no_grad():
        model(X)
    h = outs["act1"][0].double()
    stats = probes.activation_stats(model, X)["act1"]
    assert stats.mean == pytest.approx(float(h.mean()))
    assert stats.var == pytest.approx(float(((h - h.mean()) ** 2).mean()))
    assert stats.positive_fraction == pytest.approx(float((h > 0).double().mean()))


@pytest.mark.parametrize("device", DEVICES)
def test_gradient_norms_match_a_manual_backward_and_leave_grads_alone(device):
    model = models.mlp([2, 8, 8, 3], seed=0).to(device)
    X, y = torch.randn(64, 2), torch.randint(0, 3, (64,))
    norms = probes.gradient_norms(model, X, y)
    assert list(norms) == ["linear0", "linear1", "linear2"]
    assert all(p.grad is None for p in model.parameters())
    nn.functional.cross_entropy(model(X.to(device)), y.to(device)).backward()
    for name, value in norms.items():
        assert value == pytest.approx(float(getattr(model, name).weight.grad.norm()), rel=1e-5)


def test_gradient_norms_by_hand_for_a_one_weight_model():
    model = nn.Sequential(nn.Linear(1, 1, bias=False))
    with torch.no_grad():
        model[0].weight.fill_(3.0)
    # L = mean (w x - y)^2 over x = (1, 2), y = 0: dL/dw = (2*3*1 + 2*6*2) / 2 = 15
    norms = probes.gradient_norms(model, torch.tensor([[1.0], [2.0]]), torch.zeros(2, 1))
    assert norms == {"0": pytest.approx(15.0)}


class Exploding(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise RuntimeError("boom")


@pytest.mark.parametrize(
    "probe",
    [
        lambda m, X: probes.sparsity(m, X),
        lambda m, X: probes.dead_units(m, X),
        lambda m, X: probes.activation_stats(m, X),
        lambda m, X: probes.gradient_norms(m, X, torch.zeros(len(X), dtype=torch.long)),
    ],
)
def test_no_hook_remains_after_a_probe_even_when_the_forward_pass_raises(probe):
    model = models.mlp([2, 4, 4, 2], seed=0)
    probe(model, torch.randn(5, 2))
    assert _no_hooks(model)
    broken = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), Exploding())
    with pytest.raises(RuntimeError, match="boom"):
        probe(broken, torch.randn(5, 2))
    assert _no_hooks(broken)


def test_capture_removes_hooks_when_the_block_raises():
    model = models.mlp([2, 4, 2], seed=0)
    with pytest.raises(KeyError), probes.capture_activations(model):
        raise KeyError("inside")
    assert _no_hooks(model)


def test_probes_restore_the_model_mode_and_use_eval_mode_inside():
    model = models.mlp([2, 16, 2], dropout=0.9, seed=0)
    X = torch.randn(200, 2)
    assert probes.sparsity(model, X) == probes.sparsity(model, X)  # dropout off: repeatable
    assert model.training


def test_activation_layers_are_found_by_registry_in_forward_order():
    model = nn.Sequential()
    model.add_module("late", nn.Linear(4, 2))
    model.add_module("early", nn.Linear(2, 4))
    model.add_module("gelu", nn.GELU())
    model.add_module("mine", activations.LeakyReLU())
    model.forward = lambda x: model.mine(model.late(model.gelu(model.early(x))))
    assert list(probes.sparsity(model, torch.randn(3, 2))) == ["gelu", "mine"]


def test_a_model_without_activation_layers_is_rejected_clearly():
    with pytest.raises(ValueError, match="no activation layers"):
        probes.sparsity(nn.Linear(2, 2), torch.randn(3, 2))


def test_linear_regions_of_two_axis_units_are_the_four_quadrants():
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    with torch.no_grad():
        model[0].weight.copy_(torch.eye(2))
        model[0].bias.zero_()
    regions = probes.linear_regions(model, xlim=(-1, 1), ylim=(-1, 1), resolution=10)
    assert regions.count == 4 and regions.ids.shape == (10, 10)
    assert regions.ids[0, 0] == 0  # labels follow first appearance, row by row
    quadrant = (regions.ys[:, None] > 0).long() * 2 + (regions.xs[None, :] > 0).long()
    for q in range(4):  # each quadrant has one pattern, and different quadrants differ
        assert len(regions.ids[quadrant == q].unique()) == 1
    assert len(regions.ids.unique()) == 4


def test_linear_regions_grow_with_width_of_a_random_relu_network():
    narrow = probes.linear_regions(models.mlp([2, 4, 1], seed=0, bias=0.1), resolution=100)
    wide = probes.linear_regions(models.mlp([2, 32, 32, 1], seed=0, bias=0.1),
                                 resolution=100)
    assert 2 <= narrow.count <= 11  # 4 lines cut the plane into at most 11 regions
    assert wide.count > 3 * narrow.count
    assert int(wide.ids.max()) == wide.count - 1


def test_linear_regions_reject_bad_limits():
    with pytest.raises(ValueError, match="xlim"):
        probes.linear_regions(models.mlp([2, 2, 1]), xlim=(1, -1))
    with pytest.raises(ValueError, match="resolution"):
        probes.linear_regions(models.mlp([2, 2, 1]), resolution=1)
