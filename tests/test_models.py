"""relu_course.models: layer names, activations in every accepted form, init, seeds, devices."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from relu_course import activations, models

DEVICES = ["cpu", *(["cuda"] if torch.cuda.is_available() else [])]


def test_mlp_names_layers_and_has_no_activation_after_the_output():
    model = models.mlp([3, 8, 8, 8, 2])
    names = [name for name, _ in model.named_children()]
    assert names == ["linear0", "act0", "linear1", "act1", "linear2", "act2", "linear3"]
    assert isinstance(model.linear3, nn.Linear) and model.linear3.out_features == 2


def test_mlp_with_batch_norm_and_dropout_places_them_around_the_activation():
    model = models.mlp([2, 4, 2], batch_norm=True, dropout=0.5)
    names = [name for name, _ in model.named_children()]
    assert names == ["linear0", "bn0", "act0", "drop0", "linear1"]
    assert model.drop0.p == 0.5


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("relu", activations.ReLU),
        ("Leaky-ReLU", activations.LeakyReLU),
        (nn.Tanh, nn.Tanh),
        (lambda: nn.LeakyReLU(0.2), nn.LeakyReLU),
        (activations.PReLU(init=0.1), activations.PReLU),
    ],
)
def test_mlp_accepts_a_name_a_class_a_factory_or_a_module(spec, expected):
    model = models.mlp([2, 5, 5, 1], activation=spec)
    assert isinstance(model.act0, expected) and isinstance(model.act1, expected)
    assert model.act0 is not model.act1  # one module per layer (a PReLU slope each)


def test_mlp_rejects_bad_activations_naming_what_is_accepted():
    with pytest.raises(ValueError, match="relu"):
        models.mlp([2, 2, 2], activation="rectifier")
    with pytest.raises(TypeError, match="activation"):
        models.mlp([2, 2, 2], activation=3)
    with pytest.raises(TypeError, match=r"nn\.Module"):
        models.mlp([2, 2, 2], activation=lambda: "relu")


@pytest.mark.parametrize("sizes", [[4], [], [2, 0, 1], [2, 2.5, 1]])
def test_mlp_rejects_bad_sizes(sizes):
    with pytest.raises(ValueError, match="sizes"):
        models.mlp(sizes)


def test_mlp_he_init_gives_weights_of_std_sqrt_two_over_fan_in_and_zero_biases():
    model = models.mlp([400, 500, 10], seed=0)
    assert model.linear0.weight.std().item() == pytest.approx(math.sqrt(2 / 400), rel=0.02)
    assert model.linear1.weight.std().item() == pytest.approx(math.sqrt(2 / 500), rel=0.05)
    assert bool((model.linear0.bias == 0).all())


def test_mlp_bias_and_init_are_passed_to_every_layer():
    model = models.mlp([2, 3, 3, 1], init="xavier", bias=-1.0)
    assert all(bool((layer.bias == -1.0).all())
               for layer in (model.linear0, model.linear1, model.linear2))
    with pytest.raises(ValueError, match="he_uniform"):
        models.mlp([2, 2], init="glorot")


def test_mlp_default_init_with_bias_none_equals_plain_pytorch_layers():
    torch.manual_seed(3)
    ours = models.mlp([4, 6, 2], init="default", bias=None)
    torch.manual_seed(3)
    ref = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 2))
    assert torch.equal(ours.linear0.weight, ref[0].weight)
    assert torch.equal(ours.linear1.bias, ref[2].bias)


def test_seed_builds_identical_models_and_leaves_global_random_state_alone():
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    a = models.mlp([2, 8, 2], seed=7)
    assert torch.equal(torch.rand(3), expected)
    b = models.mlp([2, 8, 2], seed=7)
    c = models.mlp([2, 8, 2], seed=8)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(a.linear0.weight, c.linear0.weight)


def test_digits_cnn_maps_8x8_images_to_ten_logits_with_named_activations():
    model = models.digits_cnn(channels=(4, 8, 8), seed=0)
    assert model(torch.rand(3, 1, 8, 8)).shape == (3, 10)
    acts = [name for name, m in model.named_modules() if activations.is_activation(m)]
    assert acts == ["act0", "act1", "act2"]
    assert model.conv1.weight.shape == (8, 4, 3, 3)
    assert bool((model.conv0.bias == 0).all())


def test_digits_cnn_rejects_too_many_stages():
    with pytest.raises(ValueError, match="channels"):
        models.digits_cnn(channels=(4, 4, 4, 4))


@pytest.mark.parametrize("device", DEVICES)
def test_models_run_on_every_available_device(device):
    mlp = models.mlp([64, 32, 10], seed=0).to(device)
    cnn = models.digits_cnn(seed=0).to(device)
    x = torch.rand(5, 1, 8, 8, device=device)
    assert mlp(x.flatten(1)).device.type == device
    assert cnn(x).device.type == device
