"""`relu-course grade` on one batch of honest, tampered and broken submissions.

The batch is graded once (module fixture) through `relu-course assign` and `relu-course grade
--json --jobs 2`; each test then asserts the rubric's score of one kind of submission. The
honest grade of every tampered submission is written next to it: tampering never raises it.
(A student version scoring zero is tested on a real lab, in test_grading_labs.py.)
"""

from __future__ import annotations

import copy
import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from fixtures.grading_notebooks import cell_of, lab, submission, write
from nbformat.v4 import new_code_cell

from relu_course.instructor import landlock
from relu_course.instructor.cli import main

PATCH_STARTUP = """\
import os, pathlib
startup = pathlib.Path(os.environ["IPYTHONDIR"]) / "profile_default" / "startup"
startup.mkdir(parents=True, exist_ok=True)
(startup / "00-cheat.py").write_text("import torch\\ntorch.relu = torch.abs\\n")
for target in ("../../../planted.txt", os.path.expanduser("~/../../planted.txt")):
    try:
        open(target, "w").close()
    except OSError:
        pass
"""
SIGNALS = """\
import signal
for kill in (lambda: os.kill(os.getppid(), signal.SIGTERM),
             lambda: os.killpg(os.getpgid(os.getppid()), signal.SIGKILL)):
    try:
        kill()
    except OSError:
        pass
"""


def tamper_a(release):
    """Exercise 1 right (honest 2/5); its checker's points set to Infinity, a 1000-point
    fake grade cell, checker 2 deleted, 3 made markdown, 4 made raw."""
    nb = submission(release, right=(1,))
    nb.cells[cell_of(nb, "check_relu_1")].metadata.nbgrader["points"] = float("inf")
    fake = {"grade": True, "solution": False, "locked": True, "points": 1000,
            "grade_id": "bonus", "schema_version": 3}
    nb.cells.append(new_code_cell("print('full marks')", metadata={"nbgrader": fake}))
    nb.cells[cell_of(nb, "check_relu_3")].cell_type = "markdown"
    nb.cells[cell_of(nb, "check_relu_4")].cell_type = "raw"
    for i in (cell_of(nb, "check_relu_3"), cell_of(nb, "check_relu_4")):
        nb.cells[i].pop("outputs", None)
        nb.cells[i].pop("execution_count", None)
    del nb.cells[cell_of(nb, "check_relu_2")]
    return nb


def tamper_b(release):
    """Exercise 1 right (honest 2/5); checker 1 pasted twice, 2 unmarked, 3 edited to pass,
    4 wrapped in try/except."""
    nb = submission(release, right=(1,))
    i = cell_of(nb, "check_relu_1")
    nb.cells.insert(i, nbformat.from_dict({**json.loads(json.dumps(nb.cells[i])), "id": "pasted"}))
    del nb.cells[cell_of(nb, "check_relu_2")].metadata["nbgrader"]
    nb.cells[cell_of(nb, "check_relu_3")].source = "pass"
    c4 = nb.cells[cell_of(nb, "check_relu_4")]
    c4.source = "try:\n" + "".join(f"    {line}\n" for line in c4.source.splitlines()) + (
        "except Exception:\n    pass")
    return nb


def with_cell(nb, source, at=2):
    nb.cells.insert(at, new_code_cell(source))
    return nb


