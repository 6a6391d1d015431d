"""``relu-course assign``: an nbgrader course directory made from the book's labs.

The labs, ``book/<chapter>/lab.ipynb`` for the chapters ``_toc.yml`` lists, are nbgrader
*source* notebooks: each answer sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
in a cell marked as a solution, and each checker cell is a locked, graded cell. For each lab,
:func:`assign` copies it to ``COURSE/source/<chapter>/lab.ipynb`` and runs nbgrader's
``generate_assignment``, which records the rubric (checker cells, their code and points) in
``COURSE/gradebook.db`` and writes the student version ``COURSE/release/<chapter>/lab.ipynb``
(solutions and hidden tests cleared, checker cells locked). Before that it refuses a lab
whose markers nbgrader would not see exactly (``###BEGIN SOLUTION``, lower case, an ``END``
without its ``BEGIN``), and after it checks that no line of a solution reached the release.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat

NOTEBOOK = "lab"
CONFIG = '''\
# nbgrader's configuration for this course, written by `relu-course assign`.
# `relu-course grade` adds its own integrity steps and limits on top of it.
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "relu-course"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}
c.ClearSolutions.enforce_metadata = True
c.Execute.timeout = 60
'''
_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION",
            "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
_LOOKALIKE = re.compile(r"(BEGIN|END)\s*(SOLUTION|HIDDEN\s*TESTS)", re.IGNORECASE)


class AssignError(ValueError):
    """A lab or a course folder that cannot be used; the message is one line."""


@contextlib.contextmanager
def tools_on_path() -> Iterator[None]:
    """Put this interpreter's ``bin`` folder first on PATH: nbgrader runs ``alembic``."""
    before = os.environ.get("PATH", "")
    os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), before])
    try:
        yield
    finally:
        os.environ["PATH"] = before


def book_root(start: Path | None = None) -> Path:
    """The clone's root: the first folder holding ``_toc.yml``, from ``start`` upwards."""
    here = (start or Path.cwd()).resolve()
    package = Path(__file__).resolve().parents[2]
    for folder in (here, *here.parents, package):
        if (folder / "_toc.yml").is_file() and (folder / "book").is_dir():
            return folder
    raise AssignError("no _toc.yml found: run relu-course assign inside a clone of the "
                      "course's repository, or pass the labs' paths")


def chapters(root: Path) -> list[str]:
    """The chapters that have a lab, in the order of ``_toc.yml``."""
    found = re.findall(r"file:\s*book/([\w-]+)/lab\b", (root / "_toc.yml").read_text("utf-8"))
    return [name for name in dict.fromkeys(found) if (root / "book" / name / "lab.ipynb").is_file()]


def resolve(labs: Sequence[str]) -> list[tuple[str, Path]]:
    """(chapter, path) for each lab: a chapter name, a lab's path, or every lab when empty."""
    if not labs:
        root = book_root()
        return [(name, root / "book" / name / "lab.ipynb") for name in chapters(root)]
    out = []
    for lab in labs:
        path = Path(lab)
        if path.suffix != ".ipynb":
            root = book_root()
            if lab not in chapters(root):
                raise AssignError(f"{lab!r} is not a chapter with a lab; the chapters are "
                                  f"{', '.join(chapters(root))}")
            path = root / "book" / lab / "lab.ipynb"
        if not path.is_file():
            raise AssignError(f"{path}: no such notebook")
        out.append((path.resolve().parent.name, path))
    return out


def marker_problems(nb: nbformat.NotebookNode) -> list[str]:
    """What nbgrader would get wrong about a source's markers, one line each."""
    problems = []
    for index, cell in enumerate(nb.cells):
        open_marker = None
        for number, line in enumerate(cell.source.splitlines(), start=1):
            where = f"cell {index}, line {number}"
            if not _LOOKALIKE.search(line):
                continue
            marker = line.strip()
            if marker not in _MARKERS:
                problems.append(f"{where}: {marker!r} is not exactly one of {', '.join(_MARKERS)}")
            elif marker.startswith("### BEGIN"):
                if open_marker:
                    problems.append(f"{where}: {marker} inside another region")
                open_marker = marker
            elif open_marker != marker.replace("END", "BEGIN"):
                problems.append(f"{where}: {marker} without its BEGIN")
            else:
                open_marker = None
        if open_marker:
            problems.append(f"cell {index}: {open_marker} is never closed")
    return problems


