"""Peak memory of `nzsa serve` under mixed load: `python -m bench.served_memory BUILD_DIR`.

Starts `nzsa serve` with its defaults (and `--set KEY=VALUE` settings) on a prebuilt
build, sends documents (Turtle, JSON-LD, HTML) of `--resources` resources spread over the
data, their lookups and joins from `--connections` threads for `--seconds`, and samples
the RSS and PSS of the whole process tree every 250 ms (bench/servers.py). Prints the
peak, each process's RSS at the end, and the load average beside them.
"""

from __future__ import annotations

import argparse
import itertools
import os
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import requests

from .servers import nzsa, tree
from .workloads import JOIN, LOOKUP, PREFIXES, spread

BASE = "https://w3id.org/nzsa/id/"
SUBJECTS = f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{BASE}')) }}"


def requests_for(store_dir: Path, count: int) -> list[tuple[str, str]]:
    """Return (path, Accept) pairs: documents, lookups and joins of `count` resources."""
    store = ox.Store.read_only(str(store_dir))
    found = [str(row[0].value) for row in store.query(SUBJECTS, use_default_graph_as_union=True)]
    chosen = spread(found, count)
    json = "application/sparql-results+json"
    paths = []
    for iri in chosen:
        doc = "doc/" + iri[len(BASE) :]
        paths += [(doc + suffix, "*/*") for suffix in (".ttl", ".jsonld", ".html")]
        paths.append(("sparql?query=" + quote(LOOKUP.format(iri)), json))
        paths.append(("sparql?query=" + quote(PREFIXES + JOIN.format(iri)), json))
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", type=Path)
    parser.add_argument("--resources", type=int, default=300)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--port", type=int, default=18940)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()

    paths = requests_for(args.build / "oxigraph", args.resources)
    server = nzsa(args.build, args.port)
    server.env.update({"NZSA_" + k: v for k, v in (item.split("=", 1) for item in args.set)})
    statuses: dict = {}
    stop = threading.Event()
    server.start()
    try:
        pool = itertools.cycle(paths)
        lock = threading.Lock()

        def user() -> None:
            session = requests.Session()
            while not stop.is_set():
                with lock:
                    path, accept = next(pool)
                try:
                    answer = session.get(f"{server.base}/{path}", headers={"Accept": accept},
                                         timeout=60)  # fmt: skip
                    code = answer.status_code
                except requests.RequestException:
                    code = "error"
                with lock:
                    statuses[code] = statuses.get(code, 0) + 1

        threads = [threading.Thread(target=user) for _ in range(args.connections)]
        load_start = os.getloadavg()[0]
        for thread in threads:
            thread.start()
        time.sleep(args.seconds)
        stop.set()
        for thread in threads:
            thread.join()
        print(f"settings: {' '.join(args.set) or 'defaults'}")
        print(f"load average: {load_start:.1f} at start, {os.getloadavg()[0]:.1f} at end")
        print(f"answers: {dict(sorted(statuses.items(), key=str))}")
        print(f"peak RSS {server.peak_rss / 2**20:.0f} MB, PSS {server.peak_pss / 2**20:.0f} MB")
        for member in tree(server.process.pid):
            try:
                text = Path(f"/proc/{member}/cmdline").read_text().replace("\0", " ")
                status = Path(f"/proc/{member}/status").read_text().splitlines()
            except OSError:
                continue
            rss = next(int(x.split()[1]) for x in status if x.startswith("VmRSS:")) * 1024
            print(f"  {rss / 2**20:6.0f} MB  {text[:90]}")
    finally:
        stop.set()
        server.stop()


if __name__ == "__main__":
    main()
