"""The course's one rule for judging a claim.

Every claim in the book is judged the same way (chapter "How this course judges a claim"):

1. Measure the claim's quantity once per seed, with at least two seeds (five per arm when two
   arms are compared by training them).
2. Summarise the per-seed values by their mean (one arm) or the mean of the per-seed
   differences (two arms trained on the same seeds: a paired design), with a two-sided Student
   *t* confidence interval at 95%. When one experiment makes ``k`` comparisons, each interval
   is widened to the ``1 - 0.05 / k`` level (Bonferroni), so the chance that any of them
   misleads stays at most 5%. When each measurement is a yes/no outcome (a timing round
   in which one kernel beat another), the share of yeses gets its exact Clopper-Pearson
   interval instead, which unlike a t interval never collapses to a point.
3. Compare the interval with the smallest effect that would matter, named in advance (the
   ``margin``):

   - the whole interval is on the claimed side of the margin: **holds** (or **holds with
     conditions** when the experiment covers only named conditions);
   - the whole interval is on the other side: **does not hold here**;
   - the interval straddles the margin: **inconclusive here**.

A verdict that a different set of seeds would flip is not a finding: :func:`seeds` shifts
every seed by the environment variable ``RELU_COURSE_SEED_OFFSET`` (default 0), and
``make reseed`` runs every lab with another offset and checks that no verdict changes.

Source: the Student *t* interval and the Bonferroni correction as in any statistics text,
e.g. Wasserman, *All of Statistics* (2004), sections 6.3.2 and 10.7.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

VERDICTS = ("holds", "holds with conditions", "does not hold here", "inconclusive here")
SEED_OFFSET_VAR = "RELU_COURSE_SEED_OFFSET"
CLAIMS = ("above", "below", "within")


def seeds(n: int) -> list[int]:
    """``n`` seeds for an experiment: ``offset, offset + 1, ..., offset + n - 1``.

    The offset is the integer in the environment variable ``RELU_COURSE_SEED_OFFSET``
    (default 0), so that a lab can be rerun on a disjoint set of seeds without editing it.

    Args:
        n: how many seeds, at least 1.

    Returns:
        A list of ``n`` consecutive non-negative integers.

    Raises:
        ValueError: if ``n`` is not a positive integer, or the offset is not a non-negative
            integer.

    Examples:
        >>> s = seeds(3)
        >>> len(s), s[1] - s[0]
        (3, 1)
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    raw = os.environ.get(SEED_OFFSET_VAR, "0").strip() or "0"
    try:
        offset = int(raw)
    except ValueError:
        offset = -1
    if offset < 0:
        raise ValueError(f"{SEED_OFFSET_VAR} must be a non-negative integer, got {raw!r}")
    return list(range(offset, offset + n))