def leaked_lines(source: nbformat.NotebookNode, release: nbformat.NotebookNode) -> list[str]:
    """Lines of a solution region or hidden test of ``source`` that ``release`` still holds."""
    released = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in release.cells}
    leaks = []
    for cell in source.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        inside, hidden = False, set()
        for line in cell.source.splitlines():
            if line.strip().startswith("### BEGIN"):
                inside = True
            elif line.strip().startswith("### END"):
                inside = False
            elif inside and line.strip():
                hidden.add(line.strip())
        outside = {ln.strip() for ln in cell.source.splitlines()} - hidden
        kept = {ln.strip() for ln in released.get(gid, "").splitlines()}
        leaks += [f"{gid}: {line!r}" for line in sorted((hidden - outside) & kept)]
    return leaks


@dataclass
class Course:
    """An nbgrader course directory that ``relu-course assign`` made."""

    root: Path

    def __post_init__(self) -> None:
        if not (self.root / "gradebook.db").is_file():
            raise AssignError(f"{self.root}: not a course (no gradebook.db); make one with "
                              "relu-course assign -o COURSE")
        from nbgrader.api import Gradebook

        with tools_on_path(), Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gb:
            self.notebooks = {a.name: [n.name for n in a.notebooks] for a in gb.assignments}
            self.max_score = {a.name: float(a.max_score) for a in gb.assignments}

    def source(self, assignment: str, notebook: str) -> Path:
        return self.root / "source" / assignment / f"{notebook}.ipynb"


def assign(labs: Sequence[tuple[str, Path]], course: Path, force: bool = False) -> list[str]:
    """Make or update the course directory; return one line per lab written.

    Raises:
        AssignError: a lab's markers are wrong, ``course`` holds a different source of a lab
            (pass ``force``), nbgrader failed, or the release would leak a solution.
    """
    from nbgrader.converters import GenerateAssignment

    from relu_course.instructor.worker import course_config, run_nbgrader

    if course.exists() and not course.is_dir():
        raise AssignError(f"{course} exists and is not a folder")
    lines = []
    for chapter, path in labs:
        nb = nbformat.read(path, as_version=4)
        problems = marker_problems(nb)
        if problems:
            raise AssignError(f"{path}: {problems[0]} ({len(problems)} problem(s))")
        target = course / "source" / chapter / f"{NOTEBOOK}.ipynb"
        if target.exists() and target.read_bytes() != path.read_bytes() and not force:
            raise AssignError(f"{target} differs from {path}; pass --force to replace it "
                              "(the rubric of graded work changes with it)")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    course.mkdir(parents=True, exist_ok=True)
    if not (course / "nbgrader_config.py").exists():
        (course / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    config = course_config(course.resolve())
    with tools_on_path():
        for chapter, _ in labs:
            result = run_nbgrader(GenerateAssignment, config, chapter)
            if not result["success"]:
                last = (result.get("error") or result.get("log") or "").strip().splitlines()
                raise AssignError(f"nbgrader could not generate {chapter}: "
                                  f"{last[-1] if last else 'no message'}")
            source = nbformat.read(course / "source" / chapter / "lab.ipynb", as_version=4)
            release_path = course / "release" / chapter / f"{NOTEBOOK}.ipynb"
            leaks = leaked_lines(source, nbformat.read(release_path, as_version=4))
            if leaks:
                release_path.unlink()
                raise AssignError(f"{release_path} would hold solution lines ({leaks[0]}); "
                                  "removed")
            checkers = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")]
            points = sum(float(c.metadata["nbgrader"].get("points", 0)) for c in checkers)
            lines.append(f"{release_path}: {len(checkers)} checker(s), {points:g} point(s)")
    return lines
