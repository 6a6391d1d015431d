"""Student versions keep everything but the solutions; grading scores what the checkers say."""

from __future__ import annotations

import copy

import pytest
from fixtures.grading_notebooks import (
    crashing_notebook,
    exercise_notebook,
    no_checker_notebook,
    write,
    wrong_answer_notebook,
)
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from relu_course.assignments import (
    CheckResult,
    GradeReport,
    NotebookError,
    cell_points,
    grade_notebook,
    is_checker_cell,
    read_notebook,
    remove_solutions,
    student_notebook,
)

# ---------------------------------------------------------------- remove_solutions


def test_remove_solutions_keeps_the_signature_and_indents_the_stub():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n"
    assert remove_solutions(source) == (
        "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
    )


def test_remove_solutions_replaces_every_region_and_keeps_the_lines_between():
    source = (
        "import torch\n### BEGIN SOLUTION\na = 1\n### END SOLUTION\n"
        "b = 2\n### BEGIN SOLUTION\nc = 3\n### END SOLUTION"
    )
    result = remove_solutions(source)
    assert result.count("raise NotImplementedError()") == 2
    assert "import torch" in result and "b = 2" in result
    assert "a = 1" not in result and "c = 3" not in result


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("### BEGIN SOLUTION\nx = 1", "never closed"),
        ("x = 1\n### END SOLUTION", "line 2: ### END SOLUTION without"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "line 2"),
    ],
)
def test_remove_solutions_rejects_unbalanced_markers(source, problem):
    with pytest.raises(ValueError, match=problem):
        remove_solutions(source)


# ---------------------------------------------------------------- student_notebook


def test_student_notebook_replaces_solutions_and_clears_outputs():
    solution = exercise_notebook()
    original = copy.deepcopy(solution)
    student, summary = student_notebook(solution)

    assert solution == original  # the source notebook is untouched
    assert (summary.regions_replaced, summary.cells_removed) == (2, 1)
    text = "\n".join(cell.source for cell in student.cells)
    assert "return a + b" not in text and "half = 0.5" not in text
    assert text.count("# YOUR CODE HERE\n") == 2
    assert "def add(a, b):" in text and "import math" in text  # outside the markers
    assert "The sum is" not in text  # the markdown solution note is gone
    for cell in student.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_student_notebook_keeps_every_other_cell_and_its_metadata():
    solution = exercise_notebook()
    student, _ = student_notebook(solution)
    kept = [c for c in solution.cells if "solution" not in c.metadata.get("tags", [])]
    assert [c.metadata for c in student.cells] == [c.metadata for c in kept]
    assert [c.source for c in student.cells if is_checker_cell(c)] == [
        c.source for c in kept if is_checker_cell(c)
    ]
    assert student.metadata == solution.metadata


def test_student_notebook_replaces_a_marked_solution_cell_without_markers_whole():
    meta = {"nbgrader": {"solution": True, "grade": False}}
    nb = new_notebook(
        cells=[
            new_code_cell("answer = 42", metadata=meta),
            new_markdown_cell("Because ...", metadata=meta),
            new_markdown_cell("Why?\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION"),
        ]
    )
    student, _ = student_notebook(nb)
    assert student.cells[0].source == "# YOUR CODE HERE\nraise NotImplementedError()"
    assert student.cells[1].source == "YOUR ANSWER HERE"
    assert student.cells[2].source == "Why?\nYOUR ANSWER HERE"


def test_student_notebook_names_the_cell_with_unbalanced_markers():
    nb = new_notebook(cells=[new_code_cell("x = 1"), new_code_cell("### BEGIN SOLUTION\ny = 2")])
    with pytest.raises(NotebookError, match=r"^cell 1: .*never closed"):
        student_notebook(nb)


# ---------------------------------------------------------------- reading and metadata


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "no such file"),
        (b"not json", r"not a notebook \(invalid JSON at line 1, column 1\)"),
        (b'{"a": 1}', "valid JSON but not a Jupyter notebook"),
        (b"\xff\xfe\x00binary", "not UTF-8 text"),
    ],
)
def test_read_notebook_says_in_one_line_what_is_wrong(tmp_path, content, problem):
    path = tmp_path / "sub.ipynb"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(NotebookError, match=problem) as info:
        read_notebook(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)


