"""Run the whole benchmark and write bench/RESULTS.md: `bench/run` (see bench/README.md)."""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

import requests
from nzsa import config
from nzsa.store.terms import to_oxigraph
from rdflib import Graph, URIRef

from . import costs, report, sections, servers, virtuoso, workloads
from .generate import generate
from .load import alternate, same_rows
from .servers import OUT, ROOT, VENV

SIZES = {"bundled": 0, "10k": 10_000, "100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}
DOCUMENT_ACCEPT = {
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "html": "text/html",
}
JSON = {"Accept": workloads.JSON}
BASE = "https://w3id.org/nzsa/"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def prepare_data(size: str) -> Path:
    """Return the build folder of a size, building or generating it once."""
    bundled = OUT / "build-bundled"
    if not (bundled / "nzsa.nq").is_file():
        subprocess.run([str(VENV / "nzsa"), "build", "--out", str(bundled)], check=True)
    if size == "bundled":
        return bundled
    out = OUT / f"synth-{size}"
    if not (out / "build" / "nzsa.nq").is_file():
        log(f"generating {size}: {generate(bundled, ROOT, SIZES[size], out)}")
    return out / "build"


def install_references() -> None:
    """Install the reference servers into their own venv under bench/out."""
    venv = OUT / "refs-venv"
    if not (venv / "bin" / "oxigraph").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        packages = ["oxigraph", "rdflib-endpoint", "uvicorn", "gunicorn", "flask"]
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", *packages], check=True)
    if subprocess.run(["which", "wrk"], capture_output=True).returncode:
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)


def check_queries(sides: list[servers.Server], queries: list[str]) -> tuple[dict, list[str]]:
    """Run every query on every side once (also warming caches); count disagreements.

    Return the counts and the queries every side answered: a query one side cannot
    answer within its limit (nzsa's QUERY_TIMEOUT, the client's 120 s) is left out of
    the timed rotation for every side, and counted as dropped.
    """
    mismatched, rows, kept = 0, 0, []
    for query in queries:
        try:
            answers = [workloads.select(side.base + side.query_path, query) for side in sides]
        except requests.RequestException:
            continue
        kept.append(query)
        rows += len(answers[0])
        mismatched += not all(same_rows(answers[0], other) for other in answers[1:])
    counts = {"queries": len(kept), "rows": rows, "mismatched": mismatched}
    if len(kept) < len(queries):
        counts["dropped"] = len(queries) - len(kept)
    return counts, kept


def document_triples(nzsa: servers.Server, answer: requests.Response) -> Graph:
    """Parse a Turtle document and every further page its rel=next links lead to."""
    document = Graph().parse(data=answer.text, format="turtle")
    while "next" in answer.links:
        url = answer.links["next"]["url"].replace(BASE, nzsa.base + "/")
        answer = requests.get(url, headers={"Accept": "text/turtle"}, timeout=120)
        answer.raise_for_status()
        document.parse(data=answer.text, format="turtle")
    return document


def fetch_documents(nzsa: servers.Server, oxigraph: servers.Server, iri: str, check: bool):
    """Fetch one resource's document in every format; check Turtle against the store."""
    path = "/doc/" + iri.split("/id/", 1)[1]
    fetched, problems = {}, 0
    for name, accept in DOCUMENT_ACCEPT.items():
        answer = requests.get(nzsa.base + path, headers={"Accept": accept}, timeout=120)
        problems += answer.status_code != 200
        fetched[name] = (len(answer.content), answer.headers.get("ETag", ""))
        if name == "turtle" and check:  # the pages hold every triple the store has
            document = document_triples(nzsa, answer)
            endpoint = oxigraph.base + oxigraph.query_path
            own = set(workloads.select(endpoint, workloads.LOOKUP.format(iri)))
            local = lambda term: str(to_oxigraph(term)).replace(nzsa.base + "/", BASE)  # noqa: E731
            found = {
                (local(p), local(o))
                for subject in (URIRef(iri), URIRef(iri.replace(BASE, nzsa.base + "/")))
                for p, o in document.predicate_objects(subject)
            }
            problems += len(own - found) > 0
    return path, fetched, problems


def document_requests(nzsa: servers.Server, oxigraph: servers.Server, resources: list[str]):
    """Fetch every document once per format (8 at a time); keep sizes and ETags."""
    lines: dict[str, list[str]] = {name: [] for name in DOCUMENT_ACCEPT}
    sizes: dict[str, list[int]] = {name: [] for name in DOCUMENT_ACCEPT}
    revalidate, problems = [], 0
    with ThreadPoolExecutor(8) as pool:
        jobs = [
            pool.submit(fetch_documents, nzsa, oxigraph, iri, i % 10 == 0)
            for i, iri in enumerate(resources)
        ]
        for job in jobs:
            path, fetched, trouble = job.result()
            problems += trouble
            for name, accept in DOCUMENT_ACCEPT.items():
                lines[name].append(workloads.request_line(path, {"Accept": accept}))
                sizes[name].append(fetched[name][0])
            etag = fetched["turtle"][1]
            headers = {"Accept": DOCUMENT_ACCEPT["turtle"], "If-None-Match": etag}
            revalidate.append(workloads.request_line(path, headers))
    return lines, revalidate, sizes, problems


