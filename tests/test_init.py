"""relu_course.init: fans, standard deviations from the formulas, agreement with torch.nn.init."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from relu_course import init

SHAPES = [(512, 256), (64, 32, 3, 3), (400, 80, 5)]


@pytest.mark.parametrize("shape", [*SHAPES, (7, 3), (5, 2, 4, 4, 4)])
def test_fans_agree_with_torch_nn_init(shape):
    w = torch.empty(shape)
    assert init.fans(w) == nn.init._calculate_fan_in_and_fan_out(w)


def test_fans_of_linear_and_conv_weights_by_hand():
    assert init.fans(nn.Linear(20, 30).weight) == (20, 30)
    assert init.fans(nn.Conv2d(3, 16, kernel_size=5).weight) == (3 * 25, 16 * 25)


def test_fans_reject_a_bias():
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.fans(torch.empty(5))


def _std(shape, fill, **kwargs) -> float:
    return fill(torch.empty(shape, dtype=torch.float64), **kwargs).std().item()


@pytest.mark.parametrize("shape", SHAPES)
def test_standard_deviations_follow_the_formulas(shape):
    torch.manual_seed(0)
    fan_in, fan_out = init.fans(torch.empty(shape))
    expected = {
        "he_normal": (init.he_normal_, {}, math.sqrt(2 / fan_in)),
        "he_normal_fan_out": (init.he_normal_, {"mode": "fan_out"}, math.sqrt(2 / fan_out)),
        "he_normal_leaky": (init.he_normal_, {"a": 0.2}, math.sqrt(2 / (1.04 * fan_in))),
        "he_uniform": (init.he_uniform_, {}, math.sqrt(2 / fan_in)),
        "lecun_normal": (init.lecun_normal_, {}, math.sqrt(1 / fan_in)),
        "xavier_normal": (init.xavier_normal_, {"gain": 2.0},
                          2 * math.sqrt(2 / (fan_in + fan_out))),
        "xavier_uniform": (init.xavier_uniform_, {}, math.sqrt(2 / (fan_in + fan_out))),
    }
    for name, (fill, kwargs, sigma) in expected.items():
        assert _std(shape, fill, **kwargs) == pytest.approx(sigma, rel=0.03), name


def test_uniform_schemes_stay_inside_their_bound():
    w = init.he_uniform_(torch.empty(400, 300))
    bound = math.sqrt(6 / 300)
    assert float(w.abs().max()) <= bound
    assert float(w.abs().max()) > 0.99 * bound
    w = init.xavier_uniform_(torch.empty(400, 300), gain=0.5)
    assert float(w.abs().max()) <= 0.5 * math.sqrt(6 / 700)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda w: init.he_normal_(w), lambda w: nn.init.kaiming_normal_(w)),
        (lambda w: init.he_normal_(w, a=0.1, mode="fan_out"),
         lambda w: nn.init.kaiming_normal_(w, a=0.1, mode="fan_out", nonlinearity="leaky_relu")),
        (lambda w: init.he_uniform_(w), lambda w: nn.init.kaiming_uniform_(w)),
        (lambda w: init.xavier_normal_(w, gain=1.5), lambda w: nn.init.xavier_normal_(w, 1.5)),
        (lambda w: init.xavier_uniform_(w), lambda w: nn.init.xavier_uniform_(w)),
        (lambda w: init.lecun_normal_(w),
         lambda w: nn.init.kaiming_normal_(w, nonlinearity="linear")),
    ],
)
def test_same_seed_gives_the_same_weights_as_torch_nn_init(shape, ours, theirs):
    torch.manual_seed(1)
    a = ours(torch.empty(shape))
    torch.manual_seed(1)
    b = theirs(torch.empty(shape))
    torch.testing.assert_close(a, b, rtol=1e-6, atol=0)


def test_fill_is_in_place_and_works_on_parameters_that_require_grad():
    layer = nn.Linear(10, 5)
    out = init.he_normal_(layer.weight)
    assert out is layer.weight and layer.weight.requires_grad


def test_bad_mode_and_bad_tensor_are_rejected():
    with pytest.raises(ValueError, match="fan_in"):
        init.he_normal_(torch.empty(3, 3), mode="fan_avg")
    with pytest.raises(TypeError, match=r"torch\.Tensor"):
        init.xavier_normal_([[1.0, 2.0]])
    with pytest.raises(TypeError, match="gain"):
        init.xavier_uniform_(torch.empty(2, 2), gain="1")


def test_init_sets_every_weight_and_bias_in_a_model():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 64, 3), nn.ReLU(), nn.Flatten(), nn.Linear(64, 300),
                          nn.ReLU(), nn.Linear(300, 10))
    init.init_(model, "he", bias=0.25)
    for layer, fan_in in ((model[0], 9), (model[3], 64), (model[5], 300)):
        assert layer.weight.std().item() == pytest.approx(math.sqrt(2 / fan_in), rel=0.1)
        assert bool((layer.bias == 0.25).all())


def test_default_scheme_with_bias_none_leaves_pytorch_init_untouched():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    init.init_(model, "default", bias=None)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    init.init_(model, "default")  # bias defaults to 0.0: weights kept, biases zeroed
    assert torch.equal(model[0].weight, before["0.weight"])
    assert bool((model[0].bias == 0).all())


def test_init_rejects_unknown_schemes_naming_the_accepted_ones():
    with pytest.raises(ValueError, match="he_uniform"):
        init.init_(nn.Linear(2, 2), "kaiming")
    with pytest.raises(TypeError, match=r"nn\.Module"):
        init.init_(torch.empty(2, 2))
