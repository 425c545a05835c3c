"""nzsa in front of Virtuoso 7 against Virtuoso's own /sparql: `bench/run --virtuoso 1M 10M`.

Per size: a private Virtuoso (Debian's stock virtuoso.ini, with buffers sized for this
machine as its own comments advise) loaded with the size's nzsa.nq; `nzsa serve --store
remote` in front of it, with its answer caches on (as deployed) and off (the publisher's
own cost per query); the bare-Flask ceiling for documents. Virtuoso's side gets the very
requests nzsa sends it: the four published graphs named, and its own timeout.

Heavy queries and lookups rotate over tens to hundreds of distinct requests; every query
is answered once on both sides first and the rows compared. The load average is recorded
with every figure: the machine is shared.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
import requests
from nzsa import config
from nzsa.store.engine import PUBLISHED_GRAPHS

from . import sections, workloads
from .load import alternate, same_rows
from .servers import OUT, ROOT, VENV, Server, ceiling

sys.path.insert(0, str(ROOT / "tests"))
import remote_engines  # noqa: E402

JSON = {"Accept": workloads.JSON}
# 8 KB pages: up to 11 GB of buffers, the stock file's line for 16 GB free (this machine
# has 24 GB). With 2.7 GB the 10M load had not finished after an hour.
BUFFERS = {"NumberOfBuffers": 1_360_000, "MaxDirtyBuffers": 1_000_000}
MARK_BEGIN, MARK_END = sections.marks("virtuoso")
TARGET_OVERHEAD = 1.30  # nzsa may add at most 30 % to Virtuoso's own time
TARGET_DOCUMENTS = 0.5  # documents at ≥ 0.5× the bare-Flask ceiling


class Direct(Server):
    """Virtuoso's own endpoint, sent what nzsa sends it for each query."""

    timeout_ms: int = 4000

    def query_url(self, query: str) -> str:
        params = [("query", query)]
        params += [("default-graph-uri", g) for g in PUBLISHED_GRAPHS]
        params += [("named-graph-uri", g) for g in PUBLISHED_GRAPHS]
        params.append(("timeout", str(self.timeout_ms)))
        return f"{self.query_path}?{urllib.parse.urlencode(params)}"


def load_average() -> list[str]:
    return Path("/proc/loadavg").read_text().split()[:3]


def prepare_virtuoso(size: str, nquads: Path, log) -> tuple[Path, int, int]:
    """Create and load a Virtuoso database for a size once; return its dir and ports."""
    directory = OUT / f"virtuoso-{size}"
    done = directory / "loaded"
    template = OUT / "virtuoso-template"
    if not (template / "virtuoso.db").is_file():
        remote_engines.make_virtuoso_template(template)
    if not done.is_file():
        if directory.exists():
            for path in directory.iterdir():
                path.unlink() if path.is_file() else None
        started = time.monotonic()
        instance = remote_engines.start_virtuoso(directory, template, parameters=BUFFERS)
        try:
            files = instance.load(nquads, restart=False, timeout=7200)
        finally:
            instance.stop()
        done.write_text(f"{time.monotonic() - started:.0f}\n")
        log(f"{size}: loaded Virtuoso in {done.read_text().strip()} s ({files} files,"
            f" {remote_engines.LOADERS} loaders)")  # fmt: skip
    return directory, remote_engines.free_port(), remote_engines.free_port()


def virtuoso_server(directory: Path, sql_port: int, http_port: int) -> Direct:
    """Virtuoso on a loaded database, as a bench Server (memory watched, stopped by group)."""
    ini = directory / "virtuoso.ini"
    ini.write_text(remote_engines.virtuoso_ini(directory, sql_port, http_port, parameters=BUFFERS))
    command = [remote_engines.VIRTUOSO, "+foreground", "+configfile", str(ini)]
    return Direct("virtuoso", command, http_port, "/sparql")


