"""ReLU and its variants, written from elementary tensor operations.

Each activation sits on one screen: its functional form (``torch.nn.functional``'s name and
signature), its derivative, the ``torch.autograd.Function`` that pairs a forward pass built
from ``where``, ``clamp``, ``exp``, ``erf``, ... with a hand-written backward pass, and the
``nn.Module`` named as ``torch.nn`` names it. A registry maps names to all three.

Three promises, checked in ``tests/test_activations.py``:

- **Same values as PyTorch.** Signed zeros, NaN, infinities, every floating dtype; float16 and
  bfloat16 are computed in float32 and rounded once, as PyTorch's kernels do. ReLU, Leaky ReLU,
  PReLU and the ELU/SELU forward pass are bit-exact. GELU, SiLU, sigmoid and tanh call the math
  library (``erf``, ``exp``, ``tanh``) as separate operations where PyTorch runs one fused
  kernel with its own approximations, so the last bit or two may differ.
- **Same gradients as PyTorch**, including at the kink ``x = 0``, where a derivative does not
  exist and a value has to be chosen (see each function's *Kink* paragraph); exact for the
  piecewise-linear ones (ReLU's even for an infinite or NaN upstream gradient), within a few
  ``eps`` for the smooth ones.
- **Cheap.** Each function is a ``torch.autograd.Function`` whose backward pass is written by
  hand and saves only what it needs (ReLU: its output). On large tensors every operation is a
  full pass over memory and every new tensor costs page faults, so both passes use as few of
  each as the formula allows: in-place arithmetic on their own temporaries, fused
  ``addcmul`` (``a + v b c``) and ``lerp``, ``exp2`` (cheaper than ``exp``), and, for the
  usual parameters, no ``torch.where``, which branches per element and is several times slower
  than arithmetic on CPU (``max``, ``clamp``, a 0/1 slope, or for ReLU a select on bit
  patterns, give the same bits). PyTorch runs one fused kernel per pass, so ours stay slower:
  forward+backward on 2**22 float32 values, ReLU takes about 1.2-1.35x PyTorch's time (its
  backward needs a mask pass and a select pass, PyTorch's one), GELU about 2x (``erf`` alone
  costs most of PyTorch's whole fused GELU), the others 1.4-2x. ``python -m relu_course.bench``
  measures them.

Higher derivatives: ReLU, Leaky ReLU and PReLU support double backward; the smooth functions'
backward passes are first-order only and say so (``RuntimeError``) under ``create_graph=True``.

Integer inputs: :func:`relu` accepts them (as ``torch.relu`` does: the maximum of two integers
is an integer); :func:`sigmoid` and :func:`tanh` promote them to the default float dtype (as
``torch.sigmoid`` does); every other function needs a floating-point tensor (PyTorch has no
integer kernel for them either) and raises ``TypeError``.

The chapter *Variants* of the book compares them; *Definition* explains the kink.
"""

from __future__ import annotations

import functools
import inspect
import math
from typing import Any, Callable

import torch
from torch import Tensor, nn

__all__ = [
    "ACTIVATIONS",
    "DERIVATIVES",
    "ELU",
    "FUNCTIONS",
    "GELU",
    "SELU",
    "SELU_ALPHA",
    "SELU_LAMBDA",
    "SELU_SCALE",
    "Identity",
    "LeakyReLU",
    "PReLU",
    "ReLU",
    "ReLUFunction",
    "SiLU",
    "Sigmoid",
    "Tanh",
    "elu",
    "elu_derivative",
    "gelu",
    "gelu_derivative",
    "get_activation",
    "identity",
    "identity_derivative",
    "is_activation",
    "leaky_relu",
    "leaky_relu_derivative",
    "prelu",
    "prelu_derivative",
    "relu",
    "relu_derivative",
    "selu",
    "selu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "silu",
    "silu_derivative",
    "tanh",
    "tanh_derivative",
]

SELU_ALPHA = 1.6732632423543772848170429916717
"""SELU's alpha (Klambauer et al., 2017): with ``SELU_LAMBDA``, fixes mean 0 and variance 1."""
SELU_LAMBDA = 1.0507009873554804934193349852946
"""SELU's scale lambda (``torch.nn.SELU`` calls it ``scale``)."""
SELU_SCALE = SELU_LAMBDA

_REDUCED = (torch.float16, torch.bfloat16)
_BITS = {  # an integer dtype of the same width, to view a float tensor's bit patterns
    torch.float16: torch.int16,
    torch.bfloat16: torch.int16,
    torch.float32: torch.int32,
    torch.float64: torch.int64,
}
_LOG2_E = 1.44269504088896340736  # C's M_LOG2E
_FLOATS = "floating-point tensors (float16, bfloat16, float32, float64)"