@dataclass(frozen=True)
class Judgement:
    """A claim's verdict with the numbers behind it.

    Attributes:
        verdict: one of :data:`VERDICTS`.
        effect: the mean of the per-seed values (one arm) or of the per-seed differences
            ``a - b`` (two arms), in the unit of the measurements.
        low, high: the confidence interval of ``effect``.
        n: the number of seeds (per arm).
        confidence: the interval's level, e.g. 0.95, or 0.99 after a Bonferroni correction.
        comparisons: how many comparisons the experiment makes (the Bonferroni factor).
        claim: ``"above"``, ``"below"`` or ``"within"``: what the claim says of ``effect``.
        margin: the smallest effect that matters (for ``"within"``, the tolerance).
        conditions: for "holds with conditions", the conditions the experiment covers.
        interval: ``"t"`` (Student) or ``"binomial"`` (Clopper-Pearson, for 0/1 outcomes).
        per: what each measurement is one of, e.g. ``"seeds"`` or ``"rounds"``.
    """

    verdict: str
    effect: float
    low: float
    high: float
    n: int
    confidence: float
    comparisons: int
    claim: str
    margin: float
    conditions: str = ""
    interval: str = "t"
    per: str = "seeds"

    @property
    def method(self) -> str:
        """The interval's method in words, e.g. ``"95% t interval, 5 seeds"``."""
        name = "t" if self.interval == "t" else "exact binomial"
        text = f"{_percent(self.confidence)} {name} interval, {self.n} {self.per}"
        if self.comparisons > 1:
            text += f", Bonferroni for {self.comparisons} comparisons"
        return text

    @property
    def digits(self) -> int:
        """Decimal places the interval supports: the place of the half-width's first digit.

        A zero-width interval (identical values on every seed) supports 3 significant digits.
        """
        half = (self.high - self.low) / 2
        scale = half if half > 0 else abs(self.effect) / 100
        if scale <= 0 or not math.isfinite(scale):
            return 0
        return max(0, -math.floor(math.log10(scale)))

    def describe(self, unit: str = "", scale: float = 1.0, digits: int | None = None) -> str:
        """``effect [low, high]`` rounded to what the interval supports, then the method.

        Args:
            unit: appended to each number, e.g. ``"%"`` or ``" epochs"``. Defaults to none.
            scale: multiplies every number first, e.g. 100 for fractions shown as percent.
            digits: decimal places; defaults to :attr:`digits` adjusted for ``scale``.

        Examples:
            >>> judge([0.48, 0.50, 0.52], above=0.25).describe(unit="%", scale=100)
            '50% [45%, 55%] (95% t interval, 3 seeds)'
        """
        if digits is None:
            digits = max(0, self.digits - round(math.log10(scale))) if scale > 0 else 0

        def fmt(v: float) -> str:
            text = f"{v * scale:.{digits}f}"
            if float(text) == 0:  # no "-0": a sign the rounding erased is not a finding
                text = text.lstrip("-")
            return f"{text}{unit}"

        return f"{fmt(self.effect)} [{fmt(self.low)}, {fmt(self.high)}] ({self.method})"


def _percent(level: float) -> str:
    text = f"{100 * level:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _values(name: str, values: Iterable[float]) -> list[float]:
    try:
        out = [float(v) for v in values]
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a sequence of numbers, one per seed ({err})") from None
    if len(out) < 2:
        raise ValueError(f"{name} needs at least 2 per-seed values to give an interval, "
                         f"got {len(out)}")
    bad = [i for i, v in enumerate(out) if not math.isfinite(v)]
    if bad:
        raise ValueError(f"{name} has non-finite values at positions {bad}: every seed's "
                         "measurement must be a finite number (report a diverged run as such)")
    return out


