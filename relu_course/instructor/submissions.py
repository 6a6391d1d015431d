"""Find the submissions in a folder, read them, and check them against the rubric.

Submissions are laid out as nbgrader's ``submitted/<student>/<assignment>/<notebook>.ipynb``.
Folder and file names are taken as bytes, so a name that is not valid UTF-8 (common in the
zip files an LMS hands out) is graded under its escaped form, ``\\xe9mile``, and never stops
the batch. Each notebook is read without trusting it: it must be UTF-8 JSON, a Jupyter
notebook (nbformat 3 is converted to 4), and not huge; what is wrong with it is said in one
line. Then its cells are compared with the instructor's source, for the report: checker
cells edited, duplicated or missing, graded cells the assignment does not have, or the cells
of another lab (a different lab handed in).
"""

from __future__ import annotations

import json
import os
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

# The notes that make a submission "flagged": graded, but the instructor should look at it.
FLAGS = {"wrong_lab", "no_cells", "unknown_cell", "metadata", "edited", "undone", "unconfirmed"}
MAX_BYTES = 20_000_000
_SKIPPED = (b".", b"__MACOSX")


class Unusable(ValueError):
    """A submission that cannot be graded; the message is one line."""


def escaped(name: bytes) -> str:
    """A file name as text: UTF-8 when it is, else with ``\\xNN`` escapes for its bytes.

    Examples:
        >>> escaped("Émile".encode()), escaped("Émile".encode("latin-1"))
        ('Émile', '\\\\xc9mile')
    """
    try:
        return name.decode("utf-8")
    except UnicodeDecodeError:
        return name.decode("utf-8", "backslashreplace")


@dataclass
class Submission:
    """One notebook a student handed in for one assignment."""

    student: str  # escaped
    assignment: str
    notebook: str  # the notebook's name without .ipynb, as in the gradebook
    path: bytes | None  # None when it is missing
    notes: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Rubric:
    """What the instructor's source of one assignment notebook holds."""

    checkers: dict[str, str]  # grade_id -> the checker cell's source
    ids: set[str]  # every nbgrader cell id
    points: dict[str, float]  # grade_id -> points, for every graded cell