def submissions(release, beta_source, source):
    """student folder name (bytes) -> (notebook or raw bytes, honest score out of 5)."""
    patch_during = submission(release, right=(2,))
    patch_during.cells[cell_of(patch_during, "relu_1")].source = (
        "def relu_1(x):\n    import torch\n    torch.relu = torch.abs\n    return x.abs()")
    robust = submission(release, right=(1, 3, 4))  # 2 + 0 + 1 + 0
    robust.cells[cell_of(robust, "relu_2")].source = "name = input('name? ')"
    robust.cells.insert(cell_of(robust, "relu_3"), new_code_cell("while True:\n    pass"))
    robust.cells[cell_of(robust, "relu_3")].source += "\nprint('x' * 5_000_000)"
    robust.cells[cell_of(robust, "relu_4")].source = "import os\nos._exit(1)"
    planter = with_cell(submission(release, right=(1,)), PATCH_STARTUP + SIGNALS)
    return {
        b"a_planter": (planter, 2),
        b"b_victim": (submission(release, wrong=(1, 2, 3, 4)), 0),
        b"broken": (b"{ this is not json", None),
        b"error_reporting": (with_cell(submission(release), (
            "ip = get_ipython()\nip.set_custom_exc((BaseException,), lambda *a, **k: None)\n"
            "ip.showtraceback = lambda *a, **k: None\nimport sys\n"
            "sys.excepthook = lambda *a: None\nimport builtins\n"
            "builtins.__relu_course_check__ = lambda *a: None")), 0),
        b"honest": (source, 5),
        b"patch_during": (patch_during, 1),
        b"patch_reference": (with_cell(submission(release, wrong=(1, 2, 3, 4)), (
            "import torch\ntorch.relu = torch.abs\n"
            "import relu_course.checks as rc\nimport relu_course.checks.definition as d\n"
            "d.check_relu.__code__ = (lambda my_relu: None).__code__\n"
            "rc.check_relu = lambda f: None")), 0),
        b"robust": (robust, 3),
        b"tamper_a": (tamper_a(release), 2),
        b"tamper_b": (tamper_b(release), 2),
        b"wrong_lab": (beta_source, 0),
        "Émile".encode("latin-1"): (nbformat.convert(copy.deepcopy(source), 3), 5),
    }


def strict_json(line: str) -> dict:
    """JSON as the standard defines it: NaN and Infinity are not numbers there."""
    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(line, parse_constant=refuse)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grading")
    write(lab(), tmp / "book" / "alpha" / "lab.ipynb")
    write(lab(prefix="b_"), tmp / "book" / "beta" / "lab.ipynb")
    course = tmp / "course"
    assert main(["assign", str(tmp / "book/alpha/lab.ipynb"), str(tmp / "book/beta/lab.ipynb"),
                 "-o", str(course)]) == 0
    release = nbformat.read(course / "release/alpha/lab.ipynb", as_version=4)
    source = nbformat.read(course / "source/alpha/lab.ipynb", as_version=4)
    beta = nbformat.read(course / "source/beta/lab.ipynb", as_version=4)
    expected = {}
    for student, (nb, honest) in submissions(release, beta, source).items():
        path = os.path.join(os.fsencode(tmp / "submitted"), student, b"alpha", b"lab.ipynb")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(nb if isinstance(nb, bytes) else nbformat.writes(nb).encode()
                    if nb.nbformat == 4 else nbformat.writes(nb, version=3).encode())
        expected[student.decode("utf-8", "backslashreplace")] = honest
    return tmp, course, expected


@pytest.fixture(scope="module")
def graded(batch, tmp_path_factory):
    tmp, course, expected = batch
    capture = tmp / "out.jsonl"
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["grade", str(course), str(tmp / "submitted"), "--json", "--timeout", "5",
                     "--jobs", "2"])
    capture.write_text(out.getvalue())
    results = {r["student"]: r for r in map(strict_json, out.getvalue().splitlines())}
    return code, results, err.getvalue(), course, expected


def test_every_submission_gets_one_line_and_the_batch_goes_on(graded):
    code, results, err, _, expected = graded
    assert code == 2  # a broken file is bad input
    assert set(results) == set(expected)
    assert err.count("\n") == 1 and "broken/alpha/lab.ipynb: not a notebook (invalid JSON" in err
    assert results["broken"]["status"] == "error" and results["broken"]["score"] == 0


@pytest.mark.parametrize("student", ["honest", "b_victim", "robust", "\\xc9mile",
                                     "patch_during", "patch_reference", "error_reporting",
                                     "tamper_a", "tamper_b", "wrong_lab", "a_planter"])
def test_each_submission_scores_its_honest_grade(graded, student):
    _, results, _, _, expected = graded
    result = results[student]
    assert (result["score"], result["max_score"]) == (expected[student], 5), result


