"""``relu-course``: make an nbgrader course from the labs, and grade the submissions.

Run ``relu-course --help`` for the workflow. Every problem with an input is reported in one
line on stderr, and the command goes on with the other inputs.
"""

from __future__ import annotations

import argparse
import csv
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from relu_course import __version__

PROG = "relu-course"
EXIT_OK, EXIT_FLAGGED, EXIT_BAD_INPUT = 0, 1, 2

DESCRIPTION = """\
Instructor tools for the relu-course labs, with nbgrader as the grading engine
(install them with: pip install "relu-course[instructor]").

The labs book/<chapter>/lab.ipynb are nbgrader source notebooks: each answer sits between
"### BEGIN SOLUTION" and "### END SOLUTION", and a locked checker cell after it (nbgrader
metadata "grade": true, with its points) calls relu_course.checks.

Workflow:
  1. relu-course assign -o course            (or: relu-course assign definition sparsity -o course)
       makes the nbgrader course folder: source/, gradebook.db, release/<chapter>/lab.ipynb;
  2. hand out course/release/<chapter>/lab.ipynb; learners run the checker cells for
     instant feedback;
  3. collect the work as submitted/<student>/<chapter>/lab.ipynb (nbgrader collect, or an
     LMS download unpacked that way);
  4. relu-course grade course submitted [--json]
       grades each submission against the gradebook, in a sandboxed kernel of its own, and
       writes course/grades.csv and course/feedback/<student>/<chapter>/lab.html.

Exit status: 0 when everything was graded, 1 when some submissions are flagged (graded, but
look at them), 2 when some input could not be used or the command line was wrong."""

ASSIGN_HELP = """\
Make (or update) an nbgrader course folder from the labs: COURSE/source/<chapter>/lab.ipynb,
COURSE/nbgrader_config.py, COURSE/gradebook.db (the rubric: checker cells, their code and
points) and COURSE/release/<chapter>/lab.ipynb, the student versions nbgrader generates
(solutions and hidden tests cleared). LAB is a chapter name or a lab's path; all labs of
_toc.yml by default. A lab whose solution markers are not exactly "### BEGIN SOLUTION" /
"### END SOLUTION" is refused, and so is a release that would still hold a solution line.
A source already in COURSE that differs from the lab is kept unless --force is given."""

GRADE_HELP = """\
Grade the submissions in SUBMITTED (laid out as <student>/<chapter>/lab.ipynb) with
nbgrader's autograder against COURSE's gradebook. The rubric comes from the gradebook alone:
checker cells are restored from the instructor's source (edited, deleted, converted or
duplicated ones included), and the checkers and what they compare against are bound before
the submission's code runs. Each submission runs in a kernel of its own with a fresh home,
IPython and temporary folder, a scrubbed environment and, on Linux, no write access outside
them; a cell running past --timeout is interrupted, a notebook past --budget stops, and a
dead kernel fails the checks after it.

Writes COURSE/grades.csv (every graded submission of the gradebook) and the feedback
COURSE/feedback/<student>/<chapter>/lab.html, and prints one table. With --json: one JSON
object a line per (student, assignment): student, assignment, score, max_score, status
(graded, flagged or error), notes, checks, feedback, seconds."""


def build_parser() -> argparse.ArgumentParser:
    """The ``relu-course`` argument parser, with the ``assign`` and ``grade`` subcommands."""
    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog=PROG, description=DESCRIPTION, formatter_class=fmt)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    assign = commands.add_parser("assign", help="make the nbgrader course folder from the labs",
                                 description=ASSIGN_HELP, formatter_class=fmt)
    assign.add_argument("labs", nargs="*", metavar="LAB", help="chapter names or lab paths")
    assign.add_argument("-o", "--output", required=True, metavar="COURSE",
                        help="the course folder to make or update")
    assign.add_argument("--force", action="store_true",
                        help="replace sources in COURSE that differ from the labs")

    grade = commands.add_parser("grade", help="grade submissions with nbgrader",
                                description=GRADE_HELP, formatter_class=fmt)
    grade.add_argument("course", metavar="COURSE", help="the folder relu-course assign made")
    grade.add_argument("submitted", metavar="SUBMITTED", help="<student>/<chapter>/lab.ipynb")
    grade.add_argument("--json", action="store_true", help="print JSON lines, not a table")
    grade.add_argument("--timeout", type=_positive(int), default=60, metavar="S",
                       help="seconds each cell may run (default: 60)")
    grade.add_argument("--budget", type=_positive(float), default=600.0, metavar="S",
                       help="seconds each notebook may run in all (default: 600)")
    grade.add_argument("--jobs", type=_positive(int), default=1, metavar="N",
                       help="submissions graded at once (default: 1; at most one per core)")
    return parser


