"""ELU and SELU: function, derivative, autograd Function and module side by side."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor, nn

from relu_course.activations._common import (
    _LOG2_E,
    _check_inplace,
    _check_input,
    _check_number,
    _derivative,
    _opmath,
    _plain,
    _recording,
    _scalar,
    _signature_once,
    _untransformed,
)

__all__ = [
    "ELU",
    "SELU",
    "SELU_ALPHA",
    "SELU_LAMBDA",
    "SELU_SCALE",
    "elu",
    "elu_derivative",
    "selu",
    "selu_derivative",
]

SELU_ALPHA = 1.6732632423543772848170429916717
"""SELU's alpha (Klambauer et al., 2017): with ``SELU_LAMBDA``, fixes mean 0 and variance 1."""
SELU_LAMBDA = 1.0507009873554804934193349852946
"""SELU's scale lambda (``torch.nn.SELU`` calls it ``scale``)."""
SELU_SCALE = SELU_LAMBDA


# ----------------------------------------------------------------------------- ELU and SELU
class _ELUFunction(torch.autograd.Function):
    # forward: y = s x if x > 0 else c (exp(x) - 1)      (c = s a;  ELU: s = 1;  SELU: s = lambda)
    #          = c expm1(min(x, 0)) + s max(x, 0)         (one term is 0; cheaper than where)
    #          Bit-exact but for the sign of a zero: where c expm1(x) underflows to -0.0 (a = 0,
    #          or subnormal results), -0.0 + 0.0 gives +0.0.
    # backward and jvp: dx = dy * (s if x > 0 else c exp(x))
    #          with  c exp(x) = c exp(min(x, 0)),  or = y + c when x is to be overwritten in
    #          place (from_output: the slope then comes from y, as PyTorch's does)
    generate_vmap_rule = True

    @staticmethod
    @_signature_once
    def forward(x: Tensor, alpha: float, scale: float, from_output: bool) -> Tensor:
        return _elu_values(x, alpha * scale, scale)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Tensor) -> None:
        x, alpha, scale, from_output = inputs
        ctx.c, ctx.s, ctx.from_output = alpha * scale, scale, from_output
        saved = output if from_output else x
        ctx.save_for_backward(saved)
        ctx.save_for_forward(saved)

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor, None, None, None]:
        return _elu_grad(ctx, grad_output), None, None, None

    @staticmethod
    def jvp(ctx: Any, tangent: Tensor, *_: Any) -> Tensor:
        return _elu_grad(ctx, tangent)


def _elu_values(x: Tensor, c: float, s: float, inplace: bool = False) -> Tensor:
    """``s max(x, 0) + c expm1(min(x, 0))``, in place on temporaries (and ``x``) where safe."""
    xf = _opmath(x)
    if not _untransformed(x):  # a torch.func transform: out of place, the same operations
        y = torch.add(torch.clamp(xf, min=0) * s, torch.clamp(xf, max=0).expm1(), alpha=c)
        return y.to(x.dtype)
    neg = torch.clamp(xf, max=0).expm1_()  # expm1: exact near 0
    pos = xf.clamp_(min=0) if inplace else torch.clamp(xf, min=0)  # in place: no new tensor
    if s != 1:
        pos.mul_(s)
    y = torch.add(pos, neg, alpha=c, out=pos)  # s max(x, 0) + c expm1(min(x, 0))
    if inplace:
        return x if y is x else x.copy_(y)  # float16/bfloat16: rounded once into x
    return y.to(x.dtype)


def _elu_grad(ctx: Any, dy: Tensor) -> Tensor:
    """``dy * slope``, the slope from the saved ``x`` (or ``y``, see ``from_output``)."""
    (saved,) = ctx.saved_tensors
    c, s = ctx.c, ctx.s
    if not _plain(dy, saved):  # out of place, for autograd to differentiate once more
        if ctx.from_output:
            slope = torch.where(saved > 0, s, saved + c)
        else:  # exp of min(x, 0): no inf * 0 = NaN in the second derivative where x is large
            slope = torch.where(saved > 0, s, torch.exp(torch.clamp(saved, max=0)) * c)
        return (slope * dy).to(dy.dtype)
    saved = _opmath(saved)
    if ctx.from_output:  # saved is y:  c exp(x) = y + c
        slope = torch.clamp(saved, max=0).add_(c)
    elif c > 0:  # saved is x:  c exp(x) = 2^(x log2(e) + log2(c)), a fused multiply-add
        slope = torch.clamp(saved, max=0)  # and exp2: cheaper than exp, then times c
        slope = torch.add(_scalar(math.log2(c), slope), slope, alpha=_LOG2_E, out=slope).exp2_()
    else:  # saved is x, alpha <= 0
        slope = torch.clamp(saved, max=0).exp_().mul_(c)
    if c != s:  # for x > 0 the slope above is c; make it s. lerp: exactly s at weight 1
        positive = torch.gt(saved, 0, out=torch.empty_like(slope))
        slope.lerp_(_scalar(s, slope), positive)
    return slope.mul_(dy).to(dy.dtype)


def _elu(fn: str, input: Tensor, alpha: float, scale: float, inplace: bool) -> Tensor:
    _check_input(fn, input)
    if _check_inplace(fn, inplace, input) and alpha < 0 and input.requires_grad:
        raise ValueError(
            f"{fn}(inplace=True) needs alpha >= 0 to compute its gradient from "
            f"the output (as PyTorch does), got alpha={alpha}; use inplace=False"
        )
    if _recording(input):  # in place: overwrite with a result autograd can follow
        y = _ELUFunction.apply(input, alpha, scale, inplace)
        return input.copy_(y) if inplace else y
    return _elu_values(input, alpha * scale, scale, inplace)


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



