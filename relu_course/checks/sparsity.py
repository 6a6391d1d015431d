"""Checkers for the exercises of the chapter *Sparsity* (``book/sparsity/lab.ipynb``).

- :func:`check_zero_fraction`: the fraction of exact zeros in a layer's output.
- :func:`check_expected_zero_fraction`: the fraction of a first layer's ReLUs that are off,
  derived from the weights' distribution.
- :func:`check_sign_prediction`: a prediction of how often a unit's weight gradient has one
  sign, compared with the measurement.
- :func:`~relu_course.checks.sample_size.check_seeds_needed` (in ``checks/sample_size.py``):
  how many seeds an experiment needs to decide a claim.
"""

from __future__ import annotations

import functools
import math
import numbers
from typing import Any, Callable

import torch

from relu_course.checks._common import assert_close, call_learner, fail, passed

__all__ = [
    "check_expected_zero_fraction",
    "check_sign_prediction",
    "check_zero_fraction",
]

#: How far a prediction of :func:`check_sign_prediction` may be from the measured fraction.
PREDICTION_TOLERANCE = 0.25
#: The cases of :func:`check_sign_prediction`: (activation feeding the unit, batch size).
SIGN_CASES = {"sigmoid, batch 1": ("sigmoid", 1), "sigmoid, batch 128": ("sigmoid", 128),
              "leaky_relu, batch 1": ("leaky_relu", 1)}

HINTS = {
    "zero_fraction": (
        "Compare every entry with 0 and count; think about -0.0 and about tiny values.",
        "(h == 0) is a boolean tensor with the same shape as h; its mean, as a float, is the "
        "fraction you want (-0.0 == 0 is True, 1e-30 == 0 is False).",
        "return (h == 0).double().mean().item()",
    ),
    "expected_zero_fraction": (
        "For a fixed input x, z = w.x + b is a sum of independent normal terms plus a "
        "constant. What is its distribution?",
        "w.x is normal with mean 0 and standard deviation weight_std * ||x||, so z is normal "
        "with mean b and that standard deviation; the unit outputs 0 when z <= 0.",
        "P(z <= 0) = Phi(-b / (weight_std * input_norm)), with Phi the standard normal CDF: "
        "0.5 * (1 + math.erf(t / math.sqrt(2))).",
    ),
    "sign_prediction": (
        "Write one example's gradient for a second-layer unit's weights: it is delta * h, a "
        "number times the previous layer's outputs.",
        "With one example, the signs follow the signs of h: what range do sigmoid and leaky "
        "ReLU outputs take? With 128 examples the gradient is sum_n delta_n h_n: ask whether "
        "h_n differs much from example to example.",
        "Sigmoid outputs are all in (0, 1) and close to 1/2 at initialisation, so "
        "sum_n delta_n h_n is roughly (1/2) sum_n delta_n for every weight at once.",
    ),
}


def _edge_cases() -> list[tuple[torch.Tensor, float, str]]:
    return [
        (torch.tensor([0.0, -0.0, 1.0, 2.0]), 0.5, "-0.0 is an exact zero too"),
        (torch.tensor([1e-30, 0.0, 2.0, 3.0]), 0.25, "a tiny positive value is not zero"),
        (torch.tensor([-0.5, -2.0, 0.0, 1.0]), 0.25, "a negative value is not zero"),
        (torch.zeros(3, 4), 1.0, "a tensor of zeros is fully sparse"),
        (torch.ones(5, dtype=torch.float64), 0.0, "a tensor with no zeros has sparsity 0"),
        (torch.tensor([[[0.0, 1.0], [0.0, 0.0]]]), 0.75, "count over every element, any shape"),
    ]


def _random_models() -> list[tuple[str, torch.nn.Module]]:
    from relu_course import models

    return [
        ("ReLU MLP, zero bias", models.mlp([8, 32, 32, 4], activation="relu", seed=0)),
        ("ReLU MLP, bias -0.5", models.mlp([8, 32, 32, 4], activation="relu", bias=-0.5, seed=1)),
        ("tanh MLP", models.mlp([8, 16, 4], activation="tanh", init="xavier", seed=2)),
        ("leaky ReLU MLP", models.mlp([8, 16, 16, 4], activation="leaky_relu", seed=3)),
    ]


