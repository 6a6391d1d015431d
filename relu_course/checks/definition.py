"""Checkers for the exercises of the Definition chapter (``book/definition/lab.ipynb``).

- :func:`check_relu`: ReLU written from a comparison, equal to ``torch.relu`` everywhere,
  NaN included.
- :func:`check_kink_prediction`: a prediction of what autograd returns at a kink, compared
  with what it does return.
- :func:`check_backward_from_output`: ReLU's backward pass computed from the output alone.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable

import torch

from ._common import assert_close, call_learner, check_tensor_like, edge_values, fail, passed

__all__ = ["check_backward_from_output", "check_kink_prediction", "check_relu"]

_Fn = Callable[..., torch.Tensor]

# The ways of writing ReLU, and the functions, of the prediction exercise.
_WAYS = ("torch.relu", "clamp", "maximum")
_FUNCTIONS = ("p", "q")
_SLOPE_AT_ZERO = {"torch.relu": 0.0, "clamp": 1.0, "maximum": 0.5}


def check_relu(my_relu: _Fn) -> None:
    """Check a learner's ``my_relu(x)`` against ``torch.relu``.

    It must agree with ``torch.relu`` on random inputs of several shapes and dtypes, on
    non-contiguous tensors, on both zeros, on ±inf, and it must let NaN through (a NaN that
    silently becomes 0 hides a bug upstream). It must return a new tensor and leave its input
    untouched.

    Args:
        my_relu: the learner's function, from a tensor to a tensor of the same shape.

    Raises:
        AssertionError: with the input, the expected and the actual values and a hint.
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
            hint="a comparison with NaN is always False, so NaN lands in the branch your "
            "condition sends False to; arrange the condition so that branch returns x.",
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


def check_kink_prediction(prediction: Any) -> None:
    """Compare a prediction of autograd's value at a kink with what autograd returns.

    Two functions that are 0 for every real ``x``, each written with ReLU in three ways
    (``torch.relu``, ``x.clamp(min=0)``, ``torch.maximum(x, 0)``):

    - ``p(x) = x - relu(x) + relu(-x)``
    - ``q(x) = relu(x - relu(x))``

    ``prediction`` maps ``"p"`` and ``"q"`` to dicts that map each of ``"torch.relu"``,
    ``"clamp"`` and ``"maximum"`` to the number the learner expects autograd to return at
    ``x = 0``. The checker runs autograd, shows both, and explains any difference by the
    misconception it points to.

    Args:
        prediction: ``{"p": {way: number, ...}, "q": {way: number, ...}}``.

    Raises:
        AssertionError: a prediction of another shape, or a number that differs from
            autograd's, with an explanation.
    """
    guess = _read_prediction(prediction)
    actual = {f: {w: _autograd_at_kink(f, w) for w in _WAYS} for f in _FUNCTIONS}
    for f in _FUNCTIONS:
        if all(abs(guess[f][w] - actual[f][w]) < 1e-9 for w in _WAYS):
            continue
        shown = ", ".join(f"{w}: predicted {guess[f][w]:g}, autograd {actual[f][w]:g}"
                          for w in _WAYS)
        fail(f"the prediction for {f} differs from autograd ({shown}).",
             hint=_misconception(f, guess[f]) + " The values of relu'(0) are the ones "
             "measured in section 3 of the lab.")
    passed("your predictions match autograd at x = 0: p gives "
           + ", ".join(f"{actual['p'][w]:g}" for w in _WAYS) + " and q gives "
           + ", ".join(f"{actual['q'][w]:g}" for w in _WAYS)
           + " (torch.relu, clamp, maximum), though p and q are 0 everywhere and their "
           "derivative is 0: no single relu'(0) gets both right")