# ----------------------------------------------------------------------------- input checks
def _check_input(fn: str, input: Any, *, integers: bool = False) -> None:
    """Raise TypeError unless ``input`` is a tensor of a dtype ``fn`` is defined for."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}() expects a torch.Tensor, got {type(input).__name__}: {input!r}")
    if input.is_floating_point():
        return
    if integers and not input.is_complex() and input.dtype != torch.bool:
        return
    accepted = _FLOATS + (" or integer tensors" if integers else "")
    raise TypeError(f"{fn}() is defined for {accepted}; got a tensor of dtype {input.dtype}")


def _check_number(fn: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{fn}() expects {name} to be a real number, got {value!r}")
    return float(value)


def _check_inplace(fn: str, inplace: Any, input: Tensor | None = None) -> bool:
    if not isinstance(inplace, bool):
        raise TypeError(f"{fn}() expects inplace to be True or False, got {inplace!r}")
    if (
        inplace
        and input is not None
        and input.is_leaf
        and input.requires_grad
        and torch.is_grad_enabled()
    ):
        # PyTorch's own error, raised before anything is overwritten.
        raise RuntimeError(
            f"{fn}(inplace=True): a leaf Variable that requires grad is being "
            "used in an in-place operation; use inplace=False"
        )
    return inplace


def _first_order(backward: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a hand-written backward as first-order: refuse ``create_graph=True`` clearly.

    Its in-place arithmetic on temporaries is fast but leaves no graph to differentiate again.
    """

    @functools.wraps(backward)
    def checked(ctx: Any, *grads: Tensor) -> Any:
        if torch.is_grad_enabled():  # autograd is building a graph of this backward pass
            name = type(ctx).__name__.replace("FunctionBackward", "").strip("_").lower()
            raise RuntimeError(
                f"{name}: double backward (create_graph=True) is not supported; its hand-written "
                f"backward is first-order only. Use torch.nn.functional.{name} for higher "
                "derivatives"
            )
        return backward(ctx, *grads)

    return checked


def _opmath_dtype(x: Tensor) -> torch.dtype:
    return torch.float32 if x.dtype in _REDUCED else x.dtype


def _opmath(x: Tensor) -> Tensor:
    """Float16/bfloat16 are computed in float32 and rounded once at the end, like PyTorch."""
    return x.float() if x.dtype in _REDUCED else x


def _scalar(value: float, like: Tensor) -> Tensor:
    """A 0-dim tensor of ``like``'s dtype and device, for ops that take a tensor, not a number."""
    return torch.full((), value, dtype=like.dtype, device=like.device)


# ----------------------------------------------------------------------------- ReLU
class ReLUFunction(torch.autograd.Function):
    """ReLU with a hand-written backward pass: ``ReLUFunction.apply(x)``.

    forward: ``y = max(0, x)``; backward: ``dx = dy`` where ``y > 0``, else ``0``.
    It saves only its output: ``y > 0`` exactly where ``x > 0``, so the input can be freed.
    The gradient is PyTorch's bit for bit, for any upstream gradient (infinite and NaN
    included: an inactive unit gets 0, not ``inf * 0 = NaN``).

    Examples:
        >>> x = torch.tensor([-1.0, 0.0, 2.0], dtype=torch.float64, requires_grad=True)
        >>> ReLUFunction.apply(x).sum().backward()
        >>> x.grad
        tensor([0., 0., 1.], dtype=torch.float64)
        >>> torch.autograd.gradcheck(ReLUFunction.apply, (torch.tensor([-1.5, 0.5, 2.0],
        ...     dtype=torch.float64, requires_grad=True),))
        True
    """

    @staticmethod
    def forward(ctx: Any, input: Tensor, inplace: bool = False) -> Tensor:
        if inplace:
            y = input.clamp_(min=0)  # clamp keeps NaN and -0.0, as torch.relu does
            ctx.mark_dirty(input)
        else:
            y = input.clamp(min=0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor, None]:
        (y,) = ctx.saved_tensors
        # dx = dy where y != 0 (x > 0, or x NaN), else +0.0. A select, as PyTorch's, not a
        # product: an infinite or NaN dy at an inactive unit gives 0, not inf * 0 = NaN.
        if torch.is_grad_enabled():  # create_graph=True: a select autograd can differentiate
            return torch.where(y != 0, grad_output, 0.0), None
        # torch.where branches per element, several times slower than arithmetic on CPU. A
        # select without branches, on bit patterns: an integer shifted left by its width or
        # more is 0, and 1.0's bit pattern is such a count (0x3f800000 in float32), 0.0's is 0.
        bits = _BITS[y.dtype]
        off = torch.eq(y, 0, out=torch.empty_like(y)).view(bits)  # 1.0 where inactive
        return torch.bitwise_left_shift(grad_output.view(bits), off, out=off).view(y.dtype), None


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    r"""Rectified linear unit: keep the positive part, zero the rest.

    .. math:: \mathrm{ReLU}(x) = \max(0, x)
              \qquad \mathrm{ReLU}'(x) = 1 \text{ if } x > 0 \text{ else } 0

    Kink: at ``x = 0`` the derivative is taken as 0 (the left derivative), as PyTorch does, so a
    unit whose input is exactly 0 receives no gradient. Values: ``relu(-0.0)`` is ``-0.0`` and
    ``relu(nan)`` is ``nan``, as with ``torch.relu``.

    Args:
        input: any tensor; floating point or integer (``torch.relu`` accepts integers too).
        inplace: overwrite ``input`` and return it. Default: ``False``.

    Shape:
        Input ``(*)``, output ``(*)``, the same shape.

    Examples:
        >>> relu(torch.tensor([-2.0, 0.0, 3.0]))
        tensor([0., 0., 3.])
        >>> relu(torch.tensor([-2, 5]))
        tensor([0, 5])
    """
    _check_input("relu", input, integers=True)
    y = ReLUFunction.apply(input, _check_inplace("relu", inplace, input))
    return input if inplace else y  # under no_grad, apply returns a new view of `input`


def relu_derivative(x: Tensor) -> Tensor:
    """ReLU's derivative, elementwise: 1 where ``x > 0``, else 0 (also at 0).

    Examples:
        >>> relu_derivative(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0., 0., 1.])
    """
    _check_input("relu_derivative", x)
    return _derivative(relu, x)


def _derivative(fn: Callable[..., Tensor], x: Tensor, *args: Any) -> Tensor:
    """Elementwise derivative of ``fn`` at ``x``: its own backward pass applied to ones."""
    with torch.enable_grad():
        x = x.detach().requires_grad_()
        y = fn(x, *args)
        (dx,) = torch.autograd.grad(y, x, torch.ones_like(y))
    return dx