def check_zero_fraction(zero_fraction: Callable[[torch.Tensor], Any]) -> None:
    r"""Check ``zero_fraction(h)``: the fraction of the entries of ``h`` that are exactly 0.

    .. math:: \operatorname{sparsity}(h) = \frac{\#\{i : h_i = 0\}}{\#\{i\}}

    The checker first tries small tensors where the usual mistakes show (``-0.0``, tiny
    positive and negative values, several shapes and dtypes), then the outputs of every
    activation layer of four random networks (ReLU with zero and negative bias, tanh, leaky
    ReLU), where it compares with :func:`relu_course.probes.sparsity`.

    Args:
        zero_fraction: the learner's function from a tensor to a number in ``[0, 1]`` (a
            Python float, or a tensor with one element).

    Raises:
        AssertionError: with the input, the expected and the actual values and a hint.

    Examples:
        >>> check_zero_fraction(lambda h: 0.5)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        AssertionError: zero_fraction(h) is wrong...
    """
    from relu_course import probes

    for h, expected, why in _edge_cases():
        actual = call_learner(zero_fraction, h.clone(), name="zero_fraction")
        assert_close(
            actual,
            expected,
            input=h,
            what="zero_fraction(h)",
            atol=1e-6,
            hint=f"{why}; count the entries equal to 0 (h == 0) and divide by h.numel().",
        )
    layers = 0
    g = torch.Generator().manual_seed(0)
    for label, model in _random_models():
        X = torch.randn(256, 8, generator=g)
        expected_by_layer = probes.sparsity(model, X)
        with probes.capture_activations(model) as outputs, torch.no_grad():
            model(X)
        for name, expected in expected_by_layer.items():
            h = outputs[name][0].detach()
            actual = call_learner(zero_fraction, h.clone(), name="zero_fraction")
            assert_close(
                actual,
                expected,
                input=h,
                what=f"zero_fraction of layer {name!r} of a {label}",
                atol=1e-6,
                hint="count exact zeros only: tanh and leaky ReLU output negative values, "
                "which are not zeros.",
            )
            layers += 1
    passed(
        f"zero_fraction agrees with probes.sparsity on {len(_edge_cases())} small tensors "
        f"and {layers} layers"
    )


# --- expected_zero_fraction ------------------------------------------------------------------

#: (bias, weight_std, input_norm) triples tried by check_expected_zero_fraction.
_ZERO_CASES = ((0.0, 0.3, 1.0), (-0.5, 0.25, 2.0), (0.2, 0.1, 4.0), (1.0, 0.5, 1.0),
               (-0.1, 0.177, 5.6), (0.05, 2.0, 0.5))


def _as_float(value: Any, what: str) -> float:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        fail(f"{what} should return a number, got {type(value).__name__}.",
             actual=value, hint="return a Python float, e.g. built with math.erf.")
    return float(value)


def _phi(t: float) -> float:
    return 0.5 * (1 + math.erf(t / math.sqrt(2)))