def _read_prediction(prediction: Any) -> dict[str, dict[str, float]]:
    keys = ", ".join(repr(w) for w in _WAYS)
    if not isinstance(prediction, dict) or set(prediction) != set(_FUNCTIONS):
        fail("prediction should be a dict with the keys 'p' and 'q', one per function.",
             actual=prediction,
             hint=f"{{'p': {{...}}, 'q': {{...}}}}, each inner dict with the keys {keys}.")
    out = {}
    for f in _FUNCTIONS:
        inner = prediction[f]
        if not isinstance(inner, dict) or set(inner) != set(_WAYS):
            fail(f"prediction[{f!r}] should be a dict with exactly the keys {keys}.",
                 actual=inner, hint="one number per way of writing ReLU.")
        for w in _WAYS:
            v = inner[w]
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
                fail(f"prediction[{f!r}][{w!r}] should be a finite number, got {v!r}.",
                     hint="write the number you expect autograd to return, e.g. 0.5.")
        out[f] = {w: float(inner[w]) for w in _WAYS}
    return out


def _misconception(function: str, guess: dict[str, float]) -> str:
    def same(values: tuple[float, ...]) -> bool:
        return all(abs(guess[w] - v) < 1e-9 for w, v in zip(_WAYS, values))

    slopes = tuple(_SLOPE_AT_ZERO[w] for w in _WAYS)
    if function == "p":
        if same((0.0, 0.0, 0.0)):
            return ("You predicted p's true derivative. p(x) = 0 for every x, but autograd "
                    "never sees p as a whole: it multiplies local derivatives along the "
                    "graph and uses the chosen relu'(0) at each kink it passes.")
        if same((1.0, 1.0, 1.0)):
            return ("You kept only the derivative of the x term. Both ReLUs sit exactly at "
                    "their kink when x = 0, and autograd adds their local slopes there too.")
        if same(tuple(1 + 2 * s for s in slopes)):
            return ("You added the ReLUs' slopes without their signs: -relu(x) contributes "
                    "-relu'(0), and the chain rule through relu(-x) brings a factor -1.")
        return ("Write the chain rule term by term: the x term gives 1, -relu(x) gives "
                "-relu'(0) and relu(-x) gives relu'(0) * (-1).")
    if same(slopes):
        return ("You took the outer ReLU's slope alone. The chain rule multiplies it by the "
                "derivative of its argument, x - relu(x), which autograd also computes with "
                "relu'(0).")
    if same((0.0, 0.0, 0.0)):
        return ("Zero is q's true derivative, and autograd agrees for two of the three ways; "
                "but for the third the outer slope and the inner derivative are both "
                "non-zero at the kink.")
    return ("q'(0) by the chain rule is relu'(0) at the outer kink times the derivative of "
            "x - relu(x), which is 1 - relu'(0).")