def nzsa_remote(build: Path, port: int, endpoint: str, name: str, caches: bool) -> Server:
    env = {"NZSA_REBUILD": "never", "NZSA_STORE": "remote", "NZSA_REMOTE_ENDPOINT": endpoint}
    if not caches:
        env.update({"NZSA_RESPONSE_CACHE_BYTES": "0", "NZSA_QUERY_CACHE_BYTES": "0"})
    command = [str(VENV / "nzsa"), "serve", "--build-dir", str(build), "--port", str(port)]
    return Server(name, command, port, "/sparql", env=env)


def fingerprint_seconds(endpoint: str) -> float:
    """Time reading the remote store's version (once, after a warm-up)."""
    from nzsa.store.remote import RemoteStore

    store = RemoteStore(endpoint, timeout=600, version_interval=0)
    try:
        store._read_version()
        started = time.monotonic()
        store._read_version()
        return time.monotonic() - started
    finally:
        store.close()


def select(url: str) -> list[tuple]:
    """Run a SELECT given as a whole URL; return rows of N-Triples term strings."""
    answer = requests.get(url, headers=JSON, timeout=120)
    answer.raise_for_status()
    solutions = ox.parse_query_results(answer.content, ox.QueryResultsFormat.JSON)
    return [tuple(None if t is None else str(t) for t in row) for row in solutions]


def check(sides: list[Server], queries: list[str]) -> tuple[dict, list[str]]:
    """Answer every query on every side once; keep those all answered; count mismatches."""
    kept, mismatched, rows = [], 0, 0
    for query in queries:
        try:
            answers = [select(side.base + side.query_url(query)) for side in sides]
        except requests.RequestException:
            continue
        kept.append(query)
        rows += len(answers[0])
        mismatched += not all(same_rows(answers[0], other) for other in answers[1:])
    return {"queries": len(kept), "rows": rows, "mismatched": mismatched,
            "dropped": len(queries) - len(kept)}, kept  # fmt: skip


def measure(size: str, build: Path, args, log) -> dict:
    """Benchmark one size; return its figures."""
    nquads = build / "nzsa.nq"
    entry: dict = {"quads": sum(1 for _ in nquads.open("rb")), "cells": [], "checks": {}}
    directory, sql_port, http_port = prepare_virtuoso(size, nquads, log)
    entry["load_s"] = float((directory / "loaded").read_text())
    virtuoso = virtuoso_server(directory, sql_port, http_port)
    virtuoso.start(probe="ASK {}", timeout=600)
    endpoint = virtuoso.base + "/sparql"
    cached = nzsa_remote(build, 18180, endpoint, "nzsa", caches=True)
    uncached = nzsa_remote(build, 18181, endpoint, "nzsa-uncached", caches=False)
    defaults = config.defaults()
    top = None
    try:
        entry["fingerprint_s"] = fingerprint_seconds(endpoint)
        for server in (cached, uncached):
            server.start(timeout=600)
        params = workloads.parameters(cached.base + "/sparql")
        sides = [uncached, cached, virtuoso]
        for kind, queries in workloads.heavy_queries(params).items():
            entry["checks"][kind], queries = check(sides, queries)
            # None answered on every side: nothing to time (wrk would send a bare path).
            for c in args.connections if queries else []:
                cells = [(s, [workloads.request_line(s.query_url(q), JSON) for q in queries])
                         for s in sides]  # fmt: skip
                figures = alternate(cells, c, args.duration, warm=c == args.connections[0])
                record(entry, kind, c, cells, figures)
            log(f"{size}: {kind} {entry['checks'][kind]}")
        cheap = workloads.lookups(params)
        entry["checks"]["lookup"], cheap = check(sides, cheap)
        top = ceiling(18190, defaults["SERVER"], defaults["WORKERS"], defaults["THREADS"])
        top.start()
        resources = params["resources"]
        docs = ["/doc/" + iri.split("/id/", 1)[1] for iri in resources if "/id/" in iri]
        turtle = {"Accept": "text/turtle"}
        sizes = [len(requests.get(cached.base + d, headers=turtle, timeout=120).content)
                 for d in docs]  # fmt: skip
        lines = [workloads.request_line(d, turtle) for d in docs]
        constant = [workloads.request_line(f"/c/{size}") for size in sizes]
        for c in args.connections:
            cells = [(s, [workloads.request_line(s.query_url(q), JSON) for q in cheap])
                     for s in sides]  # fmt: skip
            record(entry, "lookup", c, cells, alternate(cells, c, args.duration, warm=True))
            cells = [(cached, lines), (uncached, lines), (top, constant)]
            figures = alternate(cells, c, args.duration, warm=True)
            record(entry, "document-turtle", c, cells, figures)
            log(f"{size}: lookups and documents at {c} connections done")
    finally:
        for server in (cached, uncached, top, virtuoso):
            if server is not None:
                server.stop()
    entry["peak"] = {s.name: [s.peak_rss, s.peak_pss] for s in (cached, uncached, virtuoso)}
    return entry


