"""Checkers for the exercises of the chapter *Non-linearity* (``book/nonlinearity/lab.ipynb``).

- :func:`check_collapse`: two stacked ``nn.Linear`` layers folded into one (a debugging
  exercise: the lab plants a faulty version).
- :func:`check_sawtooth_prediction`: a prediction of how many linear pieces a deep, narrow
  ReLU network has, compared with a count.
- :func:`check_units_needed`: the smallest width of a ReLU interpolant that reaches a given
  accuracy.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable

import numpy as np
import torch
from torch import nn

from relu_course.checks._common import assert_close, call_learner, fail, passed

__all__ = ["check_collapse", "check_sawtooth_prediction", "check_units_needed"]


def check_collapse(collapse: Callable[[nn.Linear, nn.Linear], nn.Linear]) -> None:
    r"""Check ``collapse(first, second)``: one ``nn.Linear`` that computes ``second(first(x))``.

    Two affine maps in a row are one affine map. The checker calls ``collapse`` on four
    pairs of layers with random weights and biases (square ones first, then non-square), and
    requires an ``nn.Linear`` with ``first``'s input size and ``second``'s output size whose
    outputs match ``second(first(x))`` at ``x = 0`` and on random inputs, and that ``first``
    and ``second`` are left unchanged.

    Args:
        collapse: the learner's function from two ``nn.Linear`` layers (both with a bias)
            to one ``nn.Linear``.

    Raises:
        AssertionError: with the input, the expected and the actual values and a hint that
            names the misconception.
    """
    g = torch.Generator().manual_seed(1)
    for first, second in _pairs():
        before = [p.detach().clone() for p in (*first.parameters(), *second.parameters())]
        shapes = (
            f"Linear({first.in_features}, {first.out_features}) then "
            f"Linear({second.in_features}, {second.out_features})"
        )
        try:
            layer = call_learner(collapse, first, second, name="collapse")
        except AssertionError as err:
            if "shapes cannot be multiplied" in str(err) or "size mismatch" in str(err):
                fail(
                    f"collapse multiplies matrices of incompatible shapes for {shapes}.",
                    hint="the weight of nn.Linear(n_in, n_out) has shape (n_out, n_in); the "
                    "combined weight must have shape (second.out_features, first.in_features). "
                    "Which layer's weight must act on x first?",
                )
            raise
        if not isinstance(layer, nn.Linear):
            fail(
                f"collapse should return an nn.Linear, got {type(layer).__name__}.",
                input=shapes,
                hint="create nn.Linear(first.in_features, second.out_features) and set its "
                "weight and bias under torch.no_grad().",
            )
        if (layer.in_features, layer.out_features) != (first.in_features, second.out_features):
            fail(
                f"collapse returned Linear({layer.in_features}, {layer.out_features}), expected "
                f"Linear({first.in_features}, {second.out_features}).",
                input=shapes,
                hint="the collapsed layer reads first's inputs and produces second's outputs.",
            )
        after = [p.detach() for p in (*first.parameters(), *second.parameters())]
        if any(not torch.equal(a, b) for a, b in zip(before, after)):
            fail(
                "collapse changed the weights or biases of the layers it was given.",
                input=shapes,
                hint="build a new layer; copy into it, never into first or second.",
            )
        with torch.no_grad():
            zero = torch.zeros(1, first.in_features)
            assert_close(
                layer(zero),
                second(first(zero)),
                input=zero,
                what=f"collapsed(0) for {shapes}",
                atol=1e-5,
                rtol=1e-4,
                hint="at x = 0 only the biases act, so the new bias must equal second(first(0)). "
                "first's bias does not skip the second layer: it passes through its weight.",
            )
            x = torch.randn(16, first.in_features, generator=g)
            assert_close(
                layer(x),
                second(first(x)),
                input=x,
                what=f"collapsed(x) for {shapes}",
                atol=1e-5,
                rtol=1e-4,
                hint="the biases are right (collapsed(0) matches), so the weight is wrong. "
                "nn.Linear computes x @ W.T + b; matrix products do not commute, and the layer "
                "applied first must act on x first.",
            )
    passed("collapse(first, second) computes second(first(x)) for 4 pairs of layers")


def check_sawtooth_prediction(prediction: Any) -> None:
    r"""Compare a predicted number of linear pieces with a count.

    The *tent map* :math:`t(x) = 2\,\mathrm{relu}(x) - 4\,\mathrm{relu}(x - 1/2)` is a ReLU
    network with one hidden layer of 2 units; composing it :math:`L` times gives a network
    with :math:`L` hidden layers of 2 units each. ``prediction`` maps ``L = 3`` and ``L = 6``
    to the number of linear pieces the learner expects that network to have on
    :math:`[0, 1]`. The checker counts the pieces (where the slope changes, on a fine grid
    in float64) and explains any difference.

    Args:
        prediction: ``{3: number of pieces, 6: number of pieces}``.

    Raises:
        AssertionError: a prediction of another shape, or a count that differs, with an
            explanation.
    """
    if not isinstance(prediction, dict) or set(prediction) != {3, 6}:
        fail("prediction should be a dict with the keys 3 and 6 (the numbers of layers).",
             actual=prediction, hint="e.g. {3: ..., 6: ...}, one whole number per depth.")
    for depth in (3, 6):
        v = prediction[depth]
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
            fail(f"the prediction for {depth} layers should be a positive whole number, got "
                 f"{v!r}.", hint="count linear pieces: 1 for a straight line.")
    counted = {depth: _pieces(depth) for depth in (3, 6)}
    if all(prediction[d] == counted[d] for d in (3, 6)):
        passed(f"the tent map composed 3 times has {counted[3]} pieces and 6 times "
               f"{counted[6]}, with only {2 * 6} hidden units; one hidden layer would need at "
               f"least {counted[6] - 1} units for {counted[6]} pieces")
        return
    shown = ", ".join(f"{d} layers: predicted {prediction[d]}, counted {counted[d]}"
                      for d in (3, 6))
    if all(prediction[d] == 2 * d + 1 for d in (3, 6)):
        why = ("you used the rule for one hidden layer, where each unit adds at most one "
               "kink. Composition is different: each layer is applied to the output of the "
               "one before.")
    elif all(prediction[d] == 2 * d for d in (3, 6)):
        why = ("you added pieces layer by layer. A layer does not add pieces, it acts on "
               "every piece the layers below produced.")
    elif all(prediction[d] == 3 ** d for d in (3, 6)):
        why = ("the tent map has two pieces, not three: each pass folds [0, 1] onto itself "
               "once.")
    else:
        why = ("follow one pass: t maps [0, 1/2] and [1/2, 1] each onto all of [0, 1]. "
               "What does that do to every piece of the function before it?")
    fail(f"the prediction differs from the count ({shown}).", hint=why)


def check_units_needed(units_needed: Callable[[float], int]) -> None:
    r"""Check ``units_needed(eps)``: the smallest width that interpolates ``x**2`` to ``eps``.

    The network is the ReLU interpolant of the lab: one hidden layer of ``n`` ReLUs that
    joins the points :math:`(t_k, t_k^2)` of ``n + 1`` equally spaced knots on
    :math:`[0, 1]` with straight lines. ``units_needed(eps)`` must return the smallest ``n``
    whose largest error on :math:`[0, 1]` is at most ``eps``. The checker builds the
    interpolant with the learner's ``n`` and with ``n - 1`` and measures both.

    Args:
        units_needed: the learner's function of a float ``eps`` in ``(0, 1)``.

    Raises:
        AssertionError: a width that misses ``eps``, or one that is not the smallest, with
            a hint that names the misconception.
    """
    for eps in _EPSILONS:
        n = call_learner(units_needed, eps, name="units_needed")
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            fail(f"units_needed({eps}) should return a positive whole number, got {n!r}.",
                 hint="a number of hidden units: round up with math.ceil and convert to int.")
        n = int(n)
        if n > 10 * _smallest_width(eps) + 10:  # far too many: do not build it
            fail(f"units_needed({eps}) = {n} is far more than the smallest width.", input=eps,
                 hint="find how the largest error depends on the spacing h = 1/n, and solve "
                 "for the smallest n that brings it under eps.")
        error = _interpolation_error(n)
        if error > eps:
            loose = math.ceil(1 / math.sqrt(8 * eps))
            hint = ("between two knots h apart, the chord of x**2 lies above the curve; find "
                    "where the gap is largest and how large it is, as a function of h.")
            if n == loose:
                hint = ("you used the generic bound h**2 * max|f''| / 8 with f'' = 1; for "
                        "f(x) = x**2 the second derivative is 2.")
            fail(f"units_needed({eps}) = {n}, but {n} units leave an error of {error:.3g} > "
                 f"{eps}.", input=eps, hint=hint)
        if n > 1 and _interpolation_error(n - 1) <= eps:
            hint = ("n + 1 knots make n pieces, and the interpolant has one unit per piece; "
                    "round up once, not twice.")
            if n == 2 or _interpolation_error(n - 2) > eps:
                hint += " You are one unit over."
            fail(f"units_needed({eps}) = {n} is not the smallest: {n - 1} units already reach "
                 f"an error of {_interpolation_error(n - 1):.3g} <= {eps}.", input=eps,
                 hint=hint)
    passed(f"units_needed gives the smallest width for {len(_EPSILONS)} accuracies, from "
           f"{_EPSILONS[0]} to {_EPSILONS[-1]}")


# --- reference computations, used by the checkers above ---------------------------------

# Accuracies chosen away from the values 1 / (4 n**2) where the answer jumps.
_EPSILONS = (0.3, 0.05, 0.003, 7e-4, 2.2e-5, 3.3e-7)


def _pairs() -> list[tuple[nn.Linear, nn.Linear]]:
    g = torch.Generator().manual_seed(0)
    pairs = []
    for n_in, n_mid, n_out in ((4, 4, 4), (3, 3, 3), (3, 5, 2), (6, 3, 5)):
        first, second = nn.Linear(n_in, n_mid), nn.Linear(n_mid, n_out)
        with torch.no_grad():
            for layer in (first, second):
                layer.weight.copy_(torch.randn(layer.weight.shape, generator=g))
                layer.bias.copy_(torch.randn(layer.bias.shape, generator=g))
        pairs.append((first, second))
    return pairs


def _tent(x: torch.Tensor) -> torch.Tensor:
    return 2 * torch.relu(x) - 4 * torch.relu(x - 0.5)


def _pieces(depth: int) -> int:
    x = torch.linspace(0, 1, 2**12 + 1, dtype=torch.float64)  # dyadic: every kink on the grid
    y = x
    for _ in range(depth):
        y = _tent(y)
    second = y[2:] - 2 * y[1:-1] + y[:-2]
    return int((second.abs() > 1e-9).sum()) + 1


def _smallest_width(eps: float) -> int:
    # The interpolant of x**2 with spacing h errs by h**2 / 4 at the middle of each piece.
    return math.ceil(1 / (2 * math.sqrt(eps)))


def _interpolation_error(n: int) -> float:
    # The largest error of the n-piece linear interpolant of x**2 on [0, 1], on a fine grid.
    t = torch.linspace(0, 1, n + 1, dtype=torch.float64)
    x = torch.linspace(0, 1, 64 * n + 1, dtype=torch.float64)
    chord = torch.from_numpy(np.interp(x.numpy(), t.numpy(), (t * t).numpy()))
    return (chord - x * x).abs().max().item()


HINTS = {
    "collapse": (
        "Run buggy_collapse on a pair of square layers and compare it with second(first(x)) "
        "at x = 0 first, then at random x: which of weight and bias is wrong?",
        "Write second(first(x)) = W2 (W1 x + b1) + b2 and multiply out: the x term gives the "
        "new weight, the rest the new bias.",
        "The new bias is second(first(0)), and the new weight is a product in which the "
        "first layer's weight stands on the right.",
    ),
    "sawtooth_prediction": (
        "Draw t(x) on [0, 1], then t(t(x)): how many times does t(t(x)) go up and down?",
        "t maps each half of [0, 1] onto all of [0, 1], so one more layer turns every piece "
        "into two.",
        "Pieces double with each layer: after L layers there are 2 to the power L.",
    ),
    "units_needed": (
        "With n pieces, the knots are h = 1/n apart; find the largest gap between x**2 and "
        "its chord on one piece.",
        "On [a, a + h] the gap between the chord and x**2 is (x - a)(a + h - x), largest at "
        "the midpoint.",
        "The largest error is h**2 / 4, so you need 1 / (4 n**2) <= eps: n = ceil(1 / (2 "
        "sqrt(eps))).",
    ),
}
