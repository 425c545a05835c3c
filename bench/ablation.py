"""What the switchable optimisations buy: nzsa by default against a variant, A B A B.

`python -m bench.ablation` prints a Markdown table (the bundled build, 10 connections).
"""

from __future__ import annotations

import sys

from . import servers, workloads
from .__main__ import JSON, prepare_data
from .load import alternate

# (the variant, its settings, the workload that shows the difference)
SWITCHES = (
    ("answer cache (QUERY_CACHE_BYTES=0)", {"NZSA_QUERY_CACHE_BYTES": "0"}, "lookup"),
    ("answer cache (QUERY_CACHE_BYTES=0)", {"NZSA_QUERY_CACHE_BYTES": "0"}, "join"),
    ("access log on (ACCESS_LOG=-)", {"NZSA_ACCESS_LOG": "-"}, "lookup"),
)


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
            cells = [
                (s, [workloads.request_line(s.query_url(q), JSON) for q in queries[workload]])
                for s in (default, other)
            ]
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