def test_read_notebook_rejects_a_folder(tmp_path):
    with pytest.raises(NotebookError, match="is a folder"):
        read_notebook(tmp_path)


def test_checker_cells_are_the_graded_non_solution_code_cells():
    graded = {"nbgrader": {"grade": True, "solution": False, "points": 2}}
    assert is_checker_cell(new_code_cell("check()", metadata=graded))
    assert not is_checker_cell(new_markdown_cell("x", metadata=graded))
    assert not is_checker_cell(
        new_code_cell("x", metadata={"nbgrader": {"grade": True, "solution": True}})
    )
    assert cell_points(new_code_cell("check()", metadata=graded)) == 2
    assert cell_points(new_code_cell("check()", metadata={"nbgrader": {"grade": True}})) == 1


@pytest.mark.parametrize("points", [-1, "2", True, float("nan")])
def test_cell_points_rejects_what_is_not_a_non_negative_number(points):
    cell = new_code_cell("check()", metadata={"nbgrader": {"grade": True, "points": points}})
    with pytest.raises(NotebookError, match="points must be a non-negative number"):
        cell_points(cell)


# ---------------------------------------------------------------- reports


def test_grade_report_totals_and_serialises_its_checks():
    report = GradeReport(
        "sub.ipynb",
        [
            CheckResult("check_a", 3, 1.0, 1.0, True, "✓ a"),
            CheckResult("check_b", 5, 2.0, 0.0, False, "b is wrong\n  hint: look"),
        ],
        seconds=1.234,
    )
    assert (report.score, report.max_score) == (1.0, 3.0)
    data = report.to_dict()
    assert (data["score"], data["max_score"], data["seconds"]) == (1, 3, 1.23)
    assert data["checks"][1] == {
        "grade_id": "check_b",
        "cell": 5,
        "points": 2,
        "score": 0,
        "passed": False,
        "message": "b is wrong\n  hint: look",
    }
    text = report.to_text()
    assert text.splitlines()[0] == "sub.ipynb: 1/3 points, 1 of 2 checks passed (1.2 s)"
    assert "FAILED  check_b (0/2): b is wrong" in text and "  hint: look" in text


# ---------------------------------------------------------------- grading (runs kernels)


def test_grading_the_solution_gives_full_marks_and_leaves_the_file_unchanged(tmp_path):
    path = write(exercise_notebook(), tmp_path / "solution.ipynb")
    before = path.read_bytes()
    report = grade_notebook(path, timeout=30)
    assert (report.score, report.max_score) == (3, 3)
    assert [c.message for c in report.checks] == ["✓ add is correct", "✓ half is right"]
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["solution.ipynb"]


def test_a_wrong_answer_or_an_emptied_checker_fails_with_the_reason(tmp_path):
    nb = wrong_answer_notebook()
    nb.cells[8].source = ""  # a learner emptied the second checker cell
    path = write(nb, tmp_path / "wrong.ipynb")
    report = grade_notebook(path, timeout=30)
    add, half = report.checks
    assert not add.passed and add.score == 0
    assert add.message == "add(2, 3) returned -1, expected 5\n  hint: return the sum"
    assert not half.passed and half.message == "the checker cell is empty: restore it"
    assert report.score == 0


def test_a_kernel_crash_fails_the_remaining_checks_with_the_reason(tmp_path):
    path = write(crashing_notebook(), tmp_path / "crash.ipynb")
    report = grade_notebook(path, timeout=30)
    assert report.score == 0
    assert all("kernel died while running cell 3" in c.message for c in report.checks)


def test_grading_refuses_a_notebook_without_checker_cells(tmp_path):
    path = write(no_checker_notebook(), tmp_path / "plain.ipynb")
    with pytest.raises(NotebookError, match="no checker cells"):
        grade_notebook(path)


@pytest.mark.parametrize("timeout", [0, -1, "10", None])
def test_grading_rejects_a_timeout_that_is_not_positive(tmp_path, timeout):
    path = write(exercise_notebook(), tmp_path / "solution.ipynb")
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        grade_notebook(path, timeout=timeout)
