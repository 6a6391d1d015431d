"""`relu-course student` and `relu-course grade`, as an instructor runs them."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from fixtures.grading_notebooks import (
    exercise_notebook,
    looping_notebook,
    no_checker_notebook,
    write,
)

from relu_course.assignments import grade_notebook, is_checker_cell
from relu_course.cli import main

ROOT = Path(__file__).resolve().parents[1]
LABS = sorted((ROOT / "book").glob("*/lab.ipynb"))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- help


def test_the_installed_command_explains_the_workflow():
    result = subprocess.run(
        [str(Path(sys.executable).with_name("relu-course")), "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for words in ("relu-course student", "relu-course grade", "### BEGIN SOLUTION", "nbgrader"):
        assert words in result.stdout
    assert "Exit status: 0" in result.stdout


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("student", ["# YOUR CODE HERE", "solution", "OUT/definition/lab.ipynb", "--force"]),
        ("grade", ["fresh kernel", "never modified", "--timeout", "--json", "max_score"]),
    ],
)
def test_each_subcommand_help_says_what_it_does(capsys, command, words):
    code, out, _ = run(capsys, command, "--help")
    assert code == 0
    for word in words:
        assert word in out


def test_a_usage_error_exits_2_with_a_message_and_no_traceback(capsys):
    code, _, err = run(capsys, "grade", "x.ipynb", "--timeout", "-3")
    assert code == 2
    assert "expected a positive number of seconds, got '-3'" in err
    assert "Traceback" not in err


# ---------------------------------------------------------------- student


def test_student_writes_the_notebook_without_solutions_and_outputs(capsys, tmp_path):
    source = write(exercise_notebook(), tmp_path / "lab.ipynb")
    before = source.read_bytes()
    code, out, _ = run(capsys, "student", str(source), "-o", str(tmp_path / "out"))
    assert code == 0
    assert "2 solution(s) replaced, 1 solution note(s) removed" in out
    assert source.read_bytes() == before

    student = nbformat.read(tmp_path / "out" / "lab.ipynb", as_version=4)
    nbformat.validate(student)
    sources = "\n".join(c.source for c in student.cells)
    assert "return a + b" not in sources and sources.count("raise NotImplementedError()") == 2
    assert all(c.outputs == [] for c in student.cells if c.cell_type == "code")
    assert sum(is_checker_cell(c) for c in student.cells) == 2


def test_student_keeps_the_chapter_folders_of_several_labs(capsys, tmp_path):
    for chapter in ("definition", "sparsity"):
        write(exercise_notebook(), tmp_path / "src" / chapter / "lab.ipynb")
    sources = sorted(str(p) for p in (tmp_path / "src").glob("*/lab.ipynb"))
    code, _, _ = run(capsys, "student", *sources, "-o", str(tmp_path / "out"))
    assert code == 0
    written = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*"))
    assert written == ["definition", "definition/lab.ipynb", "sparsity", "sparsity/lab.ipynb"]


def test_student_refuses_to_write_into_the_book_folder(capsys, tmp_path):
    (tmp_path / "_toc.yml").write_text("root: book/intro\n")
    source = write(exercise_notebook(), tmp_path / "book" / "definition" / "lab.ipynb")
    code, out, err = run(capsys, "student", str(source), "-o", str(tmp_path / "book" / "student"))
    assert code == 2 and out == ""
    assert "refusing to write into the book folder" in err
    assert not (tmp_path / "book" / "student").exists()


def test_student_never_overwrites_its_source(capsys, tmp_path):
    source = write(exercise_notebook(), tmp_path / "lab.ipynb")
    before = source.read_bytes()
    code, _, err = run(capsys, "student", str(source), "-o", str(tmp_path))
    assert code == 2 and "would overwrite a source" in err
    assert source.read_bytes() == before


def test_student_keeps_an_existing_file_unless_forced(capsys, tmp_path):
    source = write(exercise_notebook(), tmp_path / "lab.ipynb")
    target = tmp_path / "out" / "lab.ipynb"
    target.parent.mkdir()
    target.write_text("my edits")
    code, _, err = run(capsys, "student", str(source), "-o", str(tmp_path / "out"))
    assert code == 2 and "exists; pass --force to overwrite it" in err
    assert target.read_text() == "my edits"
    code, _, _ = run(capsys, "student", str(source), "-o", str(tmp_path / "out"), "--force")
    assert code == 0 and "raise NotImplementedError()" in target.read_text()


def test_student_reports_a_bad_source_in_one_line_and_writes_the_others(capsys, tmp_path):
    good = write(exercise_notebook(), tmp_path / "a" / "lab.ipynb")
    bad = tmp_path / "b" / "lab.ipynb"
    bad.parent.mkdir()
    bad.write_text("{ not json")
    missing = tmp_path / "c" / "lab.ipynb"
    code, _, err = run(
        capsys, "student", str(good), str(bad), str(missing), "-o", str(tmp_path / "out")
    )
    assert code == 2
    assert (tmp_path / "out" / "a" / "lab.ipynb").exists()
    assert err.count("\n") == 2 and "invalid JSON" in err and "no such file" in err


# ---------------------------------------------------------------- grade


def test_grade_json_scores_solution_full_student_zero_and_reports_bad_inputs(capsys, tmp_path):
    solution = write(exercise_notebook(), tmp_path / "solution.ipynb")
    assert main(["student", str(solution), "-o", str(tmp_path / "student")]) == 0
    not_json = tmp_path / "not_json.ipynb"
    not_json.write_text("print('hello')")
    not_notebook = tmp_path / "not_notebook.ipynb"
    not_notebook.write_text('{"cells": "none"}')
    no_checks = write(no_checker_notebook(), tmp_path / "no_checks.ipynb")
    capsys.readouterr()

    code, out, err = run(
        capsys,
        "grade",
        "--json",
        "--timeout",
        "30",
        str(tmp_path / "missing.ipynb"),
        str(solution),
        str(not_json),
        str(not_notebook),
        str(no_checks),
        str(tmp_path / "student" / "solution.ipynb"),
    )
    assert code == 2
    missing, full, bad_json, bad_nb, none, stub = (json.loads(line) for line in out.splitlines())
    assert (full["score"], full["max_score"]) == (3, 3)
    assert [c["passed"] for c in full["checks"]] == [True, True]
    assert set(full["checks"][0]) == {"grade_id", "cell", "points", "score", "passed", "message"}
    assert (stub["score"], stub["max_score"]) == (0, 3)
    assert "the exercise still holds the stub" in stub["checks"][0]["message"]
    assert "no such file" in missing["error"]
    assert "invalid JSON" in bad_json["error"]
    assert "not a Jupyter notebook" in bad_nb["error"]
    assert "no checker cells" in none["error"]
    assert len(err.splitlines()) == 4 and "Traceback" not in err


def test_grade_interrupts_a_cell_past_the_timeout_and_grades_the_rest(capsys, tmp_path):
    path = write(looping_notebook(), tmp_path / "loop.ipynb")
    code, out, err = run(capsys, "grade", "--timeout", "2", str(path))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith(f"{path}: 2/3 points, 1 of 2 checks passed (")
    assert lines[1] == "  FAILED  check_add (0/1): timed out after 2 s"
    assert lines[2] == "  passed  check_half (2/2): ✓ half is right"


def test_ctrl_c_stops_grading_with_status_130_and_no_traceback(tmp_path):
    started = tmp_path / "started"
    nb = looping_notebook()
    nb.cells[4].source = f"open({str(started)!r}, 'w').close()\nwhile True:\n    pass"
    path = write(nb, tmp_path / "loop.ipynb")
    command = [str(Path(sys.executable).with_name("relu-course")), "grade", str(path), str(path)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as p:
        deadline = time.monotonic() + 60
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
    assert p.returncode == 130
    assert err == "relu-course: error: interrupted\n" and out == ""


# ---------------------------------------------------------------- the book's labs


def test_the_book_has_lab_notebooks_to_grade():
    assert LABS, "no book/*/lab.ipynb found"


@pytest.mark.parametrize("lab", LABS, ids=[p.parent.name for p in LABS])
def test_each_lab_scores_full_marks_and_its_student_version_zero(capsys, tmp_path, lab):
    copy = tmp_path / "src" / lab.name  # grade a copy: the book's file is never touched
    copy.parent.mkdir()
    shutil.copyfile(lab, copy)
    assert main(["student", str(copy), "-o", str(tmp_path / "student")]) == 0

    solution = grade_notebook(copy, timeout=120)
    assert len(solution.checks) >= 2, "every lab has at least two exercises"
    failed = [f"{c.grade_id}: {c.message}" for c in solution.checks if not c.passed]
    assert not failed and solution.score == solution.max_score

    student = grade_notebook(tmp_path / "student" / lab.name, timeout=120)
    passed = [c.grade_id for c in student.checks if c.passed]
    assert not passed, f"checks that pass on the stubs: {passed}"
    assert student.score == 0 and student.max_score == solution.max_score
