"""Checker for the design exercise of the chapter *Sparsity*: how many seeds an experiment needs.

- :func:`check_seeds_needed`: the smallest number of seeds whose interval, by the course's
  one rule (:mod:`relu_course.stats`), is narrow enough to decide a claim.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import torch

from relu_course.checks._common import call_learner, fail, passed

__all__ = ["check_seeds_needed"]

HINTS = {
    "seeds_needed": (
        "The interval's half-width is t * sd / sqrt(n); try n = 2, 3, ... until it is small "
        "enough.",
        "Use the Student t quantile with n - 1 degrees of freedom at level "
        "1 - 0.05 / (2 * comparisons) (two-sided, Bonferroni), not the normal's 1.96.",
        "scipy.stats.t.ppf(1 - 0.05 / (2 * comparisons), n - 1) * sd / math.sqrt(n) <= "
        "half_width",
    ),
}


# --- seeds_needed -----------------------------------------------------------------------------

#: (sd, half_width, comparisons) settings tried by check_seeds_needed.
_SEED_CASES = ((1.0, 1.0, 1), (0.9, 0.5, 2), (2.0, 1.0, 1), (0.5, 0.1, 1), (1.0, 0.4, 3),
               (3.0, 0.5, 2))


def _half_width(sd: float, n: int, comparisons: int, root: bool = True) -> float:
    from scipy.stats import t as student_t

    quantile = float(student_t.ppf(1 - 0.05 / (2 * comparisons), n - 1))
    return quantile * sd / (math.sqrt(n) if root else n)


def _seeds_reference(sd: float, half_width: float, comparisons: int, root: bool = True) -> int:
    n = 2
    while _half_width(sd, n, comparisons, root) > half_width:
        n += 1
    return n


def check_seeds_needed(seeds_needed: Callable[..., Any]) -> None:
    """Check ``seeds_needed(sd, half_width, comparisons=1)``: an experiment's number of seeds.

    The function returns the smallest number of seeds ``n >= 2`` for which the course's
    interval (a two-sided Student *t* interval at level ``1 - 0.05 / comparisons``) of a
    mean of per-seed values with standard deviation ``sd`` has a half-width of at most
    ``half_width``. The checker judges the design by its properties on six settings: the
    interval must be narrow enough with ``n`` seeds, and not already with ``n - 1``.

    Args:
        seeds_needed: the learner's function of ``sd > 0``, ``half_width > 0`` and an integer
            ``comparisons >= 1`` (default 1) returning an integer.

    Raises:
        AssertionError: naming the mistake the number points to (the normal's 1.96 instead of
            the t quantile, no Bonferroni correction, a missing square root, not the
            smallest number).
    """
    answers = []
    for sd, h, k in _SEED_CASES:
        value = call_learner(seeds_needed, sd, h, comparisons=k, name="seeds_needed")
        if isinstance(value, torch.Tensor) and value.numel() == 1:
            value = value.item()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < 2:
            fail(f"seeds_needed({sd}, {h}, comparisons={k}) should return an integer of at "
                 f"least 2, got {value!r}.",
                 hint="an interval needs at least two seeds; return an int.")
        answers.append(value)
    z = 1.959963984540054
    mistakes = [  # (a wrong design rule, the misconception it shows)
        (lambda sd, h, k: math.ceil((z * sd / h) ** 2), "that is the normal's 1.96: with few "
         "seeds the t quantile is much larger (12.7 for 2 seeds, 2.78 for 5), so the interval "
         "would be wider than asked."),
        (lambda sd, h, k: _seeds_reference(sd, h, 1), "with several comparisons each interval "
         "must be widened to the 1 - 0.05 / comparisons level (Bonferroni), which needs more "
         "seeds."),
        (lambda sd, h, k: _seeds_reference(sd, h, k, root=False), "the interval narrows like "
         "sd / sqrt(n), not sd / n: the number of seeds grows with the square of "
         "sd / half_width."),
    ]
    for (sd, h, k), value in zip(_SEED_CASES, answers):
        right = _seeds_reference(sd, h, k)
        if value == right:
            continue
        if value < right:
            hint = (f"with {value} seeds the half-width is "
                    f"{_half_width(sd, value, k):.3g} > {h}: the interval would not be narrow "
                    "enough.")
        else:
            hint = (f"{value - 1} seeds already give a half-width of "
                    f"{_half_width(sd, value - 1, k):.3g} <= {h}: that is not the smallest "
                    "number, and every extra seed costs a training run.")
        for wrong, why in mistakes:
            if all(v == wrong(*case) for case, v in zip(_SEED_CASES, answers)):
                hint = why
                break
        fail(f"seeds_needed({sd}, {h}, comparisons={k}) is wrong.", expected=right,
             actual=value, hint=hint)
    passed(f"seeds_needed gives the smallest sufficient number of seeds on {len(_SEED_CASES)} "
           "settings")