def check_backward_from_output(backward_from_output: _Fn) -> None:
    """Check ``backward_from_output(grad_output, y)``: ReLU's input gradient from its output.

    ``y = relu(x)`` is all the backward pass keeps; the result must equal autograd's gradient
    of ``torch.relu`` at ``x`` (0 where ``x <= 0``, PyTorch's value at the kink), with
    ``grad_output``'s shape and dtype, on inputs that contain exact zeros. The function is
    also plugged into an ``autograd.Function`` and checked with ``torch.autograd.gradcheck``.

    Args:
        backward_from_output: the learner's function of ``(grad_output, y)``.

    Raises:
        AssertionError: with the input, the expected and the actual values and a hint that
            names the misconception.
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
        g[g == 0] = 1.0
        y = torch.relu(x)
        expected = _reference_backward(g, x)
        out = call_learner(backward_from_output, g, y.clone(), name="backward_from_output")
        check_tensor_like(out, expected, input=y, what="backward_from_output(grad_output, y)")
        off = y == 0  # inputs at or left of the kink: the gradient must stop there
        if torch.equal(out, g):
            fail(
                "backward_from_output passes every gradient through, also where the input "
                "was negative.",
                input=y,
                expected=expected,
                actual=out,
                hint="a ReLU's output is never negative: a test like `y < 0` is never true "
                "and `y >= 0` is always true. Which test on y is true exactly where x > 0?",
            )
        if off.any() and not torch.equal(out[off], torch.zeros_like(out[off])):
            if torch.equal(out[~off], torch.zeros_like(out[~off])):
                problem = "backward_from_output has its mask inverted."
                hint = "the gradient passes where the output is positive and stops where it is 0."
            else:
                problem = "backward_from_output lets gradient through where the output is 0."
                hint = ("where y == 0 the input was negative or exactly 0; PyTorch's derivative "
                        "is 0 at both, so nothing may pass there.")
            fail(problem, input=y, expected=expected, actual=out, hint=hint)
        assert_close(
            out,
            expected,
            input=y,
            what="backward_from_output(grad_output, y)",
            atol=0,
            rtol=0,
            hint="the result is grad_output times the local slope (1 where y > 0, 0 elsewhere), "
            "not the slope alone.",
        )
    _gradcheck(backward_from_output)
    passed("backward_from_output matches autograd of torch.relu, kink included, and passes "
           "gradcheck")


# --- reference implementations, used by the checkers above ------------------------------


def _special_values() -> torch.Tensor:
    inf, nan = float("inf"), float("nan")
    return torch.cat([edge_values(), torch.tensor([-inf, inf, nan])])


def _autograd_at_kink(function: str, way: str) -> float:
    relu = {
        "torch.relu": torch.relu,
        "clamp": lambda t: t.clamp(min=0),
        "maximum": lambda t: torch.maximum(t, torch.zeros_like(t)),
    }[way]
    x = torch.zeros((), dtype=torch.float64, requires_grad=True)
    value = x - relu(x) + relu(-x) if function == "p" else relu(x - relu(x))
    (g,) = torch.autograd.grad(value, x)
    return g.item()


def _reference_backward(grad_output: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    xr = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(torch.relu(xr), xr, grad_output)
    return grad


def _gradcheck(backward_from_output: _Fn) -> None:
    class _FromOutput(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
            y = torch.relu(x)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx: Any, grad_output: torch.Tensor) -> torch.Tensor:
            (y,) = ctx.saved_tensors
            return backward_from_output(grad_output, y)

    x = torch.linspace(-2.05, 2.05, 12, dtype=torch.float64, requires_grad=True)  # no 0
    try:
        ok = torch.autograd.gradcheck(_FromOutput.apply, (x,), raise_exception=False)
    except Exception as exc:  # the learner's code raised inside autograd
        fail(f"gradcheck could not run backward_from_output: {type(exc).__name__}: {exc}")
    if not ok:
        fail(
            "backward_from_output fails torch.autograd.gradcheck away from the kink.",
            hint="build the result from torch operations on grad_output and y, keeping their "
            "dtype (float64 here).",
        )


HINTS = {
    "my_relu": (
        "torch.where(condition, a, b) picks a where the condition is True and b elsewhere; "
        "NaN must come out as NaN.",
        "Every comparison with NaN is False. Whatever your condition, NaN goes to the "
        "'False' branch, so that branch has to be the one that returns x.",
        "Ask 'is x negative?' and return 0 when it is: the False branch (non-negative x, and "
        "NaN) then returns x itself.",
    ),
    "kink_prediction": (
        "Autograd does not know that p and q are the zero function: it only sees their "
        "operations and applies the chain rule to each.",
        "At x = 0 every ReLU in p and q sits at its kink, so each contributes the chosen "
        "slope s = relu'(0) of the way it is written, with the chain rule's factors.",
        "p'(0) = 1 - s - s (relu(-x) brings a factor -1), and q'(0) = s * (1 - s); put in "
        "the s measured for each way in section 3.",
    ),
    "backward_from_output": (
        "The gradient passes where the input was positive and stops elsewhere; you only "
        "have the output y = relu(x).",
        "y is never negative, so a test on y for 'negative' never fires. Where is y > 0, "
        "and where is it 0?",
        "y > 0 exactly where x > 0: multiply (or select) grad_output by that mask.",
    ),
}
