"""Helpers that every chapter's checkers share.

A checker calls the learner's code, compares what comes back with a trusted reference, and
either prints one confirmation line (:func:`passed`) or raises ``AssertionError`` with a
message a learner can act on: what was wrong, the input, the expected and the actual value,
and a hint (:func:`fail`). The helpers here build those messages, so each chapter's
``checks/<chapter>.py`` holds only what it tests:

>>> import torch
>>> from relu_course.checks._common import assert_close, call_learner, passed
>>> def my_relu(x):
...     return x.clamp(min=0)
>>> x = torch.tensor([-1.0, 0.0, 2.0])
>>> out = call_learner(my_relu, x, name="my_relu")
>>> assert_close(out, torch.tensor([0.0, 0.0, 2.0]), input=x, what="my_relu(x)")
>>> passed("my_relu matches the reference")
✓ my_relu matches the reference

This module's name starts with ``_``, so ``relu_course.checks`` does not re-export it;
learners never call these helpers themselves.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable, NoReturn

import torch

from relu_course._helpers import eval_mode

__all__ = [
    "assert_close",
    "call_learner",
    "check_tensor_like",
    "digits_test_accuracy",
    "edge_values",
    "fail",
    "format_value",
    "gradient",
    "passed",
]

_MISSING: Any = object()
_SHOWN = 8  # values shown before a tensor is summarised


def passed(message: str) -> None:
    """Print the one-line confirmation of a checker that passed: ``✓ <message>``.

    Checkers are the one place in the package that print, because the learner reads the
    result in the notebook. Keep the message short and specific ("relu matches
    torch.relu on 12 inputs, including 0 and -0.0").

    Examples:
        >>> passed("relu is correct")
        ✓ relu is correct
    """
    print(f"✓ {message}")


def format_value(value: Any) -> str:
    """Show a value in a failure message: short, and with shape and dtype for tensors.

    Small tensors are shown in full; larger ones by shape, dtype and their first values,
    so a message never floods the notebook.

    Examples:
        >>> format_value(torch.tensor([1.0, -0.5]))
        'tensor([1, -0.5])'
        >>> format_value(torch.zeros(3, 4, dtype=torch.float64))
        'tensor of shape (3, 4), dtype torch.float64: [0, 0, 0, 0, 0, 0, 0, 0, ...]'
        >>> format_value(0.1 + 0.2)
        '0.3'
    """
    if isinstance(value, torch.Tensor):
        flat = value.detach().cpu().flatten()
        shown = ", ".join(_number(v) for v in flat[:_SHOWN].tolist())
        extras = "" if value.dtype == torch.float32 else f", dtype={value.dtype}"
        if value.ndim == 1 and flat.numel() <= _SHOWN:
            return f"tensor([{shown}]{extras})"
        if value.ndim == 0:
            return f"tensor({shown}{extras})"
        more = ", ..." if flat.numel() > _SHOWN else ""
        return f"tensor of shape {tuple(value.shape)}, dtype {value.dtype}: [{shown}{more}]"
    if isinstance(value, float):
        return _number(value)
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _number(v: Any) -> str:
    return f"{v:.6g}" if isinstance(v, float) else repr(v)


def fail(
    problem: str,
    *,
    input: Any = _MISSING,
    expected: Any = _MISSING,
    actual: Any = _MISSING,
    hint: str | None = None,
) -> NoReturn:
    """Raise ``AssertionError`` with a message a learner can act on.

    Args:
        problem: one sentence saying what is wrong, e.g. ``"relu(x) is wrong for x < 0."``.
        input: the input that shows the problem (omitted from the message when not given).
        expected: the value a correct answer returns.
        actual: the value the learner's code returned.
        hint: what to look at, without giving the answer away.

    Examples:
        >>> fail("relu(x) is wrong.", input=-1.0, expected=0.0, actual=-1.0,
        ...      hint="negative inputs map to 0.")
        Traceback (most recent call last):
        ...
        AssertionError: relu(x) is wrong.
          input:    -1
          expected: 0
          actual:   -1
          hint: negative inputs map to 0.
    """
    raise AssertionError(_message(problem, input, expected, actual, hint))


def _message(
    problem: str, input: Any, expected: Any, actual: Any, hint: str | None, detail: str = ""
) -> str:
    lines = [problem]
    for label, value in (("input", input), ("expected", expected), ("actual", actual)):
        if value is not _MISSING:
            lines.append(f"  {label + ':':<9} {format_value(value)}")
    if detail:
        lines.append(f"  {detail}")
    if hint:
        lines.append(f"  hint: {hint}")
    return "\n".join(lines)


def call_learner(fn: Callable[..., Any], *args: Any, name: str | None = None, **kwargs: Any) -> Any:
    """Call the learner's ``fn`` and turn its failures into checker messages.

    A stub that still raises ``NotImplementedError`` becomes "not implemented yet"; any other
    exception becomes an ``AssertionError`` naming the exception and the input that caused
    it (the original traceback stays attached, so the learner sees the failing line).

    Args:
        fn: the learner's function.
        *args, **kwargs: what to call it with; the first positional argument is reported as
            the input.
        name: how to call ``fn`` in messages. Defaults to ``fn.__name__``.

    Returns:
        Whatever ``fn`` returns.

    Examples:
        >>> def stub(x):
        ...     raise NotImplementedError()
        >>> call_learner(stub, 1.0)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        AssertionError: stub is not implemented yet: replace `raise NotImplementedError()` with ...
    """
    if not callable(fn):
        raise AssertionError(f"expected a function, got {format_value(fn)}")
    label = name or getattr(fn, "__name__", "your function")
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise AssertionError(
            f"{label} is not implemented yet: replace `raise NotImplementedError()` with your code."
        ) from None
    except Exception as exc:
        shown = f" for input {format_value(args[0])}" if args else ""
        raise AssertionError(f"{label} raised {type(exc).__name__}{shown}: {exc}") from exc


def check_tensor_like(
    actual: Any,
    expected: torch.Tensor,
    *,
    input: Any = _MISSING,
    what: str = "your result",
    check_dtype: bool = True,
    hint: str | None = None,
) -> None:
    """Check that ``actual`` is a tensor with ``expected``'s shape, dtype and device.

    The values are not compared (that is :func:`assert_close`'s job); a shape, dtype or
    device mismatch gets its own message, because "the numbers differ" would mislead.

    Args:
        actual: what the learner's code returned.
        expected: the reference tensor.
        input: the input, shown in the message.
        what: how to name ``actual`` in the message, e.g. ``"relu(x)"``.
        check_dtype: also require the same dtype. Defaults to True.
        hint: replaces the default hint.

    Examples:
        >>> check_tensor_like(torch.zeros(2, 3), torch.ones(3, 2), what="relu(x)")
        Traceback (most recent call last):
        ...
        AssertionError: relu(x) has shape (2, 3), expected shape (3, 2).
          hint: an elementwise function returns a tensor of its input's shape.
    """
    if not isinstance(actual, torch.Tensor):
        fail(
            f"{what} should be a torch.Tensor, got {type(actual).__name__}.",
            input=input,
            expected=expected,
            actual=actual,
            hint=hint or "build the result from torch operations on the input tensor.",
        )
    if actual.shape != expected.shape:
        fail(
            f"{what} has shape {tuple(actual.shape)}, expected shape {tuple(expected.shape)}.",
            input=input,
            hint=hint or "an elementwise function returns a tensor of its input's shape.",
        )
    if check_dtype and actual.dtype != expected.dtype:
        fail(
            f"{what} has dtype {actual.dtype}, expected {expected.dtype}.",
            input=input,
            hint=hint or "keep the input's dtype: avoid Python floats, numpy and .float().",
        )
    if actual.device != expected.device:
        fail(
            f"{what} is on device {actual.device}, expected {expected.device}.",
            input=input,
            hint=hint or "create new tensors on the input's device (x.new_zeros, zeros_like).",
        )


def assert_close(
    actual: Any,
    expected: Any,
    *,
    input: Any = _MISSING,
    what: str = "your result",
    atol: float = 1e-6,
    rtol: float = 1e-5,
    check_dtype: bool = True,
    hint: str | None = None,
) -> None:
    """Check that ``actual`` matches ``expected`` within tolerances, with a helpful message.

    Tensors are first checked with :func:`check_tensor_like`; then the values must satisfy
    ``|actual - expected| <= atol + rtol * |expected|`` elementwise (NaN matches NaN). On a
    mismatch the message shows the input, both values, and the element with the largest
    error together with its input, so the learner sees *which* input goes wrong.

    Args:
        actual: what the learner's code returned (tensor or number).
        expected: the reference (tensor or number).
        input: the input, shown in the message; when it is a tensor of ``expected``'s shape,
            its element at the worst position is shown too.
        what: how to name ``actual`` in the message, e.g. ``"relu(x)"``.
        atol: absolute tolerance. Defaults to 1e-6.
        rtol: relative tolerance. Defaults to 1e-5.
        check_dtype: require the same dtype for tensors. Defaults to True.
        hint: what to look at when the values differ.

    Examples:
        >>> x = torch.tensor([-2.0, 0.0, 3.0])
        >>> assert_close(x, torch.tensor([0.0, 0.0, 3.0]), input=x, what="relu(x)",
        ...              hint="negative inputs map to 0.")
        Traceback (most recent call last):
        ...
        AssertionError: relu(x) is wrong: 1 of 3 values differ.
          input:    tensor([-2, 0, 3])
          expected: tensor([0, 0, 3])
          actual:   tensor([-2, 0, 3])
          largest error at index (0,): input -2, expected 0, got -2
          hint: negative inputs map to 0.
        >>> assert_close(0.30000000000000004, 0.3)
    """
    if isinstance(expected, torch.Tensor):
        check_tensor_like(actual, expected, input=input, what=what, check_dtype=check_dtype)
        a = actual.detach().cpu().double()
        e = expected.detach().cpu().double()
    else:
        if isinstance(actual, torch.Tensor) and actual.numel() == 1:
            actual = actual.item()
        if not isinstance(actual, numbers.Real) or isinstance(actual, bool):
            fail(
                f"{what} should be a number, got {type(actual).__name__}.",
                input=input,
                expected=expected,
                actual=actual,
                hint=hint,
            )
        actual = float(actual)
        if math.isclose(actual, expected, rel_tol=rtol, abs_tol=atol) or (
            math.isnan(actual) and math.isnan(expected)
        ):
            return
        fail(f"{what} is wrong.", input=input, expected=expected, actual=actual, hint=hint)
    bad = ~torch.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    if not bad.any():
        return
    error = (a - e).abs().nan_to_num(nan=math.inf).masked_fill(~bad, -1.0)
    where = tuple(int(i) for i in torch.unravel_index(error.argmax(), e.shape))
    detail = f"largest error at index {where}: "
    if isinstance(input, torch.Tensor) and input.shape == expected.shape:
        detail += f"input {_number(input[where].item())}, "
    detail += f"expected {_number(e[where].item())}, got {_number(a[where].item())}"
    if e.ndim == 0:  # a single value: input, expected and actual already say it all
        raise AssertionError(_message(f"{what} is wrong.", input, expected, actual, hint))
    problem = f"{what} is wrong: {int(bad.sum())} of {bad.numel()} values differ."
    raise AssertionError(_message(problem, input, expected, actual, hint, detail))


def edge_values(dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Inputs where activation functions usually go wrong: 0, -0.0, tiny and huge values.

    Includes both zeros (the kink), the smallest positive normal number and its negative,
    ±1, and large magnitudes that overflow a careless ``exp``. Infinities and NaN are left
    out: add them where a checker means to test them.

    Examples:
        >>> edge_values().tolist()[:4]
        [-10000.0, -1.0, -1.1754943508222875e-38, -0.0]
    """
    tiny = torch.finfo(dtype).tiny
    return torch.tensor([-1e4, -1.0, -tiny, -0.0, 0.0, tiny, 1.0, 1e4], dtype=dtype)


def gradient(
    fn: Callable[[torch.Tensor], Any], x: torch.Tensor, *, name: str | None = None
) -> torch.Tensor:
    """The gradient of ``fn(x).sum()`` with respect to ``x``, computed by autograd.

    For an elementwise ``fn`` this is the derivative at every element. The learner's ``fn``
    is called through :func:`call_learner`; an output cut off from the graph (``.detach()``,
    ``.item()``, numpy, a new tensor) gets a message that says so.

    Examples:
        >>> gradient(lambda t: t * t, torch.tensor([1.0, -2.0]))
        tensor([ 2., -4.])
    """
    label = name or getattr(fn, "__name__", "your function")
    x = x.detach().clone().requires_grad_(True)
    out = call_learner(fn, x, name=label)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        fail(
            f"{label}'s output is not connected to its input, so autograd cannot differentiate it.",
            input=x.detach(),
            hint="use torch operations on x; avoid .detach(), .item(), numpy, torch.tensor(...).",
        )
    (grad,) = torch.autograd.grad(out.sum(), x, allow_unused=True)
    if grad is None:
        fail(f"{label}'s output does not depend on its input.", input=x.detach())
    return grad


def digits_test_accuracy(model: Any, *, images: bool = False, hint: str | None = None) -> float:
    """The accuracy of a learner's trained ``model`` on the digits' fixed test split.

    The model is run in eval mode (its own mode restored after) and without gradients on the
    test inputs, moved to its parameters' device and dtype. A model that raises, or that does
    not return ``(N, 10)`` logits, fails with a message naming the input shape it was given.

    Args:
        model: the learner's ``nn.Module``.
        images: feed ``(N, 1, 8, 8)`` images (a CNN) instead of ``(N, 64)`` vectors.
        hint: what to say when the output has the wrong shape.
    """
    from relu_course import data

    if not isinstance(model, torch.nn.Module) or next(model.parameters(), None) is None:
        fail(f"expected a trained torch.nn.Module with parameters, got {format_value(model)}.",
             hint="return the model you trained.")
    split = data.digits(images=images)
    parameter = next(model.parameters())
    X = split.X_test.to(device=parameter.device, dtype=parameter.dtype)
    try:
        with eval_mode(model), torch.no_grad():  # the learner's model keeps its mode
            logits = model(X)
    except Exception as exc:
        kind = "images" if images else "inputs"
        raise AssertionError(
            f"the model raised {type(exc).__name__} on the digits' test {kind} of shape "
            f"{tuple(X.shape)}: {exc}"
        ) from exc
    if not isinstance(logits, torch.Tensor) or logits.shape != (X.shape[0], 10):
        shape = "(N, 1, 8, 8) images" if images else "(N, 64) inputs"
        fail(f"the model should map {shape} to (N, 10) logits.",
             expected=(X.shape[0], 10), actual=getattr(logits, "shape", logits), hint=hint)
    return float((logits.argmax(1).cpu() == split.y_test).float().mean())
