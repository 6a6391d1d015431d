"""ReLU and Leaky ReLU: function, derivative, autograd Function and module side by side."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from relu_course.activations._common import (
    _BITS,
    _check_inplace,
    _check_input,
    _check_number,
    _derivative,
    _opmath_dtype,
    _scalar,
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



