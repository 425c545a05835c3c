"""`nzsa build` in two parts: validation, then the build's own work, in CPU seconds.

    python -m bench.build_parts PROJECT OUT

Runs in one process as `nzsa build PROJECT --out OUT` does (validate, then
`build_dataset` with that report) and prints each part's CPU and wall time and the peak
RSS; run it under `/usr/bin/time -v` for the process's own figures.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from nzsa.build import build_dataset
from nzsa.load import sources_from_paths
from nzsa.validate import validate


def main(project: str, out: str) -> None:
    sources = sources_from_paths([Path(project)])
    cpu, wall = time.process_time(), time.monotonic()
    report = validate(sources)
    print(f"validate: {time.process_time() - cpu:.1f} s CPU, {time.monotonic() - wall:.1f} s wall")
    cpu, wall = time.process_time(), time.monotonic()
    build_dataset(sources, Path(out), report=report)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"build's own part: {time.process_time() - cpu:.1f} s CPU, "
        f"{time.monotonic() - wall:.1f} s wall; peak RSS {peak:.0f} MB"
    )


if __name__ == "__main__":
    main(*sys.argv[1:3])
