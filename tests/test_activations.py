"""relu_course.activations agrees with PyTorch: values, gradients, in-place rules, errors.

"Exact" below means bit for bit: same NaN positions, same values, same sign of zero
(``torch.signbit``). ReLU, Leaky ReLU and PReLU are exact, forward and backward, and so is the
ELU/SELU forward pass. GELU, SiLU, sigmoid and tanh (and the ELU/SELU gradients) call the math
library (``exp``, ``erf``, ``tanh``) through separate tensor operations where PyTorch uses one
fused kernel with its own polynomial (or oneDNN's, for float32 GELU); those agree to a few
units of ``eps`` relative to ``max(1, |value|)``, the tightest bounds measured on this CPU.

Portable: the tests pass on every CPU code path PyTorch picks (AVX-512, AVX2, plain), e.g. run
them under ``ATEN_CPU_CAPABILITY=avx2 MKL_CBWR=AVX2 ONEDNN_MAX_CPU_ISA=AVX2`` and under
``ATEN_CPU_CAPABILITY=default MKL_CBWR=COMPATIBLE ONEDNN_MAX_CPU_ISA=SSE41``. Where PyTorch's
own kernels disagree across those paths, ours are held to the right value
(:func:`settle_disagreements`), never to one path's.
"""

from __future__ import annotations

import doctest
import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from relu_course import activations as A
from relu_course.activations import _registry, classic, exponential, gated, parametric, rectified

FAMILIES = (rectified, parametric, exponential, gated, classic, _registry)

FLOATS = [torch.float32, torch.float64, torch.float16, torch.bfloat16]


def inputs(dtype: torch.dtype, device: torch.device, n: int = 300) -> torch.Tensor:
    """Signed zeros, NaN, +-inf, the largest and smallest normals, subnormals, and a spread."""
    fi = torch.finfo(dtype)
    special = [
        0.0,
        -0.0,
        math.nan,
        math.inf,
        -math.inf,
        fi.max,
        -fi.max,
        fi.tiny,
        -fi.tiny,
        fi.tiny / 4,
        -fi.tiny / 4,
        1e-30,
        -1e-30,
        1.0,
        -1.0,
        100.0,
        -100.0,
        1e4,
        -1e4,
    ]
    g = torch.Generator().manual_seed(0)
    spread = torch.cat(
        [
            torch.randn(n, generator=g) * 3,
            torch.randn(n, generator=g) * 1e-3,
            torch.randn(n, generator=g) * 30,
            torch.linspace(-10, 10, n),
        ]
    )
    x = torch.cat([torch.tensor(special, dtype=torch.float64), spread.double()])
    return x.to(dtype).to(device)


def upstream(like: torch.Tensor) -> torch.Tensor:
    g = torch.Generator().manual_seed(1)
    return torch.randn(like.shape, generator=g).to(like.dtype).to(like.device)


def assert_bitwise(actual: torch.Tensor, expected: torch.Tensor) -> None:
    """Same dtype and shape, NaN in the same places, equal values, equal signs of zero."""
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    assert torch.equal(actual.isnan(), expected.isnan())
    keep = ~expected.isnan()
    assert torch.equal(actual[keep], expected[keep])
    assert torch.equal(actual[keep].signbit(), expected[keep].signbit())


def assert_ulps(actual: torch.Tensor, expected: torch.Tensor, ulps: float) -> None:
    """NaN and infinities in the same places; elsewhere |a - e| <= ulps * eps * max(1, |e|)."""
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    assert torch.equal(actual.isnan(), expected.isnan())
    assert torch.equal(actual.isinf(), expected.isinf())
    assert torch.equal(actual[actual.isinf()], expected[expected.isinf()])
    fin = actual.isfinite()
    a, e = actual[fin].double(), expected[fin].double()
    bound = ulps * torch.finfo(actual.dtype).eps * e.abs().clamp(min=1)
    worst = ((a - e).abs() - bound).max() if a.numel() else torch.tensor(-1.0)
    assert worst <= 0, f"off by more than {ulps} eps: worst excess {float(worst):.3g}"


