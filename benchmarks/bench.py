"""Measure what the course costs a learner, and compare its activations with PyTorch's.

Run ``python benchmarks/bench.py`` (or ``make bench``) in a checkout of the course: it prints one
table with, per row, what was measured, its target and whether the target is met. It lives
outside the package (learners install ``relu_course`` without it) and imports the package's
private names where it times them.

- **activations**: every activation of :mod:`relu_course.activations` against its
  ``torch.nn.functional`` twin on ``2**22`` float32 elements, forward and forward+backward:
  the time ratio (ours / theirs) and the effective bandwidth as a fraction of a plain
  ``x.clone()`` (one read and one write: the ceiling for an element-wise op). Forward moves
  at least 2 tensors (read ``x``, write ``y``), forward+backward at least 5 (also read the
  incoming gradient and the saved tensor, write the input's gradient).
- **import**: ``import relu_course`` beyond ``import torch``, in a fresh interpreter.
- **fit**: :func:`relu_course.train.fit` on the digits for 20 epochs, a small MLP and the CNN.
- **probes**: each probe's time relative to a plain forward pass of the same model.
- **fused**: an MLP's training step with :class:`relu_course.fused.LinearReLU` layers
  against Linear + ReLU modules.
- **notebooks**: each notebook of ``_toc.yml`` run in a fresh kernel: seconds and the
  kernel's peak memory.
- **make**: ``make book`` and ``make test`` wall time (long: only with ``--only make``).

Timings are medians over repeats, with ours and PyTorch's runs interleaved, so that a
machine busy with other work slows both alike. The functions return data; only
:func:`main` prints.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

import torch

__all__ = [
    "DEFAULT_SECTIONS",
    "EXIT_MISSED",
    "SECTIONS",
    "NotebookRun",
    "Row",
    "activation_rows",
    "fit_rows",
    "format_table",
    "fused_rows",
    "import_rows",
    "interleaved_medians",
    "main",
    "make_rows",
    "notebook_rows",
    "probe_rows",
    "run_notebook",
    "toc_notebooks",
]

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

ROOT = Path(__file__).resolve().parent.parent
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


# ----------------------------------------------------------------------------- activations
def _twins() -> dict[str, tuple[Callable[..., torch.Tensor], Callable[..., torch.Tensor]]]:
    """name -> (ours, PyTorch's), called as ``f(x)`` or, for prelu, ``f(x, weight)``.

    Every activation of the registry that has a PyTorch twin, in the registry's order, and GELU's
    tanh approximation after GELU.
    """
    import torch.nn.functional as F

    from relu_course.activations import RECORDS, gelu

    twins = {}
    for record in RECORDS:
        if record.reference is None:  # the identity: nothing to time
            continue
        twins[record.name] = (record.function, record.reference)
        if record.name == "gelu":
            twins["gelu_tanh"] = (lambda x: gelu(x, approximate="tanh"),
                                  lambda x: F.gelu(x, approximate="tanh"))
    return twins


def _forward(f: Callable[..., torch.Tensor], x: torch.Tensor,
             w: torch.Tensor | None) -> Callable[[], Any]:
    def run() -> None:
        with torch.no_grad():
            f(x) if w is None else f(x, w)

    return run


def _forward_backward(f: Callable[..., torch.Tensor], x: torch.Tensor,
                      w: torch.Tensor | None) -> Callable[[], Any]:
    x = x.detach().requires_grad_()
    w = None if w is None else w.detach().requires_grad_()
    dy = torch.ones_like(x)  # made once: the backward pass reads it, nobody writes it

    def run() -> None:
        y = f(x) if w is None else f(x, w)
        y.backward(dy)
        x.grad = None
        if w is not None:
            w.grad = None

    return run


def _percent(fraction: float) -> str:
    return f"{100 * fraction:.0f}%"


def activation_rows(
    log2_size: int = 22,
    device: torch.device | str = "cpu",
    repeats: int = 15,
    names: Sequence[str] | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> list[Row]:
    """Time every activation against its PyTorch twin, forward and forward+backward.

    The input is ``2**log2_size`` float32 draws from a standard normal (half of them
    negative). For each activation two rows: the forward ratio (ours / theirs, reported),
    and the forward+backward ratio, with its target (:data:`RELU_FWD_BWD_TARGET` for relu,
    :data:`OTHER_FWD_BWD_TARGET` for the others). Their details give the effective bandwidth
    of both as a fraction of ``x.clone()``'s; on CUDA that fraction is a row of its own,
    with :data:`GPU_BANDWIDTH_TARGET` as target when the tensor is large (``2**24`` or more).

    Args:
        log2_size: the tensor has ``2**log2_size`` elements. Defaults to 22.
        device: where to run. Defaults to the CPU.
        repeats: timed rounds per measurement. Defaults to 15.
        names: a subset of activations (``"relu"``, ``"gelu_tanh"``, ...); None for all.
        clock: see :func:`interleaved_medians`. Defaults to wall time.

    Returns:
        A list of :class:`Row`, the clone's first.

    Examples:
        >>> rows = activation_rows(log2_size=8, repeats=1, names=["relu"])
        >>> [row.item for row in rows]
        ['clone (the ceiling)', 'relu fwd / torch', 'relu fwd+bwd / torch']
    """
    device = torch.device(device)
    twins = _twins()
    chosen = list(twins) if names is None else list(names)
    unknown = [n for n in chosen if n not in twins]
    if unknown:
        raise ValueError(f"unknown activation(s) {unknown}; accepted: {', '.join(twins)}")
    n = 2 ** log2_size
    x = torch.randn(n, generator=torch.Generator().manual_seed(0)).to(device)
    w = torch.full((1,), 0.25, device=device)
    nbytes = x.element_size() * n
    min_seconds = 2e-3 if device.type == "cuda" else 0.0
    size = f"2^{log2_size} float32"
    large_gpu = device.type == "cuda" and log2_size >= 24
    rows, clones = [], []
    for name in chosen:
        ours, theirs = twins[name]
        weight = w if name == "prelu" else None
        for label, make, tensors in (("fwd", _forward, 2), ("fwd+bwd", _forward_backward, 5)):
            # The clone takes turns with both, so the ceiling is measured under the same load.
            t = interleaved_medians({"clone": x.clone, "ours": make(ours, x, weight),
                                     "theirs": make(theirs, x, weight)},
                                    repeats, device=device, min_seconds=min_seconds,
                                    clock=clock)
            clones.append(t["clone"])
            # bytes an ideal kernel moves per second, over a clone's (2 tensors) per second
            share = {k: tensors * t["clone"] / (2 * t[k]) for k in ("ours", "theirs")}
            target = None
            if label == "fwd+bwd":
                target = RELU_FWD_BWD_TARGET if name == "relu" else OTHER_FWD_BWD_TARGET
            rows.append(Row(
                "activations", f"{name} {label} / torch", t["ours"] / t["theirs"], "x", target,
                detail=(f"ours {t['ours'] * 1e3:.2f} ms, torch {t['theirs'] * 1e3:.2f} ms; "
                        f"bandwidth {_percent(share['ours'])} vs {_percent(share['theirs'])} "
                        f"of clone"),
            ))
            if device.type == "cuda":
                rows.append(Row(
                    "activations", f"{name} {label} bandwidth / device copy",
                    100 * share["ours"], "%",
                    100 * GPU_BANDWIDTH_TARGET if large_gpu else None, higher_is_better=True,
                    detail=f"torch's: {_percent(share['theirs'])}; {size}",
                ))
    clone = statistics.median(clones)
    rows.insert(0, Row("activations", "clone (the ceiling)", clone * 1e3, "ms",
                       detail=f"{size}: {2 * nbytes / clone / 1e9:.1f} GB/s read+write"))
    return rows


# ----------------------------------------------------------------------------- import
_IMPORT_SCRIPT = """
import json, sys, time
t0 = time.perf_counter()
import torch
t1 = time.perf_counter()
import relu_course
t2 = time.perf_counter()
from relu_course import activations, data, device, init, models, probes, report, train
t3 = time.perf_counter()
heavy = [m for m in ("matplotlib", "sklearn", "scipy", "pandas", "tqdm") if m in sys.modules]
print(json.dumps({"torch": t1 - t0, "package": t2 - t1, "toolkit": t3 - t1, "heavy": heavy}))
"""


def import_rows(repeats: int = 5) -> list[Row]:
    """Seconds to import relu_course after torch, each time in a fresh interpreter.

    Two rows: ``import relu_course`` alone (target :data:`IMPORT_TARGET_S`), and the toolkit
    modules a lab imports (``activations, data, device, init, models, probes, report,
    train``), reported with the heavy libraries they pulled in (Matplotlib and
    scikit-learn should load only when a figure or the digits are asked for).

    Args:
        repeats: fresh interpreters; the median is reported. Defaults to 5.

    Returns:
        A list of :class:`Row`.
    """
    runs = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", _IMPORT_SCRIPT], capture_output=True,
                             text=True, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))

    def median(key: str) -> float:
        return statistics.median(run[key] for run in runs)

    heavy = sorted({m for run in runs for m in run["heavy"]})
    return [
        Row("import", "import relu_course beyond torch", median("package"), "s",
            IMPORT_TARGET_S, detail=f"import torch itself: {median('torch'):.2f} s; "
                                    f"median of {repeats} fresh interpreters"),
        Row("import", "+ the toolkit a lab imports", median("toolkit"), "s",
            IMPORT_TARGET_S, detail="heavy modules loaded: " + (", ".join(heavy) or "none")),
    ]


# ----------------------------------------------------------------------------- fit, probes
def _digits_models() -> dict[str, tuple[Callable[[], torch.nn.Module], bool]]:
    from relu_course import models

    return {
        "mlp [64, 64, 10]": (lambda: models.mlp([64, 64, 10], seed=0), False),
        "digits_cnn (16, 32)": (lambda: models.digits_cnn(seed=0), True),
    }


def fit_rows(epochs: int = 20, device: torch.device | str = "cpu", repeats: int = 3) -> list[Row]:
    """Seconds for :func:`relu_course.train.fit` on the digits, a small MLP and the CNN.

    Also fits the MLP with every probe on (``dead``, ``sparsity``, ``stats``,
    ``grad_norms``) to show what probing each epoch adds to a training run. The three runs
    take turns, ``repeats`` times, and the median of each is reported.

    Args:
        epochs: passes over the 1347 training digits. Defaults to 20.
        device: where to train. Defaults to the CPU.
        repeats: runs of each. Defaults to 3.

    Returns:
        A list of :class:`Row`; details give the final validation accuracy.
    """
    from relu_course import data, train

    flat, images = data.digits(), data.digits(images=True)
    mlp, cnn = (build for build, _ in _digits_models().values())
    runs = {
        "mlp": lambda: train.fit(mlp(), flat, epochs=epochs, device=device, progress=False),
        "cnn": lambda: train.fit(cnn(), images, epochs=epochs, device=device, progress=False),
        "probed": lambda: train.fit(mlp(), flat, epochs=epochs, device=device, progress=False,
                                    probes=["dead", "sparsity", "stats", "grad_norms"]),
    }
    runs["mlp"]()  # untimed: the first run of anything pays one-time setup costs
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    accuracy = {}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.process_time()  # this process's CPU time, all threads
            history = run()
            cpu[name].append(time.process_time() - start)
            seconds[name].append(history.seconds)
            accuracy[name] = history.final["val_acc"]
    t = {name: statistics.median(values) for name, values in seconds.items()}

    def detail(name: str) -> str:
        return (f"val accuracy {accuracy[name]:.3f}; CPU time {statistics.median(cpu[name]):.1f}"
                f" s; median of {repeats}")

    names = list(_digits_models())
    return [
        Row("fit", f"{names[0]}, {epochs} epochs", t["mlp"], "s", detail=detail("mlp")),
        Row("fit", f"{names[1]}, {epochs} epochs", t["cnn"], "s", detail=detail("cnn")),
        Row("fit", f"mlp with all 4 probes / without, {epochs} epochs", t["probed"] / t["mlp"],
            "x", detail=f"{t['probed']:.2f} s vs {t['mlp']:.2f} s"),
    ]


def probe_rows(device: torch.device | str = "cpu", repeats: int = 15, warmup: int = 3,
               rows: int | None = None) -> list[Row]:
    """Each probe's time relative to a plain forward pass, on the digits' training set.

    ``sparsity``, ``dead_units`` and ``activation_stats`` are compared with a forward pass
    in eval mode without gradients (what they run, plus hooks and reductions);
    ``gradient_norms`` with a plain forward and backward pass of the same loss.

    Args:
        device: where to run. Defaults to the CPU.
        repeats: timed rounds. Defaults to 15.
        warmup: untimed calls of each first. Defaults to 3.
        rows: use only this many training digits; None for all 1347.

    Returns:
        A list of :class:`Row`, ratios (probe / plain pass).
    """
    import torch.nn.functional as F

    from relu_course import data, probes

    device = torch.device(device)
    out = []
    for name, (build, needs_images) in _digits_models().items():
        split = data.digits(images=needs_images).to(device)
        X, y = split.X_train[:rows], split.y_train[:rows]
        model = build().to(device).eval()

        def forward(model: torch.nn.Module = model, X: torch.Tensor = X) -> None:
            with torch.no_grad():
                model(X)

        def forward_backward(model: torch.nn.Module = model, X: torch.Tensor = X,
                             y: torch.Tensor = y) -> None:
            model.zero_grad(set_to_none=True)
            F.cross_entropy(model(X), y).backward()

        t = interleaved_medians({
            "forward": forward,
            "forward+backward": forward_backward,
            "sparsity": lambda m=model, X=X: probes.sparsity(m, X),
            "dead_units": lambda m=model, X=X: probes.dead_units(m, X),
            "activation_stats": lambda m=model, X=X: probes.activation_stats(m, X),
            "gradient_norms": lambda m=model, X=X, y=y: probes.gradient_norms(m, X, y),
        }, repeats, warmup, device=device)
        for probe in ("sparsity", "dead_units", "activation_stats", "gradient_norms"):
            base = "forward+backward" if probe == "gradient_norms" else "forward"
            out.append(Row("probes", f"{probe} / {base}, {name.split()[0]}",
                            t[probe] / t[base], "x",
                            detail=f"{t[probe] * 1e3:.2f} ms vs {t[base] * 1e3:.2f} ms, "
                                   f"{len(X)} digits"))
    return out


def fused_rows(device: torch.device | str = "cpu", repeats: int = 15, warmup: int = 5,
               width: int = 512, batch: int = 1024) -> list[Row]:
    """A training step of an MLP with fused Linear+ReLU layers, against the unfused one.

    Both models have the same weights (a ``[64, width, width, 10]`` MLP, weights loaded
    from one into the other); the ratio is fused / unfused time of one forward, backward and
    SGD step on a batch. On the CPU the fused layers run eagerly (``addmm`` and an in-place
    ReLU); on CUDA compiled by :func:`torch.compile` (compiled during warm-up).

    Args:
        device: where to run. Defaults to the CPU.
        repeats: timed rounds. Defaults to 15.
        warmup: untimed steps of each first (on CUDA they include compiling). Defaults to 5.
        width: the hidden layers' width. Defaults to 512.
        batch: rows per step. Defaults to 1024.

    Returns:
        One :class:`Row`.
    """
    import torch.nn.functional as F
    from torch import nn

    from relu_course import models
    from relu_course.fused import LinearReLU, _cuda_linear_relu

    device = torch.device(device)
    sizes = [64, width, width, 10]
    plain = models.mlp(sizes, seed=0).to(device)
    fused = nn.Sequential(*(LinearReLU(a, b) for a, b in zip(sizes[:-2], sizes[1:-1])),
                          nn.Linear(sizes[-2], sizes[-1])).to(device)
    linears = [m for m in plain if isinstance(m, nn.Linear)]
    for mine, theirs in zip(fused, linears):
        mine.load_state_dict(theirs.state_dict())
    g = torch.Generator().manual_seed(0)
    X = torch.randn(batch, sizes[0], generator=g).to(device)
    y = torch.randint(0, sizes[-1], (batch,), generator=g).to(device)

    def step(model: nn.Module) -> Callable[[], None]:
        opt = torch.optim.SGD(model.parameters(), lr=1e-3)

        def run() -> None:
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(model(X), y).backward()
            opt.step()

        return run

    t = interleaved_medians({"fused": step(fused), "unfused": step(plain)}, repeats, warmup,
                            device=device)
    how = "eager addmm + relu_"
    if device.type == "cuda":
        how = ("torch.compile" if _cuda_linear_relu.failure is None
               else f"eager (compile failed: {_cuda_linear_relu.failure})")
    return [Row("fused", "mlp training step, fused / unfused", t["fused"] / t["unfused"], "x",
                detail=f"{how}: {t['fused'] * 1e3:.2f} ms vs {t['unfused'] * 1e3:.2f} ms; "
                       f"{sizes}, batch {batch}")]


# ----------------------------------------------------------------------------- notebooks
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


def _sections(text: str) -> tuple[str, ...]:
    chosen = tuple(s.strip() for s in text.split(",") if s.strip())
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown section(s) {unknown or [text]}; choose among {', '.join(SECTIONS)}")
    return chosen


def _title(device: torch.device) -> str:
    card = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor()
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    return (f"relu_course benchmark, {stamp}: torch {torch.__version__}, device {device}"
            f" ({card or platform.machine()}), {torch.get_num_threads()} threads, "
            f"{os.cpu_count()} CPUs")


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: run the chosen sections and print one table.

    Examples:
        ``python benchmarks/bench.py`` (everything but ``make``),
        ``python benchmarks/bench.py --only activations,fit --device cuda``,
        ``python benchmarks/bench.py --quick`` (tiny sizes: checks that it runs),
        ``python benchmarks/bench.py --only activations --threads 1 --cpu-time --runs 5``
        (on a machine busy with other work).

    Returns:
        0 when every target is met, :data:`EXIT_MISSED` when one is missed or could not be
        measured (a result, not a crash: a crash exits with 1 or 2).
    """
    parser = argparse.ArgumentParser(prog="python benchmarks/bench.py",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", type=_sections, default=DEFAULT_SECTIONS,
                        help=f"comma-separated sections among {', '.join(SECTIONS)} "
                             "(default: all but make)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes and few repeats: checks that everything runs")
    parser.add_argument("--device", default=None,
                        help="cpu, cuda, mps (default: relu_course.device.get_device())")
    parser.add_argument("--log2-size", type=int, default=22,
                        help="activations on 2**N float32 elements (default 22)")
    parser.add_argument("--repeats", type=int, default=None, help="timed rounds (default 15)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads (default: torch's choice)")
    parser.add_argument("--cpu-time", action="store_true",
                        help="activations: time this thread's CPU time, not wall time (needs "
                             "--threads 1; for a machine busy with other work)")
    parser.add_argument("--runs", type=int, default=1,
                        help="activations: run K times and report each row's median")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the course's checkout, for notebooks and make (default: this one)")
    args = parser.parse_args(argv)

    if {"notebooks", "make"} & set(args.only) and not (args.root / "_toc.yml").is_file():
        parser.error(f"--root {args.root} holds no _toc.yml: notebooks and make are measured "
                     "in a checkout of the course")
    if args.cpu_time and args.threads != 1:
        parser.error("--cpu-time counts one thread's work only: use it with --threads 1")
    if args.runs < 1 or (args.threads is not None and args.threads < 1):
        parser.error(f"--runs and --threads must be at least 1, got {args.runs} and "
                     f"{args.threads}")
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    from relu_course.device import get_device

    device = get_device(args.device)
    clock = time.thread_time if args.cpu_time else time.perf_counter
    repeats = args.repeats or (2 if args.quick else 15)
    log2_size = 10 if args.quick else args.log2_size
    runners: dict[str, Callable[[], list[Row]]] = {
        "activations": lambda: median_of_runs(
            [activation_rows(log2_size, device, repeats, clock=clock) for _ in range(args.runs)]),
        "import": lambda: import_rows(1 if args.quick else 5),
        "fit": lambda: fit_rows(1 if args.quick else 20, device, 1 if args.quick else 3),
        "probes": lambda: probe_rows(device, repeats, *((1, 64) if args.quick else ())),
        "fused": lambda: fused_rows(device, repeats, *((1, 32, 64) if args.quick else ())),
        "notebooks": lambda: notebook_rows(args.root),
        "make": lambda: make_rows(root=args.root),
    }
    rows: list[Row] = []
    for section in SECTIONS:
        if section in args.only:
            rows += runners[section]()
    print(format_table(rows, _title(device)))
    if args.json is not None:
        args.json.write_text(json.dumps([{**asdict(r), "status": r.status} for r in rows],
                                        indent=1), encoding="utf-8")
    return 0 if all(r.status in ("ok", "") for r in rows) else EXIT_MISSED


if __name__ == "__main__":
    sys.exit(main())
