"""Reconciliation's cost: index build time and memory, batch latency, and page latency beside it.

    python -m bench.reconcile BUILD_DIR [BUILD_DIR ...]

For each build (bench/run's synthetic builds, or the bundled one) the app is created in
this process on the embedded store, as a worker would be: the first /reconcile request
builds the index (timed; the resident memory before and after it is read from
/proc/self/statm), then batches of 10 and 100 queries (names of entities, misspelt
names, acronyms, nothing) are timed, and a Turtle document is timed before the index
exists and after, to show that serving pages does not pay for it. The response cache
is off so every request does its work. Medians of RUNS runs.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

from nzsa.app import create_app
from nzsa.linking.reconcile.index import KEPT_FOLDER

RUNS = 7
PAGE = os.sysconf("SC_PAGE_SIZE")


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / 1e6


def median_ms(call, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def queries(names: list[str], count: int, seed: int) -> dict:
    chosen = random.Random(seed).choices(names, k=count)
    batch = {}
    for i, name in enumerate(chosen):
        if i % 4 == 1:
            name = name[:-2] + name[-1:] if len(name) > 4 else name  # a misspelling
        elif i % 4 == 2:
            name = name.upper()
        elif i % 10 == 9:
            name = "Zzyzx Qwertyuiop"
        batch[str(i)] = {"query": name}
    return {"queries": json.dumps(batch)}


def measure(build: Path) -> dict:
    shutil.rmtree(build / KEPT_FOLDER, ignore_errors=True)  # build the index afresh
    app = create_app({"BUILD_DIR": str(build), "RESPONSE_CACHE_BYTES": 0, "EXECUTORS": 1,
                      "RECONCILE_BATCH_SIZE": 100, "TESTING": True})  # fmt: skip
    client = app.test_client()
    nz = {"Accept": "text/turtle"}
    client.get("/doc/country/new-zealand", headers=nz)  # open the store
    page_before = median_ms(lambda: client.get("/doc/country/new-zealand?page=1", headers=nz))
    before = resident_mb()
    started = time.perf_counter()
    manifest = client.get("/reconcile")
    build_s = time.perf_counter() - started
    assert manifest.status_code == 200
    after = resident_mb()
    index = app.extensions["nzsa.reconcile"]._index
    names = [n.text for n in index.names if n.kind == "preferred"]
    figures = {
        "build": str(build),
        "entities": len(index.entities),
        "names": len(index.names),
        "index_build_s": round(build_s, 2),
        "index_mb": round(after - before, 1),
    }
    for size in (10, 100):
        forms = [queries(names, size, seed) for seed in range(RUNS)]
        sent = iter(forms)
        figures[f"batch_{size}_ms"] = round(
            median_ms(lambda sent=sent: client.post("/reconcile", data=next(sent))), 1
        )
    figures["suggest_ms"] = round(
        median_ms(lambda: client.get("/reconcile/suggest/entity?prefix=new")), 1
    )
    figures["page_before_ms"] = round(page_before, 2)
    figures["page_after_ms"] = round(
        median_ms(lambda: client.get("/doc/country/new-zealand?page=1", headers=nz)), 2
    )
    app.extensions["nzsa"].store.close()
    # Another worker (or a restart) reads the index the first one kept.
    other = create_app({"BUILD_DIR": str(build), "EXECUTORS": 1, "TESTING": True})
    started = time.perf_counter()
    assert other.test_client().get("/reconcile").status_code == 200
    figures["index_load_s"] = round(time.perf_counter() - started, 2)
    other.extensions["nzsa"].store.close()
    return figures


def main() -> None:
    for folder in sys.argv[1:]:
        print(json.dumps(measure(Path(folder))), flush=True)


if __name__ == "__main__":
    main()
