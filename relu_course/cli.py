"""``relu-course``: make student notebooks from the labs, and grade submissions.

Run ``relu-course --help`` for the workflow. Every problem with an input is reported in one
line on stderr, and the command goes on with the other notebooks; the exit status says
whether every input could be used (0) or not (2).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import nbformat

from relu_course import __version__
from relu_course.assignments import (
    DEFAULT_TIMEOUT,
    NotebookError,
    grade_notebook,
    read_notebook,
    student_notebook,
)

PROG = "relu-course"
EXIT_OK = 0
EXIT_BAD_INPUT = 2

DESCRIPTION = """\
Instructor tools for the relu-course labs.

The lab notebooks in book/<chapter>/lab.ipynb are the solution notebooks: each exercise's
answer sits between "### BEGIN SOLUTION" and "### END SOLUTION", and a checker cell after it
(nbgrader metadata "grade": true, with its points) calls relu_course.checks.

Workflow:
  1. relu-course student book/*/lab.ipynb -o student
       writes student/<chapter>/lab.ipynb with the solutions replaced by stubs;
  2. learners fill in "# YOUR CODE HERE" and run the checker cells for instant feedback;
  3. relu-course grade submissions/*.ipynb [--json]
       runs each submission in a fresh kernel and scores its checker cells.

The notebooks also work with nbgrader (same markers and cell metadata).

Exit status: 0 when every notebook could be processed (failed checks included), 2 when any
input was unusable or the command line was wrong."""

STUDENT_HELP = """\
Write student versions of solution notebooks: every solution region becomes
"# YOUR CODE HERE" and "raise NotImplementedError()", markdown cells tagged "solution" are
removed, outputs and execution counts are cleared, everything else is kept.

Each SRC is written to OUT under its path relative to the sources' common folder:
one notebook gives OUT/lab.ipynb; book/*/lab.ipynb gives OUT/definition/lab.ipynb, ...
The sources are never overwritten, OUT may not lie inside the book/ folder, and existing
files in OUT are kept unless --force is given."""

GRADE_HELP = """\
Grade submitted notebooks. Each one is copied to a temporary folder and run there, top to
bottom, in a fresh kernel (the submission itself is never modified); every checker cell
scores its points when it runs without an error. A cell running longer than --timeout is
interrupted and grading goes on; if the kernel dies, the remaining checks fail with that
reason. Solution notebooks score full marks; an untouched student version scores 0.

Without --json: a readable report per notebook. With --json: one JSON object per line and
notebook, {"notebook", "score", "max_score", "seconds", "checks": [{"grade_id", "cell",
"points", "score", "passed", "message"}]}, or {"notebook", "error"} for an unusable file."""


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The ``relu-course`` argument parser, with the ``student`` and ``grade`` subcommands."""
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog=PROG, description=DESCRIPTION, formatter_class=formatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    student = commands.add_parser(
        "student",
        help="write student notebooks (solutions removed)",
        description=STUDENT_HELP,
        formatter_class=formatter,
    )
    student.add_argument("sources", nargs="+", metavar="SRC", help="solution notebooks (.ipynb)")
    student.add_argument(
        "-o", "--output", required=True, metavar="OUT", help="folder to write them into"
    )
    student.add_argument(
        "--force", action="store_true", help="overwrite student notebooks already in OUT"
    )

    grade = commands.add_parser(
        "grade",
        help="run submissions and score their checker cells",
        description=GRADE_HELP,
        formatter_class=formatter,
    )
    grade.add_argument("notebooks", nargs="+", metavar="NOTEBOOK", help="submitted notebooks")
    grade.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help=f"seconds each cell may run (default: {DEFAULT_TIMEOUT:g})",
    )
    grade.add_argument("--json", action="store_true", help="print JSON instead of a report")
    return parser


def _error(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


def _book_folder(path: Path) -> Path | None:
    """The Jupyter Book's ``book/`` folder that ``path`` lies in, if any."""
    for folder in (path, *path.parents):
        if folder.name == "book" and any(
            (folder.parent / name).is_file() for name in ("_toc.yml", "_config.yml")
        ):
            return folder
    return None


def run_student(sources: Sequence[str], output: str, force: bool = False) -> int:
    """Write the student version of each source into ``output``; return the exit status."""
    out = Path(output)
    book = _book_folder(out.resolve())
    if book is not None:
        _error(
            f"refusing to write into the book folder {book}: the book keeps the solutions; "
            "choose an output folder outside it, e.g. -o student"
        )
        return EXIT_BAD_INPUT
    if out.exists() and not out.is_dir():
        _error(f"{out} exists and is not a folder")
        return EXIT_BAD_INPUT
    resolved = [Path(s).resolve() for s in sources]
    base = Path(os.path.commonpath([p.parent for p in resolved]))
    originals = set(resolved)
    status = EXIT_OK
    done: set[Path] = set()
    for source, src in zip(sources, resolved):
        target = out / src.relative_to(base)
        if target.resolve() in done:
            continue
        try:
            if target.resolve() in originals:
                raise NotebookError(f"{source}: writing {target} would overwrite a source")
            if target.exists() and not force:
                raise NotebookError(f"{target} exists; pass --force to overwrite it")
            nb = read_notebook(source)
            try:
                student, summary = student_notebook(nb)
            except NotebookError as exc:
                raise NotebookError(f"{source}: {exc}") from None
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(student, target)
        except (NotebookError, OSError) as exc:
            _error(str(exc) if isinstance(exc, NotebookError) else f"{target}: {exc.strerror}")
            status = EXIT_BAD_INPUT
            continue
        done.add(target.resolve())
        print(
            f"wrote {target}: {summary.regions_replaced} solution(s) replaced, "
            f"{summary.cells_removed} solution note(s) removed"
        )
    return status


def run_grade(
    notebooks: Sequence[str], timeout: float = DEFAULT_TIMEOUT, as_json: bool = False
) -> int:
    """Grade each notebook and print its report; return the exit status."""
    status = EXIT_OK
    for number, path in enumerate(notebooks):
        try:
            report = grade_notebook(path, timeout=timeout)
        except NotebookError as exc:
            message = str(exc)
        except Exception as exc:  # a kernel that cannot start, an nbclient failure, ...
            message = f"{path}: could not be graded ({type(exc).__name__}: {exc})"
        else:
            if as_json:
                print(json.dumps(report.to_dict(), ensure_ascii=False), flush=True)
            else:
                print(("\n" if number else "") + report.to_text(), flush=True)
            continue
        status = EXIT_BAD_INPUT
        message = " ".join(message.split())
        _error(message)
        if as_json:
            print(json.dumps({"notebook": str(path), "error": message}), flush=True)
    return status


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
        if args.command == "student":
            return run_student(args.sources, args.output, force=args.force)
        return run_grade(args.notebooks, timeout=args.timeout, as_json=args.json)
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
