"""ReLU and Leaky ReLU: function, derivative, autograd Function and module side by side."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from relu_course.activations._common import (
    _check_inplace,
    _check_input,
    _check_number,
    _derivative,
    _opmath_dtype,
    _plain,
    _recording,
    _scalar,
    _signature_once,
    _untransformed,
    linear_backward,
)

__all__ = [
    "LeakyReLU",
    "ReLU",
    "ReLUFunction",
    "leaky_relu",
    "leaky_relu_derivative",
    "relu",
    "relu_derivative",
]


# ----------------------------------------------------------------------------- ReLU
class ReLUFunction(torch.autograd.Function):
    """ReLU with a hand-written backward pass: ``ReLUFunction.apply(x)``.

    forward: ``y = max(0, x)``; backward: ``dx = dy`` where ``y > 0``, else ``0``.
    It saves only its output: ``y > 0`` exactly where ``x > 0``, so the input can be freed.
    The gradient is PyTorch's bit for bit, for any upstream gradient (infinite and NaN
    included: an inactive unit gets 0, not ``inf * 0 = NaN``). The same select is its ``jvp``
    (the Jacobian is diagonal), and its own derivative is itself (and 0 in ``y``), so
    ``torch.func`` transforms, forward-mode AD and double backward all work.

    Examples:
        >>> x = torch.tensor([-1.0, 0.0, 2.0], dtype=torch.float64, requires_grad=True)
        >>> ReLUFunction.apply(x).sum().backward()
        >>> x.grad
        tensor([0., 0., 1.], dtype=torch.float64)
        >>> torch.autograd.gradcheck(ReLUFunction.apply, (torch.tensor([-1.5, 0.5, 2.0],
        ...     dtype=torch.float64, requires_grad=True),))
        True
        >>> torch.func.vmap(torch.func.grad(lambda t: ReLUFunction.apply(t).sum()))(x.detach())
        tensor([0., 0., 1.], dtype=torch.float64)
    """

    generate_vmap_rule = True

    @staticmethod
    @_signature_once
    def forward(input: Tensor) -> Tensor:
        return input.clamp(min=0)  # clamp keeps NaN and -0.0, as torch.relu does

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Tensor], output: Tensor) -> None:
        ctx.save_for_backward(output)
        ctx.save_for_forward(output)

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        # dx = dy where y != 0 (x > 0, or x NaN), else +0.0: a select, not a product.
        return linear_backward(grad_output, y, y, select=True)

    @staticmethod
    def jvp(ctx: Any, tangent: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return linear_backward(tangent, y, y, select=True)


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
    if not _check_inplace("relu", inplace, input):
        return ReLUFunction.apply(input) if _recording(input) else input.clamp(min=0)
    if _recording(input):  # overwrite with the result of a function autograd can follow
        return input.copy_(ReLUFunction.apply(input))
    return input.clamp_(min=0)


def relu_derivative(x: Tensor) -> Tensor:
    """ReLU's derivative, elementwise: 1 where ``x > 0``, else 0 (also at 0).

    Examples:
        >>> relu_derivative(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0., 0., 1.])
    """
    _check_input("relu_derivative", x)
    return _derivative(relu, x)



# ----------------------------------------------------------------------------- Leaky ReLU
class _LeakyReLUFunction(torch.autograd.Function):
    # forward: y = x if x > 0 else a x;   backward: dx = s dy,  s = 1 if x > 0 else a
    # s is exactly 1 or exactly a, so the product is as exact as a select. For 0 < a <= 1,
    # y = max(x, a x), cheaper than torch.where. What it saves: y, which exists anyway. For
    # a >= 0, y > 0 exactly where x > 0, so the backward pass rebuilds s from y, in the memory
    # of dx: like PyTorch's kernels it makes two new tensors in all (y, dx), and each new 16 MiB
    # tensor costs page faults besides its pass over memory. For a < 0 (y > 0 also where
    # x < 0) it saves x. The derivative of the backward pass in x is 0 (see _common._Linear).
    generate_vmap_rule = True

    @staticmethod
    @_signature_once
    def forward(x: Tensor, a: float) -> Tensor:
        return _leaky_relu_values(x, a)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Tensor) -> None:
        x, ctx.a = inputs
        z = output if ctx.a >= 0 else x  # positive exactly where x is
        ctx.save_for_backward(z)
        ctx.save_for_forward(z)

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor, None]:
        return _leaky_relu_grad(ctx, grad_output), None

    @staticmethod
    def jvp(ctx: Any, tangent: Tensor, _: Any) -> Tensor:
        return _leaky_relu_grad(ctx, tangent)


def _slope(z: Tensor, a: float) -> Tensor:
    """``s = 1 where z > 0, else a``, in float32 for float16/bfloat16 (``a`` is not rounded)."""
    s = torch.empty_like(z, dtype=_opmath_dtype(z))
    if 0 <= a <= 1 and _untransformed(z):
        return torch.gt(z, 0, out=s).clamp_(min=a)  # 1.0 or 0.0, then max(., a)
    return torch.where(z > 0, _scalar(1.0, s), _scalar(a, s))


def _leaky_relu_grad(ctx: Any, dy: Tensor) -> Tensor:
    (z,) = ctx.saved_tensors
    if _plain(dy, z):  # s in the memory dx will have
        s = _slope(z, ctx.a)
        return s.mul_(dy) if s.dtype == dy.dtype else s.mul_(dy).to(dy.dtype)
    return linear_backward(dy, _slope(z, ctx.a), z)


def _leaky_relu_values(x: Tensor, a: float, out: Tensor | None = None) -> Tensor:
    """``max(x, a x)`` for ``0 < a <= 1`` (a new tensor, or ``out``), else ``x s``."""
    if 0 < a <= 1 and _untransformed(x):  # (a = 0: max(inf, 0 * inf) would be NaN)
        ax = x * a
        return torch.maximum(x, ax, out=ax if out is None else out)
    y = (x * _slope(x, a)).to(x.dtype)
    return y if out is None else out.copy_(y)


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
    a = _check_number("leaky_relu", "negative_slope", negative_slope)
    inplace = _check_inplace("leaky_relu", inplace, input)
    if inplace and a < 0 and input.requires_grad:
        raise ValueError(
            "leaky_relu(inplace=True) needs negative_slope >= 0 to compute its gradient from "
            f"the output (as PyTorch does), got negative_slope={a}; use inplace=False"
        )
    if _recording(input):
        y = _LeakyReLUFunction.apply(input, a)
        return input.copy_(y) if inplace else y
    return _leaky_relu_values(input, a, out=input if inplace else None)


def leaky_relu_derivative(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """Leaky ReLU's derivative: 1 where ``x > 0``, else ``negative_slope`` (also at 0).

    Examples:
        >>> leaky_relu_derivative(torch.tensor([-1.0, 0.0, 2.0]), negative_slope=0.1)
        tensor([0.1000, 0.1000, 1.0000])
    """
    _check_input("leaky_relu_derivative", x)
    return _derivative(leaky_relu, x, negative_slope)



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