def test_tampered_submissions_are_flagged_with_what_was_done(graded):
    results = graded[1]
    notes = {s: " | ".join(r["notes"]) for s, r in results.items()}
    assert results["honest"]["status"] == "graded" and notes["honest"] == ""
    assert "WRONG LAB: this notebook holds the cells of 'beta'" in notes["wrong_lab"]
    assert "scored 0: not graded as this assignment" in notes["wrong_lab"]
    for words in ("check_relu_1's grading metadata", "graded cell 'bonus'",
                  "check_relu_2 was missing", "check_relu_3 had been turned into a markdown",
                  "check_relu_4 had been turned into a raw"):
        assert words in notes["tamper_a"]
    for words in ("check_relu_1 appears 2 times", "check_relu_3 had been edited",
                  "check_relu_4 had been edited"):
        assert words in notes["tamper_b"]
    assert "did not confirm it passed" in notes["error_reporting"]
    assert results["error_reporting"]["status"] == "flagged"
    assert "torch.relu" in notes["patch_reference"]
    assert "relu_course.checks.check_relu" in notes["patch_reference"]
    assert results["patch_reference"]["status"] == "flagged"
    assert "changed torch.relu while the checker ran" in results["patch_during"]["checks"][0][
        "message"]


def test_a_non_utf8_name_is_graded_escaped_and_nbformat_3_converted(graded):
    result = graded[1]["\\xc9mile"]
    assert result["status"] == "graded" and "converted from nbformat 3" in result["notes"]


def test_faults_fail_their_checks_with_one_clear_reason(graded):
    results = graded[1]
    robust = {c["grade_id"]: c["message"] for c in results["robust"]["checks"]}
    assert "NameError" in robust["check_relu_2"]  # input() failed, relu_2 never defined
    assert "not run: the kernel died while running cell" in robust["check_relu_4"]
    cells = nbformat.read(graded[3] / "autograded/robust/alpha/lab.ipynb", as_version=4).cells
    errors = [o.get("evalue", "") for c in cells for o in c.get("outputs", [])]
    assert "the cell ran past 5 s" in errors  # the loop was interrupted, the rest ran
    autograded = graded[3] / "autograded" / "robust" / "alpha" / "lab.ipynb"
    assert autograded.stat().st_size < 1_000_000  # the 5 MB output was capped


@pytest.mark.skipif(landlock.abi_version() < 6, reason="needs Linux Landlock ABI 6")
def test_a_submission_cannot_write_outside_its_sandbox_or_signal_the_grader(graded):
    _, results, _, course, _ = graded
    assert not (course / "planted.txt").exists()
    assert results["a_planter"]["status"] == "graded" and results["a_planter"]["score"] == 2


def test_grades_csv_and_feedback_are_written(graded):
    _, results, _, course, _ = graded
    with open(course / "grades.csv", encoding="utf-8") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert rows["honest"]["score"] == "5" and rows["honest"]["max_score"] == "5"
    assert rows["wrong_lab"]["status"] == "flagged"
    assert rows["broken"]["status"] == "error"
    assert rows["\\xc9mile"]["score"] == "5"  # a name that is not UTF-8, escaped
    feedback = Path(results["honest"]["feedback"])
    assert feedback == course / "feedback" / "honest" / "alpha" / "lab.html"
    assert "check_relu" in feedback.read_text(encoding="utf-8")


def _sandboxed_pids() -> set[int]:
    """Live processes started for a submission (zombies, already killed, do not count)."""
    found = set()
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
            if state not in "ZX" and b"RELU_COURSE_SANDBOX=" in Path(
                    f"/proc/{entry}/environ").read_bytes():
                found.add(int(entry))
        except OSError:
            continue
    return found


def test_ctrl_c_stops_the_batch_with_status_130_and_leaves_nothing_running(batch, tmp_path):
    _, course, _ = batch
    release = nbformat.read(course / "release/alpha/lab.ipynb", as_version=4)
    looping = submission(release)
    looping.cells[1].source = "while True:\n    pass"
    write(looping, tmp_path / "submitted" / "ada" / "alpha" / "lab.ipynb")
    before = _sandboxed_pids()
    command = [str(Path(sys.executable).with_name("relu-course")), "grade", str(course),
               str(tmp_path / "submitted")]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as grader:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(_sandboxed_pids() - before) < 2:
            time.sleep(0.2)  # the worker, then its kernel
        time.sleep(2)
        grader.send_signal(signal.SIGINT)
        _, err = grader.communicate(timeout=60)
    assert grader.returncode == 130 and err == "relu-course: error: interrupted\n"
    deadline = time.monotonic() + 15  # killed processes may take a moment to go
    while _sandboxed_pids() - before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _sandboxed_pids() - before
