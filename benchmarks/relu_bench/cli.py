"""The command line: run the chosen sections and print one table."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Callable

import torch

import relu_bench
from relu_bench.activations import activation_rows
from relu_bench.book import make_rows, notebook_rows
from relu_bench.core import (
    DEFAULT_SECTIONS,
    EXIT_MISSED,
    ROOT,
    SECTIONS,
    Row,
    format_table,
    median_of_runs,
)
from relu_bench.toolkit import fit_rows, fused_rows, import_rows, probe_rows


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
                                     description=relu_bench.__doc__.split("\n\n")[0])
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