# ----------------------------------------------------------------------------- Leaky ReLU
class _LeakyReLUFunction(torch.autograd.Function):
    # forward: y = x if x > 0 else a x;   backward: dx = dy if x > 0 else a dy
    # Both are products with the slope  s = 1 if x > 0 else a: exactly 1 or exactly a, so as
    # exact as a select. The forward pass builds s and keeps it: the backward pass is then one
    # multiplication. For 0 <= a <= 1, s = max([x > 0], a), cheaper than torch.where.
    @staticmethod
    def forward(ctx: Any, x: Tensor, a: float, inplace: bool) -> Tensor:
        if inplace:
            ctx.mark_dirty(x)
        if not ctx.needs_input_grad[0] and 0 < a <= 1:  # no backward: y = max(x, a x) is faster
            ax = x * a  # (a = 0 is excluded: max(inf, 0 * inf) would be NaN)
            return torch.maximum(x, ax, out=x if inplace else ax)
        s = torch.empty_like(x, dtype=_opmath_dtype(x))  # float32 for float16/bfloat16
        if 0 <= a <= 1:
            s = torch.gt(x, 0, out=s).clamp_(min=a)
        else:
            s = torch.where(x > 0, _scalar(1.0, s), _scalar(a, s), out=s)
        ctx.save_for_backward(s)
        return x.mul_(s) if inplace else (x * s).to(x.dtype)

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor, None, None]:
        (s,) = ctx.saved_tensors
        return (grad_output * s).to(grad_output.dtype), None, None


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    r"""Leaky ReLU: the identity for positive inputs, a small slope for the others.

    .. math:: \mathrm{LeakyReLU}(x) = \begin{cases} x & x > 0 \\ a\,x & x \le 0 \end{cases}
              \qquad \mathrm{LeakyReLU}'(x) = 1 \text{ if } x > 0 \text{ else } a

    Kink: at ``x = 0`` the derivative is the slope ``a`` (the left derivative), as in PyTorch:
    the unit keeps a small gradient, which is why Leaky ReLU units cannot die.

    Args:
        input: a floating-point tensor.
        negative_slope: the slope ``a`` for ``x <= 0``. Default: ``0.01``.
        inplace: overwrite ``input`` and return it. Default: ``False``.

    Shape:
        Input ``(*)``, output ``(*)``, the same shape.

    Examples:
        >>> leaky_relu(torch.tensor([-2.0, 0.0, 3.0]), negative_slope=0.5)
        tensor([-1.,  0.,  3.])
    """
    _check_input("leaky_relu", input)
    slope = _check_number("leaky_relu", "negative_slope", negative_slope)
    y = _LeakyReLUFunction.apply(input, slope, _check_inplace("leaky_relu", inplace, input))
    return input if inplace else y


