"""Memory of `nzsa serve` under requests that differ only in a long query string.

    python -m bench.cache_growth BUILD_DIR [--nzsa PATH] [--requests N]

Starts `nzsa serve` (one worker) on BUILD_DIR, sends N GETs to /sparql whose query
strings each carry 60 kB of distinct text, once in a parameter no route reads (`x=`) and
once in one the endpoint reads (a second `format=`), and prints the growth of the
server's resident memory (master, worker and executors). `--nzsa` runs another
checkout's command, to compare two versions on the same machine.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

SHAPES = {
    "unknown": "?query=ASK%7B%7D&x={junk}",
    "known": "?query=ASK%7B%7D&format=json&format={junk}",
}


def resident(session_id: int) -> int:
    """Return the resident bytes of every process in a session."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[3]) == session_id:
                pages = int((entry / "statm").read_text().split()[1])
                total += pages * os.sysconf("SC_PAGE_SIZE")
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def measure(nzsa: str, build: Path, shape: str, count: int) -> tuple[int, int, float]:
    """Serve `build`, send `count` requests of one shape; return RSS before, after, seconds."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("NZSA_")}
    env.update(NZSA_BUILD_DIR=str(build), NZSA_PORT=str(port), NZSA_REBUILD="never",
               NZSA_WORKERS="1", NZSA_THREADS="4")  # fmt: skip
    server = subprocess.Popen([nzsa, "serve"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}/sparql"
    session = requests.Session()
    try:
        for _ in range(300):
            try:
                session.get(url + "?query=ASK%7B%7D", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        for _ in range(50):
            session.get(url + "?query=ASK%7B%7D&format=json", timeout=10)
        before, started = resident(server.pid), time.monotonic()
        for n in range(count):
            junk = f"{n}-" + "x" * 60_000
            answer = session.get(url + SHAPES[shape].format(junk=junk), timeout=10)
            answer.raise_for_status()
        return before, resident(server.pid), time.monotonic() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", type=Path)
    parser.add_argument("--nzsa", default=str(Path(sys.executable).parent / "nzsa"))
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args(argv)
    for shape in SHAPES:
        before, after, seconds = measure(args.nzsa, args.build, shape, args.requests)
        growth = (after - before) / 1e6
        print(f"{shape:8} {args.requests} requests: RSS {before / 1e6:.0f} MB → "
              f"{after / 1e6:.0f} MB (+{growth:.0f} MB) in {seconds:.0f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
