"""glue and claim hand numbers and verdicts to the pages, and refuse malformed ones."""

import pytest

from relu_course.report import VERDICTS, _Text, claim, glue


def test_claim_returns_a_readable_line_for_every_verdict():
    for verdict in VERDICTS:
        assert claim("demo", verdict, "1 number") == f"demo: {verdict} (1 number)"


def test_claim_rejects_a_verdict_outside_the_three_the_book_uses():
    with pytest.raises(ValueError, match="holds with conditions"):
        claim("demo", "mostly true", "1 number")


def test_claim_requires_evidence():
    with pytest.raises(ValueError, match="evidence"):
        claim("demo", "holds", "  ")


def test_glue_rejects_names_the_pages_could_not_paste():
    with pytest.raises(ValueError, match="identifier"):
        glue("two words", 1)


def test_glued_text_is_shown_without_quotes():
    assert repr(_Text("holds")) == "holds"