def leaky_relu_derivative(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """Leaky ReLU's derivative: 1 where ``x > 0``, else ``negative_slope`` (also at 0).

    Examples:
        >>> leaky_relu_derivative(torch.tensor([-1.0, 0.0, 2.0]), negative_slope=0.1)
        tensor([0.1000, 0.1000, 1.0000])
    """
    _check_input("leaky_relu_derivative", x)
    return _derivative(leaky_relu, x, negative_slope)


# ----------------------------------------------------------------------------- PReLU
class _PReLUFunction(torch.autograd.Function):
    # forward: y = x if x > 0 else w * x
    # backward: dx = dy if x > 0 else w * dy;  dw = sum over all but channels of [x <= 0] x dy
    # Slopes in [0, 1] (the usual case) use max instead of the slower torch.where.
    @staticmethod
    def forward(ctx: Any, x: Tensor, w: Tensor) -> Tensor:
        ctx.fast = bool(((w > 0) & (w <= 1)).all())  # w = 0: max(inf, 0 * inf) would be NaN
        ctx.save_for_backward(x, w)
        wx = w * x
        if ctx.fast:
            return torch.maximum(x, wx, out=wx)
        return torch.where(x > 0, x, wx, out=wx)

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, w = ctx.saved_tensors
        dx = dw = None
        if ctx.needs_input_grad[0]:
            if ctx.fast:
                slope = torch.gt(x, 0, out=torch.empty_like(x, dtype=_opmath_dtype(x)))
                dx = torch.maximum(slope, w).mul_(grad_output).to(grad_output.dtype)
            else:
                dx = torch.where(x > 0, grad_output, w * grad_output)
        if ctx.needs_input_grad[1]:
            dw = torch.clamp(x, max=0).mul_(grad_output).sum_to_size(w.shape)  # x dy where x <= 0
        return dx, dw


def _prelu_weight(fn: str, input: Tensor, weight: Any) -> Tensor:
    """Check ``weight`` and shape it ``(1, C, 1, ...)`` to broadcast over channel dim 1."""
    if isinstance(weight, (int, float)) and not isinstance(weight, bool):
        weight = torch.tensor([float(weight)], dtype=input.dtype, device=input.device)
    if not isinstance(weight, Tensor):
        raise TypeError(f"{fn}() expects weight to be a tensor or a number, got {weight!r}")
    if weight.dim() > 1:
        raise ValueError(
            f"{fn}() expects a 1-D weight (one slope, or one per channel), "
            f"got shape {tuple(weight.shape)}"
        )
    if weight.dtype != input.dtype:
        raise TypeError(
            f"{fn}() expects weight of the input's dtype {input.dtype}, got {weight.dtype}"
        )
    channels = input.shape[1] if input.dim() > 1 else 1
    if weight.numel() != 1 and (input.dim() == 0 or weight.numel() != channels):
        raise ValueError(
            f"{fn}() expects weight with 1 element or one per channel (dim 1 of an "
            f"input of shape {tuple(input.shape)}: {channels}), "
            f"got {weight.numel()} elements"
        )
    if input.dim() > 1:
        return weight.reshape(1, -1, *([1] * (input.dim() - 2)))
    return weight.reshape([1] * input.dim())


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    r"""Parametric ReLU: a Leaky ReLU whose slope is learned.

    .. math:: \mathrm{PReLU}(x) = \begin{cases} x & x > 0 \\ w\,x & x \le 0 \end{cases}
              \qquad \frac{\partial}{\partial x} = 1 \text{ if } x > 0 \text{ else } w,
              \qquad \frac{\partial}{\partial w} = 0 \text{ if } x > 0 \text{ else } x

    Kink: at ``x = 0`` the derivative is ``w`` (the left derivative), as in PyTorch.

    Args:
        input: a floating-point tensor; dim 1 holds the channels (features for ``(N, C)``).
        weight: the slope(s): one element, or one per channel; same dtype as ``input``.
            A Python number is accepted as one slope.

    Shape:
        Input ``(*)`` or ``(N, C, *)``, weight ``(1,)`` or ``(C,)``, output as input.

    Examples:
        >>> prelu(torch.tensor([[-2.0, -2.0], [1.0, -4.0]]), torch.tensor([0.5, 0.25]))
        tensor([[-1.0000, -0.5000],
                [ 1.0000, -1.0000]])
    """
    _check_input("prelu", input)
    return _PReLUFunction.apply(input, _prelu_weight("prelu", input, weight))


def prelu_derivative(x: Tensor, weight: Tensor) -> Tensor:
    """PReLU's derivative with respect to its input: 1 where ``x > 0``, else the weight.

    Examples:
        >>> prelu_derivative(torch.tensor([-1.0, 0.0, 2.0]), torch.tensor([0.25]))
        tensor([0.2500, 0.2500, 1.0000])
    """
    _check_input("prelu_derivative", x)
    return _derivative(prelu, x, _prelu_weight("prelu_derivative", x, weight).detach().flatten())


# ----------------------------------------------------------------------------- ELU and SELU
class _ELUFunction(torch.autograd.Function):
    # forward: y = s x if x > 0 else c (exp(x) - 1)      (c = s a;  ELU: s = 1;  SELU: s = lambda)
    #          = c expm1(min(x, 0)) + s max(x, 0)         (one term is 0; cheaper than where)
    #          Bit-exact but for the sign of a zero: where c expm1(x) underflows to -0.0 (a = 0,
    #          or subnormal results), -0.0 + 0.0 gives +0.0.
    # backward: dx = dy * (s if x > 0 else c exp(x))
    #          with  c exp(x) = c exp(min(x, 0)),  or = y + c when x was overwritten in place
    @staticmethod
    def forward(ctx: Any, x: Tensor, alpha: float, scale: float, inplace: bool) -> Tensor:
        c, s = alpha * scale, scale
        ctx.c, ctx.s, ctx.inplace = c, s, inplace
        xf = _opmath(x)
        neg = torch.clamp(xf, max=0).expm1_()  # expm1: exact near 0
        pos = xf.clamp_(min=0) if inplace else torch.clamp(xf, min=0)  # in place: no new tensor
        if s != 1:
            pos.mul_(s)
        y = torch.add(pos, neg, alpha=c, out=pos)  # s max(x, 0) + c expm1(min(x, 0))
        if inplace:
            ctx.mark_dirty(x)
            y = x if y is x else x.copy_(y)  # float16/bfloat16: rounded once into x
            ctx.save_for_backward(y)
            return y
        ctx.save_for_backward(x)
        return y.to(x.dtype)

    @staticmethod
    @_first_order
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor, None, None, None]:
        (saved,) = ctx.saved_tensors
        saved, c, s = _opmath(saved), ctx.c, ctx.s
        if ctx.inplace:  # saved is y:  c exp(x) = y + c
            slope = torch.clamp(saved, max=0).add_(c)
        elif c > 0:  # saved is x:  c exp(x) = 2^(x log2(e) + log2(c)), a fused multiply-add
            slope = torch.clamp(saved, max=0)  # and exp2: cheaper than exp, then times c
            slope = torch.add(_scalar(math.log2(c), slope), slope, alpha=_LOG2_E, out=slope).exp2_()
        else:  # saved is x, alpha <= 0
            slope = torch.clamp(saved, max=0).exp_().mul_(c)
        if c != s:  # for x > 0 the slope above is c; make it s. lerp: exactly s at weight 1
            positive = torch.gt(saved, 0, out=torch.empty_like(slope))
            slope.lerp_(_scalar(s, slope), positive)
        return slope.mul_(grad_output).to(grad_output.dtype), None, None, None