def settle_disagreements(twin, x: torch.Tensor, y_ref: torch.Tensor) -> torch.Tensor:
    """PyTorch's values, except where PyTorch disagrees with itself across CPU code paths.

    On an AVX-512 CPU, float32 and bfloat16 GELU run oneDNN's vectorised kernel, which returns
    NaN at +inf, overflows to +inf near the largest float (3.4e38), and is up to 6 eps off in
    the negative tail, where the math, PyTorch's float64 kernel and the AVX2 and plain code
    paths (``ATEN_CPU_CAPABILITY=avx2`` or ``default``, ``ONEDNN_MAX_CPU_ISA`` lowered) give
    +inf, a finite value and a value within 2.5 eps. What a test expects must not depend on the
    CPU it runs on, so wherever PyTorch's result is of another kind (NaN, infinite, finite) than
    its float64 result or more than 1 eps from it, ours is held to the float64 result rounded to
    the dtype: the right value, which every code path should give.
    """
    y64 = twin(x.detach().double())
    rounded = y64.to(y_ref.dtype)
    kind = (y_ref.isnan() != y64.isnan()) | (y_ref.isinf() != y64.isinf())
    kind |= y_ref.isinf() & (y_ref != rounded)
    eps = torch.finfo(y_ref.dtype).eps
    off = (y_ref.double() - y64).abs() > eps * y64.abs().clamp(min=1)
    return torch.where(kind | (off & y_ref.isfinite() & y64.isfinite()), rounded, y_ref)


