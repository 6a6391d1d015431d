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
    _signature_once,
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
    # tanh: y = x (1 + tanh(z)) / 2,  z = sqrt(2/pi) (x + k x^3),  which is x s with
    #       s = sigmoid(2 z) (as (1 + tanh(z)) / 2 = sigmoid(2 z)): sigmoid is several times
    #       cheaper than tanh on CPU, and saturates without cancellation. Forward keeps s.
    #       dx = dy (s + x s (1 - s) u'),  u = 2 z,  u' = 2 sqrt(2/pi) (1 + 3 k x^2);
    #       with x s = y the slope is s + (y u') (1 - s), and 1 - s = sigmoid(-u).
    # The kept tensor is a second output, marked non-differentiable. jvp: the same formula.
    # addcmul(a, b, c, value=v) = a + v b c in one pass over memory; with a = -0.0 it is the
    # product v b c (adding -0.0 changes nothing, not even the sign of a zero).
    generate_vmap_rule = True

    @staticmethod
    @_signature_once
    def forward(x: Tensor, approximate: str) -> tuple[Tensor, Tensor]:
        return _gelu_values(x, approximate, keep=True)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], outputs: tuple[Tensor, Tensor]) -> None:
        (x, ctx.approximate), (y, kept) = inputs, outputs
        ctx.mark_non_differentiable(kept)
        ctx.save_for_backward(x, y, kept)
        ctx.save_for_forward(x, y, kept)

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor, _grad_kept: Any) -> tuple[Tensor, None]:
        return _gelu_grad(ctx, grad_output), None

    @staticmethod
    def jvp(ctx: Any, tangent: Tensor, _: Any) -> tuple[Tensor, None]:
        return _gelu_grad(ctx, tangent), None


def _gelu_values(x: Tensor, approximate: str, keep: bool) -> tuple[Tensor, Tensor]:
    """``(y, kept)``: kept is ``e`` or ``s`` (see :class:`_GELUFunction`)."""
    xf = _opmath(x)
    fast = _untransformed(x)
    if approximate == "none":
        kept = torch.mul(xf, _SQRT1_2).erf_().add_(1) if fast else (xf * _SQRT1_2).erf() + 1  # e
        y = torch.addcmul(_scalar(-0.0, xf), xf, kept, value=0.5,  # in e's memory if not kept
                          out=None if keep or not fast else kept)
        return y.to(x.dtype), kept
    # u = 2 sqrt(2/pi) (x + k x^3) = x (2 sqrt(2/pi) + 2 sqrt(2/pi) k x^2)
    u = torch.addcmul(_scalar(2 * _SQRT_2_OVER_PI, xf), xf, xf, value=2 * _SQRT_2_OVER_PI_KAPPA)
    s = u.mul_(xf).sigmoid_() if fast else torch.sigmoid(u * xf)
    y = torch.mul(xf, s) if keep or not fast else s.mul_(xf)
    return y.to(x.dtype), s


def _gelu_grad(ctx: Any, dy: Tensor) -> Tensor:
    """``dy * GELU'(x)``, from the saved ``x``, ``y`` and ``e`` or ``s``."""
    x, y, kept = ctx.saved_tensors
    if not _plain(dy, x, kept):  # out of place, recomputed from x: differentiable once more
        if ctx.approximate == "none":
            phi = torch.exp(x * x * -0.5) * _INV_SQRT_2PI
            slope = 0.5 * (torch.erf(x * _SQRT1_2) + 1) + x * phi
        else:
            s = torch.sigmoid((x + _KAPPA * x * x * x) * (2 * _SQRT_2_OVER_PI))
            du = (1 + 3 * _KAPPA * x * x) * (2 * _SQRT_2_OVER_PI)
            slope = s + x * s * (1 - s) * du
        return (slope * dy).to(dy.dtype)
    x = _opmath(x)
    if ctx.approximate == "none":  # kept = e
        # sqrt(2 pi) phi(x) = exp(-x^2 / 2) = 2^(-x^2 log2(e) / 2): exp2 is the cheaper one
        dx = torch.addcmul(_scalar(0.0, x), x, x, value=-0.5 * _LOG2_E).exp2_()
        dx = torch.addcmul(kept, x, dx, value=2 * _INV_SQRT_2PI, out=dx)  # e + 2 x phi(x)
        dx = torch.addcmul(_scalar(-0.0, dx), dx, dy, value=0.5, out=dx)
        return dx.to(dy.dtype)
    # kept = s. 1 - s as sigmoid(-u), not from s: where s rounds near 1, 1 - s would carry
    # s's rounding error, which y u' (large there) multiplies.
    c = torch.addcmul(_scalar(-2 * _SQRT_2_OVER_PI, x), x, x, value=-2 * _SQRT_2_OVER_PI_KAPPA)
    c = c.mul_(x).sigmoid_()  # 1 - s
    # u' = 2 sqrt(2/pi) + 6 sqrt(2/pi) k x^2
    dx = torch.addcmul(_scalar(2 * _SQRT_2_OVER_PI, x), x, x, value=6 * _SQRT_2_OVER_PI_KAPPA)
    dx = torch.addcmul(kept, dx.mul_(_opmath(y)), c, out=dx)  # s + y u' (1 - s)
    return dx.mul_(dy).to(dy.dtype)


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
    # forward: y = x s,  s = sigmoid(x);   backward and jvp: dx = dy s (1 + x (1 - s))
    # What it saves: x and y, which exist anyway, nothing else. The backward pass recomputes s
    # (sigmoid is one cheap pass, where a kept s would be one more 16 MiB tensor to allocate in
    # the forward pass), and since x s = y, its slope s + y (1 - s) is lerp(s, 1, y): two
    # in-place passes on s, which becomes dx.
    generate_vmap_rule = True

    @staticmethod
    @_signature_once
    def forward(x: Tensor) -> Tensor:
        return _silu_values(x)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Tensor], output: Tensor) -> None:
        ctx.save_for_backward(inputs[0], output)
        ctx.save_for_forward(inputs[0], output)

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> Tensor:
        return _silu_grad(ctx, grad_output)

    jvp = backward


def _silu_values(x: Tensor) -> Tensor:
    xf = _opmath(x)
    if not _untransformed(x):
        return (torch.sigmoid(xf) * xf).to(x.dtype)
    return torch.sigmoid(xf).mul_(xf).to(x.dtype)  # in sigmoid's memory


def _silu_grad(ctx: Any, dy: Tensor) -> Tensor:
    x, y = ctx.saved_tensors
    if not _plain(dy, x, y):  # out of place: differentiable once more
        s = torch.sigmoid(x)
        return (dy * s * (1 + x * (1 - s))).to(dy.dtype)
    s = torch.sigmoid(_opmath(x))
    dx = s.lerp_(_scalar(1.0, s), _opmath(y))  # s + y (1 - s)
    return dx.mul_(dy).to(dy.dtype)


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
    return _SiLUFunction.apply(input) if _recording(input) else _silu_values(input)


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



