"""The book's labs are nbgrader source notebooks, and grading one end to end gives the rubric.

nbgrader's own `generate_assignment` (through `relu-course assign`) runs on every lab, and
nbgrader's metadata validation on every source and release. One lab, the fastest, is graded
through `relu-course grade`: its solution scores full marks, its student version zero.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator

from relu_course.instructor.cli import main
from relu_course.instructor.course import book_root, chapters, leaked_lines

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = chapters(ROOT)


def ids(nb):
    return [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells
            if c.metadata.get("nbgrader")]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("labs") / "course"
    assert main(["assign", "-o", str(course)]) == 0  # every lab of _toc.yml
    return course


def test_every_chapter_of_the_toc_has_a_lab():
    assert book_root(ROOT) == ROOT
    assert len(CHAPTERS) >= 7 and "definition" in CHAPTERS and "summary" not in CHAPTERS


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_nbgrader_generates_and_validates_each_lab(course, chapter):
    source = nbformat.read(course / "source" / chapter / "lab.ipynb", as_version=4)
    release = nbformat.read(course / "release" / chapter / "lab.ipynb", as_version=4)
    book = nbformat.read(ROOT / "book" / chapter / "lab.ipynb", as_version=4)
    assert ids(source) == ids(book)  # the lab itself (compared by cell ids, which outlast edits)
    MetadataValidator().validate_nb(source)
    MetadataValidator().validate_nb(release)
    checkers = [c for c in release.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(checkers) >= 2 and all(c.metadata.nbgrader["locked"] for c in checkers)
    assert leaked_lines(source, release) == []
    assert "### BEGIN SOLUTION" not in json.dumps(release)


def test_the_definition_lab_grades_full_for_its_solution_and_zero_for_its_release(
        course, tmp_path, capsys):
    submitted = tmp_path / "submitted"
    for student, version in (("solution", "source"), ("student", "release")):
        (submitted / student / "definition").mkdir(parents=True)
        shutil.copyfile(course / version / "definition" / "lab.ipynb",
                        submitted / student / "definition" / "lab.ipynb")
    code = main(["grade", str(course), str(submitted), "--json"])
    results = {r["student"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert code == 0
    full, zero = results["solution"], results["student"]
    assert full["score"] == full["max_score"] >= 2, full
    assert zero["score"] == 0 and zero["max_score"] == full["max_score"], zero