def forward_backward(fn, x: torch.Tensor, g: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    x = x.detach().clone().requires_grad_()
    y = fn(x)
    (dx,) = torch.autograd.grad(y, x, g)
    return y.detach(), dx


def weight(value, dtype, device) -> torch.Tensor:
    return torch.tensor(value, dtype=dtype, device=device)


# name -> (ours, torch's twin); exact forward and backward
EXACT = {
    "relu": (A.relu, torch.relu),
    "leaky_relu": (A.leaky_relu, F.leaky_relu),
    "leaky_relu_0.2": (lambda x: A.leaky_relu(x, 0.2), lambda x: F.leaky_relu(x, 0.2)),
    "leaky_relu_0": (lambda x: A.leaky_relu(x, 0.0), lambda x: F.leaky_relu(x, 0.0)),
    "leaky_relu_1.5": (lambda x: A.leaky_relu(x, 1.5), lambda x: F.leaky_relu(x, 1.5)),
    "leaky_relu_-0.3": (lambda x: A.leaky_relu(x, -0.3), lambda x: F.leaky_relu(x, -0.3)),
    "prelu": (
        lambda x: A.prelu(x, weight([0.25], x.dtype, x.device)),
        lambda x: F.prelu(x, weight([0.25], x.dtype, x.device)),
    ),
    "prelu_-0.5": (
        lambda x: A.prelu(x, weight([-0.5], x.dtype, x.device)),
        lambda x: F.prelu(x, weight([-0.5], x.dtype, x.device)),
    ),
}

# name -> (ours, twin, eps bound forward, eps bound backward); measured worst cases are about
# half these bounds (gelu-tanh's gradient: where tanh saturates, the two tanh implementations
# round t to -1 differently, leaving ~1e-15 absolute in float64, tens of eps relative to 1).
SMOOTH = {
    "elu": (A.elu, F.elu, 0, 2),
    "elu_0.5": (lambda x: A.elu(x, 0.5), lambda x: F.elu(x, 0.5), 0, 2),
    "elu_2": (lambda x: A.elu(x, 2.0), lambda x: F.elu(x, 2.0), 0, 4),
    "selu": (A.selu, F.selu, 0, 4),
    "gelu": (A.gelu, F.gelu, 6, 8),
    "gelu_tanh": (lambda x: A.gelu(x, "tanh"), lambda x: F.gelu(x, approximate="tanh"), 4, 128),
    "silu": (A.silu, F.silu, 2, 4),
    "sigmoid": (A.sigmoid, torch.sigmoid, 1, 2),
    "tanh": (A.tanh, torch.tanh, 1, 3),
}


# ------------------------------------------------------------------- values and gradients
@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("name", EXACT)
def test_exact_activations_match_pytorch_bit_for_bit(name, dtype, device):
    ours, twin = EXACT[name]
    x = inputs(dtype, device)
    g = upstream(x)
    y, dx = forward_backward(ours, x, g)
    y_ref, dx_ref = forward_backward(twin, x, g)
    assert_bitwise(y, y_ref)
    assert_bitwise(dx, dx_ref)


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("name", SMOOTH)
def test_smooth_activations_match_pytorch_within_a_few_eps(name, dtype, device):
    ours, twin, fwd_ulps, bwd_ulps = SMOOTH[name]
    x = inputs(dtype, device)
    g = upstream(x)
    y, dx = forward_backward(ours, x, g)
    y_ref, dx_ref = forward_backward(twin, x, g)
    y_ref = settle_disagreements(twin, x, y_ref)
    if fwd_ulps == 0:  # ELU and SELU's forward: expm1 and the same multiplications
        assert_bitwise(y, y_ref)
    else:
        assert_ulps(y, y_ref, fwd_ulps)
    if name in ("elu", "elu_0.5", "elu_2", "selu") and dtype in (torch.float16, torch.bfloat16):
        # PyTorch's float16/bfloat16 ELU gradient at x = NaN is dy (float32/64: NaN); ours is
        # NaN for every dtype. Compare the rest.
        keep = ~x.isnan()
        dx, dx_ref = dx[keep], dx_ref[keep]
    assert_ulps(dx, dx_ref, bwd_ulps)


@pytest.mark.filterwarnings("ignore:TF32 acceleration on top of oneDNN")
def test_float32_gelu_matches_pytorchs_own_kernel_as_well_as_onednn():
    x = inputs(torch.float32, torch.device("cpu"))
    g = upstream(x)
    with torch.backends.mkldnn.flags(enabled=False):
        y_ref, dx_ref = forward_backward(F.gelu, x, g)
    y, dx = forward_backward(A.gelu, x, g)
    assert_bitwise(y[:13], y_ref[:13])  # zeros, NaN, infinities, huge and tiny values
    assert_ulps(y, y_ref, 6)
    assert_ulps(dx, dx_ref, 8)


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
def test_relu_gradient_is_a_select_even_for_infinite_and_nan_upstream_gradients(dtype, device):
    x = torch.tensor([-1.0, 0.0, -0.0, 2.0, math.nan, -1.0, 3.0], dtype=dtype, device=device)
    g = torch.tensor(
        [math.inf, math.nan, -math.inf, math.inf, -2.0, -0.0, -0.0], dtype=dtype, device=device
    )
    _, dx = forward_backward(A.relu, x, g)
    _, dx_ref = forward_backward(torch.relu, x, g)
    assert_bitwise(dx, dx_ref)  # 0 (not NaN) at inactive units, dy itself at active ones


@pytest.mark.parametrize("alpha", [0.0, -0.5, 3.0])
def test_elu_with_unusual_alpha_matches_pytorch(alpha, device):
    x = inputs(torch.float64, device)
    g = upstream(x)
    y, dx = forward_backward(lambda t: A.elu(t, alpha), x, g)
    y_ref, dx_ref = forward_backward(lambda t: F.elu(t, alpha), x, g)
    assert_ulps(y, y_ref, 0)  # equal, up to the sign of a zero
    assert_ulps(dx, dx_ref, 4)


KINK = {  # the gradient chosen at x = 0 (and at -0.0), as documented and as PyTorch has it
    "relu": (A.relu, torch.relu, 0.0),
    "leaky_relu": (lambda x: A.leaky_relu(x, 0.1), lambda x: F.leaky_relu(x, 0.1), 0.1),
    "prelu": (
        lambda x: A.prelu(x, weight([0.3], x.dtype, x.device)),
        lambda x: F.prelu(x, weight([0.3], x.dtype, x.device)),
        0.3,
    ),
    "elu": (lambda x: A.elu(x, 0.7), lambda x: F.elu(x, 0.7), 0.7),
    "selu": (A.selu, F.selu, A.SELU_LAMBDA * A.SELU_ALPHA),
    "gelu": (A.gelu, F.gelu, 0.5),
    "gelu_tanh": (lambda x: A.gelu(x, "tanh"), lambda x: F.gelu(x, approximate="tanh"), 0.5),
    "silu": (A.silu, F.silu, 0.5),
}


@pytest.mark.parametrize("name", KINK)
def test_gradient_at_zero_is_the_documented_value_and_pytorchs(name, device):
    ours, twin, expected = KINK[name]
    x = torch.tensor([0.0, -0.0], dtype=torch.float64, device=device)
    g = torch.ones_like(x)
    _, dx = forward_backward(ours, x, g)
    _, dx_ref = forward_backward(twin, x, g)
    assert torch.equal(dx, dx_ref)
    assert dx.tolist() == pytest.approx([expected, expected], rel=1e-15)


DERIVATIVES = {
    "relu": ((), torch.relu),
    "leaky_relu": ((0.2,), lambda x: F.leaky_relu(x, 0.2)),
    "prelu": (
        (torch.tensor([0.25], dtype=torch.float64),),
        lambda x: F.prelu(x, torch.tensor([0.25], dtype=torch.float64)),
    ),
    "elu": ((0.5,), lambda x: F.elu(x, 0.5)),
    "selu": ((), F.selu),
    "gelu": (("tanh",), lambda x: F.gelu(x, approximate="tanh")),
    "silu": ((), F.silu),
    "sigmoid": ((), torch.sigmoid),
    "tanh": ((), torch.tanh),
    "identity": ((), lambda x: x * 1),
}


@pytest.mark.parametrize("name", DERIVATIVES)
def test_derivative_functions_equal_pytorchs_autograd(name):
    args, twin = DERIVATIVES[name]
    x = torch.linspace(-4, 4, 81, dtype=torch.float64)  # includes 0.0
    d = A.DERIVATIVES[name](x, *args)
    _, expected = forward_backward(twin, x, torch.ones_like(x))
    assert d.dtype == x.dtype and d.shape == x.shape
    assert_ulps(d, expected, 4)


def test_derivatives_work_under_no_grad():
    with torch.no_grad():
        d = A.relu_derivative(torch.tensor([-1.0, 0.0, 1.0]))
    assert d.tolist() == [0.0, 0.0, 1.0]


# ------------------------------------------------------------------- shapes and layouts
@pytest.mark.parametrize("name", [*EXACT, *SMOOTH])
def test_non_contiguous_inputs_match_pytorch(name, device):
    ours, twin = EXACT[name] if name in EXACT else SMOOTH[name][:2]
    base = inputs(torch.float32, device)[:1200].reshape(30, 40)
    for x in (base.t(), base[::2, ::3], base.unsqueeze(0).expand(2, 30, 40)):
        assert not x.is_contiguous()
        y, y_ref = ours(x), twin(x)
        if name in EXACT:
            assert_bitwise(y, y_ref)
        else:
            assert_ulps(y, y_ref, SMOOTH[name][2] or 1)


@pytest.mark.parametrize("name", [*EXACT, *SMOOTH])
def test_empty_tensors_give_empty_results_of_the_same_shape(name, device):
    ours = EXACT[name][0] if name in EXACT else SMOOTH[name][0]
    x = torch.empty(0, 3, device=device, requires_grad=True)
    y = ours(x)
    assert y.shape == (0, 3) and y.dtype == x.dtype
    y.sum().backward()
    assert x.grad.shape == (0, 3)


def test_prelu_per_channel_slopes_match_pytorch_including_weight_gradient(device):
    g = torch.Generator().manual_seed(2)
    x = torch.randn(4, 3, 5, 5, generator=g).to(device)
    x[0, 0, 0, 0] = 0.0
    w = torch.tensor([0.1, 0.25, 0.9], device=device)
    dy = torch.randn(4, 3, 5, 5, generator=g).to(device)
    for w_ in (w, torch.tensor([-0.2, 1.5, 0.3], device=device)):
        xa, wa = x.clone().requires_grad_(), w_.clone().requires_grad_()
        xb, wb = x.clone().requires_grad_(), w_.clone().requires_grad_()
        A.prelu(xa, wa).backward(dy)
        F.prelu(xb, wb).backward(dy)
        assert_bitwise(A.prelu(x, w_), F.prelu(x, w_))
        assert_bitwise(xa.grad, xb.grad)
        torch.testing.assert_close(wa.grad, wb.grad, rtol=1e-6, atol=1e-6)


# ------------------------------------------------------------------- autograd
GRADCHECK = {
    "relu": A.relu,
    "leaky_relu": lambda x: A.leaky_relu(x, 0.2),
    "leaky_relu_neg": lambda x: A.leaky_relu(x, -0.5),
    "elu": lambda x: A.elu(x, 0.7),
    "selu": A.selu,
    "gelu": A.gelu,
    "gelu_tanh": lambda x: A.gelu(x, "tanh"),
    "silu": A.silu,
    "sigmoid": A.sigmoid,
    "tanh": A.tanh,
}


def away_from_kinks() -> torch.Tensor:
    x = torch.linspace(-3, 3, 24, dtype=torch.float64)  # never 0; nearest is +-0.13
    return x.requires_grad_()


@pytest.mark.parametrize("name", GRADCHECK)
def test_gradients_pass_gradcheck_in_float64_away_from_kinks(name):
    assert torch.autograd.gradcheck(GRADCHECK[name], (away_from_kinks(),))


def test_prelu_passes_gradcheck_for_input_and_weight():
    x = torch.randn(3, 2, 4, dtype=torch.float64)
    x = (x + x.sign() * 0.1).requires_grad_()  # keep away from 0
    w = torch.tensor([0.2, 0.6], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(A.prelu, (x, w))


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "leaky_relu_neg"])
def test_piecewise_linear_activations_support_double_backward(name):
    assert torch.autograd.gradgradcheck(GRADCHECK[name], (away_from_kinks(),))


