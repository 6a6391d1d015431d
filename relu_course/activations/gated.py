"""GELU and SiLU, the smooth modern variants: function, derivative, autograd Function, module."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from relu_course.activations._common import (
    _LOG2_E,
    _check_input,
    _derivative,
    _opmath,
    _plain,
    _recording,
    _scalar,
    _untransformed,
)

__all__ = [
    "GELU",
    "SiLU",
    "gelu",
    "gelu_derivative",
    "silu",
    "silu_derivative",
]


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
    # The kept tensor is a second output, marked non-differentiable. jvp: the same formula.
    # addcmul(a, b, c, value=v) = a + v b c in one pass over memory; with a = -0.0 it is the
    # product v b c (adding -0.0 changes nothing, not even the sign of a zero).
    generate_vmap_rule = True

    @staticmethod
    def forward(x: Tensor, approximate: str) -> tuple[Tensor, Tensor]:
        return _gelu_values(x, approximate, keep=True)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], outputs: tuple[Tensor, Tensor]) -> None:
        (x, ctx.approximate), (_, kept) = inputs, outputs
        ctx.mark_non_differentiable(kept)
        ctx.save_for_backward(x, kept)
        ctx.save_for_forward(x, kept)

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor, _grad_kept: Any) -> tuple[Tensor, None]:
        return _gelu_grad(ctx, grad_output), None

    @staticmethod
    def jvp(ctx: Any, tangent: Tensor, _: Any) -> tuple[Tensor, None]:
        return _gelu_grad(ctx, tangent), None


def _gelu_values(x: Tensor, approximate: str, keep: bool) -> tuple[Tensor, Tensor]:
    """``(y, kept)``: kept is ``e`` or ``t`` (see :class:`_GELUFunction`) when ``keep``."""
    xf = _opmath(x)
    fast = _untransformed(x)
    if approximate == "none":
        kept = torch.mul(xf, _SQRT1_2).erf_().add_(1) if fast else (xf * _SQRT1_2).erf() + 1  # e
    else:  # sqrt(2/pi) (x + k x^3) as x (sqrt(2/pi) + sqrt(2/pi) k x^2)
        kept = torch.addcmul(_scalar(_SQRT_2_OVER_PI, xf), xf, xf, value=_SQRT_2_OVER_PI_KAPPA)
        kept = kept.mul_(xf).tanh_() if fast else (kept * xf).tanh()  # t
    if not fast:
        e = kept if approximate == "none" else kept + 1
        return torch.addcmul(_scalar(-0.0, xf), xf, e, value=0.5).to(x.dtype), kept
    if approximate == "none":  # y = x e / 2, in e's memory unless backward needs e
        y = torch.addcmul(_scalar(-0.0, xf), xf, kept, value=0.5, out=None if keep else kept)
    else:  # y = x (1 + t) / 2, in t's memory unless backward needs t
        e = kept.add(1) if keep else kept.add_(1)
        y = torch.addcmul(_scalar(-0.0, xf), xf, e, value=0.5, out=e)
    return y.to(x.dtype), kept


def _gelu_grad(ctx: Any, dy: Tensor) -> Tensor:
    """``dy * GELU'(x)``, from the saved ``x`` and ``e`` or ``t``."""
    x, kept = ctx.saved_tensors
    if not _plain(dy, x, kept):  # out of place, recomputed from x: differentiable once more
        if ctx.approximate == "none":
            phi = torch.exp(x * x * -0.5) * _INV_SQRT_2PI
            slope = 0.5 * (torch.erf(x * _SQRT1_2) + 1) + x * phi
        else:
            t = torch.tanh((x + _KAPPA * x * x * x) * _SQRT_2_OVER_PI)
            q = (1 + 3 * _KAPPA * x * x) * _SQRT_2_OVER_PI
            slope = 0.5 * (1 + t) * (1 + x * (1 - t) * q)
        return (slope * dy).to(dy.dtype)
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
    dx = torch.addcmul(_scalar(-0.0, dx), dx, dy, value=0.5, out=dx)
    return dx.to(dy.dtype)


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
    approximate = _check_approximate("gelu", approximate)
    if _recording(input):
        return _GELUFunction.apply(input, approximate)[0]
    return _gelu_values(input, approximate, keep=False)[0]


def gelu_derivative(x: Tensor, approximate: str = "none") -> Tensor:
    """GELU's derivative ``Phi(x) + x * phi(x)`` (or the tanh form's); 0.5 at 0.

    Examples:
        >>> gelu_derivative(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.0833,  0.5000,  1.0852])
    """
    _check_input("gelu_derivative", x)
    return _derivative(gelu, x, _check_approximate("gelu_derivative", approximate))



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



# ----------------------------------------------------------------------------- SiLU
class _SiLUFunction(torch.autograd.Function):
    # forward: y = x sigmoid(x);  backward and jvp: dx = dy s (1 + x (1 - s)),  s = sigmoid(x)
    # kept (a second output, marked non-differentiable)
    generate_vmap_rule = True

    @staticmethod
    def forward(x: Tensor) -> tuple[Tensor, Tensor]:
        xf = _opmath(x)
        s = torch.sigmoid(xf)
        return torch.mul(s, xf).to(x.dtype), s

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Tensor], outputs: tuple[Tensor, Tensor]) -> None:
        (x,), (_, s) = inputs, outputs
        ctx.mark_non_differentiable(s)
        ctx.save_for_backward(x, s)
        ctx.save_for_forward(x, s)

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor, _grad_s: Any) -> Tensor:
        return _silu_grad(ctx, grad_output)

    @staticmethod
    def jvp(ctx: Any, tangent: Tensor) -> tuple[Tensor, None]:
        return _silu_grad(ctx, tangent), None


def _silu_grad(ctx: Any, dy: Tensor) -> Tensor:
    x, s = ctx.saved_tensors
    if not _plain(dy, x, s):  # out of place, s recomputed from x: differentiable once more
        s = torch.sigmoid(x)
        return (dy * s * (1 + x * (1 - s))).to(dy.dtype)
    x = _opmath(x)
    dx = torch.rsub(s, 1)  # 1 - s
    dx = torch.addcmul(_scalar(1.0, x), x, dx, out=dx)  # 1 + x (1 - s)
    return dx.mul_(s).mul_(dy).to(dy.dtype)


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
    if _recording(input):
        return _SiLUFunction.apply(input)[0]
    xf = _opmath(input)
    return torch.sigmoid(xf).mul_(xf).to(input.dtype)  # no backward pass: in sigmoid's memory


def silu_derivative(x: Tensor) -> Tensor:
    """SiLU's derivative ``s * (1 + x * (1 - s))`` with ``s = sigmoid(x)``; 0.5 at 0.

    Examples:
        >>> silu_derivative(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0.0723, 0.5000, 1.0908])
    """
    _check_input("silu_derivative", x)
    return _derivative(silu, x)



class SiLU(nn.Module):
    """Applies :func:`silu` elementwise.

    Examples:
        >>> SiLU()(torch.tensor([0.0]))
        tensor([0.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return silu(input)



