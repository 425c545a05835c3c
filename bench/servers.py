"""Start, watch and stop the servers under test, and measure their process trees."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
VENV = ROOT / ".venv" / "bin"
REFS = OUT / "refs-venv" / "bin"
PROBE = "ASK { ?s ?p ?o }"


def tree(pid: int) -> list[int]:
    """Return a process and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, ()))
    return found


def memory(pid: int) -> tuple[int, int]:
    """Return the (RSS, PSS) of a process tree in bytes; PSS counts shared pages once."""
    rss = pss = 0
    for member in tree(pid):
        try:
            with open(f"/proc/{member}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
        except OSError:
            continue
    return rss, pss


@dataclass
class Server:
    """One server process: its command, where it answers, and its peak memory."""

    name: str
    command: list[str]
    port: int
    query_path: str  # the SPARQL endpoint's path
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    peak_rss: int = 0
    peak_pss: int = 0
    started_in: float = 0.0
    _watching: bool = False

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def query_url(self, query: str) -> str:
        return f"{self.query_path}?query={urllib.parse.quote(query, safe='')}"

    def start(self, probe: str = PROBE, timeout: float = 600.0) -> float:
        """Start the server; return the seconds until it first answered `probe`."""
        started = time.monotonic()
        log = (OUT / f"{self.name}.log").open("ab")
        self.process = subprocess.Popen(
            self.command,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._watching = True
        threading.Thread(target=self._watch, daemon=True).start()
        url = self.base + self.query_url(probe)
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}")
            try:
                answer = requests.get(url, timeout=5, headers={"Accept": "application/json"})
                if answer.status_code == 200:
                    self.started_in = time.monotonic() - started
                    return self.started_in
            except requests.RequestException:
                pass
            time.sleep(0.01)
        raise RuntimeError(f"{self.name} did not answer within {timeout} s")

    def _watch(self) -> None:
        while self._watching and self.process and self.process.poll() is None:
            rss, pss = memory(self.process.pid)
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            time.sleep(0.25)

    def stop(self) -> None:
        """Stop the whole process group (server, workers, executors)."""
        self._watching = False
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def nzsa(build_dir: Path, port: int, name: str = "nzsa") -> Server:
    """`nzsa serve` with its default workers, threads and executors on a prebuilt build."""
    return Server(
        name,
        [str(VENV / "nzsa"), "serve", "--build-dir", str(build_dir), "--port", str(port)],
        port,
        "/sparql",
        env={"NZSA_REBUILD": "never"},
    )


def oxigraph(location: Path, port: int) -> Server:
    """`oxigraph serve-read-only` (PyPI `oxigraph`) with the union default graph."""
    command = [str(REFS / "oxigraph"), "serve-read-only", "--location", str(location)]
    # No --timeout-s: with it, each query spawns a timer thread, and under load the
    # spawns fail (EAGAIN) and answer 500s.
    command += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    return Server("oxigraph", command, port, "/query")


def rdflib_endpoint(dataset: Path, port: int) -> Server:
    """rdflib-endpoint on an in-memory rdflib Dataset."""
    command = [str(REFS / "python"), str(ROOT / "bench" / "rdflib_app.py"), str(dataset), str(port)]
    return Server("rdflib-endpoint", command, port, "/sparql")


def ceiling(port: int, server: str, workers: int, threads: int) -> Server:
    """The bare Flask app under nzsa's default HTTP server, workers and threads."""
    if server == "granian":
        command = [str(VENV / "granian"), "--interface", "wsgi"]
        command += ["--working-dir", str(ROOT / "bench")]
        command += ["--workers", str(workers), "--blocking-threads", str(threads)]
        command += ["--host", "127.0.0.1", "--port", str(port), "--no-log"]
    else:
        command = [str(VENV / "gunicorn"), "--chdir", str(ROOT / "bench"), "-k", "gthread"]
        command += ["-w", str(workers), "--threads", str(threads), "-b", f"127.0.0.1:{port}"]
    return Server("ceiling", [*command, "ceiling:app"], port, "/c/1")


def load_oxigraph(dataset: Path, location: Path) -> None:
    """Load an N-Quads dump into an Oxigraph store directory once."""
    if (location / "loaded").is_file():
        return
    subprocess.run(["rm", "-rf", str(location)], check=True)
    command = [str(REFS / "oxigraph"), "load", "--location", str(location), "--file", str(dataset)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    (location / "loaded").write_text("")
