"""Every activation works under the whole of PyTorch's autograd, and agrees with PyTorch there.

``torch.func.grad``, ``vmap`` (and per-sample gradients), ``jacrev``, ``jacfwd``, ``jvp``,
``hessian``, forward-mode AD (``torch.autograd.forward_ad``), double backward
(``create_graph=True``) and ``torch.func.functional_call`` on the modules, each compared with
the same transform applied to the ``torch.nn.functional`` twin. Inputs are float64 and away from
the kinks (where the tests of ``test_activations.py`` pin the chosen values), except where a
test says it looks at the kink.
"""

from __future__ import annotations

import pytest
import torch
import torch.autograd.forward_ad as fwAD
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call, grad, hessian, jacfwd, jacrev, jvp, vmap

from relu_course import activations as A

# torch.func's jacfwd/hessian call torch.jit.script internally (torch 2.13 deprecates it).
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")


def w25(x: torch.Tensor) -> torch.Tensor:
    return torch.tensor([0.25], dtype=x.dtype, device=x.device)


# name -> (ours, PyTorch's twin), both functions of x alone
CASES = {
    "relu": (A.relu, F.relu),
    "leaky_relu": (lambda x: A.leaky_relu(x, 0.2), lambda x: F.leaky_relu(x, 0.2)),
    "leaky_relu_neg": (lambda x: A.leaky_relu(x, -0.3), lambda x: F.leaky_relu(x, -0.3)),
    "prelu": (lambda x: A.prelu(x, w25(x)), lambda x: F.prelu(x, w25(x))),
    "elu": (lambda x: A.elu(x, 0.7), lambda x: F.elu(x, 0.7)),
    "selu": (A.selu, F.selu),
    "gelu": (A.gelu, F.gelu),
    "gelu_tanh": (lambda x: A.gelu(x, "tanh"), lambda x: F.gelu(x, approximate="tanh")),
    "silu": (A.silu, F.silu),
    "sigmoid": (A.sigmoid, torch.sigmoid),
    "tanh": (A.tanh, torch.tanh),
    "identity": (A.identity, lambda x: x),
}
NAMES = list(CASES)
PIECEWISE_LINEAR = ["relu", "leaky_relu", "leaky_relu_neg", "prelu"]
# name -> (ours with inplace=True, PyTorch's in-place twin)
INPLACE = {
    "relu": (lambda x: A.relu(x, inplace=True), lambda x: F.relu(x, inplace=True)),
    "leaky_relu": (lambda x: A.leaky_relu(x, 0.2, True), lambda x: F.leaky_relu(x, 0.2, True)),
    "elu": (lambda x: A.elu(x, 0.7, True), lambda x: F.elu(x, 0.7, True)),
    "selu": (lambda x: A.selu(x, True), lambda x: F.selu(x, True)),
}


def points(*shape: int) -> torch.Tensor:
    """Float64 values in [-3, 3], none within 0.05 of 0 (the kinks)."""
    x = torch.linspace(-3, 3, 24, dtype=torch.float64)
    x = x + 0.05 * x.sign()
    return x[: torch.Size(shape).numel()].reshape(shape) if shape else x


def close(actual: torch.Tensor, expected: torch.Tensor) -> None:
    torch.testing.assert_close(actual, expected, rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------- torch.func transforms
@pytest.mark.parametrize("name", NAMES)
def test_func_grad_matches_pytorch(name):
    ours, twin = CASES[name]
    x = points()
    close(grad(lambda t: ours(t).sum())(x), grad(lambda t: twin(t).sum())(x))


@pytest.mark.parametrize("name", NAMES)
def test_vmap_matches_pytorch_over_either_dimension(name):
    ours, twin = CASES[name]
    x = points(4, 6)
    for dim in (0, 1):
        close(vmap(ours, in_dims=dim)(x), vmap(twin, in_dims=dim)(x))


@pytest.mark.parametrize("name", NAMES)
def test_per_sample_gradients_vmap_of_grad_match_pytorch(name):
    ours, twin = CASES[name]
    x = points(4, 6)
    w = torch.linspace(-1, 1, 6, dtype=torch.float64)

    def loss(f):
        return lambda row: (f(row * w) ** 2).sum()

    close(vmap(grad(loss(ours)))(x), vmap(grad(loss(twin)))(x))


@pytest.mark.parametrize("name", NAMES)
def test_jacobians_in_both_modes_match_pytorch(name):
    ours, twin = CASES[name]
    x = points(6)
    close(jacrev(ours)(x), jacrev(twin)(x))
    close(jacfwd(ours)(x), jacfwd(twin)(x))


@pytest.mark.parametrize("name", NAMES)
def test_jvp_matches_pytorch(name):
    ours, twin = CASES[name]
    x, v = points(), torch.linspace(-2, 2, 24, dtype=torch.float64)
    y, t = jvp(ours, (x,), (v,))
    y_ref, t_ref = jvp(twin, (x,), (v,))
    close(y, y_ref)
    close(t, t_ref)


@pytest.mark.parametrize("name", NAMES)
def test_hessian_matches_pytorch(name):
    ours, twin = CASES[name]
    x = points(6)
    close(hessian(lambda t: ours(t).sum())(x), hessian(lambda t: twin(t).sum())(x))
    close(jacrev(jacfwd(ours))(x), jacrev(jacfwd(twin))(x))  # reverse over forward too


@pytest.mark.parametrize("name", NAMES)
def test_forward_mode_ad_matches_pytorch(name):
    ours, twin = CASES[name]
    x, v = points(), torch.linspace(-2, 2, 24, dtype=torch.float64)
    with fwAD.dual_level():
        y = fwAD.unpack_dual(ours(fwAD.make_dual(x, v)))
        y_ref = fwAD.unpack_dual(twin(fwAD.make_dual(x, v)))
    close(y.primal, y_ref.primal)
    close(y.tangent, y_ref.tangent)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "prelu", "elu", "selu", "gelu", "silu"])