@pytest.mark.parametrize("name", ["elu", "selu", "gelu", "gelu_tanh", "silu", "sigmoid", "tanh"])
def test_smooth_activations_support_double_backward(name):
    # They used to refuse create_graph=True; tests/test_activations_autograd.py compares every
    # transform and higher derivative with PyTorch's.
    assert torch.autograd.gradgradcheck(GRADCHECK[name], (away_from_kinks(),))


def test_relu_function_saves_only_its_output():
    x = torch.randn(5, requires_grad=True)
    y = A.ReLUFunction.apply(x)
    saved = y.grad_fn.saved_tensors
    assert len(saved) == 1 and saved[0].data_ptr() == y.data_ptr()
    assert torch.autograd.gradcheck(A.ReLUFunction.apply, (away_from_kinks(),))


# ------------------------------------------------------------------- in-place semantics
INPLACE = {
    "relu": (lambda x, ip: A.relu(x, inplace=ip), lambda x: F.relu(x, inplace=True)),
    "leaky_relu": (
        lambda x, ip: A.leaky_relu(x, 0.2, inplace=ip),
        lambda x: F.leaky_relu(x, 0.2, inplace=True),
    ),
    "leaky_relu_neg": (
        lambda x, ip: A.leaky_relu(x, -0.2, inplace=ip),
        lambda x: F.leaky_relu(x, -0.2, inplace=True),
    ),
    "elu": (lambda x, ip: A.elu(x, 0.5, inplace=ip), lambda x: F.elu(x, 0.5, inplace=True)),
    "selu": (lambda x, ip: A.selu(x, inplace=ip), lambda x: F.selu(x, inplace=True)),
}


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_modifies_and_returns_the_same_tensor(name, device):
    ours, twin = INPLACE[name]
    x = inputs(torch.float32, device)
    expected = twin(x.clone())
    y = ours(x, True)
    assert y is x
    assert_bitwise(x, expected)


