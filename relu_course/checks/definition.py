"""Checkers for the exercises of the Definition chapter (``book/definition/lab.ipynb``)."""

from __future__ import annotations

from typing import Callable

import torch

from ._common import assert_close, call_learner, check_tensor_like, edge_values, fail, passed

__all__ = ["check_relu", "check_relu_backward"]

_Fn = Callable[..., torch.Tensor]


def _special_values() -> torch.Tensor:
    inf, nan = float("inf"), float("nan")
    return torch.cat([edge_values(), torch.tensor([-inf, inf, nan])])


def check_relu(my_relu: _Fn) -> None:
    """Check a learner's ``my_relu(x)`` against ``torch.relu``.

    It must agree with ``torch.relu`` on random inputs of several shapes and dtypes, on
    non-contiguous tensors, on both zeros, on ±inf, and it must let NaN through (a NaN that
    silently becomes 0 hides a bug upstream). It must return a new tensor and leave its input
    untouched.
    """
    gen = torch.Generator().manual_seed(0)
    for dtype in (torch.float32, torch.float64):
        for shape in ((7,), (3, 5), (2, 3, 4)):
            x = torch.randn(shape, generator=gen, dtype=dtype) * 3
            before = x.clone()
            out = call_learner(my_relu, x, name="my_relu")
            assert_close(
                out,
                torch.relu(x),
                input=x,
                what="my_relu(x)",
                atol=0,
                rtol=0,
                hint="negative inputs map to 0; positive inputs pass unchanged.",
            )
            if not torch.equal(x, before):
                fail(
                    "my_relu changed its input in place.",
                    input=before,
                    actual=x,
                    hint="build a new tensor (torch.where, comparisons) instead of writing into x.",
                )
            if out.data_ptr() == x.data_ptr():
                fail(
                    "my_relu returned its input tensor itself, not a new one.",
                    hint="return a new tensor, like torch.relu does.",
                )
    x = torch.randn(4, 6, generator=gen).t()  # non-contiguous
    assert_close(
        call_learner(my_relu, x, name="my_relu"),
        torch.relu(x),
        input=x,
        what="my_relu(x) on a transposed (non-contiguous) tensor",
        atol=0,
        rtol=0,
    )

    x = _special_values()
    out = call_learner(my_relu, x, name="my_relu")
    check_tensor_like(out, x, input=x, what="my_relu(x)")
    expected = torch.relu(x)
    if not torch.isnan(out[-1]):
        fail(
            "my_relu swallows NaN: it returned a number where torch.relu returns NaN.",
            input=x,
            expected=expected,
            actual=out,
            hint="a comparison with NaN is always False; choose the condition so that NaN "
            "falls in the branch that returns x (compare with `x < 0` rather than `x > 0`).",
        )
    if torch.isnan(out[:-1]).any():
        fail(
            "my_relu returns NaN for an input that is not NaN.",
            input=x,
            expected=expected,
            actual=out,
            hint="0 * inf is NaN: multiplying by a mask fails for -inf; "
            "select with torch.where instead of multiplying.",
        )
    assert_close(
        out,
        expected,
        input=x,
        what="my_relu(x) on special values",
        atol=0,
        rtol=0,
        hint="-inf must map to 0 and +inf to +inf.",
    )
    passed("my_relu matches torch.relu on 7 random tensors, zeros, ±inf and NaN")


def check_relu_backward(relu_backward: _Fn) -> None:
    """Check a learner's ``relu_backward(grad_output, x)`` against autograd of ``torch.relu``.

    The result must be ``grad_output`` where ``x > 0`` and 0 elsewhere, including at
    ``x = 0`` (PyTorch's choice of subgradient), with ``grad_output``'s shape and dtype.
    """
    gen = torch.Generator().manual_seed(1)
    cases = [
        torch.randn(5, 4, generator=gen),
        edge_values(),
        torch.randn(3, 2, 2, generator=gen, dtype=torch.float64),
    ]
    cases[0][0, :2] = 0.0  # exact zeros inside a random batch
    for x in cases:
        g = torch.randn(x.shape, generator=gen, dtype=x.dtype)
        xr = x.clone().requires_grad_(True)
        (expected,) = torch.autograd.grad(torch.relu(xr), xr, g)
        out = call_learner(relu_backward, g, x, name="relu_backward")
        zero = (x == 0) & (g != 0)
        if isinstance(out, torch.Tensor) and out.shape == x.shape and zero.any():
            at_zero = out[zero]
            if not torch.equal(at_zero, torch.zeros_like(at_zero)):
                fail(
                    "relu_backward passes gradient through at x = 0.",
                    input=x,
                    expected=expected,
                    actual=out,
                    hint="PyTorch uses the subgradient 0 at the kink: use `x > 0`, not `x >= 0`.",
                )
        assert_close(
            out,
            expected,
            input=x,
            what="relu_backward(grad_output, x)",
            atol=0,
            rtol=0,
            hint="the local derivative is 1 where x > 0 and 0 elsewhere; multiply "
            "grad_output by it.",
        )
    passed("relu_backward matches autograd of torch.relu, including at x = 0")
