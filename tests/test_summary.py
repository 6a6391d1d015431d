"""The summary's verdict table lists every claim the labs judge, with its numbers and seeds.

A claim a lab judges but the summary leaves out, or a row pasting a claim no lab makes any
more, would make the book's one overview wrong; the build would not notice the first.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = ROOT / "book" / "summary" / "index.md"
ROW = re.compile(r"\{glue:text\}`\.\./(\w+)/lab\.ipynb::claim_(\w+)_(verdict|evidence|seeds):s`")


def judged_claims() -> set[tuple[str, str]]:
    """(chapter, key) of every claim a lab's stored outputs glue a verdict for."""
    found = set()
    for lab in sorted((ROOT / "book").glob("*/lab.ipynb")):
        for cell in json.loads(lab.read_text(encoding="utf-8"))["cells"]:
            for out in cell.get("outputs", []):
                name = out.get("metadata", {}).get("scrapbook", {}).get("name", "")
                if name.startswith("claim_") and name.endswith("_verdict"):
                    found.add((lab.parent.name, name[len("claim_"):-len("_verdict")]))
    return found


def summary_rows() -> dict[tuple[str, str], set[str]]:
    rows: dict[tuple[str, str], set[str]] = {}
    for chapter, key, part in ROW.findall(SUMMARY.read_text(encoding="utf-8")):
        rows.setdefault((chapter, key), set()).add(part)
    return rows


def test_every_judged_claim_has_a_row_with_verdict_evidence_and_seeds():
    rows = summary_rows()
    missing = sorted(judged_claims() - rows.keys())
    assert not missing, f"claims the labs judge but the summary leaves out: {missing}"
    incomplete = {k: v for k, v in rows.items() if v != {"verdict", "evidence", "seeds"}}
    assert not incomplete, f"rows without verdict, evidence and seeds: {incomplete}"


def test_the_summary_pastes_no_claim_that_no_lab_judges():
    stale = sorted(summary_rows().keys() - judged_claims())
    assert not stale, f"the summary pastes claims no lab judges: {stale}"
