"""What every activation shares: input checks, float16/bfloat16 handling, when fast arithmetic is
safe, the backward pass of the piecewise-linear activations, and the derivative helper."""

from __future__ import annotations

import inspect
from typing import Any, Callable

import torch
import torch.autograd.forward_ad as fwAD
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


# ----------------------------------------------------------------------------- fast or traceable
def _signature_once(forward: Callable[..., Any]) -> Callable[..., Any]:
    """Give ``forward`` its signature once: ``Function.apply`` binds it on every call.

    For a Function with ``setup_context``, torch's ``apply`` calls ``inspect.signature``
    on ``forward`` each time (to fill in default arguments), about 15 us a call; a
    precomputed ``__signature__`` is what ``inspect.signature`` returns first.
    """
    forward.__signature__ = inspect.signature(forward)  # type: ignore[attr-defined]
    return forward


def _untransformed(*tensors: Tensor | None) -> bool:
    """No tensor belongs to a ``torch.func`` transform or carries a forward-mode tangent.

    ``vmap`` hands an ``autograd.Function`` batched tensors, ``grad`` and ``jvp`` hand its
    backward and jvp wrapped ones; on those, ``out=``, in-place arithmetic and bit-pattern views
    have no (or no efficient) rule, so every step must be an ordinary out-of-place operation.
    """
    if fwAD._current_level < 0 and not torch._C._are_functorch_transforms_active():
        return True  # the common case, decided without looking at each tensor
    for t in tensors:
        if t is None:
            continue
        if torch._C._functorch.is_functorch_wrapped_tensor(t):  # vmap, grad, jvp wrappers
            return False
        if fwAD._current_level >= 0 and fwAD.unpack_dual(t).tangent is not None:
            return False
    return True


def _plain(*tensors: Tensor | None) -> bool:
    """Whether the fast arithmetic (in place, ``out=``, bit patterns) is safe here.

    It is when autograd records nothing (a plain ``.backward()``, not ``create_graph=True``,
    not a ``torch.func`` transform, which records to differentiate again) and no tensor is a
    transform's wrapper (:func:`_untransformed`). Otherwise each backward and jvp is written
    with out-of-place operations only, which autograd can differentiate once more.
    """
    return not torch.is_grad_enabled() and _untransformed(*tensors)


def _recording(*tensors: Tensor | None) -> bool:
    """Whether autograd or a transform may need this call's derivative (else: forward only)."""
    if torch.is_grad_enabled() and any(t is not None and t.requires_grad for t in tensors):
        return True
    return not _untransformed(*tensors)


class _Linear(torch.autograd.Function):
    """The backward pass of a piecewise-linear activation: ``dx = s dy``, with ``s`` piecewise
    constant (ReLU: a select on its output ``y``; Leaky ReLU and PReLU: a product with their slope).

    It is linear in ``dy``, so its own derivative in ``dy`` is itself; in ``anchor`` (the tensor
    through which ``s`` depends on ``x``: ``y`` or ``x``) it is 0, as in PyTorch, where the second
    derivative of ReLU is a tensor of zeros, not a missing gradient. That is what makes double
    backward, ``torch.func.hessian`` and forward-over-reverse work.
    """

    generate_vmap_rule = True

    @staticmethod
    @_signature_once
    def forward(dy: Tensor, s: Tensor, anchor: Tensor, select: bool) -> Tensor:
        return _scale(dy, s, select)

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Tensor) -> None:
        dy, s, anchor, select = inputs
        ctx.select = select
        ctx.save_for_backward(dy, s, anchor)
        ctx.save_for_forward(dy, s, anchor)  # the same list: torch.func's vmap rule wants it

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, ...]:
        dy, s, anchor = ctx.saved_tensors
        ds = None
        if ctx.needs_input_grad[1] and not ctx.select:  # PReLU: s depends on the weight
            ds = (grad * dy).sum_to_size(s.shape).to(s.dtype)
        return linear_backward(grad, s, anchor, ctx.select), ds, torch.zeros_like(anchor), None

    @staticmethod
    def jvp(ctx: Any, t_dy: Tensor | None, t_s: Tensor | None, _t_anchor: Any, _: Any) -> Tensor:
        dy, s, _ = ctx.saved_tensors
        out = _scale(t_dy if t_dy is not None else torch.zeros_like(dy), s, ctx.select)
        if t_s is not None and not ctx.select:  # s may be float32 for a float16 dy
            out = (out + t_s * dy).to(out.dtype)
        return out


def _scale(dy: Tensor, s: Tensor, select: bool) -> Tensor:
    """``s dy``, in ``dy``'s dtype; with ``select``: ``dy`` where ``s != 0``, else 0 (not ``0 dy``:
    an infinite or NaN ``dy`` at an inactive ReLU unit gives 0, as PyTorch's select does)."""
    if not select:
        return (dy * s).to(dy.dtype)
    if not (_untransformed(dy, s) and dy.dtype == s.dtype and dy.dtype in _BITS):
        return torch.where(s != 0, dy, 0.0)
    # torch.where branches per element, several times slower than arithmetic on CPU. A select
    # without branches, on bit patterns: an integer shifted left by its width or more is 0, and
    # 1.0's bit pattern is such a count (0x3f800000 in float32), 0.0's is 0.
    bits = _BITS[s.dtype]
    off = torch.eq(s, 0, out=torch.empty_like(s)).view(bits)  # 1.0 where inactive
    return torch.bitwise_left_shift(dy.view(bits), off, out=off).view(s.dtype)


def linear_backward(dy: Tensor, s: Tensor, anchor: Tensor, select: bool = False) -> Tensor:
    """``s dy`` (or ReLU's select), fast where nothing records it, else through :class:`_Linear`."""
    if _plain(dy, s, anchor):
        return _scale(dy, s, select)
    return _Linear.apply(dy, s, anchor, select)
