"""Every lab again on a disjoint set of seeds: does any claim's verdict change?

Each lab takes its seeds from `relu_course.stats.seeds`, which adds the offset in
`RELU_COURSE_SEED_OFFSET`. This script executes a copy of every lab (the stored notebooks are
never touched) with that offset, reads the verdicts the lab glued (`claim_<key>_verdict`),
and compares them with the stored ones. A verdict that a different set of seeds flips was
never a finding. It also fails if a lab's own asserts fail on the other seeds.

Usage: python tests/reseed.py [--offset N] [LAB ...]   (default offset 1000, every lab)
Prints one line per claim and a summary; exits 1 if anything changed or failed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]


def verdicts(nb: dict) -> dict[str, str]:
    """The glued `claim_<key>_verdict` values of an executed notebook."""
    found = {}
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name", "")
            if name.startswith("claim_") and name.endswith("_verdict"):
                text = out["data"].get("application/papermill.record/text/plain", "")
                found[name[len("claim_"):-len("_verdict")]] = text.strip("'\"")
    return found


def labs() -> list[Path]:
    return sorted(p for p in (ROOT / "book").glob("*/lab.ipynb"))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offset", type=int, default=1000)
    parser.add_argument("labs", nargs="*", help="chapter names (default: every lab)")
    args = parser.parse_args(argv)
    if args.offset < 1:
        parser.error(f"--offset must be a positive integer, got {args.offset}")
    paths = labs()
    if args.labs:
        known = {p.parent.name: p for p in paths}
        unknown = [name for name in args.labs if name not in known]
        if unknown:
            parser.error(f"unknown lab(s) {unknown}; the labs are {sorted(known)}")
        paths = [known[name] for name in args.labs]
    os.environ["RELU_COURSE_SEED_OFFSET"] = str(args.offset)
    changed = failed = total = 0
    for path in paths:
        stored = verdicts(json.loads(path.read_text(encoding="utf-8")))
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        try:
            NotebookClient(nb, timeout=300, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute()
        except CellExecutionError as err:
            failed += 1
            first = str(err).strip().splitlines()[-1][:200]
            print(f"{path.parent.name}: FAILED on seeds offset by {args.offset}: {first}")
            continue
        fresh = verdicts(nb)
        took = time.perf_counter() - start
        for key in sorted(stored.keys() | fresh.keys()):
            total += 1
            old, new = stored.get(key, "(missing)"), fresh.get(key, "(missing)")
            mark = "same" if old == new else "CHANGED"
            changed += old != new
            print(f"{path.parent.name}: {key}: {old} -> {new} [{mark}]")
        print(f"{path.parent.name}: ran in {took:.0f} s")
    print(f"reseed (offset {args.offset}): {total} claims in {len(paths)} labs, "
          f"{changed} changed, {failed} labs failed")
    return 1 if changed or failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
