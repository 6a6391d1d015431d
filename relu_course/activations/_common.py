"""What every activation shares: input checks, float16/bfloat16 handling, the derivative helper."""

from __future__ import annotations

import functools
from typing import Any, Callable

import torch
from torch import Tensor

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



def _derivative(fn: Callable[..., Tensor], x: Tensor, *args: Any) -> Tensor:
    """Elementwise derivative of ``fn`` at ``x``: its own backward pass applied to ones."""
    with torch.enable_grad():
        x = x.detach().requires_grad_()
        y = fn(x, *args)
        (dx,) = torch.autograd.grad(y, x, torch.ones_like(y))
    return dx


