"""Time hub documents in process, every cache off: `python -m bench.hub_pages BUILD_DIR`.

Renders pages of the resources with the most links (found by the engine) as Turtle,
JSON-LD and HTML through the app's test client, with the render, shared and replay caches
off, so every request describes and renders from the store. Prints, per document, the
best of `--repeat` wall and CPU times (CPU time counts pyoxigraph's work in this process
and does not depend on the machine's load), and the load average beside them.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import pyoxigraph as ox

BASE = "https://w3id.org/nzsa/"
SUFFIXES = (".ttl", ".jsonld", ".html")
# The resources of the synthetic builds with the most incoming links (a source) and the
# most own triples and links both (a country); others can be named on the command line.
DEFAULT = ("source/mfat-regional-security", "country/new-zealand")


def degrees(store_dir: Path, path: str) -> tuple[int, int]:
    """Return the resource's own triples and incoming links (in the union default graph)."""
    store = ox.Store.read_only(str(store_dir))
    iri = f"<{BASE}id/{path}>"
    own = f"SELECT (COUNT(*) AS ?n) WHERE {{ {iri} ?p ?o }}"
    links = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p {iri} }}"
    count = [
        int(next(iter(store.query(q, use_default_graph_as_union=True)))[0].value)
        for q in (own, links)
    ]
    return count[0], count[1]


def timed(client, url: str, repeat: int) -> tuple[float, float, int, int]:
    """Return the best wall and CPU seconds of a GET, its status and body size."""
    best_wall = best_cpu = float("inf")
    status = size = 0
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        status, size = response.status_code, len(response.data)
    return best_wall, best_cpu, status, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", type=Path)
    parser.add_argument("--resources", nargs="+", default=list(DEFAULT))
    parser.add_argument("--pages", nargs="+", default=["1", "2", "last"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()

    from nzsa.app import create_app
    from nzsa.describe import OWN_PER_LINK

    app = create_app(
        {
            "BUILD_DIR": str(args.build),
            "REBUILD": "never",
            "RENDER_CACHE_BYTES": 0,
            "SHARED_CACHE_BYTES": 0,
            "RESPONSE_CACHE_BYTES": 0,
            "QUERY_CACHE_BYTES": 0,
            "PAGE_SIZE": args.page_size,
            "EXECUTORS": 1,
        }
    )
    client = app.test_client()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("| resource | own | links in | page | format | status | kB | wall s | CPU s | load |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for path in args.resources:
        own, links = degrees(args.build / "oxigraph", path)
        last = max(-(-own // (OWN_PER_LINK * args.page_size)), -(-links // args.page_size), 1)
        for page in args.pages:
            number = last if page == "last" else int(page)
            query = f"?page={number}" if number > 1 else ""
            for suffix in SUFFIXES:
                url = f"/doc/{path}{suffix}{query}"
                wall, cpu, status, size = timed(client, url, args.repeat)
                load = os.getloadavg()[0]
                print(
                    f"| {path} | {own} | {links} | {number} | {suffix[1:]} | {status} "
                    f"| {size / 1000:.0f} | {wall:.3f} | {cpu:.3f} | {load:.1f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