def _elu(fn: str, input: Tensor, alpha: float, scale: float, inplace: bool) -> Tensor:
    _check_input(fn, input)
    if _check_inplace(fn, inplace, input) and alpha < 0 and input.requires_grad:
        raise ValueError(
            f"{fn}(inplace=True) needs alpha >= 0 to compute its gradient from "
            f"the output (as PyTorch does), got alpha={alpha}; use inplace=False"
        )
    y = _ELUFunction.apply(input, alpha, scale, inplace)
    return input if inplace else y


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    r"""Exponential linear unit: the identity for positive inputs, a saturating exponential below.

    .. math:: \mathrm{ELU}(x) = \begin{cases} x & x > 0 \\ \alpha\,(e^x - 1) & x \le 0 \end{cases}
              \qquad \mathrm{ELU}'(x) = 1 \text{ if } x > 0 \text{ else } \alpha e^x

    Kink: at ``x = 0`` the derivative is ``alpha`` (the left derivative), as in PyTorch; with the
    default ``alpha = 1`` both sides agree and ELU is smooth there. Negative outputs push the
    mean activation towards 0; the floor ``-alpha`` bounds them.

    Args:
        input: a floating-point tensor.
        alpha: the negative saturation value. Default: ``1.0``.
        inplace: overwrite ``input`` and return it; its gradient then comes from the
            output, as PyTorch's does, which needs ``alpha >= 0``. Default: ``False``.

    Shape:
        Input ``(*)``, output ``(*)``, the same shape.

    Examples:
        >>> elu(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.6321,  0.0000,  2.0000])
    """
    a = _check_number("elu", "alpha", alpha)
    return _elu("elu", input, a, 1.0, inplace)


def elu_derivative(x: Tensor, alpha: float = 1.0) -> Tensor:
    """ELU's derivative: 1 where ``x > 0``, else ``alpha * exp(x)`` (``alpha`` at 0).

    Examples:
        >>> elu_derivative(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0.3679, 1.0000, 1.0000])
    """
    _check_input("elu_derivative", x)
    return _derivative(elu, x, _check_number("elu_derivative", "alpha", alpha))


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    r"""Scaled ELU: ``lambda * ELU(x, alpha)`` with constants that self-normalise.

    .. math:: \mathrm{SELU}(x) = \lambda \begin{cases} x & x > 0 \\
              \alpha\,(e^x - 1) & x \le 0 \end{cases}
              \qquad \mathrm{SELU}'(x) = \lambda \text{ if } x > 0 \text{ else }
              \lambda \alpha e^x

    with :math:`\alpha \approx 1.6733` (``SELU_ALPHA``) and :math:`\lambda \approx 1.0507`
    (``SELU_LAMBDA``): zero-mean, unit-variance inputs give zero-mean, unit-variance outputs.

    Kink: at ``x = 0`` the derivative is ``lambda * alpha`` (the left derivative), as in PyTorch.

    .. note:: The fixed point only holds when weights are initialised LeCun-normal
       (``std = 1 / sqrt(fan_in)``, see ``relu_course.init.lecun_normal_``), not He or
       PyTorch's default; use ``nn.AlphaDropout``, not ``nn.Dropout``, with SELU.

    Args:
        input: a floating-point tensor.
        inplace: overwrite ``input`` and return it. Default: ``False``.

    Shape:
        Input ``(*)``, output ``(*)``, the same shape.

    Examples:
        >>> selu(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-1.1113,  0.0000,  2.1014])
    """
    return _elu("selu", input, SELU_ALPHA, SELU_LAMBDA, inplace)


def selu_derivative(x: Tensor) -> Tensor:
    """SELU's derivative: ``lambda`` where ``x > 0``, else ``lambda * alpha * exp(x)``.

    Examples:
        >>> selu_derivative(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0.6468, 1.7581, 1.0507])
    """
    _check_input("selu_derivative", x)
    return _derivative(selu, x)


# ----------------------------------------------------------------------------- GELU
_GELU_MODES = ("none", "tanh")
# C's M_SQRT2, M_2_SQRTPI, M_SQRT1_2, combined in PyTorch's order so the constants round alike.
_SQRT2, _2_SQRTPI, _SQRT1_2 = 1.41421356237309504880, 1.12837916709551257390, 0.70710678118654752440
_SQRT_2_OVER_PI = _SQRT2 * _2_SQRTPI * 0.5  # sqrt(2 / pi)
_INV_SQRT_2PI = _2_SQRTPI * _SQRT1_2 * 0.5  # 1 / sqrt(2 pi), the normal density at 0
_KAPPA = 0.044715
_SQRT_2_OVER_PI_KAPPA = _SQRT_2_OVER_PI * _KAPPA


class _GELUFunction(torch.autograd.Function):
    # none: y = x Phi(x),  Phi(x) = (1 + erf(x / sqrt 2)) / 2;   dx = dy (Phi(x) + x phi(x))
    #       with phi(x) = exp(-x^2 / 2) / sqrt(2 pi). Forward keeps e = 1 + erf(x / sqrt 2):
    #       y = x e / 2,  dx = dy (e + 2 x phi(x)) / 2.
    # tanh: y = x (1 + t) / 2,  t = tanh(sqrt(2/pi) (x + k x^3));  forward keeps t.
    #       dx = dy (1 + t)(1 + x (1 - t) q) / 2,  q = sqrt(2/pi) (1 + 3k x^2)
    #       ((1 - t)(1 + t), not 1 - t^2: no cancellation where tanh saturates)
    # addcmul(a, b, c, value=v) = a + v b c in one pass over memory; with a = -0.0 it is the
    # product v b c (adding -0.0 changes nothing, not even the sign of a zero).
    @staticmethod
    def forward(ctx: Any, x: Tensor, approximate: str) -> Tensor:
        ctx.approximate = approximate
        xf = _opmath(x)
        if approximate == "none":
            kept = torch.mul(xf, _SQRT1_2).erf_().add_(1)  # e
        else:  # sqrt(2/pi) (x + k x^3) as x (sqrt(2/pi) + sqrt(2/pi) k x^2)
            kept = torch.addcmul(_scalar(_SQRT_2_OVER_PI, xf), xf, xf, value=_SQRT_2_OVER_PI_KAPPA)
            kept.mul_(xf).tanh_()  # t
        save = ctx.needs_input_grad[0]
        if save:
            ctx.save_for_backward(x, kept)
        if approximate == "none":  # y = x e / 2, in e's memory unless backward needs e
            y = torch.addcmul(_scalar(-0.0, xf), xf, kept, value=0.5, out=None if save else kept)
        else:  # y = x (1 + t) / 2, in t's memory unless backward needs t
            e = kept.add(1) if save else kept.add_(1)
            y = torch.addcmul(_scalar(-0.0, xf), xf, e, value=0.5, out=e)
        return y.to(x.dtype)

    @staticmethod
    @_first_order
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor, None]:
        x, kept = ctx.saved_tensors
        x = _opmath(x)
        if ctx.approximate == "none":  # kept = e
            # sqrt(2 pi) phi(x) = exp(-x^2 / 2) = 2^(-x^2 log2(e) / 2): exp2 is the cheaper one
            dx = torch.addcmul(_scalar(0.0, x), x, x, value=-0.5 * _LOG2_E).exp2_()
            dx = torch.addcmul(kept, x, dx, value=2 * _INV_SQRT_2PI, out=dx)  # e + 2 x phi(x)
        else:  # kept = t
            # q = sqrt(2/pi) + 3 sqrt(2/pi) k x^2
            dx = torch.addcmul(_scalar(_SQRT_2_OVER_PI, x), x, x, value=3 * _SQRT_2_OVER_PI_KAPPA)
            u = torch.rsub(kept, 1).mul_(x)  # x (1 - t)
            dx = torch.addcmul(_scalar(1.0, x), dx, u, out=dx)  # 1 + x (1 - t) q
            dx.mul_(torch.add(kept, 1, out=u))  # (1 + t) (...)
        dx = torch.addcmul(_scalar(-0.0, dx), dx, grad_output, value=0.5, out=dx)
        return dx.to(grad_output.dtype), None


