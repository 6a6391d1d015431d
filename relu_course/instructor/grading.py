"""Grade a batch of submissions: each in its own process, kernel and sandbox.

For each (student, assignment) found in the submitted folder, :func:`grade_batch`

1. reads the notebook without trusting it (:mod:`relu_course.instructor.submissions`) and
   stages it as ``COURSE/submitted/<student>/<assignment>/<notebook>.ipynb``;
2. runs nbgrader's autograder and feedback on it in a worker process
   (:mod:`relu_course.instructor.worker`) of its own session, with a scrubbed environment
   and a fresh ``HOME``, ``IPYTHONDIR``, ``TMPDIR`` and Jupyter folders, deleted afterwards,
   and kills whatever the submission left running;
3. reads the score from the gradebook and the checks' messages from the autograded notebook.

A problem with one submission (an unusable file, a worker that was killed or ran past its
time) gives that submission one clear line and the batch goes on.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from relu_course.instructor import submissions as subs
from relu_course.instructor.submissions import FLAGS, note_text
from relu_course.instructor.worker import KERNEL_NAME


@dataclass
class Limits:
    """Seconds a cell may run, seconds a notebook may run, bytes of output per cell, and how
    many submissions are graded at once."""

    timeout: int = 60
    budget: float = 600.0
    max_output_bytes: int = 100_000
    jobs: int = 1  # submissions graded at once


@dataclass
class Result:
    """The grade of one (student, assignment), with what the instructor should know."""

    student: str
    assignment: str
    score: float
    max_score: float
    status: str = "graded"  # "graded", "flagged" (look at it) or "error" (not graded)
    notes: list[str] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    feedback: str | None = None
    seconds: float = 0.0

    def to_json(self) -> str:
        """One JSON line: ``student``, ``assignment``, ``score``, ``max_score``, ... ."""
        data = {k: getattr(self, k) for k in ("student", "assignment", "score", "max_score",
                                              "status", "notes", "checks", "feedback")}
        data["seconds"] = round(self.seconds, 1)
        return json.dumps(data, ensure_ascii=False, allow_nan=False)


def _sandbox_env(sandbox: Path) -> dict[str, str]:
    """A scrubbed environment whose every writable folder lies in ``sandbox``."""
    folders = {"HOME": "home", "IPYTHONDIR": "ipython", "TMPDIR": "tmp",
               "JUPYTER_CONFIG_DIR": "jupyter/config", "JUPYTER_DATA_DIR": "jupyter/data",
               "JUPYTER_RUNTIME_DIR": "jupyter/runtime", "MPLCONFIGDIR": "matplotlib",
               "XDG_CACHE_HOME": "cache", "XDG_CONFIG_HOME": "config", "XDG_DATA_HOME": "data"}
    env = {name: str(sandbox / sub) for name, sub in folders.items()}
    for path in env.values():
        os.makedirs(path, exist_ok=True)
    bin_dir = os.path.dirname(sys.executable)  # nbgrader runs `alembic` from here
    env.update(PATH=os.pathsep.join([bin_dir, "/usr/local/bin", "/usr/bin", "/bin"]),
               LANG="C.UTF-8", LC_ALL="C.UTF-8", PYTHONNOUSERSITE="1", MPLBACKEND="agg",
               PYDEVD_DISABLE_FILE_VALIDATION="1", RELU_COURSE_SANDBOX=str(sandbox))
    return env


def _kernelspec(sandbox: Path, key_file: Path) -> None:
    spec = sandbox / "jupyter" / "data" / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    argv = [sys.executable, "-I", "-m", "relu_course.instructor.kernel", str(key_file),
            "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps(
        {"argv": argv, "display_name": "relu-course grading kernel", "language": "python"}))


def _kill_marked(sandbox: Path) -> None:
    """Kill any process still running with this sandbox in its environment."""
    marker = f"RELU_COURSE_SANDBOX={sandbox}".encode()
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                if marker in Path(f"/proc/{entry}/environ").read_bytes().split(b"\0"):
                    os.kill(int(entry), signal.SIGKILL)
            except OSError:
                continue


_RUNNING: set[subprocess.Popen] = set()  # the workers of the batch, for Ctrl-C
_LOCK = threading.Lock()


def _stop_all() -> None:
    with _LOCK:
        for worker in _RUNNING:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)


def run_worker(course: Path, sub: subs.Submission, limits: Limits) -> list[dict[str, Any]]:
    """Autograde one staged submission in a worker process; return the worker's notes."""
    private = Path(tempfile.mkdtemp(prefix="relu-course-grade-"))
    try:
        sandbox, notes = private / "sandbox", private / "notes.jsonl"
        env = _sandbox_env(sandbox)
        key = secrets.token_bytes(32)
        key_file = sandbox / "tmp" / "check-key"
        key_file.write_bytes(key)
        key_file.chmod(0o600)
        _kernelspec(sandbox, key_file)
        job = {"course": str(course), "assignment": sub.assignment, "student": sub.student,
               "notebook": sub.notebook, "notes": str(notes), "key": key.hex(),
               "timeout": limits.timeout, "budget": limits.budget,
               "max_output_bytes": limits.max_output_bytes}
        worker = subprocess.Popen(
            [sys.executable, "-I", "-m", "relu_course.instructor.worker"], stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=private,
            start_new_session=True)
        with _LOCK:
            _RUNNING.add(worker)
        problem = ""
        try:
            worker.communicate(json.dumps(job).encode(), timeout=limits.budget + 180)
        except subprocess.TimeoutExpired:
            problem = f"grading ran past {limits.budget + 180:g} s and was stopped"
        finally:  # also on Ctrl-C: nothing of this submission keeps running
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
            _kill_marked(sandbox)
            with _LOCK:
                _RUNNING.discard(worker)
        if worker.returncode and worker.returncode < 0 and not problem:
            name = signal.Signals(-worker.returncode).name
            problem = f"the grading process was stopped by {name} (sent by the submission?)"
        found = [json.loads(line) for line in notes.read_text().splitlines()] if (
            notes.exists()) else []
        if problem or not any(n["kind"] == "autograde" for n in found):
            found.append({"kind": "autograde", "success": False,
                          "error": problem or f"the grading process exited ({worker.returncode})"})
        return found
    finally:
        shutil.rmtree(private, ignore_errors=True)