def test_jvp_at_the_kink_is_the_gradient_pytorch_chooses_there(name):
    # Forward and reverse mode agree at x = 0 on the documented value (test_activations.py
    # pins it). PyTorch's own forward mode disagrees with its backward for PReLU at 0 (jvp
    # slope 1, gradient w), so the reference is its gradient, which both of ours follow.
    ours, twin = CASES[name]
    x = torch.tensor([0.0, -0.0, 1.0, -1.0], dtype=torch.float64)
    v = torch.ones_like(x)
    expected = grad(lambda t: twin(t).sum())(x)
    assert torch.equal(jvp(ours, (x,), (v,))[1], expected)
    assert torch.equal(grad(lambda t: ours(t).sum())(x), expected)


# ------------------------------------------------------------------- double backward
@pytest.mark.parametrize("name", [n for n in NAMES if n != "identity"])  # dx = g: no graph
def test_double_backward_matches_pytorch(name):
    ours, twin = CASES[name]
    g = torch.linspace(-1, 1, 24, dtype=torch.float64)

    def second(f):
        x = points().requires_grad_()
        (dx,) = torch.autograd.grad(f(x), x, g, create_graph=True)
        (ddx,) = torch.autograd.grad((dx**2).sum(), x, allow_unused=True, materialize_grads=True)
        return dx.detach(), ddx

    for a, b in zip(second(ours), second(twin)):
        close(a, b)


@pytest.mark.parametrize("name", NAMES)
def test_gradgradcheck_passes_away_from_kinks(name):
    ours, _ = CASES[name]
    assert torch.autograd.gradgradcheck(ours, (points().requires_grad_(),))


