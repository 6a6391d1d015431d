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

from relu_bench.activations import activation_rows
from relu_bench.book import NotebookRun, make_rows, notebook_rows, run_notebook, toc_notebooks
from relu_bench.cli import main
from relu_bench.core import (
    BOOK_TARGET_S,
    DEFAULT_SECTIONS,
    EXIT_MISSED,
    GPU_BANDWIDTH_TARGET,
    IMPORT_TARGET_S,
    NOTEBOOK_TARGET_BYTES,
    NOTEBOOK_TARGET_S,
    OTHER_FWD_BWD_TARGET,
    RELU_FWD_BWD_TARGET,
    ROOT,
    SECTIONS,
    Row,
    format_table,
    interleaved_medians,
    median_of_runs,
)
from relu_bench.toolkit import fit_rows, fused_rows, import_rows, probe_rows

__all__ = [
    "BOOK_TARGET_S",
    "DEFAULT_SECTIONS",
    "EXIT_MISSED",
    "GPU_BANDWIDTH_TARGET",
    "IMPORT_TARGET_S",
    "NOTEBOOK_TARGET_BYTES",
    "NOTEBOOK_TARGET_S",
    "OTHER_FWD_BWD_TARGET",
    "RELU_FWD_BWD_TARGET",
    "ROOT",
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
    "median_of_runs",
    "notebook_rows",
    "probe_rows",
    "run_notebook",
    "toc_notebooks",
]