def ceiling_lines(sizes: list[int], conditional: bool) -> list[str]:
    """The ceiling's requests: the same body sizes (and If-None-Match) as the workload's."""
    headers = lambda size: {"If-None-Match": f'"c{size}"'} if conditional else {}  # noqa: E731
    return [workloads.request_line(f"/c/{size}", headers(size)) for size in sizes]


def serve_size(size: str, args, results: dict) -> None:
    """Benchmark every workload on one size of data."""
    build = prepare_data(size)
    nq = build / "nzsa.nq"
    location = OUT / f"oxigraph-ref-{size}"
    log(f"{size}: loading the reference Oxigraph store")
    servers.load_oxigraph(nq, location)
    nzsa = servers.nzsa(build, 18080)
    oxigraph = servers.oxigraph(location, 17878)
    entry = results.setdefault("sizes", {}).setdefault(size, {"cells": [], "checks": {}})
    entry["quads"] = sum(1 for _ in nq.open("rb"))
    # The same server with both answer caches off: the engine's speed behind nzsa.
    uncached = servers.nzsa(build, 18081, name="nzsa-uncached")
    uncached.env.update({"NZSA_RESPONSE_CACHE_BYTES": "0", "NZSA_QUERY_CACHE_BYTES": "0"})
    try:
        log(f"{size}: starting nzsa (first start loads its store) and oxigraph")
        entry["first_start_s"] = nzsa.start()
        oxigraph.start()
        params = workloads.parameters(oxigraph.base + oxigraph.query_path)
        heavy = workloads.heavy_queries(params)
        cheap = workloads.lookups(params)
        levels = args.connections if size in args.full_sizes else [10]
        uncached.start()
        heavy_sides = [nzsa, uncached, oxigraph]
        for kind, queries in heavy.items():
            entry["checks"][kind], queries = check_queries(heavy_sides, queries)
            if not queries:
                log(f"{size}: {kind} not timed: no query answered on every side")
                continue
            for c in args.connections:
                cells = [
                    (side, [workloads.request_line(side.query_url(q), JSON) for q in queries])
                    for side in heavy_sides
                ]
                figures = alternate(cells, c, args.duration, warm=c == args.connections[0])
                record(entry, kind, c, cells, figures)
            log(f"{size}: {kind} done {entry['checks'][kind]}")
        # Cheap requests: against the bare-Flask ceiling, rdflib-endpoint and oxigraph,
        # and lookups against nzsa with both answer caches off too.
        defaults = config.defaults()
        ceiling = servers.ceiling(
            18090, defaults["SERVER"], defaults["WORKERS"], defaults["THREADS"]
        )
        ceiling.start()
        sides = [nzsa, uncached, oxigraph]
        rdflib = None
        if SIZES[size] <= args.rdflib_max:
            rdflib = servers.rdflib_endpoint(nq, 18070)
            log(f"{size}: starting rdflib-endpoint")
            rdflib.start(timeout=900)
            sides.append(rdflib)
        entry["checks"]["lookup"], cheap = check_queries(sides, cheap)
        lookup_sizes = [
            len(requests.get(nzsa.base + nzsa.query_url(q), headers=JSON).content) for q in cheap
        ]
        documents = SIZES[size] <= args.document_max
        if documents:
            docs, revalidate, doc_sizes, problems = document_requests(
                nzsa, oxigraph, params["resources"]
            )
            entry["checks"]["documents"] = {"documents": len(revalidate), "problems": problems}
        for c in levels:
            warm = c == levels[0]
            cells = [
                (side, [workloads.request_line(side.query_url(q), JSON) for q in cheap])
                for side in sides
            ]
            cells.append((ceiling, ceiling_lines(lookup_sizes, False)))
            record(entry, "lookup", c, cells, alternate(cells, c, args.duration, warm=warm))
            log(f"{size}: lookups at {c} connections done")
            if not documents:
                continue
            for name, lines in docs.items():
                cells = [(nzsa, lines), (ceiling, ceiling_lines(doc_sizes[name], False))]
                figures = alternate(cells, c, args.duration, warm=warm)
                record(entry, f"document-{name}", c, cells, figures)
            cells = [(nzsa, revalidate), (ceiling, ceiling_lines(doc_sizes["turtle"], True))]
            record(entry, "revalidate-304", c, cells, alternate(cells, c, args.duration, warm=warm))
            log(f"{size}: cheap workloads at {c} connections done")
        ceiling.stop()
        if rdflib:
            rdflib.stop()
            entry["peak"]["rdflib-endpoint"] = [rdflib.peak_rss, rdflib.peak_pss]
    finally:
        nzsa.stop()
        uncached.stop()
        oxigraph.stop()
    entry.setdefault("peak", {}).update(
        {"nzsa": [nzsa.peak_rss, nzsa.peak_pss], "oxigraph": [oxigraph.peak_rss, oxigraph.peak_pss]}
    )
    entry["peak"]["nzsa-uncached"] = [uncached.peak_rss, uncached.peak_pss]
    # Cold start to the first answer, both on stores already loaded; A B A B.
    starts = {"nzsa": [], "oxigraph": []}
    for _ in range(2):
        for name, server in (("nzsa", nzsa), ("oxigraph", oxigraph)):
            starts[name].append(server.start())
            server.stop()
    entry["cold_start_s"] = {name: min(values) for name, values in starts.items()}
    log(f"{size}: cold start {entry['cold_start_s']}")


