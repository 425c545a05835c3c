"""The naive baseline: owlrl's full OWL 2 RL closure, then pyshacl, on the same graph.

Prints one JSON line: the inconsistencies owlrl found and the SHACL results by severity.
"""

import json
import sys
from pathlib import Path

import owlrl
import pyshacl
from rdflib import SH, Graph


def findings(root: Path) -> dict:
    """Reason over ontology + data with owlrl, then validate the data with pyshacl."""
    data, shapes = Graph(), Graph()
    for path in sorted((root / "ontology").glob("*.ttl")) + sorted((root / "data").glob("*.ttl")):
        data.parse(path, format="turtle")
    for path in sorted((root / "shapes").glob("*.ttl")):
        shapes.parse(path, format="turtle")
    closure = Graph()
    closure += data
    reasoner = owlrl.DeductiveClosure(owlrl.OWLRL_Semantics)
    reasoner.expand(closure)
    # The shapes constrain what people wrote (as `nzsa validate` does), so SHACL sees the
    # asserted graph; the closure is what the reasoner is asked for.
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    errors = [str(o) for o in closure.objects(None, owlrl.Namespaces.ERRNS.error)]
    severities = [str(s).rsplit("#", 1)[1] for s in results.objects(None, SH.resultSeverity)]
    return {
        "closure_triples": len(closure),
        "inconsistencies": len(errors),
        "violations": severities.count("Violation"),
        "warnings": severities.count("Warning"),
    }


if __name__ == "__main__":
    print(json.dumps(findings(Path(sys.argv[1]))))
