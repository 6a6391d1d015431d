"""`relu-course assign` and `relu-course grade` as an instructor runs them (no kernels here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures.grading_notebooks import lab, write

from relu_course.instructor.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def course(tmp_path, capsys):
    source = write(lab(exercises=2), tmp_path / "book" / "alpha" / "lab.ipynb")
    code, _, _ = run(capsys, "assign", str(source), "-o", str(tmp_path / "course"))
    assert code == 0
    return tmp_path / "course"


def test_the_installed_command_explains_the_workflow():
    result = subprocess.run([str(Path(sys.executable).with_name("relu-course")), "--help"],
                            capture_output=True, text=True, check=True)
    for words in ("relu-course assign", "relu-course grade", "nbgrader", "release/",
                  "grades.csv", "relu-course[instructor]", "Exit status: 0"):
        assert words in result.stdout


@pytest.mark.parametrize(("command", "words"), [
    ("assign", ["source/<chapter>/lab.ipynb", "gradebook.db", "release/", "--force"]),
    ("grade", ["<student>/<chapter>/lab.ipynb", "--timeout", "--budget", "--jobs", "--json",
               "max_score", "feedback", "scrubbed environment"]),
])
def test_each_subcommand_help_says_what_it_does(capsys, command, words):
    code, out, _ = run(capsys, command, "--help")
    assert code == 0
    for word in words:
        assert word in out


def test_a_usage_error_exits_2_with_a_message_and_no_traceback(capsys):
    code, _, err = run(capsys, "grade", "c", "s", "--timeout", "-3")
    assert code == 2
    assert "expected a positive number, got '-3'" in err and "Traceback" not in err


def test_assign_writes_source_gradebook_config_and_a_release_without_solutions(course):
    assert (course / "source/alpha/lab.ipynb").is_file()
    assert (course / "gradebook.db").is_file() and (course / "nbgrader_config.py").is_file()
    release = (course / "release/alpha/lab.ipynb").read_text(encoding="utf-8")
    assert "raise NotImplementedError()" in release and "torch.where" not in release


def test_assign_names_an_unknown_chapter(capsys, tmp_path):
    code, _, err = run(capsys, "assign", "no_such_chapter", "-o", str(tmp_path / "c"))
    assert code == 2 and "'no_such_chapter' is not a chapter with a lab" in err


def test_assign_refuses_lookalike_markers(capsys, tmp_path):
    nb = lab(exercises=1)
    nb.cells[3].source = nb.cells[3].source.replace("### BEGIN SOLUTION", "###BEGIN SOLUTION")
    source = write(nb, tmp_path / "book" / "alpha" / "lab.ipynb")
    code, _, err = run(capsys, "assign", str(source), "-o", str(tmp_path / "c"))
    assert code == 2 and "'###BEGIN SOLUTION' is not exactly one of" in err
    assert not (tmp_path / "c" / "release").exists()


def test_assign_keeps_a_different_source_unless_forced(capsys, course, tmp_path):
    changed = write(lab(exercises=3), tmp_path / "book" / "alpha" / "lab.ipynb")
    code, _, err = run(capsys, "assign", str(changed), "-o", str(course))
    assert code == 2 and "pass --force to replace it" in err
    code, out, _ = run(capsys, "assign", str(changed), "-o", str(course), "--force")
    assert code == 0 and "3 checker(s), 4 point(s)" in out


def test_grade_refuses_a_folder_that_is_not_a_course(capsys, tmp_path):
    (tmp_path / "submitted").mkdir()
    code, _, err = run(capsys, "grade", str(tmp_path), str(tmp_path / "submitted"))
    assert code == 2 and "not a course (no gradebook.db)" in err


def test_grade_reports_each_unusable_entry_in_one_line(capsys, course, tmp_path):
    submitted = tmp_path / "submitted"
    (submitted / "ada" / "alpha").mkdir(parents=True)
    (submitted / "ada" / "alpha" / "lab.ipynb").write_bytes(b"\xff\xfe not text")
    (submitted / "bob" / "homework").mkdir(parents=True)
    (submitted / "bob" / "alpha").mkdir(parents=True)  # no lab.ipynb in it
    (submitted / "stray.zip").write_bytes(b"PK")
    code, out, err = run(capsys, "grade", str(course), str(submitted))
    assert code == 2 and "Traceback" not in err
    assert len(err.splitlines()) == 4
    assert "stray.zip: not a student folder" in err
    assert "bob/homework: not an assignment of this course (alpha)" in err
    assert "ada/alpha/lab.ipynb: not a notebook (the file is not UTF-8 text)" in err
    assert "bob/alpha/lab.ipynb: no such notebook in the submission" in err
    assert out.splitlines()[0].split() == ["student", "assignment", "score", "status", "notes"]
    assert "grades.csv" in os.listdir(course)
