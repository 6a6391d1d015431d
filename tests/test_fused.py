"""relu_course.fused: the fused Linear + ReLU equals the unfused layers, values and gradients."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from relu_course import fused
from relu_course.fused import LinearReLU, linear_relu


def _unfused(x, w, b):
    return torch.relu(F.linear(x, w, b))


def _leaves(device, dtype, shape=(32, 16), n_out=8, bias=True, seed=0):
    g = torch.Generator().manual_seed(seed)
    make = lambda *s: torch.randn(*s, generator=g, dtype=dtype).to(device).requires_grad_()  # noqa: E731
    return make(*shape), make(n_out, shape[-1]), make(n_out) if bias else None


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape", [(32, 16), (4, 5, 16), (16,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_relu_matches_linear_then_relu_in_values_and_gradients(device, dtype, shape, bias):
    x, w, b = _leaves(device, dtype, shape, bias=bias)
    y = linear_relu(x, w, b)
    expected = _unfused(x, w, b)
    tol = {"rtol": 1e-5, "atol": 1e-5} if dtype == torch.float32 else {}
    torch.testing.assert_close(y, expected, **tol)
    assert (y >= 0).all()

    g = torch.randn_like(y)
    params = [t for t in (x, w, b) if t is not None]
    grads = torch.autograd.grad(y, params, g)
    expected_grads = torch.autograd.grad(expected, params, g)
    for got, want in zip(grads, expected_grads):
        torch.testing.assert_close(got, want, **tol)


def test_linear_relu_gives_zero_gradient_where_the_preactivation_is_exactly_zero():
    x = torch.tensor([[1.0, -1.0]], requires_grad=True)
    w = torch.tensor([[1.0, 1.0], [2.0, 0.0]])  # pre-activations: 0 and 2
    linear_relu(x, w).sum().backward()
    assert x.grad.tolist() == [[2.0, 0.0]]  # only the second unit passes its gradient


def test_linear_relu_in_place_relu_does_not_break_double_use_of_the_input():
    # relu_ overwrites the product's output, never the caller's input or parameters
    x, w, b = _leaves("cpu", torch.float64)
    before = x.detach().clone()
    linear_relu(x, w, b).sum().backward()
    assert torch.equal(x.detach(), before)
    assert torch.autograd.gradcheck(linear_relu, _leaves("cpu", torch.float64, (3, 4), 2))


def test_linear_relu_layer_has_nn_linear_state_dict_and_matches_linear_relu_modules(device):
    torch.manual_seed(0)
    layer = LinearReLU(16, 8).to(device)
    plain = nn.Sequential(nn.Linear(16, 8), nn.ReLU()).to(device)
    assert isinstance(layer, nn.Linear)
    assert layer.state_dict().keys() == plain[0].state_dict().keys()
    plain[0].load_state_dict(layer.state_dict())
    x = torch.randn(10, 16, device=device)
    torch.testing.assert_close(layer(x), plain(x))
    layer(x).square().sum().backward()
    plain(x).square().sum().backward()
    torch.testing.assert_close(layer.weight.grad, plain[0].weight.grad)
    torch.testing.assert_close(layer.bias.grad, plain[0].bias.grad)


def test_linear_relu_layer_without_bias_matches_nn_linear_without_bias():
    layer = LinearReLU(3, 2, bias=False)
    assert layer.bias is None
    x = torch.randn(4, 3)
    torch.testing.assert_close(layer(x), torch.relu(x @ layer.weight.T))


@pytest.mark.parametrize(
    ("args", "error", "words"),
    [
        (([[1.0]], torch.ones(1, 1), None), TypeError, "input to be a torch.Tensor"),
        ((torch.ones(2, 3), "w", None), TypeError, "weight to be a torch.Tensor"),
        ((torch.ones(2, 3), torch.ones(4, 3), [0.0] * 4), TypeError, "bias to be"),
        ((torch.ones(2, 3, dtype=torch.int64), torch.ones(4, 3), None), TypeError, "int64"),
        ((torch.ones(2, 3), torch.ones(4, 3, dtype=torch.float64), None), TypeError, "one dtype"),
        ((torch.ones(2, 3), torch.ones(4, 5), None), ValueError, "(*, 5)"),
        ((torch.ones(2, 3), torch.ones(4, 3, 1), None), ValueError, "2-D weight"),
        ((torch.ones(2, 3), torch.ones(4, 3), torch.ones(3)), ValueError, "bias of shape (4,)"),
        ((torch.tensor(1.0), torch.ones(4, 3), None), ValueError, "got ()"),
    ],
)
def test_linear_relu_rejects_bad_inputs_with_a_message_naming_them(args, error, words):
    with pytest.raises(error) as info:
        linear_relu(*args)
    assert words in str(info.value)


def test_compiled_path_falls_back_to_eager_once_when_compilation_fails():
    calls = []

    def broken_compiler(fn):
        calls.append(fn)
        raise RuntimeError("Cannot find a working triton installation\nmore details")

    run = fused._CompiledOnce(fused._linear_relu_pure, fused._linear_relu_eager, broken_compiler)
    x, w, b = _leaves("cpu", torch.float32)
    torch.testing.assert_close(run(x, w, b), _unfused(x, w, b))
    torch.testing.assert_close(run(x, w, b), _unfused(x, w, b))
    assert len(calls) == 1  # not retried on every call
    assert run.failure == "RuntimeError: Cannot find a working triton installation"


def test_function_given_to_torch_compile_traces_as_one_graph_with_its_backward():
    # aot_eager traces forward and backward as torch.compile does, without generating code,
    # so this runs on any CPU; fullgraph=True fails on any graph break.
    def compiler(fn):
        return torch.compile(fn, backend="aot_eager", fullgraph=True)

    run = fused._CompiledOnce(fused._linear_relu_pure, fused._linear_relu_eager, compiler)
    x, w, b = _leaves("cpu", torch.float32)
    y = run(x, w, b)
    assert run.failure is None and run.compiled is not None
    torch.testing.assert_close(y, _unfused(x, w, b))
    gw, = torch.autograd.grad(y.sum(), w)
    want, = torch.autograd.grad(_unfused(x, w, b).sum(), w)
    torch.testing.assert_close(gw, want)


# ----------------------------------------------------------------------------- models.mlp(fused=)
def test_mlp_fused_has_the_same_weights_outputs_and_gradients_as_the_unfused_mlp(device):
    from relu_course.models import mlp

    plain = mlp([6, 16, 16, 3], seed=0).to(device)
    fast = mlp([6, 16, 16, 3], seed=0, fused=True).to(device)
    assert [n for n, _ in fast.named_children()] == ["linear0", "linear1", "linear2"]
    assert isinstance(fast.linear0, LinearReLU) and type(fast.linear2) is nn.Linear
    assert fast.state_dict().keys() == plain.state_dict().keys()
    for a, b in zip(fast.state_dict().values(), plain.state_dict().values()):
        assert torch.equal(a, b)  # same seed, same weights
    x = torch.randn(20, 6, device=device)
    torch.testing.assert_close(fast(x), plain(x))
    fast(x).square().sum().backward()
    plain(x).square().sum().backward()
    for a, b in zip(fast.parameters(), plain.parameters()):
        torch.testing.assert_close(a.grad, b.grad)


def test_mlp_fused_with_dropout_keeps_the_dropout_after_the_fused_layer():
    from relu_course.models import mlp

    names = [n for n, _ in mlp([2, 4, 2], dropout=0.5, fused=True).named_children()]
    assert names == ["linear0", "drop0", "linear1"]


@pytest.mark.parametrize("kwargs", [{"activation": "gelu"}, {"batch_norm": True}])
def test_mlp_fused_true_refuses_a_model_that_is_not_linear_then_relu(kwargs):
    from relu_course.models import mlp

    with pytest.raises(ValueError, match="fused=True needs activation='relu'"):
        mlp([2, 4, 2], fused=True, **kwargs)


def test_mlp_fused_auto_fuses_only_where_cuda_is_present(monkeypatch):
    from relu_course.models import mlp

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert "act0" in dict(mlp([2, 4, 2], fused="auto").named_children())
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert "act0" not in dict(mlp([2, 4, 2], fused="auto").named_children())
    assert "act0" in dict(mlp([2, 4, 2], activation="tanh", fused="auto").named_children())


def test_mlp_rejects_an_unknown_fused_value_naming_the_accepted_ones():
    from relu_course.models import mlp

    with pytest.raises(ValueError, match=r"fused must be True, False or 'auto', got 'yes'"):
        mlp([2, 4, 2], fused="yes")
