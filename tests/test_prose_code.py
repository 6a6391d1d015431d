"""Code samples in the book's prose do what the prose says.

A solution shown on a page (between `### BEGIN SOLUTION` markers) must pass the checker the
labs use for it, and the worked examples of "How this course judges a claim" must run.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import re
from pathlib import Path

import pytest

import relu_course.checks as checks

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(p for p in (ROOT / "book").rglob("*.md") if "_build" not in p.parts)
BLOCK = re.compile(r"^([ \t]*)```python\n(.*?)^\1```", re.MULTILINE | re.DOTALL)


def python_blocks(page: Path) -> list[str]:
    return [re.sub(rf"(?m)^{indent}", "", body) for indent, body in
            BLOCK.findall(page.read_text(encoding="utf-8"))]


def lab_checkers() -> dict[str, str]:
    """learner's name -> the checker the labs call on it, e.g. "my_relu" -> "check_relu"."""
    found = {}
    for lab in sorted((ROOT / "book").glob("*/lab.ipynb")):
        for cell in json.loads(lab.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                for checker, arg in re.findall(r"\b(check_\w+)\((\w+)\)", "".join(cell["source"])):
                    found[arg] = checker
    return found


SOLUTIONS = [(p.relative_to(ROOT).as_posix(), i, code) for p in PAGES
             for i, code in enumerate(python_blocks(p)) if "### BEGIN SOLUTION" in code]


def test_the_book_shows_at_least_one_solution_sample():
    assert SOLUTIONS, "no page shows a solution sample any more: drop this test with it"


@pytest.mark.parametrize(("page", "index", "code"), SOLUTIONS,
                         ids=[f"{p}#{i}" for p, i, _ in SOLUTIONS])
def test_every_solution_sample_in_prose_passes_its_checker(page, index, code):
    names = [n.name for n in ast.parse(code).body if isinstance(n, ast.FunctionDef)]
    namespace: dict = {}
    exec(compile(code, f"{page} block {index}", "exec"), namespace)
    checked = []
    called = lab_checkers()
    for name in names:
        checker = getattr(checks, called.get(name, f"check_{name}"), None)
        if checker is not None:
            with contextlib.redirect_stdout(io.StringIO()) as out:
                checker(namespace[name])
            assert out.getvalue().startswith("✓"), out.getvalue()
            checked.append(name)
    assert checked, f"{page} block {index} defines {names}, and no lab checks any of them"


@pytest.mark.parametrize("code", python_blocks(ROOT / "book" / "judging.md"))
def test_the_judging_page_examples_run_and_print_a_verdict(code):
    with contextlib.redirect_stdout(io.StringIO()) as out:
        exec(compile(code, "book/judging.md", "exec"), {})
    assert re.match(r"(holds|holds with conditions|does not hold here|inconclusive here) ",
                    out.getvalue()), out.getvalue()