def _check_approximate(fn: str, approximate: Any) -> str:
    if approximate not in _GELU_MODES:
        raise ValueError(f"{fn}() expects approximate to be 'none' or 'tanh', got {approximate!r}")
    return approximate


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    r"""Gaussian error linear unit: the input weighted by the chance a standard normal is below it.

    .. math:: \mathrm{GELU}(x) = x\,\Phi(x) = \frac{x}{2}\left(1 + \mathrm{erf}(x/\sqrt2)\right)
              \qquad \mathrm{GELU}'(x) = \Phi(x) + x\,\varphi(x)

    with the tanh approximation
    :math:`\frac{x}{2}\left(1 + \tanh\left(\sqrt{2/\pi}\,(x + 0.044715\,x^3)\right)\right)`.

    Kink: none; GELU is smooth and its derivative at 0 is exactly ``0.5`` (:math:`\Phi(0)`).
    Unlike ReLU it is not monotonic: it dips to about ``-0.17`` near ``x = -0.75``.

    Args:
        input: a floating-point tensor.
        approximate: ``"none"`` (exact, with ``erf``) or ``"tanh"``. Default: ``"none"``.

    Shape:
        Input ``(*)``, output ``(*)``, the same shape.

    Examples:
        >>> gelu(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.1587,  0.0000,  1.9545])
        >>> gelu(torch.tensor([-1.0, 0.0, 2.0]), approximate="tanh")
        tensor([-0.1588,  0.0000,  1.9546])
    """
    _check_input("gelu", input)
    return _GELUFunction.apply(input, _check_approximate("gelu", approximate))


def gelu_derivative(x: Tensor, approximate: str = "none") -> Tensor:
    """GELU's derivative ``Phi(x) + x * phi(x)`` (or the tanh form's); 0.5 at 0.

    Examples:
        >>> gelu_derivative(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.0833,  0.5000,  1.0852])
    """
    _check_input("gelu_derivative", x)
    return _derivative(gelu, x, _check_approximate("gelu_derivative", approximate))


# ----------------------------------------------------------------------------- SiLU
class _SiLUFunction(torch.autograd.Function):
    # forward: y = x sigmoid(x);  backward: dx = dy s (1 + x (1 - s)),  s = sigmoid(x) kept
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        xf = _opmath(x)
        s = torch.sigmoid(xf)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x, s)
            return torch.mul(s, xf).to(x.dtype)
        return s.mul_(xf).to(x.dtype)  # no backward pass: reuse s's memory

    @staticmethod
    @_first_order
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor]:
        x, s = ctx.saved_tensors
        x = _opmath(x)
        dx = torch.rsub(s, 1)  # 1 - s
        dx = torch.addcmul(_scalar(1.0, x), x, dx, out=dx)  # 1 + x (1 - s)
        return (dx.mul_(s).mul_(grad_output).to(grad_output.dtype),)


def silu(input: Tensor) -> Tensor:
    r"""Sigmoid linear unit (swish): the input weighted by its own sigmoid.

    .. math:: \mathrm{SiLU}(x) = x\,\sigma(x) = \frac{x}{1 + e^{-x}}
              \qquad \mathrm{SiLU}'(x) = \sigma(x)\,\bigl(1 + x\,(1 - \sigma(x))\bigr)

    Kink: none; SiLU is smooth and its derivative at 0 is exactly ``0.5`` (:math:`\sigma(0)`).
    Like GELU it dips below zero (to about ``-0.28`` near ``x = -1.28``).

    Args:
        input: a floating-point tensor.

    Shape:
        Input ``(*)``, output ``(*)``, the same shape.

    Examples:
        >>> silu(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.2689,  0.0000,  1.7616])
    """
    _check_input("silu", input)
    return _SiLUFunction.apply(input)


def silu_derivative(x: Tensor) -> Tensor:
    """SiLU's derivative ``s * (1 + x * (1 - s))`` with ``s = sigmoid(x)``; 0.5 at 0.

    Examples:
        >>> silu_derivative(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0.0723, 0.5000, 1.0908])
    """
    _check_input("silu_derivative", x)
    return _derivative(silu, x)


