"""The load and fault suite: `nzsa serve` under overload, slow clients and faults, on loopback.

    python -m bench.faults [SCENARIO ...] [--build DIR] [--seconds S] [--soak-seconds S]
                           [--out bench/out/faults.json]

Scenarios: mixed (c=1/10/50/200), soak (c=50, memory), slow (300 slow sockets beside
ordinary load), pathological (20 runaway queries beside ordinary load), kill (a worker
killed), remote (the remote store stopped and started), sigterm (the server stopped under
load). Each starts its own `nzsa serve` (defaults, REBUILD=never) on BUILD (the bundled data,
built into bench/out/faults-build when missing) and returns its figures; the load average
is read beside each. tests/test_faults.py runs each scenario briefly and asserts the
behaviour, never the timing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

import requests

from . import loadgen, sections
from .loadgen import CUT, REFUSED, Request, Tally
from .servers import memory, tree

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
VENV_BIN = Path(sys.executable).parent
BASE_IRI = "https://w3id.org/nzsa/"
ACCEPTS = ("text/turtle", "application/ld+json", "text/html")
# A query that runs until its time limit: a cross product no index helps.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(8))


def load_average() -> float:
    """The one-minute load average (the machine is shared: say how busy it was)."""
    return round(os.getloadavg()[0], 2)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the server ------------------------------------------------------------------------------


class Served:
    """One `nzsa serve` started for a scenario, in its own session."""

    def __init__(self, build: Path, log: Path, **settings):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("NZSA_")}
        env.update({"NZSA_BUILD_DIR": str(build), "NZSA_PORT": str(self.port),
                    "NZSA_HOST": "127.0.0.1", "NZSA_REBUILD": "never"})  # fmt: skip
        env.update({"NZSA_" + k: str(v) for k, v in settings.items()})
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(VENV_BIN / "nzsa"), "serve"], env=env, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        self.wait_until_answers()

    def wait_until_answers(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nzsa serve exited:\n{self.log.read_text()[-3000:]}")
            with contextlib.suppress(requests.RequestException):
                requests.get(self.base + "/robots.txt", timeout=2)
                return
            time.sleep(0.1)
        raise RuntimeError(f"nzsa serve did not answer:\n{self.log.read_text()[-3000:]}")

    def workers(self) -> list[int]:
        """The worker processes: the master's children that run the app (not executors)."""
        master = self.process.pid
        found = []
        for pid in tree(master):
            try:
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if int(stat[1]) == master and b"nzsa.store.executor" not in command:
                found.append(pid)
        return found

    def memory(self) -> tuple[int, int]:
        return memory(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


# --- the requests ----------------------------------------------------------------------------


def documents(base: str, count: int = 100) -> list[str]:
    """Paths of `count` resources' documents, read from the server's own SPARQL endpoint."""
    query = (
        f"SELECT DISTINCT ?s WHERE {{ ?s a ?t FILTER(STRSTARTS(STR(?s), '{BASE_IRI}id/')) }}"
        f" ORDER BY ?s LIMIT {count}"
    )
    answer = requests.get(
        base + "/sparql", params={"query": query},
        headers={"Accept": "application/sparql-results+json"}, timeout=60,
    )  # fmt: skip
    answer.raise_for_status()
    iris = [row["s"]["value"] for row in answer.json()["results"]["bindings"]]
    return ["/doc/" + iri[len(BASE_IRI) + 3 :] for iri in iris]


def sparql(query: str, kind: str = "query") -> Request:
    accept = (("Accept", "application/sparql-results+json"),)
    return Request(kind, "/sparql?query=" + quote(query, safe=""), headers=accept)


def ordinary(docs: list[str]) -> list[Request]:
    """What an ordinary visitor asks for, again and again: documents in each format."""
    return [
        Request("ordinary", path, headers=(("Accept", accept),))
        for path in docs
        for accept in ACCEPTS
    ]


def mixed(docs: list[str]) -> list[Request]:
    """A mix: documents, pages, lookups, small aggregates, static files, 404s, unknown params."""
    mix: list[Request] = ordinary(docs)
    for n, path in enumerate(docs):
        iri = BASE_IRI + "id/" + path[len("/doc/") :]
        mix.append(Request("page", "/page?iri=" + quote(iri, safe="")))
        mix.append(sparql(f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }} LIMIT 100"))
        # A parameter no route reads (a tracker's): it must not defeat the caches.
        turtle = (("Accept", "text/turtle"),)
        mix.append(Request("ordinary", f"{path}?utm_source=n{n}", headers=turtle))
        if n % 5 == 0:
            count = "SELECT ?t (COUNT(?s) AS ?n) WHERE { ?s a ?t } GROUP BY ?t"
            mix.append(sparql(f"{count} LIMIT {n + 1}"))
            mix.append(Request("page", "/search?q=" + quote(path.rsplit("/", 1)[1][:4]),
                               headers=(("Accept", "text/html"),)))  # fmt: skip
            mix.append(Request("missing", f"/doc/nothing/here-{n}"))
    mix += [Request("static", p) for p in ("/robots.txt", "/static/pages/site.css", "/void")]
    random.Random(7).shuffle(mix)
    return mix


def runaway(n: int) -> Request:
    """A query that runs until its limit; `n` makes it one no cache holds."""
    return sparql(RUNAWAY + f" }} LIMIT {n + 1}", "runaway")


# --- the scenarios ---------------------------------------------------------------------------


def warm(served: Served, docs: list[str]) -> None:
    """Send every request of the mix once, so a scenario meets caches as a running site has them."""
    loadgen.run(*loadgen.each_once(served.base, 8, mixed(docs), Tally()))


def scenario_mixed(served: Served, docs: list[str], seconds: float, levels=(1, 10, 50, 200)):
    """Mixed load at each concurrency: statuses and p50/p99 by kind of request."""
    items = mixed(docs)
    figures: dict = {"seconds": seconds}
    for concurrency in levels:
        tally = Tally()
        loadgen.run(*loadgen.users(served.base, concurrency, items, seconds, tally))
        figures[f"c={concurrency}"] = {
            **tally.summary(), "rps": round(len(tally.outcomes) / seconds, 1),
            "ordinary": tally.summary("ordinary"), "load": load_average(),
        }  # fmt: skip
    return figures


def sharing(pid: int) -> tuple[int, int]:
    """Bytes of a process tree's pages private to one process, and shared among several."""
    private = shared = 0
    for member in tree(pid):
        try:
            with open(f"/proc/{member}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith(("Private_Clean:", "Private_Dirty:")):
                        private += int(line.split()[1]) * 1024
                    elif line.startswith(("Shared_Clean:", "Shared_Dirty:")):
                        shared += int(line.split()[1]) * 1024
        except OSError:
            continue
    return private, shared


def scenario_soak(served: Served, docs: list[str], seconds: float, warmup: float, every=5.0):
    """Mixed load at c=50 for `seconds`, the server's memory read every `every` seconds."""
    items = mixed(docs)
    samples: list[tuple[float, int, int, float]] = []
    tally = Tally()
    started = time.monotonic()

    async def sample() -> None:
        while time.monotonic() - started < seconds:
            rss, pss = served.memory()
            private, shared = sharing(served.process.pid)
            at = round(time.monotonic() - started, 1)
            samples.append((at, rss, pss, load_average(), private, shared))
            await asyncio.sleep(every)

    loadgen.run(sample(), *loadgen.users(served.base, 50, items, seconds, tally))
    settled = [s for s in samples if s[0] >= warmup]
    first, last = settled[0], settled[-1]
    return {
        **tally.summary(), "seconds": seconds, "warmup": warmup,
        "rss_mb_after_warmup": round(first[1] / 1e6, 1), "rss_mb_end": round(last[1] / 1e6, 1),
        "rss_growth_pct": round(100 * (last[1] - first[1]) / first[1], 2),
        "pss_mb_after_warmup": round(first[2] / 1e6, 1), "pss_mb_end": round(last[2] / 1e6, 1),
        "pss_growth_pct": round(100 * (last[2] - first[2]) / first[2], 2),
        "rss_mb_peak": round(max(s[1] for s in samples) / 1e6, 1),
        "load_min": min(s[3] for s in samples), "load_max": max(s[3] for s in samples),
        "samples": samples,
    }  # fmt: skip


async def slow_socket(host: str, port: int, until: float, body: bool, ended: list) -> None:
    """Hold a connection that sends its request a byte a second; open another when closed."""
    head = b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if body:
        head += b"Content-Type: application/sparql-query\r\nContent-Length: 100000\r\n\r\n"
    while time.monotonic() < until:
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError:
            await asyncio.sleep(0.5)
            continue
        closed = asyncio.ensure_future(reader.read())  # done when the server closes
        try:
            writer.write(head if body else head[:20])
            while time.monotonic() < until and not closed.done():
                await asyncio.sleep(1.0)
                writer.write(b"A" if body else b"x")
                await writer.drain()
        except (OSError, RuntimeError):
            pass  # closed by the server (uvloop raises RuntimeError writing to a closed socket)
        finally:
            if closed.done() or time.monotonic() < until:
                ended.append(time.monotonic())
            closed.cancel()
            writer.close()


def scenario_slow(served: Served, docs: list[str], seconds: float, sockets: int = 300):
    """Half the sockets send headers slowly, half a body; ordinary visitors meanwhile."""
    parts = urlsplit(served.base)
    until = time.monotonic() + seconds
    ended: list[float] = []
    slow = [slow_socket(parts.hostname, parts.port, until, n % 2 == 1, ended)
            for n in range(sockets)]  # fmt: skip
    tally = Tally()

    async def later():  # let the slow sockets take their places first
        await asyncio.sleep(2)
        await asyncio.gather(*loadgen.users(served.base, 10, ordinary(docs), seconds - 3, tally))

    loadgen.run(*slow, later())
    return {**tally.summary(), "slow_sockets": sockets, "slow_closed_by_server": len(ended),
            "load": load_average()}  # fmt: skip


def scenario_pathological(
    served: Served, docs: list[str], seconds: float, count: int = 20, tally: Tally | None = None
):
    """`count` clients sending runaway queries, each one no cache holds, beside visitors.

    A `tally` given gathers the outcomes of several runs: the figures are of them all.
    """
    tally = Tally() if tally is None else tally
    until = time.monotonic() + seconds
    runaways = [loadgen.user(served.base, loadgen.unique(runaway, n * 100_000), until, tally)
                for n in range(count)]  # fmt: skip
    visitors = loadgen.users(served.base, 10, ordinary(docs), seconds, tally)
    loadgen.run(*runaways, *visitors)
    return {"ordinary": tally.summary("ordinary"), "runaway": tally.summary("runaway"),
            "load": load_average()}  # fmt: skip


def scenario_kill(served: Served, docs: list[str], seconds: float):
    """Kill one worker (SIGKILL) a third of the way in; count what each phase got."""
    tally = Tally()
    items = mixed(docs)
    killed: dict = {}

    async def kill() -> None:
        await asyncio.sleep(seconds / 3)
        victim = served.workers()[0]
        killed.update(pid=victim, at=time.monotonic())
        os.kill(victim, signal.SIGKILL)
        while time.monotonic() - killed["at"] < 60:
            if len(served.workers()) >= 2 and victim not in served.workers():
                killed["replaced_after_s"] = round(time.monotonic() - killed["at"], 2)
                return
            await asyncio.sleep(0.1)

    loadgen.run(kill(), *loadgen.users(served.base, 10, items, seconds, tally))
    at = killed["at"]
    before = Tally([o for o in tally.outcomes if o.sent_at + o.seconds < at])
    around = Tally([o for o in tally.outcomes if o.sent_at < at <= o.sent_at + o.seconds])
    after = Tally([o for o in tally.outcomes if o.sent_at >= at])
    later = Tally([o for o in after.outcomes if o.sent_at >= at + 2])
    return {"before": before.summary(), "in_flight_at_kill": around.summary(),
            "after": after.summary(), "from_2s_after": later.summary(),
            "replaced_after_s": killed.get("replaced_after_s"), "load": load_average()}  # fmt: skip


def start_oxigraph(location: Path, port: int, log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(VENV_BIN / "oxigraph"), "serve-read-only", "--location", str(location),
             "--bind", f"127.0.0.1:{port}", "--union-default-graph", "--timeout-s", "5"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", timeout=2).ok:
                return process
        time.sleep(0.1)
    raise RuntimeError(f"oxigraph did not answer:\n{log.read_text()[-2000:]}")


def stop_process(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=20)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def scenario_remote(build: Path, work: Path, seconds: float):
    """`nzsa serve --store remote` before `oxigraph serve`: stop the store, start it again."""
    location = work / "oxigraph-db"
    if not (location / "loaded").is_file():
        load = [str(VENV_BIN / "oxigraph"), "load", "--location", str(location)]
        subprocess.run([*load, "--file", str(build / "nzsa.nq")], check=True, capture_output=True)
        (location / "loaded").write_text("")
    port = free_port()
    store = start_oxigraph(location, port, work / "oxigraph.log")
    served = None
    try:
        served = Served(build, work / "serve-remote.log", STORE="remote",
                        REMOTE_ENDPOINT=f"http://127.0.0.1:{port}/query")  # fmt: skip
        docs = documents(served.base, 30)

        # Requests the store must answer: queries and renderings no cache holds.
        def fresh(n: int) -> Request:
            if n % 2:
                return sparql(f"SELECT ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {n + 1}")
            return Request("page", f"{docs[n % len(docs)]}?page=1",
                           headers=(("Accept", "text/turtle"),))  # fmt: skip

        tally = Tally()
        phases: dict[str, float] = {}

        async def fault() -> None:
            nonlocal store
            await asyncio.sleep(seconds / 3)
            phases["stopped"] = time.monotonic()
            await asyncio.to_thread(stop_process, store)
            await asyncio.sleep(seconds / 3)
            phases["starting"] = time.monotonic()
            store = await asyncio.to_thread(start_oxigraph, location, port, work / "oxigraph.log")
            phases["started"] = time.monotonic()

        until = time.monotonic() + seconds
        visitors = [loadgen.user(served.base, loadgen.unique(fresh, n * 1_000_000), until, tally,
                                 pause=0.05) for n in range(4)]  # fmt: skip
        loadgen.run(fault(), *visitors)
        stopped, started = phases["stopped"], phases["started"]
        up = Tally([o for o in tally.outcomes if o.sent_at + o.seconds < stopped])
        down = Tally(
            [
                o
                for o in tally.outcomes
                if o.sent_at > stopped + 1 and o.sent_at + o.seconds < phases["starting"]
            ]
        )
        back = Tally([o for o in tally.outcomes if o.sent_at >= started])
        first_ok = min((o.sent_at for o in back.outcomes if o.status == 200), default=None)
        return {"up": up.summary(), "down": down.summary(), "restarted": back.summary(),
                "down_503_without_retry_after": sum(
                    1 for o in down.outcomes if o.status == 503 and not o.retry_after),
                "first_200_after_restart_s": None if first_ok is None
                else round(first_ok - started, 2),
                "load": load_average()}  # fmt: skip
    finally:
        if served is not None:
            served.stop()
        stop_process(store)


def scenario_sigterm(served: Served, docs: list[str], seconds: float, query_seconds: float):
    """SIGTERM to the server under load, with queries running; nothing admitted is cut."""
    tally = Tally()
    signalled: dict = {}

    async def terminate() -> None:
        await asyncio.sleep(seconds / 2)
        signalled["at"] = time.monotonic()
        os.kill(served.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            await asyncio.to_thread(served.process.wait, 120)
            signalled["exited_after_s"] = round(time.monotonic() - signalled["at"], 2)

    until = time.monotonic() + seconds + query_seconds * 3
    runaways = [loadgen.user(served.base, loadgen.unique(runaway, n * 100_000), until, tally)
                for n in range(4)]  # fmt: skip
    visitors = loadgen.users(served.base, 16, mixed(docs), seconds + query_seconds * 3, tally)
    loadgen.run(terminate(), *runaways, *visitors)
    at = signalled["at"]
    # Sent before the signal: the server had it, and must answer it in full.
    before = Tally([o for o in tally.outcomes if o.sent_at < at])
    in_flight = Tally([o for o in before.outcomes if o.sent_at + o.seconds >= at])
    after = Tally([o for o in tally.outcomes if o.sent_at >= at])
    return {
        "in_flight_at_sigterm": in_flight.summary(),
        "in_flight_cut": sum(1 for o in in_flight.outcomes if o.status == CUT),
        "longest_in_flight_s": round(max((o.seconds for o in in_flight.outcomes), default=0), 2),
        "sent_after": after.summary(),
        "sent_after_refused": sum(1 for o in after.outcomes if o.status == REFUSED),
        "sent_after_cut": sum(1 for o in after.outcomes if o.status == CUT),
        "exited_after_s": signalled.get("exited_after_s"),
        "query_seconds": query_seconds,
        "load": load_average(),
    }


# --- the report ------------------------------------------------------------------------------


def _statuses(figures: dict) -> str:
    return ", ".join(f"{k}: {v}" for k, v in figures["statuses"].items()) or "none"


def _ms(value) -> str:
    return "–" if value is None else f"{value:g}"


def _loads(loads: list) -> str:
    return "–".join(f"{x:g}" for x in (min(loads), max(loads))) if len(loads) > 1 else loads[0]


def _row(name: str, figures: dict, load) -> str:
    return (
        f"| {name} | {figures['requests']} | {_statuses(figures)} | {_ms(figures['p50_ms'])}"
        f" | {_ms(figures['p99_ms'])} | {figures['bad_5xx']} | {load} |"
    )


HEAD = (
    "| | requests | statuses | p50 ms | p99 ms | 5xx without Retry-After | load |\n"
    "|---|---|---|---|---|---|---|"
)


def trend(samples: list, warmup: float, column: int) -> tuple[float, float, float]:
    """After the warm-up: the least-squares slope (MB a minute), lowest and highest MB."""
    points = [(s[0] / 60, s[column] / 1e6) for s in samples if s[0] >= warmup]
    mean_t = sum(t for t, _ in points) / len(points)
    mean_m = sum(m for _, m in points) / len(points)
    spread = sum((t - mean_t) ** 2 for t, _ in points) or 1.0
    slope = sum((t - mean_t) * (m - mean_m) for t, m in points) / spread
    return round(slope, 3), round(min(m for _, m in points), 1), round(max(m for _, m in points), 1)


def _stamp(figures: dict) -> str:
    return f"{figures['when']}, commit {figures.get('commit', '?')}"


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def targets(results: dict) -> list[str]:
    """One line per target of the issue, from the figures."""
    lines = ["Against the targets:", ""]
    if "mixed" in results:
        runs = [v for k, v in results["mixed"].items() if k.startswith("c=")]
        bad = sum(run["bad_5xx"] for run in runs)
        failed = sum(n for run in runs for k, n in run["statuses"].items() if not k.isdigit())
        lines.append(
            f"- mixed load at c=1/10/50/200: {bad} 5xx without Retry-After, {failed}"
            f" connections refused, cut or timed out — {_met(bad + failed == 0)}"
        )
    if "soak" in results:
        growth = results["soak"]["rss_growth_pct"]
        shared = results["soak"]["pss_growth_pct"]
        lines.append(
            f"- soak, memory after warm-up (< 5 %): RSS {growth:+g} % — {_met(growth < 5)};"
            f" PSS {shared:+g} % — {_met(shared < 5)} (see below)"
        )
    if "slow" in results:
        p99 = results["slow"]["p99_ms"]
        lines.append(
            f"- 300 slow sockets: visitors' p99 {p99:g} ms (< 100 ms, load"
            f" {results['slow']['load']}) — {_met(p99 < 100)}"
        )
    if "pathological" in results:
        r = results["pathological"]
        p99 = r["ordinary"]["p99_ms"]
        niced = r.get("niceness 10", {}).get("ordinary", {}).get("p99_ms")
        lines.append(
            f"- 20 runaway queries: visitors' p99 {p99:g} ms (< 100 ms, load"
            f" {_loads(r.get('loads', [r['load']]))}) — {_met(p99 < 100)}"
            + ("" if niced is None else f"; with EXECUTOR_NICENESS 10: {niced:g} ms")
        )
    if "kill" in results:
        later = results["kill"]["from_2s_after"]
        ok = later["bad_5xx"] == 0 and all(k.isdigit() for k in later["statuses"])
        lines.append(f"- a worker killed: every request sent from 2 s after answered — {_met(ok)}")
    if "remote" in results:
        r = results["remote"]
        ok = r["down_503_without_retry_after"] == 0 and r["down"]["bad_5xx"] == 0
        ok = ok and r["first_200_after_restart_s"] is not None
        lines.append(
            f"- remote store down: 503 with Retry-After, back {r['first_200_after_restart_s']}"
            f" s after it — {_met(ok)}"
        )
    if "sigterm" in results:
        cut = results["sigterm"]["in_flight_cut"]
        lines.append(f"- SIGTERM mid-load: {cut} requests in flight cut — {_met(cut == 0)}")
    return lines


def render(results: dict, command: str) -> str:
    """The RESULTS.md section of the load and fault suite."""
    begin, end = sections.marks("faults")
    lines = [
        begin,
        "## Staying up: load and faults (`bench/faults.py`)",
        "",
        f"`{command}`: figures from each scenario's last run (its date and commit beside it)."
        " Each scenario starts its own `nzsa serve` with the default"
        " settings (2 workers × 4 threads, 2 executors each; REBUILD=never) on the bundled"
        " build, sends every request of the mix once (caches as a running site has them),"
        " and drives it from one process with `bench/loadgen.py` (asyncio, uvloop):"
        " the client shares the machine's 2 cores with the server, and so do other"
        " test runs (the one-minute load average is beside every figure). Statuses `cut`"
        " (connection closed after the request was sent), `refused` (no connection) and"
        " `timeout` (no answer in 30 s) are the client's.",
        "",
    ]
    lines += targets(results) + [""]
    if "mixed" in results:
        r = results["mixed"]
        lines += [
            "### Mixed load",
            "",
            f"{_stamp(r)}; {r.get('seconds', 20):g} s per concurrency. The mix: documents"
            " in three formats (with and without a tracker's parameter), HTML pages, search,"
            " SPARQL lookups and aggregates, static files, 404s. `ordinary`: the documents"
            " alone.",
            "",
            HEAD,
        ]
        for level, figures in r.items():
            if level.startswith("c="):
                lines.append(
                    _row(f"{level} all ({figures['rps']:g} req/s)", figures, figures["load"])
                )
                lines.append(_row(f"{level} ordinary", figures["ordinary"], figures["load"]))
        lines.append("")
    for key in sorted(k for k in results if k.startswith("soak")):
        r = results[key]
        rss = trend(r["samples"], r["warmup"], 1)
        pss = trend(r["samples"], r["warmup"], 2)
        lines += [
            "### Soak: mixed load at c=50" + ("" if key == "soak" else f" ({key[5:].strip(' ,')})"),
            "",
            f"{_stamp(r)}; {r['seconds']:g} s, the memory of the server's process tree (master,"
            f" workers, executors) read every 5 s; growth from the end of the {r['warmup']:g} s"
            " warm-up to the end. Target: < 5 %.",
            "",
            HEAD,
            _row("c=50", r, f"{r['load_min']}–{r['load_max']}"),
            "",
            f"- RSS {r['rss_mb_after_warmup']} MB → {r['rss_mb_end']} MB"
            f" (**{r['rss_growth_pct']:+g} %**); after the warm-up between {rss[1]} and"
            f" {rss[2]} MB, trend {rss[0]:+g} MB a minute; peak {r['rss_mb_peak']} MB.",
            f"- PSS (shared pages divided among the processes that share them)"
            f" {r['pss_mb_after_warmup']} MB → {r['pss_mb_end']} MB ({r['pss_growth_pct']:+g} %);"
            f" after the warm-up between {pss[1]} and {pss[2]} MB, trend {pss[0]:+g} MB a minute."
            + (
                " RSS counts every page a process maps, shared or not: a flat RSS with a rising"
                " PSS means no process maps more than before, but fewer pages are shared —"
                " pages the workers inherited from the master at the fork, copied when the"
                " collector wrote to their objects (copy-on-write). With gc.freeze() before the"
                " fork the PSS stayed flat (the soak above: a later run, its executors also"
                " niced, not side by side, at a similar load)."
                if r["pss_growth_pct"] >= 5
                else ""
            ),
        ]
        settled = [x for x in r["samples"] if x[0] >= r["warmup"]]
        if len(settled[0]) > 4:
            first, last = settled[0], settled[-1]
            lines.append(
                f"- Pages private to one process {first[4] / 1e6:.1f} MB → {last[4] / 1e6:.1f} MB,"
                f" shared by several {first[5] / 1e6:.1f} MB → {last[5] / 1e6:.1f} MB."
            )
        lines.append("")
    if "slow" in results:
        r = results["slow"]
        lines += [
            "### Slow clients beside ordinary visitors",
            "",
            f"{_stamp(r)}; {r['slow_sockets']} sockets, half sending headers a byte a second,"
            " half a declared 100 kB POST body a byte a second, each reopened when the server"
            f" closes it ({r['slow_closed_by_server']} closed by the server: HEADER_TIMEOUT"
            " and BODY_TIMEOUT, 10 s); meanwhile 10 visitors fetch documents. Target: p99 <"
            " 100 ms.",
            "",
            HEAD,
            _row("visitors", r, r["load"]),
            "",
        ]
    if "pathological" in results:
        r = results["pathological"]
        lines += [
            "### 20 runaway queries beside ordinary visitors",
            "",
            f"{_stamp(r)}; 20 clients each sending a cross product no cache holds, again"
            " and again (stopped at QUERY_TIMEOUT, or refused once QUEUE_WAIT passes), and 10"
            " visitors fetching documents. Target: visitors' p99 < 100 ms.",
            "",
            HEAD,
            _row("visitors", r["ordinary"], r["load"]),
            _row("runaway queries", r["runaway"], r["load"]),
            "",
        ]
        compared = sorted((k for k in r if k.startswith("niceness ")), key=lambda k: int(k[9:]))
        if compared:
            lines[-6] += (
                f" Side by side, A B A B ({r['rounds']} rounds of {r.get('seconds', 20):g} s each,"
                " a fresh server each), with the query executors at the workers' priority"
                " (EXECUTOR_NICENESS 0) and niced below them (10, the default); the figures"
                " are of both rounds together."
            )
            lines[-4:-1] = [HEAD] + [
                row
                for key in compared
                for row in (
                    _row(f"visitors, {key}", r[key]["ordinary"], _loads(r[key]["loads"])),
                    _row(f"runaway queries, {key}", r[key]["runaway"], _loads(r[key]["loads"])),
                )
            ]
    if "kill" in results:
        r = results["kill"]
        lines += [
            "### A worker killed",
            "",
            f"{_stamp(r)}; mixed load at c=10, one worker sent SIGKILL a third of the way in;"
            f" its replacement was serving after {r['replaced_after_s']} s.",
            "",
            HEAD,
            _row("before", r["before"], r["load"]),
            _row("in flight at the kill", r["in_flight_at_kill"], r["load"]),
            _row("sent after", r["after"], r["load"]),
            _row("sent from 2 s after", r["from_2s_after"], r["load"]),
            "",
        ]
    if "remote" in results:
        r = results["remote"]
        lines += [
            "### The remote store stopped and started again",
            "",
            f"{_stamp(r)}; `nzsa serve --store remote` before `oxigraph serve-read-only`;"
            " 4 clients sending queries no cache holds and documents; the store stopped a"
            " third of the way in, started again a third later. 503s without Retry-After"
            f" while down: {r['down_503_without_retry_after']}; first 200 after the restart:"
            f" {r['first_200_after_restart_s']} s. The 200s while it was down are answers the"
            " caches kept (documents); everything that needed the store got 503.",
            "",
            HEAD,
            _row("store up", r["up"], r["load"]),
            _row("store down", r["down"], r["load"]),
            _row("store back", r["restarted"], r["load"]),
            "",
        ]
    if "sigterm" in results:
        r = results["sigterm"]
        lines += [
            "### SIGTERM under load",
            "",
            f"{_stamp(r)}; mixed load at c=16 and 4 runaway queries (QUERY_TIMEOUT"
            f" {r.get('query_seconds', 10):g} s);"
            f" SIGTERM half-way; the server exited after {r['exited_after_s']} s. Requests"
            f" in flight at the signal: {r['in_flight_at_sigterm']['requests']}, of which"
            f" **{r['in_flight_cut']} cut** (longest answered {r['longest_in_flight_s']} s"
            f" after it was sent). Sent after the signal: {r['sent_after_refused']} refused"
            f" a connection, {r['sent_after_cut']} cut (sent after the signal on a kept-alive"
            " connection that the stopping server closed).",
            "",
            HEAD,
            _row("in flight", r["in_flight_at_sigterm"], r["load"]),
            _row("sent after", r["sent_after"], r["load"]),
            "",
        ]
    lines.append(end)
    return "\n".join(lines) + "\n"


# --- the command -----------------------------------------------------------------------------

SCENARIOS = ("mixed", "soak", "slow", "pathological", "kill", "remote", "sigterm")


def ensure_build(build: Path) -> Path:
    """The bundled data's build, made once."""
    if not (build / "nzsa.nq").is_file():
        subprocess.run([str(VENV_BIN / "nzsa"), "build", "--out", str(build)], check=True,
                       cwd=ROOT)  # fmt: skip
    return build


# The pathological scenario runs side by side with the executors at the workers' priority.
NICENESS_COMPARED = (0, 10)  # the default first


def compare_niceness(build: Path, work: Path, args, rounds: int = 2) -> dict:
    """Runaway queries beside visitors, A B A B: executors niced (the default) and not."""
    tallies = {niceness: Tally() for niceness in NICENESS_COMPARED}
    figures: dict = {}
    for _ in range(rounds):
        for niceness in NICENESS_COMPARED:
            served = Served(build, work / "serve-pathological.log", EXECUTOR_NICENESS=niceness)
            try:
                docs = documents(served.base)
                warm(served, docs)
                run = scenario_pathological(served, docs, args.seconds, tally=tallies[niceness])
                loads = figures.get(f"niceness {niceness}", {}).get("loads", [])
                figures[f"niceness {niceness}"] = {**run, "loads": [*loads, run["load"]]}
            finally:
                served.stop()
    first = figures[f"niceness {NICENESS_COMPARED[0]}"]
    return {"rounds": rounds, "seconds": args.seconds, **figures, **first}


def run_scenario(name: str, build: Path, work: Path, args) -> dict:
    """Start a server for one scenario, run it, stop the server; return the figures."""
    if name == "remote":
        return scenario_remote(build, work, args.seconds * 1.5)
    if name == "pathological":
        return compare_niceness(build, work, args)
    settings: dict = {}
    if name == "sigterm":
        settings = {"QUERY_TIMEOUT": args.query_seconds}
    served = Served(build, work / f"serve-{name}.log", **settings)
    try:
        docs = documents(served.base)
        warm(served, docs)
        runs: dict[str, Callable[[], dict]] = {
            "mixed": lambda: scenario_mixed(served, docs, args.seconds),
            "soak": lambda: scenario_soak(served, docs, args.soak_seconds, args.soak_warmup),
            "slow": lambda: scenario_slow(served, docs, args.seconds),
            "pathological": lambda: scenario_pathological(served, docs, args.seconds),
            "kill": lambda: scenario_kill(served, docs, args.seconds),
            "sigterm": lambda: scenario_sigterm(served, docs, args.seconds, args.query_seconds),
        }
        return {"load_before": load_average(), **runs[name]()}
    finally:
        served.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=list(SCENARIOS), help=", ".join(SCENARIOS))
    parser.add_argument("--build", type=Path, default=OUT / "faults-build")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--soak-seconds", type=float, default=600.0)
    parser.add_argument("--soak-warmup", type=float, default=120.0)
    parser.add_argument("--query-seconds", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=OUT / "faults.json")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md",
                        help="where to write the figures' section")  # fmt: skip
    parser.add_argument("--report-only", action="store_true", help="rewrite the section only")
    args = parser.parse_args(argv)
    if args.report_only:
        results = json.loads(args.out.read_text())
        sections.write(args.results, render(results, results.get("command", "")), "faults")
        return 0
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    OUT.mkdir(parents=True, exist_ok=True)
    build = ensure_build(args.build)
    results = json.loads(args.out.read_text()) if args.out.is_file() else {}
    head = ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]
    commit = subprocess.run(head, capture_output=True, text=True).stdout.strip()
    results["command"] = "python -m bench.faults"
    for name in args.scenarios:
        print(f"== {name} (load {load_average()})", flush=True)
        figures = run_scenario(name, build, OUT, args)
        figures["when"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        figures["commit"] = commit
        results[name] = figures
        shown = {k: v for k, v in figures.items() if k != "samples"}
        print(json.dumps(shown, indent=1), flush=True)
        args.out.write_text(json.dumps(results, indent=1))
    sections.write(args.results, render(results, results["command"]), "faults")
    return 0


if __name__ == "__main__":
    sys.exit(main())
