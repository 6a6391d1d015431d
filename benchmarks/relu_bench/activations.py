"""Every activation of relu_course against its PyTorch twin, forward and forward+backward."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from typing import Any, Callable

import torch

from relu_bench.core import (
    GPU_BANDWIDTH_TARGET,
    OTHER_FWD_BWD_TARGET,
    RELU_FWD_BWD_TARGET,
    Row,
    interleaved_medians,
)


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
