"""Hint ladders: one rung at a time, collapsed in HTML, clear errors."""

import pytest

from relu_course.checks import _hints, hint, hints


@pytest.fixture
def ladder(monkeypatch):
    monkeypatch.setattr(_hints, "_ladders", lambda: {"demo": ("nudge", "idea", "line")})


def test_hint_gives_one_rung_named_by_its_level(ladder):
    assert hint("demo", 1) == "Hint 1 of 3 (a nudge): nudge"
    assert hint("demo", 3) == "Hint 3 of 3 (the hardest line): line"


def test_ladder_renders_collapsed_and_nested_so_rungs_open_one_at_a_time(ladder):
    page = hints("demo")._repr_html_()
    assert page.count("<details") == 3
    assert "open" not in page
    assert page.index("nudge") < page.index("idea") < page.index("line")
    assert "line" not in repr(hints("demo"))


def test_unknown_exercise_and_bad_level_are_named(ladder):
    with pytest.raises(ValueError, match="exercises with hints: demo"):
        hint("nope", 1)
    with pytest.raises(ValueError, match="1, 2 or 3"):
        hint("demo", 4)


def test_every_chapter_ladder_has_three_non_empty_rungs():
    ladders = _hints._ladders()
    for key, rungs in ladders.items():
        assert len(rungs) == 3 and all(r.strip() for r in rungs), key
