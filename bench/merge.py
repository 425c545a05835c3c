"""Put the serving figures of a later run of some sizes into a full run's report.

    python -m bench.merge FULL.json LATER.json "why the sizes were run again"

Writes bench/RESULTS.md from FULL.json with LATER.json's sizes in place of its own, and
says so at the top of the report.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import report


def merge(full: dict, later: dict, why: str) -> dict:
    """Return the full run's results with the later run's sizes in their place."""
    merged = {**full, "sizes": {**full["sizes"], **later["sizes"]}}
    merged["merged"] = {
        "sizes": list(later["sizes"]),
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
