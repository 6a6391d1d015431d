"""Turn the lab notebooks into assignments, and grade the submissions.

The labs follow nbgrader's conventions, so the same notebooks work with nbgrader and with
these tools:

- a **solution cell** holds the answer between ``### BEGIN SOLUTION`` and
  ``### END SOLUTION``; the rest of the cell (imports, a signature) belongs to the exercise;
- a **checker cell** carries the cell metadata
  ``{"nbgrader": {"grade": true, "solution": false, "points": N, "grade_id": ...}}`` and
  calls a checker from :mod:`relu_course.checks`, which raises ``AssertionError`` with a
  helpful message on a wrong answer;
- markdown cells tagged ``solution`` explain a solution and are left out of the student
  version.

:func:`student_notebook` removes the solutions; :func:`grade_notebook` runs a submission in
a fresh kernel and scores its checker cells. ``relu-course student`` and ``relu-course
grade`` (:mod:`relu_course.cli`) are thin wrappers around them.

Examples:
    >>> cell = "def relu(x):\\n    ### BEGIN SOLUTION\\n    return x.clamp(min=0)\\n"
    >>> print(remove_solutions(cell + "    ### END SOLUTION"))
    def relu(x):
        # YOUR CODE HERE
        raise NotImplementedError()
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
MARKDOWN_STUB = ("YOUR ANSWER HERE",)
SOLUTION_TAG = "solution"
DEFAULT_TIMEOUT = 60.0

_PROBE_TIMEOUT = 5.0  # how long a kernel may take to answer after an interrupt
_TIMED_OUT = "relu_course_timed_out"
_MAX_MESSAGE_LINES = 25
_MAX_MESSAGE_CHARS = 2000


class NotebookError(ValueError):
    """A file that cannot be used as a notebook or an assignment; the message is one line."""


# ---------------------------------------------------------------------------- reading


def read_notebook(path: str | os.PathLike[str]) -> NotebookNode:
    """Read a notebook, or raise :class:`NotebookError` saying in one line what is wrong.

    Args:
        path: the ``.ipynb`` file.

    Returns:
        The notebook, converted to nbformat 4.

    Raises:
        NotebookError: the file is missing, a folder, not UTF-8 text, not JSON, or JSON that
            is not a Jupyter notebook.
    """
    p = Path(path)
    if not p.exists():
        raise NotebookError(f"{p}: no such file")
    if p.is_dir():
        raise NotebookError(f"{p}: is a folder; pass notebook files, e.g. book/*/lab.ipynb")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise NotebookError(f"{p}: not a notebook (the file is not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise NotebookError(
            f"{p}: not a notebook (invalid JSON at line {exc.lineno}, column {exc.colno})"
        ) from None
    except OSError as exc:
        raise NotebookError(f"{p}: cannot be read ({exc.strerror})") from None
    if not (
        isinstance(data, dict)
        and isinstance(data.get("cells", None), list)
        and isinstance(data.get("nbformat", None), int)
    ):
        raise NotebookError(f"{p}: valid JSON but not a Jupyter notebook (no 'cells'/'nbformat')")
    try:
        nb = nbformat.reads(json.dumps(data), as_version=4)
    except Exception as exc:  # nbformat raises several types for malformed notebooks
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NotebookError(f"{p}: not a valid Jupyter notebook ({first})") from None
    return nb


def _nbgrader(cell: NotebookNode) -> dict[str, Any]:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def is_checker_cell(cell: NotebookNode) -> bool:
    """True for a code cell that nbgrader grades automatically (``grade`` and not ``solution``).

    Examples:
        >>> from nbformat.v4 import new_code_cell
        >>> is_checker_cell(new_code_cell("check_relu(relu)",
        ...     metadata={"nbgrader": {"grade": True, "solution": False, "points": 1}}))
        True
        >>> is_checker_cell(new_code_cell("check_relu(relu)"))
        False
    """
    meta = _nbgrader(cell)
    return cell.cell_type == "code" and meta.get("grade") is True and not meta.get("solution")


def is_solution_cell(cell: NotebookNode) -> bool:
    """True for a cell that nbgrader marks as a solution (``"solution": true``)."""
    return _nbgrader(cell).get("solution") is True


def cell_points(cell: NotebookNode) -> float:
    """The points a checker cell is worth: its nbgrader ``points``, 1 when absent.

    Raises:
        NotebookError: ``points`` is not a non-negative number.
    """
    points = _nbgrader(cell).get("points", 1)
    if isinstance(points, bool) or not isinstance(points, (int, float)) or not points >= 0:
        raise NotebookError(f"points must be a non-negative number, got {points!r}")
    return float(points)


# ---------------------------------------------------------------------------- student version


def remove_solutions(source: str, stub: tuple[str, ...] = CODE_STUB) -> str:
    """Replace every ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region with ``stub``.

    The stub takes the indentation of the ``BEGIN`` line, so a solution inside a function
    body becomes a stub inside the same body. Lines outside the regions are kept as they are.

    Args:
        source: a cell's source.
        stub: the lines that replace each region. Defaults to
            ``# YOUR CODE HERE`` and ``raise NotImplementedError()``.

    Raises:
        ValueError: a region is not closed, or an ``END`` has no ``BEGIN``.

    Examples:
        >>> print(remove_solutions("x = 1\\n### BEGIN SOLUTION\\ny = 2 * x\\n### END SOLUTION"))
        x = 1
        # YOUR CODE HERE
        raise NotImplementedError()
    """
    kept: list[str] = []
    inside = False
    for number, line in enumerate(source.splitlines(), start=1):
        marker = line.strip()
        if marker == BEGIN_SOLUTION:
            if inside:
                raise ValueError(f"line {number}: {BEGIN_SOLUTION} inside another solution region")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            kept.extend(indent + s for s in stub)
        elif marker == END_SOLUTION:
            if not inside:
                raise ValueError(f"line {number}: {END_SOLUTION} without a {BEGIN_SOLUTION}")
            inside = False
        elif not inside:
            kept.append(line)
    if inside:
        raise ValueError(f"a {BEGIN_SOLUTION} region is never closed by {END_SOLUTION}")
    return "\n".join(kept) + ("\n" if source.endswith("\n") else "")


def _has_solution(source: str) -> bool:
    return any(line.strip() == BEGIN_SOLUTION for line in source.splitlines())


@dataclass
class StudentSummary:
    """What :func:`student_notebook` changed: solution regions replaced, cells removed."""

    regions_replaced: int = 0
    cells_removed: int = 0


def student_notebook(nb: NotebookNode) -> tuple[NotebookNode, StudentSummary]:
    """The student version of a solution notebook (the input is not modified).

    - every solution region becomes ``# YOUR CODE HERE`` / ``raise NotImplementedError()``
      (``YOUR ANSWER HERE`` in markdown); a cell marked as an nbgrader solution without
      markers is replaced as a whole, as nbgrader does;
    - markdown cells tagged ``solution`` are removed;
    - outputs, execution counts and execution timings are cleared;
    - everything else, the cell metadata included, is kept.

    Returns:
        The student notebook and a :class:`StudentSummary`.

    Raises:
        NotebookError: a cell has unbalanced solution markers (the message names the cell).

    Examples:
        >>> from nbformat.v4 import new_code_cell, new_notebook
        >>> nb = new_notebook(cells=[new_code_cell(
        ...     "### BEGIN SOLUTION\\nanswer = 42\\n### END SOLUTION", execution_count=1)])
        >>> student, summary = student_notebook(nb)
        >>> student.cells[0].source, student.cells[0].execution_count, summary.regions_replaced
        ('# YOUR CODE HERE\\nraise NotImplementedError()', None, 1)
    """
    out = copy.deepcopy(nb)
    summary = StudentSummary()
    cells = []
    for index, cell in enumerate(out.cells):
        if cell.cell_type == "markdown" and SOLUTION_TAG in cell.get("metadata", {}).get(
            "tags", []
        ):
            summary.cells_removed += 1
            continue
        stub = CODE_STUB if cell.cell_type == "code" else MARKDOWN_STUB
        try:
            if _has_solution(cell.source):
                summary.regions_replaced += sum(
                    line.strip() == BEGIN_SOLUTION for line in cell.source.splitlines()
                )
                cell.source = remove_solutions(cell.source, stub)
            elif is_solution_cell(cell) and cell.cell_type in ("code", "markdown"):
                summary.regions_replaced += 1
                cell.source = "\n".join(stub)
        except ValueError as exc:
            raise NotebookError(f"cell {index}: {exc}") from None
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.get("metadata", {}).pop("execution", None)
        cells.append(cell)
    out.cells = cells
    return out, summary


# ---------------------------------------------------------------------------- grading


@dataclass
class CheckResult:
    """The outcome of one checker cell.

    Attributes:
        grade_id: the cell's nbgrader ``grade_id`` (``cell-<index>`` when it has none).
        cell: the cell's index in the notebook.
        points: what the check is worth.
        score: ``points`` when it passed, 0 otherwise.
        passed: whether the cell ran without an exception.
        message: the checker's confirmation, or why it failed (its error message, a
            timeout, a dead kernel).
    """

    grade_id: str
    cell: int
    points: float
    score: float
    passed: bool
    message: str


@dataclass
class GradeReport:
    """The grade of one notebook: its checks, the total, and how long grading took."""

    notebook: str
    checks: list[CheckResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return sum(c.score for c in self.checks)

    @property
    def max_score(self) -> float:
        return sum(c.points for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        """``{"notebook", "score", "max_score", "seconds", "checks": [...]}``, JSON-ready."""
        return {
            "notebook": self.notebook,
            "score": _number(self.score),
            "max_score": _number(self.max_score),
            "seconds": round(self.seconds, 2),
            "checks": [
                {**asdict(c), "points": _number(c.points), "score": _number(c.score)}
                for c in self.checks
            ],
        }

    def to_text(self) -> str:
        """A readable report: the total, then one line per check with failure messages."""
        passed = sum(c.passed for c in self.checks)
        lines = [
            f"{self.notebook}: {_number(self.score)}/{_number(self.max_score)} points, "
            f"{passed} of {len(self.checks)} checks passed ({self.seconds:.1f} s)"
        ]
        for c in self.checks:
            status = "passed" if c.passed else "FAILED"
            pts = f"{_number(c.score)}/{_number(c.points)}"
            first, *rest = c.message.splitlines() or [""]
            lines.append(f"  {status:<6}  {c.grade_id} ({pts}): {first}")
            lines.extend(f"          {line}" for line in rest)
        return "\n".join(lines)


def _number(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x


def _trim(text: str) -> str:
    lines = text.strip().splitlines()
    if len(lines) > _MAX_MESSAGE_LINES:
        lines = [*lines[: _MAX_MESSAGE_LINES - 1], "..."]
    text = "\n".join(lines)
    return text if len(text) <= _MAX_MESSAGE_CHARS else text[: _MAX_MESSAGE_CHARS - 3] + "..."


def _cell_outcome(cell: NotebookNode) -> tuple[bool, str]:
    """Whether an executed cell passed, and its message (its output, or its error)."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            ename, evalue = output.get("ename", "Error"), str(output.get("evalue", ""))
            if ename == "AssertionError":
                return False, _trim(evalue) or "AssertionError (the check failed, no message)"
            if ename == "NotImplementedError" and not evalue.strip():
                return False, "NotImplementedError: the exercise still holds the stub"
            return False, _trim(f"{ename}: {evalue}" if evalue.strip() else ename)
    # A checker confirms in one line, printed last; what the learner's code printed comes first.
    stdout = "".join(
        o.get("text", "")
        for o in cell.get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == "stdout"
    )
    lines = [line for line in stdout.splitlines() if line.strip()]
    return True, _trim(lines[-1]) if lines else "passed"