@pytest.mark.parametrize("name", [n for n in NAMES if n != "identity"])
def test_second_derivative_with_a_constant_upstream_gradient_is_pytorchs_not_an_error(name):
    # The case of the issue: relu's second derivative is a tensor of zeros, as in PyTorch.
    ours, twin = CASES[name]

    def second(f):
        x = torch.tensor([-1.0, 2.0], dtype=torch.float64, requires_grad=True)
        (g,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
        return torch.autograd.grad(g.sum(), x)[0]

    expected = second(twin)
    close(second(ours), expected)
    if name in PIECEWISE_LINEAR:
        assert torch.equal(expected, torch.zeros(2, dtype=torch.float64))


def test_prelu_second_derivatives_in_input_and_weight_match_pytorch():
    x0 = points(3, 2, 4)
    w0 = torch.tensor([0.2, 0.6], dtype=torch.float64)
    dy = torch.linspace(-1, 1, 24, dtype=torch.float64).reshape(3, 2, 4)

    def second(f):
        x, w = x0.clone().requires_grad_(), w0.clone().requires_grad_()
        dx, dw = torch.autograd.grad(f(x, w), (x, w), dy, create_graph=True)
        return (dx, dw, *torch.autograd.grad((dx**2).sum() + (dw**2).sum(), (x, w)))

    for a, b in zip(second(A.prelu), second(F.prelu)):
        close(a, b)
    assert torch.autograd.gradgradcheck(A.prelu, (x0.requires_grad_(), w0.requires_grad_()))


def test_prelu_transforms_in_the_weight_match_pytorch():
    x = points(3, 2, 4)
    w = torch.tensor([0.2, 0.6], dtype=torch.float64)
    for transform in (jacrev, jacfwd):
        for a, b in zip(transform(A.prelu, argnums=(0, 1))(x, w),
                        transform(F.prelu, argnums=(0, 1))(x, w)):
            close(a, b)
    v = torch.tensor([1.0, -2.0], dtype=torch.float64)
    close(jvp(lambda t: A.prelu(x, t), (w,), (v,))[1], jvp(lambda t: F.prelu(x, t), (w,), (v,))[1])


# ------------------------------------------------------------------- in place, under transforms
@pytest.mark.parametrize("name", INPLACE)
def test_inplace_forms_work_under_transforms_like_pytorchs(name):
    ours, twin = INPLACE[name]
    x = points(4, 6)
    close(vmap(lambda t: ours(t * 1.5))(x), vmap(lambda t: twin(t * 1.5))(x))
    close(grad(lambda t: ours(t * 1.5).sum())(x), grad(lambda t: twin(t * 1.5).sum())(x))
    v = torch.ones_like(x)
    close(jvp(lambda t: ours(t * 1.5), (x,), (v,))[1], jvp(lambda t: twin(t * 1.5), (x,), (v,))[1])
    row = x[0]
    close(hessian(lambda t: ours(t * 1.5).sum())(row), hessian(lambda t: twin(t * 1.5).sum())(row))


# ------------------------------------------------------------------- modules
MODULES = [
    (A.ReLU(), nn.ReLU()),
    (A.LeakyReLU(0.2), nn.LeakyReLU(0.2)),
    (A.PReLU(2, init=0.3, dtype=torch.float64), nn.PReLU(2, init=0.3, dtype=torch.float64)),
    (A.ELU(0.7), nn.ELU(0.7)),
    (A.SELU(), nn.SELU()),
    (A.GELU("tanh"), nn.GELU("tanh")),
    (A.SiLU(), nn.SiLU()),
    (A.Sigmoid(), nn.Sigmoid()),
    (A.Tanh(), nn.Tanh()),
    (A.Identity(), nn.Identity()),
]


@pytest.mark.parametrize(("ours", "twin"), MODULES, ids=lambda m: type(m).__name__)
def test_functional_call_on_modules_matches_torch_nn(ours, twin):
    x = points(3, 2, 4)
    params = {k: v.detach().clone() for k, v in ours.named_parameters()}
    close(functional_call(ours, params, (x,)), twin(x))

    def loss(module, p, t):
        return (functional_call(module, p, (t,)) ** 2).sum()

    ref_params = {k: v.detach().clone() for k, v in twin.named_parameters()}
    for a, b in zip(grad(loss, argnums=(1, 2))(ours, params, x),
                    grad(loss, argnums=(1, 2))(twin, ref_params, x)):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)


def test_prelu_takes_torch_nns_factory_keywords():
    m = A.PReLU(3, dtype=torch.float64)
    assert m.weight.dtype == torch.float64 and m.weight.shape == (3,)
    assert A.PReLU(device="cpu").weight.device == torch.device("cpu")
    assert A.get_activation("prelu", dtype=torch.float64).weight.dtype == torch.float64
    assert repr(m) == repr(nn.PReLU(3, dtype=torch.float64))
    x = points(2, 3, 4)
    close(m(x), nn.PReLU(3, dtype=torch.float64)(x))
    with pytest.raises(TypeError, match=r"floating-point torch\.dtype, got torch\.int64"):
        A.PReLU(dtype=torch.int64)


# ------------------------------------------------------------------- float16 and bfloat16
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16], ids=str)
@pytest.mark.parametrize("name", NAMES)
def test_transforms_keep_the_dtype_and_values_in_float16_and_bfloat16(name, dtype):
    ours, twin = CASES[name]
    x = (torch.linspace(-3, 3, 12) + 0.05).to(dtype)
    transforms = {
        "grad": lambda f: grad(lambda t: f(t).float().sum())(x),
        "vmap": lambda f: vmap(f)(x.reshape(3, 4)),
        "jvp": lambda f: jvp(f, (x,), (torch.ones_like(x),))[1],
        "hessian": lambda f: hessian(lambda t: f(t).float().sum())(x[:4]),
    }
    for label, transform in transforms.items():
        a, b = transform(ours), transform(twin)
        assert a.dtype == b.dtype, label
        torch.testing.assert_close(a.float(), b.float(), rtol=2e-2, atol=2e-2, msg=label)
