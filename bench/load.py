"""Drive wrk over a request file, alternating servers (A B A B) so that noise cancels."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from statistics import mean

from .servers import OUT, Server

LUA = Path(__file__).with_name("rotate.lua")


@dataclass
class Figures:
    """One server's figures on one workload at one concurrency (mean of its rounds)."""

    rps: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx/3xx answers plus socket errors
    requests: int


def wrk(server: Server, lines: list[str], connections: int, duration: float) -> dict:
    """Run wrk once against a server with a rotating request file; return its summary."""
    requests_file = OUT / f"requests-{server.name}.txt"
    requests_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    threads = 1 if connections == 1 else 2
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(int(duration), 1)}s"]
    command += ["--timeout", "10s"]
    command += ["-s", str(LUA), server.base, "--", str(requests_file)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("WRK "))
    return json.loads(line[4:])


def alternate(
    cells: list[tuple[Server, list[str]]],
    connections: int,
    duration: float,
    rounds: int = 2,
    warm: bool = False,
) -> list[Figures]:
    """Load each server in turn, `rounds` times (A B A B); return each one's mean figures.

    With `warm`, each server first gets one unmeasured run, so that every worker process
    (not only the one the checking pass reached) holds the workload in its caches.
    """
    if warm:
        for server, lines in cells:
            wrk(server, lines, connections, min(duration, 2))
    runs: list[list[dict]] = [[] for _ in cells]
    for _ in range(rounds):
        for i, (server, lines) in enumerate(cells):
            runs[i].append(wrk(server, lines, connections, duration))
    figures = []
    for results in runs:
        errors = sum(
            r["status"] + r["connect"] + r["read"] + r["write"] + r["timeout"] for r in results
        )
        figures.append(
            Figures(
                rps=mean(r["requests"] / (r["duration_us"] / 1e6) for r in results),
                p50_ms=mean(r["p50_us"] for r in results) / 1000,
                p99_ms=mean(r["p99_us"] for r in results) / 1000,
                errors=errors,
                requests=sum(r["requests"] for r in results),
            )
        )
    return figures


def same_rows(a: list[tuple], b: list[tuple]) -> bool:
    """Compare two result sets as multisets of rows."""
    return Counter(a) == Counter(b)
