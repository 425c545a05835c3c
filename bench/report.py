"""Write bench/RESULTS.md from the figures of one run."""

from __future__ import annotations

from pathlib import Path

NOTES = Path(__file__).with_name("OPTIMISATIONS.md")
MB = 1024 * 1024


def _cells(entry: dict, workload: str, c: int) -> dict[str, dict]:
    return {x["server"]: x for x in entry["cells"] if x["workload"] == workload and x["c"] == c}


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _fmt(value, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def targets(results: dict) -> list[tuple[str, str, str, str]]:
    """Return (target, measured, goal, met) rows."""
    rows = []
    sizes = results.get("sizes", {})
    for size, entry in sizes.items():
        for server, goal in (("nzsa", "≥ 0.9×"), ("nzsa-uncached", "for reference")):
            worst = _worst_heavy(entry, server)
            if worst is None:
                continue
            label = "heavy queries" if server == "nzsa" else "heavy queries, answer caches off,"
            rows.append((
                f"{label} vs oxigraph serve, {size} (worst of kinds × connections)",
                f"{worst[0]:.2f}× ({worst[1]}, c={worst[2]})", goal,
                _met(worst[0] >= 0.9) if server == "nzsa" else "",
            ))  # fmt: skip
        for label, workloads, goal in (
            ("light queries (lookup, cq, path)", LIGHT_UNCACHED, 0.7),
            ("heavy queries (join, aggregate)", HEAVY_UNCACHED, 1.0),
        ):
            worst = _worst_heavy(entry, "nzsa-uncached", workloads)
            if worst is not None:
                rows.append((
                    f"{label}, answer caches off, vs oxigraph serve, {size} (worst)",
                    f"{worst[0]:.2f}× ({worst[1]}, c={worst[2]})", f"≥ {goal}×",
                    _met(worst[0] >= goal),
                ))  # fmt: skip
    for size, entry in sizes.items():
        for workload in ("lookup", "document-turtle", "document-jsonld", "document-html"):
            cells = _cells(entry, workload, 10)
            if "nzsa" not in cells:
                continue
            ours = cells["nzsa"]
            ceiling = _ratio(ours["rps"], cells.get("ceiling", {}).get("rps"))
            rows.append((
                f"{workload} vs bare-Flask ceiling, {size}, c=10",
                f"{_fmt(ceiling)}×", "≥ 0.5×", _met(ceiling is not None and ceiling >= 0.5),
            ))  # fmt: skip
            rows.append((
                f"{workload} p99, {size}, c=10", f"{ours['p99_ms']:.1f} ms", "< 20 ms",
                _met(ours["p99_ms"] < 20),
            ))  # fmt: skip
            if "rdflib-endpoint" in cells:
                versus = _ratio(ours["rps"], cells["rdflib-endpoint"]["rps"])
                rows.append((
                    f"{workload} vs rdflib-endpoint, {size}, c=10", f"{_fmt(versus, 1)}×",
                    "≥ 5×", _met(versus is not None and versus >= 5),
                ))  # fmt: skip
        cells = _cells(entry, "revalidate-304", 10)
        if "nzsa" in cells:
            ratio = _ratio(cells["nzsa"]["rps"], cells["ceiling"]["rps"])
            rows.append((
                f"304 revalidation vs ceiling, {size}, c=10", f"{_fmt(ratio)}×", "≥ 0.8×",
                _met(ratio is not None and ratio >= 0.8),
            ))  # fmt: skip
        cold = entry.get("cold_start_s")
        if cold:
            ratio = _ratio(cold["nzsa"], cold["oxigraph"])
            rows.append((
                f"cold start to first answer, {size}",
                f"{cold['nzsa']:.2f} s vs {cold['oxigraph']:.2f} s = {_fmt(ratio)}×", "≤ 2×",
                _met(ratio is not None and ratio <= 2),
            ))  # fmt: skip
    if "1M" in sizes:
        rss, pss = sizes["1M"]["peak"]["nzsa"]
        rows.append((
            "1M triples served: peak memory of the nzsa process tree",
            f"RSS {rss / MB:.0f} MB (PSS {pss / MB:.0f} MB)", "< 2048 MB", _met(rss < 2048 * MB),
        ))  # fmt: skip
    cost = results.get("costs", {}).get("100k", {})
    ours, naive = cost.get("nzsa validate", {}), cost.get("owlrl + pyshacl", {})
    if ours.get("seconds") and naive.get("seconds") and naive.get("status") == 0:
        speedup = naive["seconds"] / ours["seconds"]
        found = naive.get("findings", {})
        same = ours.get("errors") == found.get("violations", -1) + found.get("inconsistencies", 0)
        rows.append((
            "`nzsa validate` at 100k vs owlrl + pyshacl (same findings: "
            f"{'yes' if same else 'NO'})",
            f"{ours['seconds']:.1f} s vs {naive['seconds']:.1f} s = {speedup:.2f}×", "≥ 3×",
            _met(speedup >= 3 and same),
        ))  # fmt: skip
    elif ours.get("seconds") and naive.get("status") == "timeout":
        # The naive run was stopped at the bound: the speed-up is at least bound / ours.
        bound = naive["seconds"] / ours["seconds"]
        rows.append((
            "`nzsa validate` at 100k vs owlrl + pyshacl (the naive run stopped at the bound; "
            "identical findings are tested in tests/test_bench_findings.py)",
            f"{ours['seconds']:.1f} s vs > {naive['seconds']:.0f} s = > {bound:.2f}×", "≥ 3×",
            _met(bound >= 3),
        ))  # fmt: skip
    elif cost:
        measured = f"ours {ours.get('status')}, naive {naive.get('status')}"
        rows.append(("`nzsa validate` at 100k vs owlrl + pyshacl", measured, "≥ 3×", "no"))
    return rows


HEAVY = ("join", "path", "aggregate", "cq")
# Issue 15's split of the workloads with both answer caches off: light queries (lookups,
# competency questions, path queries) and heavy ones (joins, aggregates).
LIGHT_UNCACHED, HEAVY_UNCACHED = ("lookup", "cq", "path"), ("join", "aggregate")


def _worst_heavy(
    entry: dict, server: str, workloads: tuple[str, ...] = HEAVY
) -> tuple[float, str, int] | None:
    """Return the lowest ratio of a server's req/s to oxigraph's over some workloads' cells."""
    ratios = []
    for cell in entry["cells"]:
        if cell["server"] == server and cell["workload"] in workloads:
            other = _cells(entry, cell["workload"], cell["c"]).get("oxigraph")
            if other and other["rps"]:
                ratios.append((cell["rps"] / other["rps"], cell["workload"], cell["c"]))
    return min(ratios) if ratios else None


def _merged(results: dict) -> str:
    """Name the later run whose sizes replaced this run's, if any (bench/merge.py)."""
    later = results.get("merged")
    if not later:
        return ""
    sizes = ", ".join(later["sizes"])
    workloads = ", ".join(later["workloads"])
    return (
        f", except {workloads} at {sizes} and the peak memory there (the higher of the two "
        f"runs): those come from `{later['command']}` "
        f"(commit {later['commit']}, {later['elapsed_s'] / 60:.1f} minutes), {later['why']}"
    )


def _met(ok: bool) -> str:
    return "**met**" if ok else "not met"


def render(results: dict) -> str:
    """Render RESULTS.md."""
    m = results["machine"]
    out = [
        "# Benchmark results",
        "",
        f"Produced by `{results['command']}` in {results['elapsed_s'] / 60:.1f} minutes "
        f"(commit {m['commit']}). Every figure below comes from that one run"
        + _merged(results)
        + "; references ran on the same data and requests, alternating A B A B (two rounds "
        "each, averaged).",
        "",
        "## Machine and versions",
        "",
        f"- CPU: {m['cpu']} × {m['cores']} cores, {m['memory_gb']} GB; Linux {m['kernel']}; "
        f"load average before the run {' '.join(m['load_before'])} (a shared machine)",
        f"- Python {m['python']}; {m['wrk']}",
        f"- ours: {', '.join(m['ours'])}",
        f"- references (own venv, bench/out/refs-venv): {', '.join(m['references'])}",
        "",
        "## Targets",
        "",
        "| target | measured | goal | |",
        "|---|---|---|---|",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in targets(results)),
        "",
    ]
    if NOTES.is_file():
        out += [NOTES.read_text(encoding="utf-8").strip(), ""]
    for size, entry in results.get("sizes", {}).items():
        out += [
            f"## Serving: {size} ({entry['quads']:,} quads in the store)",
            "",
            "Correctness, checked before timing (every request once on every side; the same "
            "pass warms caches):",
            "",
        ]
        for kind, check in entry["checks"].items():
            out.append(f"- {kind}: " + ", ".join(f"{k} {v}" for k, v in check.items()))
        peaks = ", ".join(
            f"{name} RSS {rss / MB:.0f} MB / PSS {pss / MB:.0f} MB"
            for name, (rss, pss) in entry.get("peak", {}).items()
        )
        out += [
            f"- peak memory of each server's process tree: {peaks}",
            f"- cold start to first answer, seconds (prebuilt stores, best of 2): "
            f"{entry.get('cold_start_s')}",
            "",
            "| workload | conn | server | req/s | p50 ms | p99 ms | errors | requests |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for x in entry["cells"]:
            out.append(
                f"| {x['workload']} | {x['c']} | {x['server']} | {x['rps']:.0f} | "
                f"{x['p50_ms']:.2f} | {x['p99_ms']:.2f} | {x['errors']} | {x['requests']} |"
            )
        out.append("")
    costs = results.get("costs") or {}
    if costs:
        out += [
            "## Cost curve: validate and build",
            "",
            "| size | data triples | command | status | seconds | peak RSS MB | findings |",
            "|---|---|---|---|---|---|---|",
        ]
        for size, entry in costs.items():
            for name, outcome in entry.items():
                if name == "data_triples":
                    continue
                seconds = outcome.get("seconds") or outcome.get("estimate_s")
                status = outcome["status"]
                if status == "skipped":
                    status = f"skipped (linear estimate {seconds:.0f} s)"
                found = outcome.get("findings") or (
                    {"errors": outcome["errors"]} if "errors" in outcome else ""
                )
                out.append(
                    f"| {size} | {entry['data_triples']:,} | {name} | {status} | "
                    f"{_fmt(seconds, 1)} | {_fmt(outcome.get('peak_mb'), 0)} | {found} |"
                )
        out.append("")
    return "\n".join(out)
