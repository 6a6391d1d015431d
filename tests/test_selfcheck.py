"""Self-check questions on every reading page: well formed, and working offline in a browser.

Each chapter's reading page ends with 3-5 questions under `## Self-check`. Every choice is a
sphinx-design dropdown (a `<details>` element: no script, keyboard-operable, themed for dark
mode) marked `self-check right` or `self-check wrong`; opening it says whether the choice is
right and why. The browser tests reuse test_site.py's offline server and Chromium.
"""

from __future__ import annotations

import re

import pytest
from test_site import CHAPTERS, ROOT, browser, require_page, server, site, visit  # noqa: F401

PAGES = [*CHAPTERS, "book/judging"]
SUMMARY = next((c for c in CHAPTERS if c.endswith("summary/index")), None)
QUIZ_PAGES = [p for p in PAGES if p != SUMMARY]
CHOICE = re.compile(
    r"^:::\{dropdown\} (?P<label>[^\n]+)\n:class-container: self-check (?P<kind>right|wrong)\n"
    r"(?P<body>.*?)\n:::$", re.MULTILINE | re.DOTALL)


def questions(doc: str) -> list[str]:
    text = (ROOT / f"{doc}.md").read_text(encoding="utf-8")
    if "\n## Self-check\n" not in text:
        return []
    part = text.split("\n## Self-check\n", 1)[1].split("\n## ", 1)[0]
    return re.split(r"^### Question \d+\n", part, flags=re.MULTILINE)[1:]


@pytest.mark.parametrize("doc", QUIZ_PAGES)
def test_each_reading_page_has_three_to_five_questions_with_one_right_choice(doc):
    found = questions(doc)
    assert 3 <= len(found) <= 5, f"{doc}.md has {len(found)} self-check questions (3-5 wanted)"
    for i, q in enumerate(found, start=1):
        choices = list(CHOICE.finditer(q))
        kinds = [c["kind"] for c in choices]
        assert len(choices) >= 2, f"{doc}.md question {i}: fewer than two choices"
        assert kinds.count("right") == 1, f"{doc}.md question {i}: {kinds.count('right')} right"
        for c in choices:
            body = c["body"].strip()
            want = "Right" if c["kind"] == "right" else "Not quite"
            assert body.startswith(want) and len(body) > 40, (
                f"{doc}.md question {i}, choice {c['label']!r}: the explanation must start "
                f"with {want!r} and say why")


@pytest.mark.parametrize("doc", QUIZ_PAGES)
def test_answering_wrong_then_right_with_the_keyboard_shows_each_explanation(doc, visit):  # noqa: F811
    require_page(doc)
    v = visit(f"{doc}.html")
    page = v.page
    wrong = page.locator("details.self-check.wrong").first
    right = page.locator("details.self-check.right").first
    for choice, word in ((wrong, "Not quite"), (right, "Right")):
        assert choice.get_attribute("open") is None, f"{doc}: a choice starts open"
        choice.locator("summary").focus()
        page.keyboard.press("Enter")
        page.wait_for_function("el => el.open", arg=choice.element_handle())
        text = choice.inner_text()
        assert word in text, f"{doc}: opening a choice did not show {word!r}: {text[:120]!r}"
    assert not v.errors, f"{doc}: console errors {v.errors}"
    assert not v.blocked, f"{doc}: requests to other hosts {v.blocked}"


def _luminance(rgb: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+", rgb)[:3])

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def test_self_check_text_is_legible_in_dark_mode(visit):  # noqa: F811
    doc = "book/judging"
    require_page(doc)
    v = visit(f"{doc}.html", color_scheme="dark")
    choice = v.page.locator("details.self-check").first
    choice.locator("summary").click()
    fg, bg = v.page.evaluate(
        """el => {
            const body = el.querySelector('.sd-card-body') || el;
            let node = body, bg = 'rgba(0, 0, 0, 0)';
            while (node && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) {
                bg = getComputedStyle(node).backgroundColor; node = node.parentElement;
            }
            return [getComputedStyle(body).color, bg];
        }""",
        choice.element_handle(),
    )
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    assert (hi + 0.05) / (lo + 0.05) >= 4.5, f"contrast {fg} on {bg} is below WCAG AA"