def record(entry: dict, workload: str, connections: int, cells, figures) -> None:
    load = load_average()
    for (server, _), figure in zip(cells, figures, strict=True):
        entry["cells"].append({"workload": workload, "c": connections, "server": server.name,
                               "load": load, **figure.__dict__})  # fmt: skip


def _cell(entry: dict, workload: str, c: int, server: str) -> dict | None:
    for cell in entry["cells"]:
        if (cell["workload"], cell["c"], cell["server"]) == (workload, c, server):
            return cell
    return None


def _timed(entry: dict) -> list[dict]:
    """The cells of workloads that kept at least one query after the answers were compared."""
    empty = {kind for kind, counts in entry["checks"].items() if not counts["queries"]}
    return [cell for cell in entry["cells"] if cell["workload"] not in empty]


def render(results: dict) -> str:
    """Write the Virtuoso section of RESULTS.md."""
    lines = [MARK_BEGIN, "## nzsa in front of Virtuoso 7", ""]
    lines.append(
        f"Produced by `{results['command']}` in {results['elapsed_s'] / 60:.1f} minutes"
        f" (commit {results['commit']}); load average before the run"
        f" {' '.join(results['load_before'])}, after {' '.join(results['load_after'])}."
        " Virtuoso 7.2.5 (Debian's `virtuoso-opensource`), its stock `virtuoso.ini` with"
        f" {BUFFERS['NumberOfBuffers']:,} buffers, loaded by {remote_engines.LOADERS} parallel"
        f" bulk loaders from {remote_engines.PART_BYTES >> 20} MB parts of `nzsa.nq`, one"
        " checkpoint at the end; nzsa with its defaults, `--store remote`."
        " Each figure: wrk over a rotation of distinct requests, servers alternating A B A B,"
        " two rounds averaged; `load` is the 1/5/15-minute load average when it was taken"
        " (2 cores: above 2 the machine was busy with other work, and figures are lower)."
    )
    lines += ["", "| size | quads | load into Virtuoso | reading the version (graph sizes) |",
              "|---|---|---|---|"]  # fmt: skip
    for size, entry in results["sizes"].items():
        lines.append(f"| {size} | {entry['quads']:,} | {entry['load_s']:.0f} s |"
                     f" {entry['fingerprint_s']:.2f} s |")  # fmt: skip
    lines += [
        "",
        "### Targets",
        "",
        "| target | measured | goal | load | |",
        "|---|---|---|---|---|",
    ]
    for size, entry in results["sizes"].items():
        for kind in ("join", "path", "aggregate", "cq"):
            for c in sorted({cell["c"] for cell in entry["cells"]}):
                ours, theirs = (_cell(entry, kind, c, s) for s in ("nzsa-uncached", "virtuoso"))
                if not ours or not theirs or not ours["rps"]:
                    continue
                added = theirs["rps"] / ours["rps"]
                lines.append(
                    f"| {kind}, {size}, c={c}: nzsa (caches off) time ÷ Virtuoso's own |"
                    f" {added:.2f}× ({ours['rps']:.1f} vs {theirs['rps']:.1f} req/s) |"
                    f" ≤ {TARGET_OVERHEAD:.2f}× | {' '.join(ours['load'])} |"
                    f" {'**met**' if added <= TARGET_OVERHEAD else 'not met'} |"
                )
        for c in sorted({cell["c"] for cell in entry["cells"]}):
            ours, top = (_cell(entry, "document-turtle", c, s) for s in ("nzsa", "ceiling"))
            if ours and top and top["rps"]:
                ratio = ours["rps"] / top["rps"]
                lines.append(
                    f"| document-turtle, {size}, c={c}: nzsa ÷ bare-Flask ceiling |"
                    f" {ratio:.2f}× | ≥ {TARGET_DOCUMENTS}× | {' '.join(ours['load'])} |"
                    f" {'**met**' if ratio >= TARGET_DOCUMENTS else 'not met'} |"
                )
    lines += [
        "",
        "Heavy-query targets compare nzsa with its answer caches off: the publisher's own cost"
        " per query. With its defaults (`nzsa` rows) repeated queries are answered from its"
        " caches. Documents are compared as deployed (`nzsa`, defaults): after the warm-up the"
        " rotation's documents are in its caches; with them off (`nzsa-uncached`) each document"
        " costs Virtuoso three to five queries.",
    ]
    lines += ["", "### Every figure", "",
              "| size | workload | c | server | req/s | p50 ms | p99 ms | errors | load |",
              "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for size, entry in results["sizes"].items():
        for cell in _timed(entry):
            lines.append(
                f"| {size} | {cell['workload']} | {cell['c']} | {cell['server']} |"
                f" {cell['rps']:.1f} | {cell['p50_ms']:.1f} | {cell['p99_ms']:.1f} |"
                f" {cell['errors']} | {' '.join(cell['load'])} |"
            )
    lines += ["", "Answers compared before timing (rows as multisets; all sides; `dropped`: a"
              " query some side did not answer, as past its timeout, left out of the timing):",
              ""]  # fmt: skip
    for size, entry in results["sizes"].items():
        for kind, counts in entry["checks"].items():
            lines.append(f"- {size} {kind}: {counts}")
    lines += ["", "Peak memory (RSS / PSS, MB):", ""]
    for size, entry in results["sizes"].items():
        for name, (rss, pss) in entry["peak"].items():
            lines.append(f"- {size} {name}: {rss / 1e6:.0f} / {pss / 1e6:.0f}")
    lines.append(MARK_END)
    return "\n".join(lines) + "\n"


def keep_section(old: str, new: str) -> str:
    """Return a new RESULTS.md keeping the Virtuoso section of the old one, if any."""
    return sections.keep(old, new, "virtuoso")


def write_section(path: Path, section: str) -> None:
    """Put the Virtuoso section into RESULTS.md, replacing the one there."""
    sections.write(path, section, "virtuoso")


def run(sizes: list[str], args, prepare_data, log) -> None:
    """Benchmark the sizes and write their section of RESULTS.md."""
    started = time.monotonic()
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()  # fmt: skip
    results = {"command": " ".join(["bench/run", *sys.argv[1:]]), "commit": commit,
               "load_before": load_average(), "sizes": {}}  # fmt: skip
    for size in sizes:
        results["sizes"][size] = measure(size, prepare_data(size), args, log)
    results["load_after"] = load_average()
    results["elapsed_s"] = time.monotonic() - started
    (OUT / "virtuoso.json").write_text(json.dumps(results, indent=1))
    write_section(args.out, render(results))
    log(f"wrote the Virtuoso section of {args.out}")