def _positive(kind: type) -> object:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            value = 0
        if not 0 < value < float("inf"):
            raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
        return value

    return parse


def _error(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr, flush=True)


def _number(x: float) -> str:
    return f"{x:g}"


def run_assign(labs: Sequence[str], output: str, force: bool = False) -> int:
    """``relu-course assign``; returns the exit status."""
    from relu_course.instructor.course import AssignError, assign, resolve

    try:
        for line in assign(resolve(labs), Path(output), force=force):
            print(f"wrote {line}")
    except AssignError as exc:
        _error(str(exc))
        return EXIT_BAD_INPUT
    return EXIT_OK


def write_csv(course: Path, results: Sequence[object]) -> Path:
    """``COURSE/grades.csv``: every submission in the gradebook, with this batch's notes."""
    from nbgrader.api import Gradebook

    latest = {(r.student, r.assignment): r for r in results}
    rows = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                r = latest.get((sub.student.id, assignment.name))  # this batch's, if any
                rows.append([sub.student.id, assignment.name, _number(r.score if r else sub.score),
                             _number(sub.max_score), r.status if r else "graded",
                             " | ".join(r.notes) if r else ""])
    for r in results:  # submissions not graded by nbgrader are not in the gradebook
        if not any(row[:2] == [r.student, r.assignment] for row in rows):
            rows.append([r.student, r.assignment, _number(r.score), _number(r.max_score), r.status,
                         " | ".join(r.notes)])
    path = course / "grades.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "assignment", "score", "max_score", "status", "notes"])
        writer.writerows(sorted(rows))
    return path


def run_grade(course: str, submitted: str, as_json: bool = False, timeout: int = 60,
              budget: float = 600.0, jobs: int = 1) -> int:
    """``relu-course grade``; returns the exit status."""
    from relu_course.instructor.course import AssignError, tools_on_path
    from relu_course.instructor.grading import Limits, grade_batch

    root, folder = Path(course).resolve(), Path(submitted)
    if not folder.is_dir():
        _error(f"{submitted}: no such folder of submissions")
        return EXIT_BAD_INPUT
    problems: list[str] = []
    if not as_json:
        print(f"{'student':<16} {'assignment':<14} {'score':>7}  status   notes", flush=True)

    def show(r: object) -> None:
        if as_json:
            print(r.to_json(), flush=True)
            return
        score = f"{_number(r.score)}/{_number(r.max_score)}"
        print(f"{r.student:<16} {r.assignment:<14} {score:>7}  {r.status:<8} "
              f"{'; '.join(r.notes)}".rstrip(), flush=True)

    def problem(text: str) -> None:
        problems.append(text)
        _error(text)

    try:
        with tools_on_path():
            results = grade_batch(root, folder, Limits(timeout, budget, jobs=jobs), show, problem)
            write_csv(root, results)
    except AssignError as exc:
        _error(str(exc))
        return EXIT_BAD_INPUT
    if problems or any(r.status == "error" for r in results):
        return EXIT_BAD_INPUT
    return EXIT_FLAGGED if any(r.status == "flagged" for r in results) else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``relu-course`` command; returns the exit status.

    Examples:
        >>> main(["--version"])
        relu-course 0.1.0
        0
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_BAD_INPUT
    try:
        import nbgrader  # noqa: F401
    except ImportError:
        _error('nbgrader is not installed: pip install "relu-course[instructor]"')
        return EXIT_BAD_INPUT
    try:
        previous = signal.signal(signal.SIGTERM, _interrupt)
    except ValueError:  # not the main thread: SIGTERM keeps its handler
        previous = None
    try:
        if args.command == "assign":
            return run_assign(args.labs, args.output, force=args.force)
        return run_grade(args.course, args.submitted, as_json=args.json,
                         timeout=args.timeout, budget=args.budget, jobs=args.jobs)
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the batch like Ctrl-C, cleaning up the worker
