"""What every part of the benchmark shares: the targets, a row of the table, interleaved
timing, and the table itself."""

from __future__ import annotations

import dataclasses
import math
import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import torch

SECTIONS = ("activations", "import", "fit", "probes", "fused", "notebooks", "make")
"""Every part of the benchmark, in the order of the table."""
DEFAULT_SECTIONS = tuple(s for s in SECTIONS if s != "make")
"""What runs without ``--only``: everything but the long ``make`` timings."""

RELU_FWD_BWD_TARGET = 1.25
"""relu's forward+backward may take at most this many times torch.relu's."""
OTHER_FWD_BWD_TARGET = 2.0
"""Every other activation's forward+backward: at most this many times its twin's."""
GPU_BANDWIDTH_TARGET = 0.8
"""On a GPU, large tensors: effective bandwidth at least this fraction of a device copy."""
IMPORT_TARGET_S = 0.5
NOTEBOOK_TARGET_S = 30.0
NOTEBOOK_TARGET_BYTES = 1 << 30
BOOK_TARGET_S = 180.0

EXIT_MISSED = 3
"""The command's exit status when a target is missed (1 and 2 mean it crashed)."""

ROOT = Path(__file__).resolve().parents[2]
"""The repository root (where ``_toc.yml`` and the Makefile live) in a source checkout."""


@dataclass(frozen=True)
class Row:
    """One line of the table: a measured value, its target, and notes.

    Attributes:
        section: the part of the benchmark (one of :data:`SECTIONS`).
        item: what was measured, e.g. ``"relu fwd+bwd / torch"``.
        value: the number; NaN when the measurement failed.
        unit: ``"x"`` (a ratio), ``"s"``, ``"MiB"`` or ``"%"``.
        target: the bound to meet, or None for a number reported without one.
        higher_is_better: the target is a lower bound (bandwidth) instead of an upper one.
        detail: the numbers behind the value, in words.
    """

    section: str
    item: str
    value: float
    unit: str
    target: float | None = None
    higher_is_better: bool = False
    detail: str = ""

    @property
    def status(self) -> str:
        """``"ok"``, ``"MISS"``, ``"FAIL"`` (not measured) or ``""`` (no target).

        Examples:
            >>> Row("import", "import relu_course", 0.2, "s", target=0.5).status
            'ok'
            >>> Row("fit", "mlp", float("nan"), "s", detail="error").status
            'FAIL'
        """
        if math.isnan(self.value):
            return "FAIL"
        if self.target is None:
            return ""
        met = self.value >= self.target if self.higher_is_better else self.value <= self.target
        return "ok" if met else "MISS"


# ----------------------------------------------------------------------------- timing
def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def interleaved_medians(
    fns: Mapping[str, Callable[[], Any]],
    repeats: int = 15,
    warmup: int = 3,
    device: torch.device | str = "cpu",
    min_seconds: float = 0.0,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, float]:
    """Median seconds per call of each function, the functions taking turns.

    Each round calls every function once (the order rotating between rounds), so that a
    slowdown of the machine hits them alike; the median over rounds ignores the outliers.
    On CUDA the device is synchronised around each timed call. With ``min_seconds`` a timed
    sample repeats a fast call until it lasts that long (for microsecond GPU kernels).

    Args:
        fns: name -> a function of no arguments.
        repeats: timed rounds. Defaults to 15.
        warmup: untimed calls of each function first. Defaults to 3.
        device: where the functions run. Defaults to the CPU.
        min_seconds: the least duration of one sample. Defaults to 0 (one call).
        clock: what a sample reads: wall time (``time.perf_counter``, the default), or
            ``time.thread_time``, this thread's CPU time, which a machine busy with other work
            disturbs far less (it leaves out the time the thread waits for a core), but which
            counts only work done on this thread: use it with ``torch.set_num_threads(1)``.

    Examples:
        >>> times = interleaved_medians({"sum": lambda: sum(range(100))}, repeats=3)
        >>> times["sum"] > 0
        True
    """
    if repeats < 1 or warmup < 0:
        raise ValueError(f"repeats must be >= 1 and warmup >= 0, got {repeats} and {warmup}")
    device = torch.device(device)
    names = list(fns)
    inner = dict.fromkeys(names, 1)
    for name in names:
        for _ in range(warmup):
            fns[name]()
        if min_seconds > 0:
            _synchronize(device)
            start = clock()
            fns[name]()
            _synchronize(device)
            once = max(clock() - start, 1e-7)
            inner[name] = max(1, min(1000, math.ceil(min_seconds / once)))
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        for name in names[r % len(names):] + names[:r % len(names)]:
            fn, n = fns[name], inner[name]
            _synchronize(device)
            start = clock()
            for _ in range(n):
                fn()
            _synchronize(device)
            samples[name].append((clock() - start) / n)
    return {name: statistics.median(values) for name, values in samples.items()}