def _messages(autograded: Path) -> dict[str, str]:
    """grade_id -> why the check failed, from the autograded notebook's error outputs."""
    out: dict[str, str] = {}
    if not autograded.exists():
        return out
    for cell in nbformat.read(autograded, as_version=4).cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        for o in cell.get("outputs", []):
            if gid and o.get("output_type") == "error":
                text = f"{o.get('ename')}: {o.get('evalue', '')}".strip()
                out[gid] = " ".join(text.split())[:300]
            elif gid and o.get("name") == "stderr" and gid not in out:
                out[gid] = "wrote to stderr, which nbgrader counts as a failure"
    return out


def scores(course: Path, student: str, assignment: str) -> tuple[float, float, list[dict]]:
    """The score, the maximum and the per-check grades the gradebook holds."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return 0.0, float(gb.find_assignment(assignment).max_score), []
        checks = []
        for nb in submission.notebooks:
            messages = _messages(course / "autograded" / student / assignment / f"{nb.name}.ipynb")
            for grade in nb.grades:
                checks.append({"grade_id": grade.name, "score": float(grade.score),
                               "max_score": float(grade.max_score),
                               "message": messages.get(grade.name, "")})
        return float(submission.score), float(submission.max_score), checks


def grade_one(course: Path, sub: subs.Submission, rubrics: dict[str, subs.Rubric],
              limits: Limits) -> Result:
    """Stage, autograde and score one submission."""
    start = time.monotonic()
    shown = f"{sub.student}/{sub.assignment}/{sub.notebook}.ipynb"
    if sub.path is None:
        raise subs.Unusable(f"{shown}: no such notebook in the submission")
    nb, converted = subs.read(sub.path)
    notes = [{"kind": "info", "text": t} for t in converted]
    notes += subs.compare(nb, sub.assignment, rubrics)
    if any(n["kind"] == "wrong_lab" for n in notes):  # never graded as this assignment
        max_score = sum(float(p) for p in rubrics[sub.assignment].points.values())
        return Result(sub.student, sub.assignment, 0.0, max_score, status="flagged",
                      notes=[*map(note_text, notes), "scored 0: not graded as this assignment"],
                      seconds=time.monotonic() - start)
    target = course / "submitted" / sub.student / sub.assignment / f"{sub.notebook}.ipynb"
    in_place = os.path.realpath(sub.path) == os.fsencode(os.path.realpath(target))
    if in_place and converted:  # graded from nbgrader's own folder: keep what was handed in
        shutil.copyfile(target, target.with_name(target.name + ".orig"))
    if converted or not in_place:
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
    stamp = os.path.join(os.path.dirname(sub.path), b"timestamp.txt")
    if not in_place and os.path.isfile(stamp):
        shutil.copyfile(stamp, target.parent / "timestamp.txt")
    found = run_worker(course, sub, limits)
    notes += found
    outcome = next(n for n in found if n["kind"] == "autograde")
    score, max_score, checks = scores(course, sub.student, sub.assignment)
    result = Result(sub.student, sub.assignment, score, max_score, checks=checks)
    if not outcome["success"]:
        result.status, result.score = "error", 0.0
        result.notes.append(f"not graded: {outcome.get('error')}")
    seen = set()
    for note in notes:
        if note["kind"] == "autograde":
            continue
        text = note_text(note)
        if text not in seen:
            seen.add(text)
            result.notes.append(text)
        if note["kind"] in FLAGS and result.status == "graded":
            result.status = "flagged"
    html = course / "feedback" / sub.student / sub.assignment / f"{sub.notebook}.html"
    result.feedback = str(html) if html.exists() and outcome.get("feedback") else None
    result.seconds = time.monotonic() - start
    return result


def grade_batch(
    course: Path, submitted: Path, limits: Limits,
    on_result: Callable[[Result], None], on_problem: Callable[[str], None],
) -> list[Result]:
    """Grade every submission in ``submitted``; call back with each result and problem."""
    from relu_course.instructor.course import Course

    info = Course(course)
    rubrics = {a: subs.rubric_of(info.source(a, nbs[0])) for a, nbs in info.notebooks.items()}
    found, problems = subs.find(submitted, info.notebooks)
    for problem in problems:
        on_problem(problem)

    def one(sub: subs.Submission) -> tuple[Result, str]:
        try:
            return grade_one(course, sub, rubrics, limits), ""
        except subs.Unusable as exc:
            return Result(sub.student, sub.assignment, 0.0, info.max_score[sub.assignment],
                          status="error", notes=[str(exc)]), str(exc)

    results = []
    with ThreadPoolExecutor(max_workers=limits.jobs) as pool:
        try:
            for future in [pool.submit(one, sub) for sub in found]:  # results in order
                result, problem = future.result()
                if problem:
                    on_problem(problem)
                results.append(result)
                on_result(result)
        except BaseException:  # Ctrl-C: stop the running workers, start no other
            pool.shutdown(wait=False, cancel_futures=True)
            _stop_all()
            raise
    return results