@pytest.mark.parametrize("name", [*EXACT, *SMOOTH])
def test_out_of_place_leaves_its_input_untouched(name, device):
    ours = EXACT[name][0] if name in EXACT else SMOOTH[name][0]
    x = inputs(torch.float32, device)
    before = x.clone()
    y = ours(x)
    assert y is not x and y.data_ptr() != x.data_ptr()
    assert_bitwise(x, before)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu", "selu"])
def test_inplace_on_an_intermediate_tensor_backpropagates_like_pytorch(name):
    ours, twin = INPLACE[name]
    w = torch.linspace(-2, 2, 41, dtype=torch.float64, requires_grad=True)
    (dw,) = torch.autograd.grad(ours(w * 1.5, True).sum(), w)
    (dw_ref,) = torch.autograd.grad(twin(w * 1.5).sum(), w)
    assert_ulps(dw, dw_ref, 2)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu", "selu"])
def test_inplace_on_a_leaf_that_requires_grad_raises_before_touching_it(name):
    ours, twin = INPLACE[name]
    x = torch.tensor([-1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        twin(x)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        ours(x, True)
    assert x.tolist() == [-1.0, 2.0]


@pytest.mark.parametrize("name", ["leaky_relu", "elu"])
def test_inplace_with_a_negative_slope_under_autograd_is_refused_before_touching_the_input(name):
    # Overwritten in place, the input is gone: the gradient comes from the output, which tells
    # x > 0 from x <= 0 only for a non-negative slope. PyTorch refuses it too (at backward).
    x = torch.tensor([-1.0, 2.0], requires_grad=True) * 1.0
    fn, twin = {"leaky_relu": (A.leaky_relu, F.leaky_relu), "elu": (A.elu, F.elu)}[name]
    with pytest.raises(ValueError, match=r"needs (negative_slope|alpha) >= 0"):
        fn(x, -0.5, True)
    assert x.tolist() == [-1.0, 2.0]
    with pytest.raises(RuntimeError):
        twin(x.clone(), -0.5, True).sum().backward()


def test_inplace_works_without_autograd_on_a_leaf():
    x = torch.tensor([-1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        assert A.relu(x, inplace=True) is x
    assert x.tolist() == [0.0, 2.0]


# ------------------------------------------------------------------- dtypes and bad input
def test_relu_accepts_integer_tensors_like_torch_relu():
    x = torch.tensor([-3, 0, 4], dtype=torch.int64)
    assert torch.equal(A.relu(x), torch.relu(x))
    assert A.relu(x, inplace=True) is x and x.tolist() == [0, 0, 4]


@pytest.mark.parametrize("fn", [A.sigmoid, A.tanh])
def test_sigmoid_and_tanh_promote_integers_like_pytorch(fn):
    x = torch.tensor([-1, 0, 2])
    twin = torch.sigmoid if fn is A.sigmoid else torch.tanh
    assert torch.equal(fn(x), twin(x))


@pytest.mark.parametrize(
    "fn", [A.leaky_relu, A.elu, A.selu, A.gelu, A.silu, lambda x: A.prelu(x, torch.tensor([0.25]))]
)
@pytest.mark.parametrize("dtype", [torch.int64, torch.bool, torch.complex64], ids=str)
def test_integer_bool_and_complex_inputs_raise_type_error_naming_the_dtype(fn, dtype):
    with pytest.raises(TypeError, match=f"{dtype}.*|floating-point"):
        fn(torch.zeros(3, dtype=dtype))


def test_bool_input_to_relu_is_refused_like_pytorch():
    with pytest.raises(TypeError, match=r"torch.bool"):
        A.relu(torch.tensor([True]))


@pytest.mark.parametrize("name", [n for n in A.FUNCTIONS if n != "prelu"])
def test_non_tensor_input_raises_type_error_naming_what_was_given(name):
    with pytest.raises(TypeError, match=r"expects a torch.Tensor, got list"):
        A.FUNCTIONS[name]([1.0, -1.0])


def test_bad_arguments_raise_clear_errors():
    x = torch.randn(2, 3)
    with pytest.raises(ValueError, match=r"'none' or 'tanh', got 'fast'"):
        A.gelu(x, approximate="fast")
    with pytest.raises(TypeError, match="inplace to be True or False, got 'yes'"):
        A.relu(x, inplace="yes")
    with pytest.raises(TypeError, match=r"negative_slope to be a real number, got '0.1'"):
        A.leaky_relu(x, negative_slope="0.1")
    with pytest.raises(TypeError, match="alpha to be a real number"):
        A.elu(x, alpha=None)


def test_prelu_weight_errors_name_the_size_and_what_is_accepted():
    x = torch.randn(2, 3, 4)
    with pytest.raises(ValueError, match=r"1 element or one per channel.*: 3\), got 2 elements"):
        A.prelu(x, torch.tensor([0.1, 0.2]))
    with pytest.raises(ValueError, match="1-D weight"):
        A.prelu(x, torch.ones(3, 1))
    with pytest.raises(TypeError, match=r"torch.float64"):
        A.prelu(x, torch.ones(3, dtype=torch.float64))
    with pytest.raises(TypeError, match="tensor or a number"):
        A.prelu(x, "0.25")
    with pytest.raises(ValueError, match="1 element or one per channel"):
        A.PReLU(4)(x)
    assert torch.equal(A.prelu(x, 0.25), F.prelu(x, torch.tensor([0.25])))


# ------------------------------------------------------------------- modules
MODULES = [
    (A.ReLU(), nn.ReLU()),
    (A.ReLU(inplace=True), nn.ReLU(inplace=True)),
    (A.LeakyReLU(), nn.LeakyReLU()),
    (A.LeakyReLU(0.2, True), nn.LeakyReLU(0.2, True)),
    (A.PReLU(), nn.PReLU()),
    (A.PReLU(3, init=0.1), nn.PReLU(3, init=0.1)),
    (A.ELU(), nn.ELU()),
    (A.ELU(0.5, True), nn.ELU(0.5, True)),
    (A.SELU(), nn.SELU()),
    (A.SELU(True), nn.SELU(True)),
    (A.GELU(), nn.GELU()),
    (A.GELU("tanh"), nn.GELU("tanh")),
    (A.SiLU(), nn.SiLU()),
    (A.Sigmoid(), nn.Sigmoid()),
    (A.Tanh(), nn.Tanh()),
]


@pytest.mark.parametrize(("ours", "twin"), MODULES, ids=lambda m: repr(m))
def test_modules_print_and_compute_like_torch_nn(ours, twin):
    assert repr(ours) == repr(twin)
    # Seeded: unseeded, the draw depended on which tests ran before (gradgradcheck draws too).
    x = torch.randn(4, 3, 5, generator=torch.Generator().manual_seed(3))
    y, y_ref = ours(x.clone()), twin(x.clone())
    torch.testing.assert_close(y, y_ref, rtol=4e-7, atol=4e-7)


def test_prelu_module_has_one_learnable_slope_initialised_to_a_quarter():
    m = A.PReLU()
    (p,) = list(m.parameters())
    assert p is m.weight and p.shape == (1,) and p.item() == 0.25 and p.requires_grad


def test_identity_returns_its_input():
    x = torch.randn(3)
    assert A.Identity()(x) is x


# ------------------------------------------------------------------- registry
def test_registries_share_the_same_names():
    names = [
        "relu",
        "leaky_relu",
        "prelu",
        "elu",
        "selu",
        "gelu",
        "silu",
        "sigmoid",
        "tanh",
        "identity",
    ]
    assert list(A.ACTIVATIONS) == list(A.FUNCTIONS) == list(A.DERIVATIVES) == names


def test_every_record_is_exported_with_its_function_derivative_and_module():
    for record in A.RECORDS:
        for obj in (record.function, record.derivative, record.module):
            assert obj.__name__ in A.__all__ and getattr(A, obj.__name__) is obj
        assert A.REGISTRY[record.name] is record
        assert A.LABELS[record.name] == record.label
    assert {A.canonical_name(n) for n in ("Leaky-ReLU", " GELU ")} == {"leaky_relu", "gelu"}


@pytest.mark.parametrize("name", ["relu", "ReLU", "leaky-relu", "Leaky_ReLU", " gelu "])
def test_get_activation_is_case_and_dash_insensitive(name):
    m = A.get_activation(name)
    key = name.strip().lower().replace("-", "_")
    assert type(m) is A.ACTIVATIONS[key]


def test_get_activation_passes_keyword_arguments():
    assert A.get_activation("elu", alpha=0.5).alpha == 0.5
    assert A.get_activation("prelu", num_parameters=3).weight.shape == (3,)


def test_get_activation_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown activation 'swish'; valid names: relu, "):
        A.get_activation("swish")
    with pytest.raises(TypeError, match="expects a name"):
        A.get_activation(nn.ReLU)


def test_get_activation_unknown_keyword_lists_the_accepted_ones():
    with pytest.raises(TypeError, match=r"\['alpha'\]; ReLU accepts: inplace"):
        A.get_activation("relu", alpha=1.0)


def test_is_activation_knows_ours_and_torchs_and_nothing_else():
    for cls in A.ACTIVATIONS.values():
        assert A.is_activation(cls())
    for cls in (
        nn.ReLU,
        nn.LeakyReLU,
        nn.PReLU,
        nn.ELU,
        nn.SELU,
        nn.GELU,
        nn.SiLU,
        nn.Sigmoid,
        nn.Tanh,
        nn.Softplus,
        nn.Mish,
        nn.Hardtanh,
        nn.ReLU6,
        nn.CELU,
    ):
        assert A.is_activation(cls())
    for other in (nn.Linear(2, 2), nn.Identity(), nn.Sequential(), nn.ReLU, "relu"):
        assert not A.is_activation(other)


# ------------------------------------------------------------------- properties
finite32 = st.floats(width=32, allow_nan=False, allow_infinity=False)
any32 = st.floats(width=32)


@settings(max_examples=60, deadline=None)
@given(st.lists(any32, min_size=1, max_size=40), st.floats(0, 1, width=32))
def test_property_piecewise_linear_forms_equal_pytorch_on_any_floats(values, slope):
    x = torch.tensor(values, dtype=torch.float32)
    assert_bitwise(A.relu(x), torch.relu(x))
    assert_bitwise(A.leaky_relu(x, slope), F.leaky_relu(x, slope))
    w = torch.tensor([slope])
    assert_bitwise(A.prelu(x, w), F.prelu(x, w))


@settings(max_examples=60, deadline=None)
@given(st.lists(finite32, min_size=1, max_size=40))
def test_property_relu_splits_x_into_positive_and_negative_parts(values):
    x = torch.tensor(values, dtype=torch.float32)
    y = A.relu(x)
    assert (y >= 0).all()
    assert torch.equal(y - A.relu(-x), x)
    assert torch.equal(A.relu(y), y)  # idempotent


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-50, 50, width=32), min_size=1, max_size=40))
def test_property_smooth_forms_stay_within_their_bounds(values):
    x = torch.tensor(values, dtype=torch.float64)
    assert (A.elu(x) >= -1).all() and (A.selu(x) >= -A.SELU_LAMBDA * A.SELU_ALPHA).all()
    assert (A.gelu(x) >= -0.17).all() and (A.silu(x) >= -0.279).all()
    assert ((A.sigmoid(x) >= 0) & (A.sigmoid(x) <= 1)).all()
    assert_ulps(A.silu(x), x * torch.sigmoid(x), 2)


# ------------------------------------------------------------------- docs
def test_docstring_examples_run():
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    attempted = 0
    for module in (A, *FAMILIES):  # the package and each family's file
        result = doctest.testmod(module, optionflags=flags)
        assert result.failed == 0, module.__name__
        attempted += result.attempted
    assert attempted > 20
