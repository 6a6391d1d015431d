"""The one rule for judging a claim: intervals, verdicts, corrections, seeds and errors."""

import math

import pytest
from scipy import stats as sps

from relu_course.stats import VERDICTS, judge, seeds, select_on_validation, t_interval


def test_t_interval_matches_scipy():
    xs = [0.91, 0.93, 0.95, 0.92, 0.96]
    mean, low, high = t_interval(xs)
    ref = sps.t.interval(0.95, len(xs) - 1, loc=sum(xs) / 5, scale=sps.sem(xs))
    assert mean == pytest.approx(0.934)
    assert (low, high) == pytest.approx(ref)


@pytest.mark.parametrize(
    ("values", "kw", "verdict"),
    [
        ([0.50, 0.51, 0.49, 0.50, 0.52], {"above": 0.4}, "holds"),
        ([0.50, 0.51, 0.49, 0.50, 0.52], {"above": 0.6}, "does not hold here"),
        ([0.50, 0.51, 0.49, 0.50, 0.52], {"above": 0.5}, "inconclusive here"),
        ([0.50, 0.51, 0.49, 0.50, 0.52], {"below": 0.6}, "holds"),
        ([0.50, 0.51, 0.49, 0.50, 0.52], {"below": 0.4}, "does not hold here"),
        ([0.01, -0.01, 0.02, 0.0, -0.02], {"within": 0.1}, "holds"),
        ([1.01, 0.99, 1.02, 1.0, 0.98], {"within": 0.1}, "does not hold here"),
        ([0.5, -0.5, 0.4, -0.3, 0.1], {"within": 0.1}, "inconclusive here"),
    ],
)
def test_verdict_follows_where_the_interval_lies_against_the_margin(values, kw, verdict):
    assert judge(values, **kw).verdict == verdict


def test_every_verdict_is_one_of_the_four():
    assert set(VERDICTS) == {"holds", "holds with conditions", "does not hold here",
                             "inconclusive here"}


def test_conditions_turn_holds_into_holds_with_conditions_and_are_kept():
    j = judge([1.0, 1.1, 1.2], above=0.0, conditions="with He initialisation")
    assert j.verdict == "holds with conditions"
    assert j.conditions == "with He initialisation"
    assert judge([1.0, 1.1, 1.2], below=0.0, conditions="x").verdict == "does not hold here"


def test_two_arms_are_paired_by_seed():
    # A large shared seed effect, a small consistent difference: pairing detects it.
    a = [10.0, 20.0, 30.0, 40.0, 50.0]
    b = [9.0, 19.1, 28.9, 39.0, 49.0]
    j = judge(a, b, above=0.0)
    assert j.effect == pytest.approx(1.0)
    assert j.verdict == "holds"


def test_bonferroni_widens_the_interval_and_can_make_a_claim_inconclusive():
    xs = [0.3, 0.5, 0.2, 0.6, 0.4]
    one, six = judge(xs, above=0.0), judge(xs, above=0.0, comparisons=6)
    assert six.high - six.low > one.high - one.low
    assert six.confidence == pytest.approx(1 - 0.05 / 6)
    assert "Bonferroni for 6 comparisons" in six.method


def test_identical_values_give_a_zero_width_interval():
    j = judge([0.0, 0.0, 0.0], within=1e-6)
    assert (j.low, j.high, j.verdict) == (0.0, 0.0, "holds")


def test_describe_rounds_to_what_the_interval_supports():
    j = judge([0.48, 0.50, 0.52], above=0.25)
    assert j.describe(unit="%", scale=100) == "50% [45%, 55%] (95% t interval, 3 seeds)"
    wide = judge([0.2, 0.5, 0.8], above=0.0)
    assert wide.describe().startswith("0.5 [")


@pytest.mark.parametrize(
    ("args", "kw", "match"),
    [
        (([1.0],), {"above": 0}, "at least 2"),
        (([1.0, math.nan],), {"above": 0}, "non-finite values at positions \\[1\\]"),
        (([1.0, 2.0, 3.0], [1.0, 2.0]), {"above": 0}, "one value per seed"),
        (([1.0, 2.0],), {}, "exactly one of"),
        (([1.0, 2.0],), {"above": 0, "below": 1}, "exactly one of"),
        (([1.0, 2.0],), {"within": -1}, ">= 0"),
        (([1.0, 2.0],), {"above": 0, "comparisons": 0}, "positive integer"),
        ((["a", "b"],), {"above": 0}, "sequence of numbers"),
    ],
)
def test_bad_input_gets_one_clear_message(args, kw, match):
    with pytest.raises(ValueError, match=match):
        judge(*args, **kw)


def test_seeds_are_shifted_by_the_offset(monkeypatch):
    assert seeds(3) == [0, 1, 2] or "RELU_COURSE_SEED_OFFSET" in __import__("os").environ
    monkeypatch.setenv("RELU_COURSE_SEED_OFFSET", "1000")
    assert seeds(2) == [1000, 1001]
    monkeypatch.setenv("RELU_COURSE_SEED_OFFSET", "-3")
    with pytest.raises(ValueError, match="non-negative integer"):
        seeds(2)
    with pytest.raises(ValueError, match="positive integer"):
        seeds(0)


def test_select_on_validation_picks_the_best_mean_and_refuses_nan():
    best, means = select_on_validation([0.01, 0.1, 1.0], lambda lr, s: -abs(lr - 0.1) + s, [0, 1])
    assert best == 0.1
    assert len(means) == 3
    best, _ = select_on_validation([5, 3], lambda v, s: v, [0], higher_is_better=False)
    assert best == 3
    with pytest.raises(ValueError, match="non-finite"):
        select_on_validation([1.0], lambda v, s: math.nan, [0])


def test_describe_never_prints_a_negative_zero():
    j = judge([-0.001, 0.0004, -0.0003, 0.0002, -0.0004], within=0.5)
    assert "-0 " not in j.describe(digits=0) and j.describe(digits=0).startswith("0 [")


def test_binomial_outcomes_get_an_exact_interval_that_never_collapses():
    few = judge([1, 1, 1, 1, 1], above=0.5, interval="binomial", per="rounds")
    assert few.verdict == "inconclusive here"
    assert (few.low, few.high) == pytest.approx((0.4782, 1.0), abs=1e-4)
    assert few.method == "95% exact binomial interval, 5 rounds"
    many = judge([1] * 20, above=0.5, interval="binomial", per="rounds")
    assert many.verdict == "holds" and many.low == pytest.approx(0.8316, abs=1e-4)
    ref = sps.binomtest(7, 10).proportion_ci(0.95, method="exact")
    j = judge([1] * 7 + [0] * 3, above=0.5, interval="binomial")
    assert (j.low, j.high) == pytest.approx((ref.low, ref.high))


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"interval": "z"}, "'t' or 'binomial'"),
        ({"interval": "binomial", "baseline": [1, 0]}, "no baseline"),
        ({"per": " "}, "per must name"),
    ],
)
def test_bad_interval_options_are_named(kw, match):
    with pytest.raises(ValueError, match=match):
        judge([1, 0], above=0.5, **kw)


def test_binomial_outcomes_must_be_zero_or_one():
    with pytest.raises(ValueError, match="each be 0 or 1"):
        judge([1, 0.5], above=0.5, interval="binomial")
