"""Drive wrk over a request file, alternating servers (A B A B) so that noise cancels."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from statistics import mean

from .servers import OUT, Server, tree

TICKS = os.sysconf("SC_CLK_TCK")

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


def cpu_seconds(server: Server) -> float:
    """Return the CPU time (user + system) used so far by a server's process tree."""
    total = 0
    for pid in tree(server.process.pid) if server.process else ():
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / TICKS


def settle(servers: list[Server], limit: float = 180.0) -> float:
    """Wait until every server is idle again; return the seconds waited.

    A server may still be working on requests wrk gave up on (`oxigraph serve` has no
    time limit here), and that work would slow whichever server is measured next.
    """
    started = time.monotonic()
    last = sum(cpu_seconds(s) for s in servers)
    while time.monotonic() - started < limit:
        time.sleep(0.5)
        now = sum(cpu_seconds(s) for s in servers)
        if now - last < 0.05:  # under 10% of one core over the half second
            break
        last = now
    return time.monotonic() - started


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
    sides = [server for server, _ in cells]
    if warm:
        for server, lines in cells:
            settle(sides)
            wrk(server, lines, connections, min(duration, 2))
    runs: list[list[dict]] = [[] for _ in cells]
    for _ in range(rounds):
        for i, (server, lines) in enumerate(cells):
            settle(sides)
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