# ----------------------------------------------------------------------------- sigmoid, tanh
class _SigmoidFunction(torch.autograd.Function):
    # forward: y = 1 / (1 + exp(-x));  backward: dx = dy (1 - y) y
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        y = torch.sigmoid(x)  # PyTorch's fused 1 / (1 + exp(-x)), stable for large |x|
        ctx.save_for_backward(y)
        return y

    @staticmethod
    @_first_order
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor]:
        (y,) = ctx.saved_tensors
        y = _opmath(y)
        return (torch.sub(1, y).mul_(y).mul_(grad_output).to(grad_output.dtype),)


def _promote(x: Tensor) -> Tensor:
    # torch.sigmoid and torch.tanh turn integer and bool tensors into the default float dtype.
    return x if x.is_floating_point() else x.to(torch.get_default_dtype())


def sigmoid(input: Tensor) -> Tensor:
    r"""Logistic sigmoid, the classic activation ReLU replaced.

    .. math:: \sigma(x) = \frac{1}{1 + e^{-x}} \qquad \sigma'(x) = \sigma(x)\,(1 - \sigma(x))

    Its derivative is at most ``0.25`` (at 0), so gradients shrink through deep stacks.

    Args:
        input: a tensor; integers and bools are promoted to the default float dtype.

    Shape:
        Input ``(*)``, output ``(*)``, the same shape.

    Examples:
        >>> sigmoid(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0.2689, 0.5000, 0.8808])
    """
    _check_input("sigmoid", input, integers=True)
    return _SigmoidFunction.apply(_promote(input))


def sigmoid_derivative(x: Tensor) -> Tensor:
    """Sigmoid's derivative ``s * (1 - s)``; its maximum, 0.25, is at 0.

    Examples:
        >>> sigmoid_derivative(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0.1966, 0.2500, 0.1050])
    """
    _check_input("sigmoid_derivative", x)
    return _derivative(sigmoid, x)


class _TanhFunction(torch.autograd.Function):
    # forward: y = tanh(x);  backward: dx = dy (1 - y^2), computed as dy (1 - y)(1 + y):
    # no cancellation where tanh saturates (|y| near 1)
    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        y = torch.tanh(x)  # (e^x - e^-x) / (e^x + e^-x) written out would overflow for |x| > 88
        ctx.save_for_backward(y)
        return y

    @staticmethod
    @_first_order
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor]:
        (y,) = ctx.saved_tensors
        y = _opmath(y)
        return (torch.sub(1, y).mul_(1 + y).mul_(grad_output).to(grad_output.dtype),)


def tanh(input: Tensor) -> Tensor:
    r"""Hyperbolic tangent: a zero-centred sigmoid, ``tanh(x) = 2 sigmoid(2x) - 1``.

    .. math:: \tanh(x) = \frac{e^x - e^{-x}}{e^x + e^{-x}} \qquad \tanh'(x) = 1 - \tanh^2(x)

    Args:
        input: a tensor; integers and bools are promoted to the default float dtype.

    Shape:
        Input ``(*)``, output ``(*)``, the same shape.

    Examples:
        >>> tanh(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.7616,  0.0000,  0.9640])
    """
    _check_input("tanh", input, integers=True)
    return _TanhFunction.apply(_promote(input))


def tanh_derivative(x: Tensor) -> Tensor:
    """Tanh's derivative ``1 - tanh(x)**2``; its maximum, 1, is at 0.

    Examples:
        >>> tanh_derivative(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0.4200, 1.0000, 0.0707])
    """
    _check_input("tanh_derivative", x)
    return _derivative(tanh, x)


def identity(input: Tensor) -> Tensor:
    """The identity, the "no activation" baseline: a network of linear layers stays linear.

    Examples:
        >>> identity(torch.tensor([-1.0, 2.0]))
        tensor([-1.,  2.])
    """
    _check_input("identity", input, integers=True)
    return input


def identity_derivative(x: Tensor) -> Tensor:
    """The identity's derivative: 1 everywhere.

    Examples:
        >>> identity_derivative(torch.tensor([-1.0, 2.0]))
        tensor([1., 1.])
    """
    _check_input("identity_derivative", x)
    return torch.ones_like(x)


