"""The book: each notebook in a fresh kernel (time, peak memory), and make book / make test."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from relu_bench.core import BOOK_TARGET_S, NOTEBOOK_TARGET_BYTES, NOTEBOOK_TARGET_S, ROOT, Row


@dataclass(frozen=True)
class NotebookRun:
    """One notebook run in a fresh kernel.

    Attributes:
        path: the notebook.
        seconds: wall time from starting the kernel to the last cell's end.
        peak_bytes: the kernel's peak resident memory (0 when it did not finish).
        cpu_seconds: the kernel's CPU time, all threads (less sensitive than ``seconds`` to
            other work on the machine; 0 when it did not finish).
        error: None, or the first line of what went wrong.
    """

    path: Path
    seconds: float
    peak_bytes: int
    cpu_seconds: float = 0.0
    error: str | None = None


# The kernel's peak resident memory in bytes, then its CPU seconds. Peak on Linux: VmHWM, the
# high-water mark of the kernel's own memory (getrusage's ru_maxrss would also count the process
# that launched the kernel, because it survives fork and exec). Elsewhere: ru_maxrss.
_PEAK_CELL = """\
import resource, sys
usage = resource.getrusage(resource.RUSAGE_SELF)
peak = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
try:
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM"))
except OSError:
    pass
print(peak, usage.ru_utime + usage.ru_stime)
"""


def run_notebook(path: Path | str, timeout: int = 600) -> NotebookRun:
    """Execute a notebook top to bottom in a fresh kernel, in its own folder; nothing saved.

    One extra cell at the end asks the kernel for its peak resident memory (``VmHWM`` of
    ``/proc/self/status`` on Linux, ``ru_maxrss`` elsewhere) and its CPU time. A failing
    notebook is reported, not raised.

    Args:
        path: the ``.ipynb`` file.
        timeout: seconds any one cell may take. Defaults to 600.

    Returns:
        A :class:`NotebookRun`.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_PEAK_CELL))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    start = time.perf_counter()
    try:
        client.execute(stderr=subprocess.DEVNULL)  # the kernel's own log lines, not cells'
    except Exception as error:  # a failing cell, a dead kernel, a timeout: report them all
        first = str(error).strip().splitlines()
        return NotebookRun(path, time.perf_counter() - start, 0,
                           error=f"{type(error).__name__}: {first[-1] if first else ''}")
    seconds = time.perf_counter() - start
    peak, cpu = "".join(out.get("text", "") for out in nb.cells[-1].outputs).split()[-2:]
    return NotebookRun(path, seconds, int(peak), float(cpu))


_TOC_ENTRY = re.compile(r"^\s*(?:-\s*)?(?:file|root):\s*[\"']?([^\"'#\s]+)")


def _toc_files(root: Path) -> list[str]:
    """Every page ``_toc.yml`` lists (``root`` and each ``file``), in the book's order."""
    toc = root / "_toc.yml"
    if not toc.is_file():
        raise FileNotFoundError(f"no _toc.yml in {root}: the notebooks are timed in a source "
                                "checkout of the course (pass its folder as root)")
    lines = toc.read_text(encoding="utf-8").splitlines()
    return [m.group(1) for m in map(_TOC_ENTRY.match, lines) if m]


def toc_notebooks(root: Path | str = ROOT) -> list[Path]:
    """The notebooks listed in ``root/_toc.yml`` that exist, in the book's order.

    An entry ``file: book/variants/lab`` names ``book/variants/lab.ipynb``; entries whose
    notebook is not written yet are skipped, so the benchmark runs on a book in progress.

    Args:
        root: the folder holding ``_toc.yml``. Defaults to this repository.

    Returns:
        A list of paths.
    """
    root = Path(root)
    paths = [root / (e if e.endswith(".ipynb") else f"{e}.ipynb") for e in _toc_files(root)]
    return [p for p in paths if p.is_file()]


def notebook_rows(root: Path | str = ROOT, timeout: int = 600) -> list[Row]:
    """Time each notebook of the book in a fresh kernel, and their total.

    Two rows per notebook (seconds, target :data:`NOTEBOOK_TARGET_S`; peak MiB, target
    1 GiB) and a total (target :data:`BOOK_TARGET_S`), whose detail names the pages of the
    table of contents that are not written yet.

    Args:
        root: the folder holding ``_toc.yml``. Defaults to this repository.
        timeout: seconds any one cell may take. Defaults to 600.

    Returns:
        A list of :class:`Row`.
    """
    root = Path(root)
    rows = []
    total = 0.0
    notebooks = toc_notebooks(root)
    for path in notebooks:
        run = run_notebook(path, timeout)
        name = path.relative_to(root).as_posix()
        total += run.seconds
        if run.error:
            rows.append(Row("notebooks", name, float("nan"), "s", NOTEBOOK_TARGET_S,
                            detail=f"failed after {run.seconds:.1f} s: {run.error}"))
            continue
        rows.append(Row("notebooks", f"{name} time", run.seconds, "s", NOTEBOOK_TARGET_S,
                        detail=f"fresh kernel, start included; kernel CPU time "
                               f"{run.cpu_seconds:.1f} s"))
        rows.append(Row("notebooks", f"{name} peak memory", run.peak_bytes / 2**20, "MiB",
                        NOTEBOOK_TARGET_BYTES / 2**20, detail="kernel's peak RSS"))
    missing = [e for e in _toc_files(root)
               if not any((root / f"{e}{suffix}").is_file() for suffix in ("", ".ipynb", ".md"))]
    rows.append(Row("notebooks", "all notebooks, one after another", total, "s",
                    BOOK_TARGET_S, detail=f"{len(notebooks)} notebooks run; not written yet: "
                                          + (", ".join(missing) or "none")))
    return rows


# ----------------------------------------------------------------------------- make
def make_rows(targets: Sequence[str] = ("book", "test"), root: Path | str = ROOT) -> list[Row]:
    """Wall time of ``make book`` and ``make test`` in ``root`` (a warm environment).

    These rebuild the whole book and run every test: minutes. ``make book`` re-executes
    every notebook (``execute_notebooks: force``), so its time is the book's cold time.

    Args:
        targets: make targets to time. Defaults to ``("book", "test")``.
        root: the repository. Defaults to this one.

    Returns:
        A list of :class:`Row`; a failing target has NaN and its exit status.
    """
    rows = []
    for target in targets:
        start = time.perf_counter()
        done = subprocess.run(["make", target], cwd=root, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        ok = done.returncode == 0
        rows.append(Row("make", f"make {target}", seconds if ok else float("nan"), "s",
                        BOOK_TARGET_S if target == "book" else None,
                        detail="warm environment" if ok else
                        f"exit status {done.returncode} after {seconds:.0f} s"))
    return rows
