"""The cost curve: `nzsa validate`, `nzsa build` and the naive baseline at each size."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

from .servers import OUT, ROOT, VENV

TIMED = ["/usr/bin/time", "-f", "TIME %e %M"]


def run(command: list[str], timeout: float) -> dict:
    """Run a command under /usr/bin/time; return seconds, peak RSS, exit status, output."""
    started = time.monotonic()
    try:
        done = subprocess.run(TIMED + command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "seconds": time.monotonic() - started}
    found = re.search(r"TIME ([\d.]+) (\d+)", done.stderr)
    return {
        "status": done.returncode,
        "seconds": float(found.group(1)) if found else None,
        "peak_mb": int(found.group(2)) / 1024 if found else None,
        "stdout": done.stdout[-2000:],
        "stderr": done.stderr[-2000:],
    }


def project(size: str, build: Path) -> Path:
    return ROOT if size == "bundled" else build.parent / "project"


def commands(size: str, build: Path) -> dict[str, list[str]]:
    root = project(size, build)
    paths = [] if size == "bundled" else [str(root)]
    return {
        "nzsa validate": [str(VENV / "nzsa"), "validate", *paths],
        "nzsa build": [str(VENV / "nzsa"), "build", *paths, "--out", str(OUT / f"cost-{size}")],
        "owlrl + pyshacl": [sys.executable, "-m", "bench.naive", str(root)],
    }


def data_triples(size: str, build: Path) -> int:
    root = project(size, build)
    return sum(
        1
        for path in (root / "data").glob("*.ttl")
        for line in path.open(encoding="utf-8")
        if line.rstrip().endswith((" .", ";", ","))
    )


def measure(builds: dict[str, Path], timeout: float, log) -> dict:
    """Time each command at each size; skip what the previous size shows cannot finish."""
    results: dict = {}
    previous: dict[str, tuple[int, float]] = {}
    for size, build in builds.items():
        triples = data_triples(size, build)
        results[size] = {"data_triples": triples}
        for name, command in commands(size, build).items():
            if name in previous:
                # A linear estimate from the previous size (these costs grow at least so).
                last_triples, last_seconds = previous[name]
                estimate = last_seconds * triples / max(last_triples, 1)
                if estimate > timeout:
                    results[size][name] = {"status": "skipped", "estimate_s": estimate}
                    previous[name] = (triples, estimate)
                    log(f"costs {size}: {name} skipped (estimated {estimate:.0f} s)")
                    continue
            outcome = run(command, timeout)
            if name == "owlrl + pyshacl" and outcome["status"] == 0:
                outcome["findings"] = json.loads(outcome["stdout"].strip().splitlines()[-1])
            if name == "nzsa validate" and outcome["status"] in (0, 1):
                summary = outcome["stdout"].strip().splitlines()[-1]
                errors = re.search(r"(\d+) errors?", summary)
                outcome["errors"] = int(errors.group(1)) if errors else 0
            results[size][name] = outcome
            seconds = outcome["seconds"] or timeout
            previous[name] = (triples, timeout * 2 if outcome["status"] == "timeout" else seconds)
            log(f"costs {size}: {name} {outcome['status']} in {seconds:.1f} s")
    return results