# ----------------------------------------------------------------------------- modules
class ReLU(nn.Module):
    """Applies :func:`relu` elementwise. Examples: ``ReLU()(torch.tensor([-1.0, 2.0]))``.

    Examples:
        >>> ReLU(inplace=True)
        ReLU(inplace=True)
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = _check_inplace("ReLU", inplace)

    def forward(self, input: Tensor) -> Tensor:
        return relu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(nn.Module):
    """Applies :func:`leaky_relu` elementwise.

    Examples:
        >>> LeakyReLU(0.1)(torch.tensor([-1.0, 2.0]))
        tensor([-0.1000,  2.0000])
        >>> LeakyReLU()
        LeakyReLU(negative_slope=0.01)
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = _check_number("LeakyReLU", "negative_slope", negative_slope)
        self.inplace = _check_inplace("LeakyReLU", inplace)

    def forward(self, input: Tensor) -> Tensor:
        return leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class PReLU(nn.Module):
    """Applies :func:`prelu` with a learnable slope: one shared, or one per channel.

    .. warning:: Do not use weight decay on ``weight``: decay pulls the slope towards 0,
       turning PReLU back into a ReLU. Put it in an optimizer group with
       ``weight_decay=0``.

    Args:
        num_parameters: 1 (one slope for all channels) or the number of channels (dim 1).
            Default: 1.
        init: the initial slope. Default: ``0.25``.

    Examples:
        >>> m = PReLU()
        >>> m
        PReLU(num_parameters=1)
        >>> m(torch.tensor([-4.0, 2.0])).detach()
        tensor([-1.,  2.])
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25) -> None:
        super().__init__()
        if (
            isinstance(num_parameters, bool)
            or not isinstance(num_parameters, int)
            or num_parameters < 1
        ):
            raise ValueError(
                f"PReLU expects num_parameters to be a positive integer (1, or the "
                f"number of channels), got {num_parameters!r}"
            )
        self.num_parameters = num_parameters
        self.init = _check_number("PReLU", "init", init)
        self.weight = nn.Parameter(torch.full((num_parameters,), self.init))

    def forward(self, input: Tensor) -> Tensor:
        return prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class ELU(nn.Module):
    """Applies :func:`elu` elementwise.

    Examples:
        >>> ELU(alpha=0.5)
        ELU(alpha=0.5)
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = _check_number("ELU", "alpha", alpha)
        self.inplace = _check_inplace("ELU", inplace)

    def forward(self, input: Tensor) -> Tensor:
        return elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class SELU(nn.Module):
    """Applies :func:`selu` elementwise; initialise the layers before it LeCun-normal.

    Examples:
        >>> SELU()
        SELU()
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = _check_inplace("SELU", inplace)

    def forward(self, input: Tensor) -> Tensor:
        return selu(input, self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class GELU(nn.Module):
    """Applies :func:`gelu` elementwise.

    Examples:
        >>> GELU(approximate="tanh")
        GELU(approximate='tanh')
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = _check_approximate("GELU", approximate)

    def forward(self, input: Tensor) -> Tensor:
        return gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(nn.Module):
    """Applies :func:`silu` elementwise.

    Examples:
        >>> SiLU()(torch.tensor([0.0]))
        tensor([0.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return silu(input)


class Sigmoid(nn.Module):
    """Applies :func:`sigmoid` elementwise.

    Examples:
        >>> Sigmoid()(torch.tensor([0.0]))
        tensor([0.5000])
    """

    def forward(self, input: Tensor) -> Tensor:
        return sigmoid(input)


class Tanh(nn.Module):
    """Applies :func:`tanh` elementwise.

    Examples:
        >>> Tanh()(torch.tensor([0.0]))
        tensor([0.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return tanh(input)


class Identity(nn.Module):
    """Returns its input unchanged: the "no activation" baseline (accepts and ignores kwargs).

    Examples:
        >>> Identity()(torch.tensor([-1.0]))
        tensor([-1.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return identity(input)


# ----------------------------------------------------------------------------- registry
ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "prelu": PReLU,
    "elu": ELU,
    "selu": SELU,
    "gelu": GELU,
    "silu": SiLU,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "identity": Identity,
}
"""Name -> module class."""

FUNCTIONS: dict[str, Callable[..., Tensor]] = {
    "relu": relu,
    "leaky_relu": leaky_relu,
    "prelu": prelu,
    "elu": elu,
    "selu": selu,
    "gelu": gelu,
    "silu": silu,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "identity": identity,
}
"""Name -> functional form (``prelu`` needs its weight: ``FUNCTIONS["prelu"](x, 0.25)``)."""

DERIVATIVES: dict[str, Callable[..., Tensor]] = {
    "relu": relu_derivative,
    "leaky_relu": leaky_relu_derivative,
    "prelu": prelu_derivative,
    "elu": elu_derivative,
    "selu": selu_derivative,
    "gelu": gelu_derivative,
    "silu": silu_derivative,
    "sigmoid": sigmoid_derivative,
    "tanh": tanh_derivative,
    "identity": identity_derivative,
}
"""Name -> derivative (``prelu_derivative`` needs its weight too)."""


def get_activation(name: str, **kwargs: Any) -> nn.Module:
    """Build an activation module by name; case-insensitive, ``-`` and ``_`` alike.

    Args:
        name: one of ``ACTIVATIONS``' keys, e.g. ``"relu"``, ``"Leaky-ReLU"``.
        **kwargs: passed to the module, e.g. ``negative_slope=0.1``.

    Raises:
        ValueError: unknown name (the message lists the valid ones).
        TypeError: a keyword the module does not accept (the message lists those it does).

    Examples:
        >>> get_activation("Leaky-ReLU", negative_slope=0.2)
        LeakyReLU(negative_slope=0.2)
    """
    if not isinstance(name, str):
        raise TypeError(
            f"get_activation() expects a name (str), got {name!r}; "
            f"valid names: {', '.join(ACTIVATIONS)}"
        )
    key = name.strip().lower().replace("-", "_")
    if key not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; valid names: {', '.join(ACTIVATIONS)}")
    cls = ACTIVATIONS[key]
    accepted = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        raise TypeError(
            f"get_activation({name!r}) got unexpected keyword(s) {unknown}; "
            f"{cls.__name__} accepts: {', '.join(accepted) or 'no keywords'}"
        )
    return cls(**kwargs)


_TORCH_ACTIVATIONS = (
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
)


def is_activation(module: Any) -> bool:
    """True for an activation module: one of ours, or one of ``torch.nn``'s common ones.

    Probes use it to find activation layers. ``nn.Identity`` is not one (it often marks a
    removed layer); our :class:`Identity` is (it marks "no activation" in an experiment).

    Examples:
        >>> [is_activation(m) for m in (ReLU(), torch.nn.GELU(), torch.nn.Linear(1, 1))]
        [True, True, False]
    """
    return isinstance(module, (*ACTIVATIONS.values(), *_TORCH_ACTIVATIONS))