def record(entry: dict, workload: str, connections: int, cells, figures) -> None:
    for (server, _), figure in zip(cells, figures, strict=True):
        entry["cells"].append(
            {"workload": workload, "c": connections, "server": server.name, **asdict(figure)}
        )


def machine() -> dict:
    """Describe the machine and the versions under test."""
    refs = OUT / "refs-venv" / "bin"
    freeze = subprocess.run([str(refs / "pip"), "freeze"], capture_output=True, text=True).stdout
    ours = subprocess.run([str(VENV / "pip"), "freeze"], capture_output=True, text=True).stdout
    pick = lambda text, names: [x for x in text.splitlines() if x.split("==")[0].lower() in names]  # noqa: E731
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((x.split(":", 1)[1].strip() for x in cpuinfo if x.startswith("model name")), "?")
    return {
        "cpu": cpu,
        "cores": subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip(),
        "memory_gb": round(int(Path("/proc/meminfo").read_text().split()[1]) / 1024**2, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "wrk": subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[0],
        "ours": pick(ours, {"pyoxigraph", "rdflib", "flask", "gunicorn", "owlrl", "pyshacl"}),
        "references": pick(freeze, {"oxigraph", "rdflib-endpoint", "uvicorn", "gunicorn", "flask"}),
        "commit": subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip(),
        "load_before": Path("/proc/loadavg").read_text().split()[:3],
    }


def write_report(path: Path, text: str) -> None:
    """Write RESULTS.md, keeping the sections `--virtuoso`, `bench.faults` and
    `bench.build_faults` wrote there."""
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    for name in ("virtuoso", "faults", "build faults"):
        text = sections.keep(old, text, name)
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--full-sizes", nargs="+", default=["10k"], metavar="SIZE",
                        help="sizes where cheap workloads run at every concurrency")  # fmt: skip
    parser.add_argument("--connections", nargs="+", type=int, default=[1, 10, 50])
    parser.add_argument("--duration", type=int, default=3, help="seconds per wrk run")
    parser.add_argument("--rdflib-max", type=int, default=100_000, help="largest size for rdflib")
    parser.add_argument(
        "--document-max", type=int, default=10_000, help="largest size to dereference documents"
    )
    parser.add_argument("--cost-sizes", nargs="*", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--cost-timeout", type=float, default=180.0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument(
        "--virtuoso", nargs="+", choices=list(SIZES), metavar="SIZE",
        help="instead: nzsa in front of Virtuoso 7 against Virtuoso's own /sparql at these"
        " sizes (e.g. 1M 10M), written into its own section of --out",
    )  # fmt: skip
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    install_references()
    if args.virtuoso:
        virtuoso.run(args.virtuoso, args, prepare_data, log)
        return 0
    started = time.monotonic()
    results: dict = {"machine": machine(), "command": " ".join(["bench/run", *sys.argv[1:]])}
    for size in args.sizes:
        serve_size(size, args, results)
        results["elapsed_s"] = time.monotonic() - started
        (OUT / "results.json").write_text(json.dumps(results, indent=1))
        write_report(args.out, report.render(results))  # a partial report
    results["costs"] = costs.measure(
        {size: prepare_data(size) for size in args.cost_sizes}, args.cost_timeout, log
    )
    results["elapsed_s"] = time.monotonic() - started
    (OUT / "results.json").write_text(json.dumps(results, indent=1))
    write_report(args.out, report.render(results))
    log(f"wrote {args.out} in {results['elapsed_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
