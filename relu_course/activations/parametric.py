"""PReLU, a Leaky ReLU with a learned slope: function, derivative, autograd Function, module."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from relu_course.activations._common import (
    _check_input,
    _check_number,
    _derivative,
    _opmath_dtype,
    _plain,
    _recording,
    _signature_once,
    _untransformed,
    linear_backward,
)

__all__ = [
    "PReLU",
    "prelu",
    "prelu_derivative",
]


# ----------------------------------------------------------------------------- PReLU
class _PReLUFunction(torch.autograd.Function):
    # forward: y = x if x > 0 else w * x
    # backward: dx = dy if x > 0 else w * dy;  dw = sum over all but channels of [x <= 0] x dy
    # jvp: dy = s dx + [x <= 0] x dw  (s = 1 if x > 0 else w), the same two terms, forward.
    # Slopes in (0, 1] (the usual case) use max instead of the slower torch.where.
    generate_vmap_rule = True

    @staticmethod
    @_signature_once
    def forward(x: Tensor, w: Tensor) -> Tensor:
        wx = w * x
        if _untransformed(x, w) and _fast(w):
            return torch.maximum(x, wx, out=wx)
        return torch.where(x > 0, x, wx)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Tensor, Tensor], output: Tensor) -> None:
        ctx.save_for_backward(*inputs)
        ctx.save_for_forward(*inputs)

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, w = ctx.saved_tensors
        dx = dw = None
        if _plain(grad_output, x, w):
            if ctx.needs_input_grad[0]:
                if _fast(w):
                    slope = torch.gt(x, 0, out=torch.empty_like(x, dtype=_opmath_dtype(x)))
                    dx = torch.maximum(slope, w).mul_(grad_output).to(grad_output.dtype)
                else:
                    dx = torch.where(x > 0, grad_output, w * grad_output)
            if ctx.needs_input_grad[1]:  # x dy where x <= 0
                dw = torch.clamp(x, max=0).mul_(grad_output).sum_to_size(w.shape)
            return dx, dw
        # Out of place, for autograd to differentiate: s depends on w, x dy on x.
        if ctx.needs_input_grad[0]:
            dx = linear_backward(grad_output, _slope(x, w), x)
        if ctx.needs_input_grad[1]:
            dw = (torch.where(x > 0, 0.0, x) * grad_output).sum_to_size(w.shape)
        return dx, dw

    @staticmethod
    def jvp(ctx: Any, t_x: Tensor | None, t_w: Tensor | None) -> Tensor:
        x, w = ctx.saved_tensors
        t_y = linear_backward(t_x, _slope(x, w), x) if t_x is not None else torch.zeros_like(x)
        if t_w is not None:
            t_y = t_y + torch.where(x > 0, 0.0, x) * t_w
        return t_y


def _fast(w: Tensor) -> bool:
    """Slopes in (0, 1]: max(x, w x) is PReLU (w = 0: max(inf, 0 * inf) would be NaN)."""
    return bool(((w > 0) & (w <= 1)).all())


def _slope(x: Tensor, w: Tensor) -> Tensor:
    """``s = 1 if x > 0 else w``, differentiable in ``w``."""
    return torch.where(x > 0, torch.ones_like(w), w)


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
    w = _prelu_weight("prelu", input, weight)
    if _recording(input, w):
        return _PReLUFunction.apply(input, w)
    return _PReLUFunction.forward(input, w)


def prelu_derivative(x: Tensor, weight: Tensor) -> Tensor:
    """PReLU's derivative with respect to its input: 1 where ``x > 0``, else the weight.

    Examples:
        >>> prelu_derivative(torch.tensor([-1.0, 0.0, 2.0]), torch.tensor([0.25]))
        tensor([0.2500, 0.2500, 1.0000])
    """
    _check_input("prelu_derivative", x)
    return _derivative(prelu, x, _prelu_weight("prelu_derivative", x, weight).detach().flatten())



class PReLU(nn.Module):
    """Applies :func:`prelu` with a learnable slope: one shared, or one per channel.

    .. warning:: Do not use weight decay on ``weight``: decay pulls the slope towards 0,
       turning PReLU back into a ReLU. Put it in an optimizer group with
       ``weight_decay=0``.

    Args:
        num_parameters: 1 (one slope for all channels) or the number of channels (dim 1).
            Default: 1.
        init: the initial slope. Default: ``0.25``.
        device: where the slope lives, as in ``torch.nn.PReLU``. Default: the default device.
        dtype: the slope's dtype (it must match the input's). Default: the default dtype.

    Examples:
        >>> m = PReLU()
        >>> m
        PReLU(num_parameters=1)
        >>> m(torch.tensor([-4.0, 2.0])).detach()
        tensor([-1.,  2.])
        >>> PReLU(3, dtype=torch.float64).weight
        Parameter containing:
        tensor([0.2500, 0.2500, 0.2500], dtype=torch.float64, requires_grad=True)
    """

    def __init__(
        self,
        num_parameters: int = 1,
        init: float = 0.25,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
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
        if dtype is not None and not (isinstance(dtype, torch.dtype) and dtype.is_floating_point):
            raise TypeError(
                f"PReLU expects dtype to be a floating-point torch.dtype, got {dtype!r}"
            )
        self.weight = nn.Parameter(
            torch.full((num_parameters,), self.init, device=device, dtype=dtype)
        )

    def forward(self, input: Tensor) -> Tensor:
        return prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"