def _seconds(timeout: float) -> str:
    return f"{timeout:g} s"


def _quiet_log() -> logging.Logger:
    log = logging.getLogger("relu_course.grading")
    log.propagate = False
    if not log.handlers:
        log.addHandler(logging.NullHandler())
    return log


def grade_notebook(
    path: str | os.PathLike[str], timeout: float = DEFAULT_TIMEOUT, kernel_name: str = "python3"
) -> GradeReport:
    """Run a submission in a fresh kernel and score its checker cells.

    The notebook is copied into a temporary folder and run there, cell by cell, top to
    bottom, so the submission itself is never modified. A cell that raises does not stop the
    run: later checker cells report their own errors. Each cell may run for ``timeout``
    seconds; a cell that runs longer is interrupted, and grading continues. When the kernel
    dies (or stops answering after an interrupt), the checks that did not run fail with
    that reason.

    Args:
        path: the submitted ``.ipynb``.
        timeout: seconds each cell may run. Defaults to 60.
        kernel_name: the Jupyter kernel to run it in. Defaults to ``"python3"``, the
            current environment's Python.

    Returns:
        A :class:`GradeReport` with one :class:`CheckResult` per checker cell.

    Raises:
        NotebookError: the file is not a usable notebook, or has no checker cells.
        ValueError: ``timeout`` is not a positive number.
    """
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    nb = read_notebook(path)
    checkers = [i for i, cell in enumerate(nb.cells) if is_checker_cell(cell)]
    if not checkers:
        raise NotebookError(
            f"{path}: no checker cells (code cells with nbgrader metadata "
            '{"grade": true, "solution": false}), so there is nothing to grade'
        )
    points = {}
    for i in checkers:
        try:
            points[i] = cell_points(nb.cells[i])
        except NotebookError as exc:
            raise NotebookError(f"{path}: cell {i}: {exc}") from None
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    from jupyter_core.utils import run_sync

    start = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="relu-course-grade-"))
    try:
        shutil.copyfile(path, workdir / Path(path).name)
        outcomes = run_sync(_execute)(nb, workdir, float(timeout), kernel_name)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report = GradeReport(notebook=str(path), seconds=time.perf_counter() - start)
    for i in checkers:
        if not nb.cells[i].source.strip():
            outcomes.setdefault(i, (False, "the checker cell is empty: restore it"))
        passed, message = outcomes.get(i) or _cell_outcome(nb.cells[i])
        grade_id = str(_nbgrader(nb.cells[i]).get("grade_id") or f"cell-{i}")
        report.checks.append(
            CheckResult(grade_id, i, points[i], points[i] if passed else 0.0, passed, message)
        )
    return report