def rubric_of(source: Path) -> Rubric:
    """The rubric of an instructor's source notebook."""
    nb = nbformat.read(source, as_version=4)
    checkers, ids, points = {}, set(), {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id"):
            ids.add(meta["grade_id"])
            if meta.get("grade"):
                points[meta["grade_id"]] = float(meta.get("points", 0))
            if meta.get("grade") and not meta.get("solution") and cell.cell_type == "code":
                checkers[meta["grade_id"]] = cell.source
    return Rubric(checkers, ids, points)


def find(submitted: Path, notebooks: dict[str, list[str]]) -> tuple[list[Submission], list[str]]:
    """Every (student, assignment) folder in ``submitted``, and one line per stray entry.

    Args:
        submitted: the folder holding ``<student>/<assignment>/``.
        notebooks: assignment -> its notebooks' names, from the gradebook.
    """
    found, problems = [], []
    for student in sorted(os.scandir(os.fsencode(submitted)), key=lambda e: e.name):
        if student.name.startswith(_SKIPPED):
            continue
        if not student.is_dir():
            problems.append(f"{escaped(student.path)}: not a student folder; skipped")
            continue
        for work in sorted(os.scandir(student.path), key=lambda e: e.name):
            if work.name.startswith(_SKIPPED):
                continue
            name = escaped(work.name)
            if not work.is_dir() or name not in notebooks:
                problems.append(
                    f"{escaped(work.path)}: not an assignment of this course "
                    f"({', '.join(sorted(notebooks))}); skipped"
                )
                continue
            for notebook in notebooks[name]:
                path = os.path.join(work.path, os.fsencode(notebook + ".ipynb"))
                found.append(Submission(
                    escaped(student.name), name, notebook, path if os.path.exists(path) else None
                ))
    return found, problems


def read(path: bytes) -> tuple[NotebookNode, list[str]]:
    """A submitted notebook as nbformat 4, and notes on what was converted.

    Raises:
        Unusable: missing, a folder, too big, not UTF-8, not JSON, or not a notebook.
    """
    shown = escaped(path)
    if os.path.isdir(path):
        raise Unusable(f"{shown}: is a folder, not a notebook")
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            raise Unusable(f"{shown}: {size / 1e6:.0f} MB, more than a lab can be "
                           f"({MAX_BYTES / 1e6:.0f} MB)")
        with open(path, "rb") as f:
            text = f.read().decode("utf-8")
    except UnicodeDecodeError:
        raise Unusable(f"{shown}: not a notebook (the file is not UTF-8 text)") from None
    except OSError as exc:
        raise Unusable(f"{shown}: cannot be read ({exc.strerror})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Unusable(f"{shown}: not a notebook (invalid JSON at line {exc.lineno}, "
                       f"column {exc.colno})") from None
    if not (isinstance(data, dict) and isinstance(data.get("nbformat"), int)
            and isinstance(data.get("cells", data.get("worksheets")), list)):
        raise Unusable(f"{shown}: valid JSON but not a Jupyter notebook (no cells/nbformat)")
    notes = [f"converted from nbformat {data['nbformat']}"] if data["nbformat"] < 4 else []
    try:
        with warnings.catch_warnings():  # duplicate cell ids (pasted cells) are repaired
            warnings.simplefilter("ignore")
            nb = nbformat.reads(text, as_version=4)
            nbformat.validate(nb)
    except Exception as exc:  # nbformat raises several types for malformed notebooks
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise Unusable(f"{shown}: not a valid Jupyter notebook ({first[:200]})") from None
    return nb, notes


def _ids(nb: NotebookNode) -> list[str]:
    out = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader")
        if isinstance(meta, dict) and isinstance(meta.get("grade_id"), str):
            out.append(meta["grade_id"])
    return out


def compare(nb: NotebookNode, assignment: str, rubrics: dict[str, Rubric]) -> list[dict]:
    """Notes on how the submission's cells differ from its assignment's source."""
    rubric, ids = rubrics[assignment], _ids(nb)
    notes: list[dict[str, Any]] = []
    if not set(ids) & rubric.ids:
        likely = max(rubrics, key=lambda name: len(set(ids) & rubrics[name].ids))
        if set(ids) & rubrics[likely].ids:
            notes.append({"kind": "wrong_lab", "lab": likely})
        else:
            notes.append({"kind": "no_cells"})
        return notes
    for grade_id, count in sorted(Counter(ids).items()):
        if count > 1 and grade_id in rubric.ids:
            notes.append({"kind": "duplicate", "grade_id": grade_id, "count": count})
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader")
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if grade_id in rubric.checkers:
            if cell.cell_type != "code":
                notes.append({"kind": "converted", "grade_id": grade_id,
                              "cell_type": cell.cell_type})
            elif cell.source != rubric.checkers[grade_id]:
                notes.append({"kind": "edited", "grade_id": grade_id})
    return notes


def note_text(note: dict[str, Any]) -> str:
    """One line for a note from the checks of the submission or from the grader's steps."""
    gid = note.get("grade_id", "")
    return {
        "wrong_lab": f"WRONG LAB: this notebook holds the cells of '{note.get('lab')}'",
        "no_cells": "none of the assignment's cells are in this notebook (another notebook?)",
        "duplicate": f"{gid} appears {note.get('count')} times; one copy was graded",
        "converted": f"{gid} had been turned into a {note.get('cell_type')} cell; restored",
        "edited": f"{gid} had been edited; the instructor's checker was run",
        "metadata": f"{gid}'s grading metadata had been changed; the gradebook's was used",
        "unknown_cell": f"a graded cell '{gid}' the assignment does not have was ignored",
        "restored": f"{gid} was missing (deleted or unmarked); the instructor's checker was "
        "put back and run",
        "undone": f"before {gid}, undid the notebook's changes to "
        f"{', '.join(note.get('names', [])[:3])}",
        "unconfirmed": f"{gid} did not confirm it passed (the notebook changed how the kernel "
        "reports errors); no points",
    }.get(note["kind"], note.get("text", note["kind"]))