def _simulated_zero_fraction(bias: float, std: float, norm: float, units: int = 200_000) -> float:
    """One input of norm `norm`, `units` first-layer units with N(0, std^2) weights."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(16, generator=g, dtype=torch.float64)
    x = x * norm / x.norm()
    w = std * torch.randn(units, 16, generator=g, dtype=torch.float64)
    return (torch.relu(w @ x + bias) == 0).double().mean().item()


def check_expected_zero_fraction(expected_zero_fraction: Callable[..., Any]) -> None:
    """Check ``expected_zero_fraction(bias, weight_std, input_norm)``.

    The function returns the probability that a first-layer ReLU unit, ``relu(w . x + b)``,
    outputs exactly 0 for a fixed input ``x`` of Euclidean norm ``input_norm``, when the
    weights ``w`` are independent normals with mean 0 and standard deviation ``weight_std``
    and the bias is ``bias``: the expected fraction of zeros of a wide first layer. The
    checker compares it with its own value on six settings, then with a simulation of
    200 000 units.

    Args:
        expected_zero_fraction: the learner's function of three positive or signed floats
            returning a float in ``[0, 1]``.

    Raises:
        AssertionError: naming the misconception the wrong value points to.

    Examples:
        >>> check_expected_zero_fraction(lambda bias, weight_std, input_norm: 0.5)
        ... # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        AssertionError: expected_zero_fraction(-0.5, 0.25, 2.0) is wrong.
        ...
    """
    answers = []
    for bias, std, norm in _ZERO_CASES:
        what = f"expected_zero_fraction({bias}, {std}, {norm})"
        answers.append(_as_float(call_learner(expected_zero_fraction, bias, std, norm,
                                              name="expected_zero_fraction"), what))
    mistakes = [  # (a wrong formula, the misconception it shows)
        (lambda b, s, r: _phi(b / (s * r)), "that is the fraction of units that are on: "
         "z = w.x + b is larger when b is larger, so a positive bias must lower the fraction "
         "of zeros."),
        (lambda b, s, r: _phi(-b / s), "the spread of w.x is weight_std * ||x||, not "
         "weight_std: a larger input makes w.x larger, and the bias matters less."),
        (lambda b, s, r: _phi(-b / (s * r) ** 2), "divide by the standard deviation of w.x, "
         "weight_std * ||x||, not by its variance."),
        (lambda b, s, r: _phi(-b / (s * r**2)), "w.x has variance weight_std^2 * ||x||^2, so "
         "its standard deviation is weight_std * ||x||, with the norm not squared."),
        (lambda b, s, r: _phi(-b / (s * math.sqrt(r))), "the standard deviation of w.x is "
         "weight_std * ||x||; ||x|| already is the square root of the sum of squares."),
        (lambda b, s, r: 0.5, "one half is right only without a bias: the bias shifts "
         "z = w.x + b, so it moves the fraction of units that are off."),
    ]
    for (bias, std, norm), value in zip(_ZERO_CASES, answers):
        right = _phi(-bias / (std * norm))
        if math.isclose(value, right, abs_tol=1e-6):
            continue
        hint = "z = w.x + b is normal with mean b and standard deviation weight_std * ||x||."
        for wrong, why in mistakes:
            if all(math.isclose(v, wrong(*case), abs_tol=1e-6)
                   for case, v in zip(_ZERO_CASES, answers)):
                hint = why
                break
        fail(f"expected_zero_fraction({bias}, {std}, {norm}) is wrong.",
             expected=round(right, 6), actual=round(value, 6), hint=hint)
    bias, std, norm = -0.3, 0.4, 1.5
    simulated = _simulated_zero_fraction(bias, std, norm)
    value = _as_float(call_learner(expected_zero_fraction, bias, std, norm,
                                   name="expected_zero_fraction"), "expected_zero_fraction")
    if abs(value - simulated) > 0.01:  # 200 000 units: the simulation's error is about 0.001
        fail("expected_zero_fraction disagrees with a simulation of 200 000 units.",
             input=f"bias {bias}, weight_std {std}, input_norm {norm}",
             expected=round(simulated, 4), actual=round(value, 4),
             hint="z = w.x + b is normal with mean b and standard deviation "
                  "weight_std * ||x||.")
    passed(f"expected_zero_fraction is right on {len(_ZERO_CASES)} settings and agrees with a "
           f"simulation of 200 000 units ({simulated:.3f})")


# --- sign_prediction ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _training_digits() -> tuple[torch.Tensor, torch.Tensor]:
    from relu_course import data

    split = data.digits()
    return split.X_train.double(), split.y_train


def _one_sign_fraction(activation: str, batch: int, seed: int, steps: int = 4) -> float:
    """The lab's measurement (section 4) for a network with `activation`, at initialisation."""
    import torch.nn.functional as F

    from relu_course import models

    init = "xavier" if activation in ("tanh", "sigmoid") else "he"
    model = models.mlp([64, 32, 32, 32, 10], activation=activation, init=init,
                       seed=seed).double()
    X, y = _training_digits()
    g = torch.Generator().manual_seed(seed)
    fractions = []
    for rows in torch.randperm(len(X), generator=g)[:steps * batch].view(steps, batch):
        loss = F.cross_entropy(model(X[rows]), y[rows])
        (grad,) = torch.autograd.grad(loss, [model.linear1.weight])
        pos, neg = (grad > 0).any(1), (grad < 0).any(1)
        fractions.append((pos ^ neg)[pos | neg].double().mean().item())
    return sum(fractions) / len(fractions)


