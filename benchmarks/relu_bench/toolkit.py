"""The toolkit a lab uses: importing it, fit on the digits, probes, the fused layer."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from typing import Callable

import torch

from relu_bench.core import IMPORT_TARGET_S, Row, interleaved_medians

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
