"""Put the serving figures of a later run of some sizes into a full run's report.

    python -m bench.merge FULL.json LATER.json "why the sizes were run again"

Writes bench/RESULTS.md from FULL.json with LATER.json's workloads in place of its own
at the sizes LATER.json ran, and says so at the top of the report.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import report


def merge(full: dict, later: dict, why: str) -> dict:
    """Return the full run's results with the later run's workloads in their place.

    For each size the later run served, its cells and checks replace those of the same
    workloads; workloads it did not run (documents, say) keep the full run's figures, and
    each server's peak memory is the higher of the two runs.
    """
    sizes = dict(full["sizes"])
    for size, entry in later["sizes"].items():
        old = sizes.get(size, {"cells": [], "checks": {}, "peak": {}})
        rerun = {cell["workload"] for cell in entry["cells"]}
        peak = dict(old.get("peak", {}))
        for server, (rss, pss) in entry.get("peak", {}).items():
            was = peak.get(server, [0, 0])
            peak[server] = [max(rss, was[0]), max(pss, was[1])]
        sizes[size] = {
            **old,
            "cells": [c for c in old["cells"] if c["workload"] not in rerun] + entry["cells"],
            "checks": {**old["checks"], **entry["checks"]},
            "peak": peak,
        }
    merged = {**full, "sizes": sizes}
    merged["merged"] = {
        "sizes": list(later["sizes"]),
        "workloads": sorted({c["workload"] for e in later["sizes"].values() for c in e["cells"]}),
        "command": later["command"],
        "commit": later["machine"]["commit"],
        "elapsed_s": later["elapsed_s"],
        "why": why,
    }
    return merged


def main(argv: list[str]) -> int:
    full, later = (json.loads(Path(name).read_text()) for name in argv[:2])
    out = Path(__file__).with_name("RESULTS.md")
    out.write_text(report.render(merge(full, later, argv[2])), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
