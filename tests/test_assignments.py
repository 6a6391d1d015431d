"""The glue's own rules: solution markers, leaks into a release, reading submissions."""

from __future__ import annotations

import json

import nbformat
import pytest
from fixtures.grading_notebooks import lab

from relu_course.instructor.course import leaked_lines, marker_problems
from relu_course.instructor.submissions import Unusable, compare, escaped, read, rubric_of


@pytest.mark.parametrize(("line", "problem"), [
    ("###BEGIN SOLUTION", "is not exactly one of"),
    ("### BEGIN SOLUTION ###", "is not exactly one of"),
    ("### begin solution", "is not exactly one of"),
    ("### END SOLUTION", "### END SOLUTION without its BEGIN"),
])
def test_marker_problems_name_every_marker_nbgrader_would_miss(line, problem):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"x = 1\n{line}\ny = 2")])
    problems = marker_problems(nb)
    assert problems and problem in problems[0] and problems[0].startswith("cell 0, line 2")


def test_marker_problems_accept_the_labs_markers_and_catch_an_unclosed_region():
    assert marker_problems(lab()) == []
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx")])
    assert marker_problems(nb) == ["cell 0: ### BEGIN SOLUTION is never closed"]


def test_leaked_lines_finds_a_solution_line_left_in_the_release():
    source = lab(exercises=1)
    release = nbformat.from_dict(json.loads(json.dumps(source)))
    assert leaked_lines(source, release) == [
        "relu_1: 'return torch.where(x < 0, torch.zeros_like(x), x)'"]
    release.cells[3].source = "def relu_1(x):\n    raise NotImplementedError()"
    assert leaked_lines(source, release) == []


def test_escaped_keeps_utf8_and_escapes_other_bytes():
    assert escaped("Zoë".encode()) == "Zoë"
    assert escaped(b"\xe9mile") == "\\xe9mile"


@pytest.mark.parametrize(("content", "problem"), [
    (b"\xff\xfe", "not UTF-8 text"),
    (b"{ nope", "invalid JSON at line 1, column 3"),
    (b'{"cells": 3}', "valid JSON but not a Jupyter notebook"),
    (b'{"cells": [{"cell_type": "code"}], "nbformat": 4, "nbformat_minor": 5, "metadata": {}}',
     "not a valid Jupyter notebook"),
])
def test_read_says_in_one_line_what_is_wrong(tmp_path, content, problem):
    path = tmp_path / "lab.ipynb"
    path.write_bytes(content)
    with pytest.raises(Unusable, match=problem) as info:
        read(bytes(path))
    assert "\n" not in str(info.value)


def test_read_converts_nbformat_3_and_keeps_infinite_points_readable(tmp_path):
    nb = lab(exercises=1)
    nb.cells[4].metadata.nbgrader["points"] = float("inf")
    path = tmp_path / "lab.ipynb"
    path.write_text(nbformat.writes(nbformat.convert(nb, 3), version=3))
    assert "Infinity" in path.read_text()
    converted, notes = read(bytes(path))
    assert converted.nbformat == 4 and notes == ["converted from nbformat 3"]


def test_compare_flags_another_lab_and_an_edited_checker(tmp_path):
    rubrics = {}
    for name, prefix in (("alpha", ""), ("beta", "b_")):
        nbformat.write(lab(prefix=prefix), tmp_path / f"{name}.ipynb")
        rubrics[name] = rubric_of(tmp_path / f"{name}.ipynb")
    assert compare(lab(prefix="b_"), "alpha", rubrics) == [{"kind": "wrong_lab", "lab": "beta"}]
    edited = lab()
    edited.cells[4].source = "pass"
    assert compare(edited, "alpha", rubrics) == [{"kind": "edited", "grade_id": "check_relu_1"}]