# ----------------------------------------------------------------------------- table
def median_of_runs(runs: Sequence[Sequence[Row]]) -> list[Row]:
    """One row per item: the median of its value over several runs, the range in its detail.

    Ratios move from run to run on a busy machine; the median of a few runs, each of which
    already interleaves ours and PyTorch's, is what the table reports.

    Args:
        runs: the rows of each run, the same items in the same order.

    Returns:
        The first run's rows with the median value and ``"median of K runs (lo-hi)"`` added
        to each detail.

    Examples:
        >>> runs = [[Row("a", "r", v, "x", 2.0)] for v in (1.9, 2.2, 1.8)]
        >>> row = median_of_runs(runs)[0]
        >>> row.value, row.status, row.detail
        (1.9, 'ok', 'median of 3 runs (1.80-2.20)')
    """
    if not runs or any([r.item for r in run] != [r.item for r in runs[0]] for run in runs):
        raise ValueError("median_of_runs expects at least one run, each with the same items")
    combined = []
    for i, row in enumerate(runs[0]):
        values = [run[i].value for run in runs]
        spread = f"median of {len(runs)} runs ({min(values):.2f}-{max(values):.2f})"
        combined.append(dataclasses.replace(
            row, value=statistics.median(values),
            detail=f"{row.detail}; {spread}" if row.detail else spread))
    return combined

def _value(row: Row) -> str:
    if math.isnan(row.value):
        return "-"
    if row.unit == "x":
        return f"{row.value:.2f}x"
    if row.unit == "%":
        return f"{row.value:.0f}%"
    return f"{row.value:.1f} {row.unit}" if row.value >= 10 else f"{row.value:.2f} {row.unit}"


def format_table(rows: Sequence[Row], title: str = "") -> str:
    """Lay rows out as one aligned plain-text table.

    Args:
        rows: what to show.
        title: a first line, e.g. the machine and the date. Defaults to none.

    Returns:
        The table as a string, with a last line counting targets met.

    Examples:
        >>> print(format_table([Row("import", "import relu_course", 0.01, "s", 0.5)]))
        section  item                measured  target   status  detail
        import   import relu_course  0.01 s    <= 0.5s  ok
        <BLANKLINE>
        1 of 1 targets met
    """
    header = ("section", "item", "measured", "target", "status", "detail")
    body = []
    for row in rows:
        target = "" if row.target is None else (
            (">= " if row.higher_is_better else "<= ") + f"{row.target:g}"
            + ("" if row.unit == "x" else row.unit))
        body.append((row.section, row.item, _value(row), target, row.status, row.detail))
    widths = [max(len(r[i]) for r in (header, *body)) for i in range(len(header) - 1)]
    lines = [title] if title else []
    for r in (header, *body):
        cells = [c.ljust(w) for c, w in zip(r, widths)] + [r[-1]]
        lines.append("  ".join(cells).rstrip())
    judged = [row for row in rows if row.target is not None]
    met = sum(row.status == "ok" for row in judged)
    summary = f"{met} of {len(judged)} targets met" if judged else "no targets in these sections"
    lines += ["", summary]
    return "\n".join(lines)
