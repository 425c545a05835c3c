"""Where `nzsa validate` spends its CPU time, stage by stage, on one project.

    python -m bench.validate_stages PROJECT

Runs the validation and the text report in this process, as `nzsa validate PROJECT` does,
and prints the CPU seconds of each stage, the number of findings and the peak RSS. Run it
under `/usr/bin/time -v` for the wall time.
"""

from __future__ import annotations

import functools
import json
import resource
import sys
import time
from pathlib import Path

from nzsa.load import Project, default_sources
from nzsa.validate import run
from nzsa.validate.formatters import format_text

STAGES = (
    "parse_all",
    "count_facts",
    "count_quotes",
    "expand",
    "run_shacl",
    "check_duplicates",
    "check_terms",
    "check_literals",
    "check_references",
    "check_reasoning",
    "check_shacl",
    "check_evidence",
    "fold",
)


def _timed(name: str, function, seconds: dict[str, float]):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            seconds[name] = seconds.get(name, 0.0) + time.process_time() - start

    return wrapper


def main(project: Path) -> dict:
    seconds: dict[str, float] = {}
    for name in STAGES:
        setattr(run, name, _timed(name, getattr(run, name), seconds))
    Project.union = _timed("union", Project.union, seconds)
    start = time.process_time()
    report = run.validate(default_sources(project))
    validated = time.process_time()
    format_text(report)
    return {
        "validate": round(validated - start, 1),
        "text report": round(time.process_time() - validated, 1),
        "stages": {name: round(value, 1) for name, value in seconds.items()},
        "triples": report.counts.triples,
        "findings": len(report.findings),
        "peak RSS MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))