def t_interval(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided Student *t* confidence interval of per-seed values.

    ``mean ± t_{(1+c)/2, n-1} · s / sqrt(n)``, with ``s`` the sample standard deviation.

    Args:
        values: at least two finite numbers.
        confidence: the level, in (0, 1). Defaults to 0.95.

    Returns:
        ``(mean, low, high)``.

    Raises:
        ValueError: fewer than two values, a non-finite value, or a level outside (0, 1).

    Examples:
        >>> [round(v, 3) for v in t_interval([1.0, 2.0, 3.0])]
        [2.0, -0.484, 4.484]
    """
    xs = _values("values", values)
    if not (isinstance(confidence, float) and 0 < confidence < 1):
        raise ValueError(f"confidence must be a float in (0, 1), got {confidence!r}")
    from scipy.stats import t as student_t

    n = len(xs)
    mean = math.fsum(xs) / n
    var = math.fsum((x - mean) ** 2 for x in xs) / (n - 1)
    half = float(student_t.ppf((1 + confidence) / 2, n - 1)) * math.sqrt(var / n)
    return mean, mean - half, mean + half


def binomial_interval(values: Sequence[float], confidence: float = 0.95
                      ) -> tuple[float, float, float]:
    """Share of successes among 0/1 outcomes, with its exact (Clopper-Pearson) interval.

    For ``k`` successes in ``n`` trials the interval is
    ``[B(a/2; k, n-k+1), B(1-a/2; k+1, n-k)]`` with ``B`` the Beta quantile and
    ``a = 1 - confidence`` (Clopper & Pearson, 1934). Unlike a t interval on 0/1 values it
    never collapses to a point: 5 successes in 5 rounds give ``[0.478, 1]``, not ``[1, 1]``.

    Args:
        values: at least two outcomes, each 0 or 1 (False/True).
        confidence: the level, in (0, 1). Defaults to 0.95.

    Returns:
        ``(share, low, high)``.

    Raises:
        ValueError: fewer than two outcomes, an outcome other than 0 or 1, or a level
            outside (0, 1).

    Examples:
        >>> [round(v, 3) for v in binomial_interval([1, 1, 1, 1, 1])]
        [1.0, 0.478, 1.0]
    """
    xs = _values("values", values)
    if any(x not in (0.0, 1.0) for x in xs):
        raise ValueError(f"binomial outcomes must each be 0 or 1, got {sorted(set(xs))}")
    if not (isinstance(confidence, float) and 0 < confidence < 1):
        raise ValueError(f"confidence must be a float in (0, 1), got {confidence!r}")
    from scipy.stats import beta

    n, k = len(xs), int(sum(xs))
    a = 1 - confidence
    low = float(beta.ppf(a / 2, k, n - k + 1)) if k > 0 else 0.0
    high = float(beta.ppf(1 - a / 2, k + 1, n - k)) if k < n else 1.0
    return k / n, low, high


def judge(
    values: Sequence[float],
    baseline: Sequence[float] | None = None,
    *,
    above: float | None = None,
    below: float | None = None,
    within: float | None = None,
    conditions: str = "",
    comparisons: int = 1,
    interval: str = "t",
    per: str = "seeds",
) -> Judgement:
    """Judge a claim from per-seed measurements by the course's one rule (module docstring).

    Give exactly one of ``above``, ``below`` or ``within``:

    - ``above=m``: the claim is "the effect exceeds ``m``";
    - ``below=m``: the claim is "the effect is under ``m``";
    - ``within=tol``: the claim is "the effect is zero, up to ``±tol``" (an equivalence).

    With ``baseline``, the effect is the mean of the per-seed differences
    ``values[i] - baseline[i]`` (both arms run on the same seeds, so they are paired);
    without it, the effect is the mean of ``values``.

    Args:
        values: one finite measurement per seed (at least 2).
        baseline: the other arm's measurements, on the same seeds in the same order.
        above, below, within: the margin (see above), in the measurements' unit.
        conditions: the conditions the experiment covers; when given, a holding claim is
            "holds with conditions". Defaults to none.
        comparisons: how many comparisons this experiment makes (Bonferroni). Defaults to 1.
        interval: ``"t"`` (default) for measurements; ``"binomial"`` when each value is a
            0/1 outcome (e.g. "this round was faster"): the effect is then the share of 1s,
            with its exact Clopper-Pearson interval (:func:`binomial_interval`).
        per: what each value is one of, as the method names it. Defaults to ``"seeds"``.

    Returns:
        A :class:`Judgement`.

    Raises:
        ValueError: not exactly one of ``above``/``below``/``within``; a negative tolerance;
            fewer than 2 values; non-finite values; arms of different lengths;
            ``comparisons`` not a positive integer; an unknown ``interval``; a baseline or a
            value other than 0/1 with ``interval="binomial"``.

    Examples:
        >>> judge([0.48, 0.50, 0.52], above=0.25).verdict
        'holds'
        >>> judge([12, 14, 13, 15, 12], [7, 8, 7, 9, 8], below=0).verdict
        'does not hold here'
        >>> judge([0.1, -0.2, 0.3, -0.1, 0.0], within=1.0, conditions="on the digits").verdict
        'holds with conditions'
        >>> judge([0.1, -0.2, 0.9, -0.5, 0.0], above=0.0).verdict
        'inconclusive here'
    """
    given = {k: v for k, v in (("above", above), ("below", below), ("within", within))
             if v is not None}
    if len(given) != 1:
        raise ValueError("give exactly one of above=, below= or within= (the margin the claim "
                         f"is judged against), got {sorted(given) or 'none'}")
    (kind, margin), = given.items()
    margin = float(margin)
    if not math.isfinite(margin) or (kind == "within" and margin < 0):
        raise ValueError(f"{kind}= must be a finite number{' >= 0' if kind == 'within' else ''}"
                         f", got {margin!r}")
    if isinstance(comparisons, bool) or not isinstance(comparisons, int) or comparisons < 1:
        raise ValueError(f"comparisons must be a positive integer, got {comparisons!r}")
    if not isinstance(conditions, str):
        raise ValueError(f"conditions must be a string naming them, got {conditions!r}")
    if interval not in ("t", "binomial"):
        raise ValueError(f"interval must be 't' or 'binomial', got {interval!r}")
    if not isinstance(per, str) or not per.strip():
        raise ValueError(f"per must name what each value is one of (e.g. 'seeds'), got {per!r}")
    xs = _values("values", values)
    if baseline is not None and interval == "binomial":
        raise ValueError("interval='binomial' judges one arm of 0/1 outcomes; give no baseline")
    if baseline is not None:
        bs = _values("baseline", baseline)
        if len(bs) != len(xs):
            raise ValueError(f"values and baseline must have one value per seed each, got "
                             f"{len(xs)} and {len(bs)}")
        xs = [x - b for x, b in zip(xs, bs)]
    confidence = 1 - 0.05 / comparisons
    if interval == "t":
        effect, low, high = t_interval(xs, confidence)
    else:
        effect, low, high = binomial_interval(xs, confidence)
    if kind == "above":
        holds, fails = low > margin, high <= margin
    elif kind == "below":
        holds, fails = high < margin, low >= margin
    else:
        holds, fails = -margin <= low and high <= margin, low > margin or high < -margin
    if holds:
        verdict = "holds with conditions" if conditions.strip() else "holds"
    else:
        verdict = "does not hold here" if fails else "inconclusive here"
    return Judgement(verdict, effect, low, high, len(xs), confidence, comparisons, kind,
                     margin, conditions.strip(), interval, per.strip())


def select_on_validation(
    candidates: Sequence[float],
    score: Callable[[float, int], float],
    seeds: Sequence[int],
    *,
    higher_is_better: bool = True,
) -> tuple[float, list[float]]:
    """Pick a hyper-parameter (e.g. a learning rate) by its mean validation score over seeds.

    The rule for fair comparisons: each arm gets its own best value, chosen on a validation
    split and never on the test split; ``score`` must only look at validation data.

    Args:
        candidates: the values to try, e.g. ``[0.01, 0.03, 0.1]``.
        score: ``score(value, seed)`` -> a finite validation score.
        seeds: the seeds each candidate is tried on.
        higher_is_better: True for accuracy, False for a loss or epochs-to-target.

    Returns:
        ``(best, means)``: the chosen value (the first best on a tie) and each candidate's mean.

    Raises:
        ValueError: no candidates, no seeds, or a non-finite score.

    Examples:
        >>> select_on_validation([1.0, 4.0], lambda lr, seed: -abs(lr - 3.0), [0, 1])
        (4.0, [-2.0, -1.0])
    """
    if len(candidates) == 0 or len(seeds) == 0:
        raise ValueError("select_on_validation needs at least one candidate and one seed, got "
                         f"{len(candidates)} candidates and {len(seeds)} seeds")
    means = []
    for value in candidates:
        scores = [float(score(value, seed)) for seed in seeds]
        if not all(math.isfinite(s) for s in scores):
            raise ValueError(f"score({value!r}, seed) returned a non-finite value: {scores}")
        means.append(math.fsum(scores) / len(scores))
    pick = max if higher_is_better else min
    best = candidates[means.index(pick(means))]
    return best, means
