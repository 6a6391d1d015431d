"""glue and claim hand numbers and verdicts to the pages, and refuse malformed ones."""

import pytest

from relu_course.report import _Text, claim, glue
from relu_course.stats import judge


def test_claim_prints_verdict_effect_interval_and_seeds():
    line = claim("demo", judge([2.0, 2.2, 1.8, 2.1, 1.9], above=1.0), "speed-up", unit="x")
    assert line.startswith("demo: holds: speed-up, 2.0x [")
    assert "(95% t interval, 5 seeds)" in line


def test_claim_takes_its_verdict_only_from_the_one_rule():
    with pytest.raises(ValueError, match=r"relu_course\.stats\.judge"):
        claim("demo", "holds", "1 number")


def test_claim_requires_evidence():
    with pytest.raises(ValueError, match="evidence"):
        claim("demo", judge([1.0, 1.1], above=0.0), "  ")


def test_claim_rejects_a_key_the_pages_could_not_paste():
    with pytest.raises(ValueError, match="identifier"):
        claim("two words", judge([1.0, 1.1], above=0.0), "x")


def test_glue_rejects_names_the_pages_could_not_paste():
    with pytest.raises(ValueError, match="identifier"):
        glue("two words", 1)


def test_glued_text_is_shown_without_quotes():
    assert repr(_Text("holds")) == "holds"
