"""The naive baseline: owlrl's full OWL 2 RL closure, then pyshacl, on the same graph.

Run as a script, prints one JSON line: how many inconsistencies owlrl found and how many
SHACL results of each severity pyshacl reported.
"""

import json
import sys
from pathlib import Path

import owlrl
import pyshacl
from rdflib import RDF, SH, BNode, Graph


def name(node) -> str:
    """Name a node for comparison: blank nodes (anonymous shapes) differ per parse."""
    return "_:" if isinstance(node, BNode) else str(node or "")


def naive(root: Path) -> tuple[set[tuple[str, str, str, str]], list[str], int]:
    """Reason over ontology + data with owlrl, then validate the data with pyshacl.

    Returns the SHACL results as named (severity, focus, path, source shape), owlrl's error
    messages, and the size of the closure.
    """
    data, shapes = Graph(), Graph()
    for path in sorted((root / "ontology").glob("*.ttl")) + sorted((root / "data").glob("*.ttl")):
        data.parse(path, format="turtle")
    for path in sorted((root / "shapes").glob("*.ttl")):
        shapes.parse(path, format="turtle")
    closure = Graph()
    closure += data
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    # The shapes constrain what people wrote (as `nzsa validate` does), so SHACL sees the
    # asserted graph; the closure is what the reasoner is asked for.
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    results = {
        tuple(
            name(report.value(result, p))
            for p in (SH.resultSeverity, SH.focusNode, SH.resultPath, SH.sourceShape)
        )
        for result in report.subjects(RDF.type, SH.ValidationResult)
    }
    errors = [str(o) for o in closure.objects(None, owlrl.Namespaces.ERRNS.error)]
    return results, errors, len(closure)


def findings(root: Path) -> dict:
    """Count what the naive baseline found."""
    results, errors, size = naive(root)
    severities = [severity.rsplit("#", 1)[1] for severity, *_ in results]
    return {
        "closure_triples": size,
        "inconsistencies": len(errors),
        "violations": severities.count("Violation"),
        "warnings": severities.count("Warning"),
    }


if __name__ == "__main__":
    print(json.dumps(findings(Path(sys.argv[1]))))
