"""nbgrader preprocessors that make a grade depend on the instructor's source alone.

nbgrader's autograder first *sanitizes* a submission, then *executes* it. The grader adds

- to the sanitizing steps, :class:`ResetRubric` (before nbgrader's ``DeduplicateIds``):
  every cell that claims to be graded gets its metadata from the gradebook, or loses it
  when the gradebook has no such cell (a "grade cell" worth 1000 points added by hand);
  and :class:`RestoreCheckers` (after ``OverwriteCells``): a checker cell that was deleted,
  or unmarked, is put back where the source has it;
- to the executing steps, :class:`SealCheckers` before the execution (each checker cell
  becomes a call to the runner of :mod:`relu_course.instructor.seal`) and
  :class:`ConfirmCheckers` after it (a checker passes only with its token; the cell gets
  its source back for the feedback).

Each writes what it found, one JSON object a line, to the file named by its ``notes``
setting, for the grader's report.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from nbformat.notebooknode import NotebookNode, from_dict
from nbformat.v4 import new_code_cell, new_markdown_cell
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from relu_course.instructor import seal

_BY_GRADER = "relu_course_sealed"  # metadata key of a sealed checker cell: its own source
_RUBRIC_KEYS = ("grade", "solution", "locked", "points", "grade_id")


class _Noting(NbGraderPreprocessor):
    notes = Unicode("", help="file to append findings to, one JSON object a line").tag(
        config=True
    )

    def note(self, kind: str, **details: Any) -> None:
        self.log.warning("%s: %s", kind, details)
        if self.notes:
            with open(self.notes, "a", encoding="utf-8") as f:
                f.write(json.dumps({"kind": kind, **details}) + "\n")

    def _source_notebook(self, resources: dict[str, Any]) -> Any:
        info = resources["nbgrader"]
        gradebook = Gradebook(info["db_url"])
        return gradebook, gradebook.find_notebook(info["notebook"], info["assignment"])


def _is_marked(cell: NotebookNode) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader")
    return isinstance(meta, dict) and bool(meta)


def _grade_id(cell: NotebookNode) -> Any:
    return cell["metadata"]["nbgrader"].get("grade_id")


class ResetRubric(_Noting):
    """Cells keep the nbgrader metadata the gradebook gives their id, or none at all.

    Of several copies of one cell, the last keeps it (as with nbgrader's ``DeduplicateIds``,
    which leaves the others an empty ``nbgrader`` entry that its own validation rejects).
    """

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> Any:
        gradebook, source = self._source_notebook(resources)
        with gradebook:
            points = {c.name: float(c.max_score) for c in source.grade_cells}
            solutions = {c.name for c in source.solution_cells}
            rubric = {
                c.name: {
                    "grade": c.name in points,
                    "solution": c.name in solutions,
                    "locked": bool(c.locked),
                    "cell_type": c.cell_type,
                    "grade_id": c.name,
                    "schema_version": 3,
                    **({"points": points[c.name]} if c.name in points else {}),
                }
                for c in source.source_cells
            }
        last = {}  # of copies of one cell, the last is graded (as nbgrader's DeduplicateIds)
        for index, cell in enumerate(nb.cells):
            if _is_marked(cell) and isinstance(cell.metadata.nbgrader.get("grade_id"), str):
                last[cell.metadata.nbgrader["grade_id"]] = index
        for index, cell in enumerate(nb.cells):
            if not _is_marked(cell):
                continue
            meta = cell.metadata.nbgrader
            grade_id = meta.get("grade_id") if isinstance(meta.get("grade_id"), str) else None
            if grade_id in rubric and last[grade_id] != index:
                del cell.metadata["nbgrader"]  # an earlier copy runs as a plain cell
            elif grade_id in rubric:
                if any(meta.get(k) != rubric[grade_id].get(k) for k in _RUBRIC_KEYS):
                    self.note("metadata", grade_id=grade_id)
                cell.metadata.nbgrader = from_dict(rubric[grade_id])
            else:
                if meta.get("grade") or meta.get("solution") or meta.get("locked"):
                    self.note("unknown_cell", grade_id=str(grade_id))
                del cell.metadata["nbgrader"]
        return nb, resources


class RestoreCheckers(_Noting):
    """Put back every checker cell of the source that the submission lacks."""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> Any:
        gradebook, source = self._source_notebook(resources)
        with gradebook:
            order = [c.name for c in source.source_cells]
            points = {c.name: float(c.max_score) for c in source.grade_cells}
            cells = {c.name: (c.source, c.checksum, c.cell_type) for c in source.source_cells}
        for position, grade_id in enumerate(order):
            present = {_grade_id(c): i for i, c in enumerate(nb.cells) if _is_marked(c)}
            if grade_id in present or grade_id not in points or cells[grade_id][2] != "code":
                continue
            before = [present[g] for g in order[:position] if g in present]
            at = max(before) + 1 if before else len(nb.cells)
            text, checksum, _ = cells[grade_id]
            meta = {"grade": True, "solution": False, "locked": True, "grade_id": grade_id,
                    "points": points[grade_id], "checksum": checksum, "schema_version": 3}
            nb.cells[at:at] = [
                new_markdown_cell(f"*The grader put back the checker cell `{grade_id}`, "
                                  "which was missing from the submission.*"),
                new_code_cell(text, metadata={"nbgrader": meta}),
            ]
            self.note("restored", grade_id=grade_id)
        return nb, resources


def _is_checker(cell: NotebookNode) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


class SealCheckers(_Noting):
    """Each checker cell becomes ``__relu_course_check__(grade_id, source)``."""

    def preprocess_cell(self, cell: NotebookNode, resources: Any, index: int) -> Any:
        if _is_checker(cell):
            grade_id = _grade_id(cell)
            cell.metadata[_BY_GRADER] = cell.source
            cell.source = f"{seal.RUNNER}({grade_id!r}, {cell.source!r})"
        return cell, resources


class ConfirmCheckers(_Noting):
    """A sealed checker passes only with its token; then it gets its own source back."""

    key = Unicode("", help="the check key, in hexadecimal").tag(config=True)

    def preprocess_cell(self, cell: NotebookNode, resources: Any, index: int) -> Any:
        if _BY_GRADER not in cell.get("metadata", {}):
            return cell, resources
        grade_id = _grade_id(cell)
        expected = seal.token(bytes.fromhex(self.key), grade_id)
        confirmed, kept = False, []
        for output in cell.outputs:
            payload = output.get("data", {}).get(seal.MIME)
            if not isinstance(payload, dict):
                kept.append(output)
                continue
            if payload.get("undone"):
                self.note("undone", grade_id=grade_id, names=list(payload["undone"])[:20])
            sent = payload.get("token")
            if isinstance(sent, str) and hmac.compare_digest(sent, expected):
                confirmed = True
        failed = any(o.output_type == "error" for o in kept)
        if not confirmed and not failed:
            self.note("unconfirmed", grade_id=grade_id)
            kept.append(from_dict({
                "output_type": "error",
                "ename": "GradingError",
                "evalue": "the checker did not confirm that it passed: the notebook changed "
                "how the kernel runs or reports cells, so the check does not count",
                "traceback": [],
            }))
        cell.outputs = kept
        cell.source = cell.metadata.pop(_BY_GRADER)
        return cell, resources
