"""What the switchable optimisations buy: nzsa by default against a variant, A B A B.

`python -m bench.ablation` prints a Markdown table (the bundled build, 10 connections).
"""

from __future__ import annotations

import sys

from . import servers, workloads
from .__main__ import JSON, prepare_data
from .load import alternate

NO_REPLAY = {"NZSA_RESPONSE_CACHE_BYTES": "0"}
NO_CACHES = {**NO_REPLAY, "NZSA_QUERY_CACHE_BYTES": "0"}
GUNICORN = {"NZSA_SERVER": "gunicorn"}
# (the variant, its settings, the workload that shows the difference)
SWITCHES = (
    ("no response replay (RESPONSE_CACHE_BYTES=0)", NO_REPLAY, "lookup"),
    ("no response replay (RESPONSE_CACHE_BYTES=0)", NO_REPLAY, "path"),
    ("no response replay (RESPONSE_CACHE_BYTES=0)", NO_REPLAY, "document-turtle"),
    ("no replay, no answer cache (both 0)", NO_CACHES, "lookup"),
    ("no replay, no answer cache (both 0)", NO_CACHES, "join"),
    ("gunicorn instead of granian (SERVER=gunicorn)", GUNICORN, "lookup"),
    ("gunicorn instead of granian (SERVER=gunicorn)", GUNICORN, "document-turtle"),
    ("access log on (ACCESS_LOG=-)", {"NZSA_ACCESS_LOG": "-"}, "lookup"),
)
TURTLE = {"Accept": "text/turtle"}


def request_lines(server: servers.Server, workload: str, queries: dict, resources: list[str]):
    """The wrk request lines of a workload: SPARQL queries, or documents as Turtle."""
    if workload == "document-turtle":
        paths = ["/doc/" + iri.split("/id/", 1)[1] for iri in resources]
        return [workloads.request_line(path, TURTLE) for path in paths]
    return [workloads.request_line(server.query_url(q), JSON) for q in queries[workload]]


def main(duration: int = 3) -> int:
    build = prepare_data("bundled")
    probe = servers.oxigraph(servers.OUT / "oxigraph-ref-bundled", 18179)
    servers.load_oxigraph(build / "nzsa.nq", servers.OUT / "oxigraph-ref-bundled")
    probe.start()
    params = workloads.parameters(probe.base + probe.query_path)
    probe.stop()
    queries = {"lookup": workloads.lookups(params), **workloads.heavy_queries(params)}
    print("| variant | workload | default req/s | variant req/s | default / variant |")
    print("|---|---|---|---|---|")
    for label, env, workload in SWITCHES:
        default = servers.nzsa(build, 18180)
        other = servers.nzsa(build, 18181)
        other.env.update(env)
        other.name = "nzsa-ablated"
        for server in (default, other):
            server.start()
        try:
            resources = params["resources"]
            cells = [(s, request_lines(s, workload, queries, resources)) for s in (default, other)]
            ours, ablated = alternate(cells, 10, duration, warm=True)
        finally:
            default.stop()
            other.stop()
        print(
            f"| {label} | {workload} | {ours.rps:.0f} | {ablated.rps:.0f} | "
            f"{ours.rps / ablated.rps:.2f}× |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
