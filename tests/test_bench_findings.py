"""`nzsa validate` finds exactly what owlrl + pyshacl run naively find (bench/naive.py).

The benchmark compares their speed on synthetic graphs; this checks, on a small one with
problems planted, that the faster way reports the same SHACL results and inconsistencies.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from nzsa.build import build_dataset
from nzsa.load import project_root, sources_from_paths
from nzsa.validate import validate
from rdflib import SH

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.generate import generate  # noqa: E402
from bench.naive import naive, name  # noqa: E402

PLANTED = """
<https://w3id.org/nzsa/id/organisation/planted> a <https://w3id.org/nzsa/ontology#Organisation> .
<https://w3id.org/nzsa/id/meeting/planted> a <https://w3id.org/nzsa/ontology#Meeting>,
    <https://w3id.org/nzsa/ontology#MeetingSeries> .
"""
SEVERITY = {"error": SH.Violation, "warning": SH.Warning, "info": SH.Info}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    """A synthetic project of one copy of the bundled data, with problems planted."""
    out = tmp_path_factory.mktemp("synthetic")
    build_dataset(out_dir=out / "bundled")
    generate(out / "bundled", project_root(), 1, out / "graph")
    data = out / "graph" / "project" / "data" / "synthetic.ttl"
    data.write_text(data.read_text(encoding="utf-8") + PLANTED, encoding="utf-8")
    return out / "graph" / "project"


def test_findings_are_identical(synthetic):
    report = validate(sources_from_paths([synthetic]))
    results, errors, _ = naive(synthetic)
    ours = {
        tuple(map(name, (SEVERITY[f.severity], f.subject, f.path, f.source_shape)))
        for f in report.findings
        if f.stage == "shacl"
    }
    assert results, "the planted problems must be found"
    assert ours == results
    inconsistencies = [f for f in report.findings if f.stage == "reasoning"]
    assert errors and len(inconsistencies) == len(errors)