async def _execute(
    nb: NotebookNode, workdir: Path, timeout: float, kernel_name: str
) -> dict[int, tuple[bool, str]]:
    """Run every code cell; return the outcome of cells that did not finish normally."""
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    timed_out: set[int] = set()

    def on_cell_error(cell: NotebookNode, cell_index: int, execute_reply: dict) -> None:
        if execute_reply["content"].get("ename") == _TIMED_OUT:
            timed_out.add(cell_index)

    def cell_timeout(cell: NotebookNode) -> float:
        return _PROBE_TIMEOUT if cell.get("metadata", {}).get(_TIMED_OUT) else timeout

    # On a timeout nbclient interrupts the kernel and reports `error_on_timeout` as the reply.
    client = NotebookClient(
        nb,
        timeout=timeout,
        timeout_func=cell_timeout,
        interrupt_on_timeout=True,
        error_on_timeout={"ename": _TIMED_OUT, "evalue": "", "traceback": []},
        on_cell_error=on_cell_error,
        allow_errors=True,
        kernel_name=kernel_name,
        resources={"metadata": {"path": str(workdir)}},
        shell_timeout_interval=1,
        log=_quiet_log(),
    )
    outcomes: dict[int, tuple[bool, str]] = {}
    stopped = ""
    interrupted: list[int] = []  # the signals received (Ctrl-C, SIGTERM)
    try:
        # The kernel's own stderr holds only its start-up chatter, never the learner's output.
        async with client.async_setup_kernel(stderr=subprocess.DEVNULL):
            _cancel_on_signal(asyncio.current_task(), interrupted)
            try:
                for index, cell in enumerate(nb.cells):
                    if cell.cell_type != "code":
                        continue
                    if stopped:
                        outcomes[index] = (False, stopped)
                        continue
                    try:
                        await client.async_execute_cell(cell, index)
                    except DeadKernelError:
                        if interrupted:  # nbclient reports a cancelled cell as a dead kernel
                            raise asyncio.CancelledError from None
                        stopped = f"not run: the kernel died while running cell {index}"
                        outcomes[index] = (False, "the kernel died while running this cell")
                        continue
                    if index in timed_out:
                        outcomes[index] = (False, f"timed out after {_seconds(timeout)}")
                        if not await _responds(client):
                            stopped = (
                                f"not run: the kernel stopped responding after cell {index} "
                                f"timed out after {_seconds(timeout)}"
                            )
            except asyncio.CancelledError:
                # Stop nbclient's helper tasks, then let it shut the kernel down.
                for task in asyncio.all_tasks():
                    if task is not asyncio.current_task():
                        task.cancel()
    except DeadKernelError:
        pass  # the kernel died during shutdown: the outcomes are already recorded
    if interrupted:
        raise KeyboardInterrupt
    return outcomes


def _cancel_on_signal(task: asyncio.Task | None, received: list[int]) -> None:
    """On Ctrl-C or SIGTERM, record the signal and cancel ``task`` (nbclient's own handler
    would shut the kernel down and let grading go on)."""
    loop = asyncio.get_running_loop()

    def handle(sig: int) -> None:
        received.append(sig)
        if task is not None:
            task.cancel()

    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, handle, sig)
        except (RuntimeError, NotImplementedError, ValueError):
            return  # not the main thread, or no signals on this platform


async def _responds(client: Any) -> bool:
    """After an interrupt: True when the kernel answers an empty request in time."""
    from jupyter_core.utils import ensure_async
    from nbclient.exceptions import DeadKernelError
    from nbformat.v4 import new_code_cell

    probe = new_code_cell("", metadata={_TIMED_OUT: True})
    try:
        msg_id = await ensure_async(client.kc.execute("", silent=True, store_history=False))
        return await client.async_wait_for_reply(msg_id, probe) is not None
    except DeadKernelError:
        return False