_SIGN_WHY = {
    "sigmoid, batch 1": "sigmoid outputs are all positive, so one example's gradient delta * h "
    "has the sign of delta in every entry, like ReLU's.",
    "sigmoid, batch 128": "sigmoid outputs are all close to 1/2 at initialisation, so the "
    "batch's sum of delta_n * h_n is about (1/2) * sum of delta_n for every weight: the "
    "entries mostly keep one sign even over a batch. ReLU outputs vary much more from "
    "example to example (many are 0), so a batch mixes their signs.",
    "leaky_relu, batch 1": "leaky ReLU outputs small negative values for negative inputs, so "
    "h has both signs and one example's gradient has both signs too.",
}


def check_sign_prediction(prediction: Any) -> None:
    """Check a prediction of how often a unit's weight gradient has a single sign.

    ``prediction`` maps each case of :data:`SIGN_CASES` to a number in ``[0, 1]``: the
    predicted fraction of second-layer units whose weight gradient (on one example, or on a
    batch of 128) has all its non-zero entries of one sign, in networks like the lab's
    (three hidden layers of 32, at initialisation, on the training digits). The checker then
    measures each fraction (3 networks, 4 batches each) and accepts predictions within
    0.25 of it, explaining every miss.

    Args:
        prediction: ``{"sigmoid, batch 1": p1, "sigmoid, batch 128": p2,
            "leaky_relu, batch 1": p3}``.

    Raises:
        AssertionError: a missing case or a value outside ``[0, 1]``, or the predictions
            that missed, each with the mechanism.
    """
    if not isinstance(prediction, dict) or set(prediction) != set(SIGN_CASES):
        keys = sorted(prediction) if isinstance(prediction, dict) else type(prediction).__name__
        fail("prediction must be a dict with exactly the keys "
             f"{sorted(SIGN_CASES)}, got {keys}.",
             hint="fill in one number between 0 and 1 for each case.")
    for key, value in prediction.items():
        if value is ...:
            fail(f"prediction[{key!r}] is not filled in yet (it is ...).",
                 hint="write your prediction, a number between 0 and 1, before the "
                      "experiment runs.")
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 1:
            fail(f"prediction[{key!r}] must be a fraction between 0 and 1, got {value!r}.")
    measured = {key: sum(_one_sign_fraction(act, batch, s) for s in range(3)) / 3
                for key, (act, batch) in SIGN_CASES.items()}
    misses = [key for key in SIGN_CASES
              if abs(prediction[key] - measured[key]) > PREDICTION_TOLERANCE]
    shown = ", ".join(f"{key}: {measured[key]:.0%}" for key in SIGN_CASES)
    if misses:
        fail(
            f"{len(misses)} of the {len(SIGN_CASES)} predictions missed by more than "
            f"{PREDICTION_TOLERANCE:.0%}: " + "; ".join(
                f"{key} (you said {prediction[key]:.0%}, measured {measured[key]:.0%})"
                for key in misses) + ".",
            hint=" ".join(_SIGN_WHY[key] for key in misses),
        )
    passed(f"every prediction within {PREDICTION_TOLERANCE:.0%} of the measurement ({shown})")
