"""Fold the findings that follow from another under it, so the root cause is read first.

One misspelt class makes every shape that expects that class fail where the thing is
used; one renamed IRI leaves each reference to it dangling, and each of those fails its
shape too. The maintainer has one thing to fix: the root. These are the rules:

- a class the ontology does not declare on S: SHACL results about S, or with S as value;
- a property the ontology does not declare on S: SHACL results about S on the property
  it was meant to be (the "did you mean" one);
- an IRI nothing describes: its other references, and the findings with it as value
  (the shapes that expect something there, the evidence that cannot read its source).
"""

from __future__ import annotations

from dataclasses import replace

from .findings import Finding

# Kinds of root cause (Finding.kind).
UNKNOWN_CLASS = "unknown-class"
UNKNOWN_PROPERTY = "unknown-property"
DANGLING = "dangling"


def _order(finding: Finding) -> tuple:
    return (str(finding.file or ""), finding.line or 0, finding.message)


def _follows(finding: Finding, root: Finding) -> bool:
    """Tell whether `finding` is a consequence of `root`."""
    if finding is root:
        return False
    if root.kind == UNKNOWN_CLASS:
        return finding.stage == "shacl" and root.subject in (finding.subject, finding.value)
    if root.kind == UNKNOWN_PROPERTY:
        return (
            finding.stage == "shacl"
            and root.meant is not None
            and finding.subject == root.subject
            and finding.path == root.meant
        )
    if root.kind == DANGLING:
        # An undeclared term is a root cause of its own, whatever it points to.
        return finding.value == root.value and finding.kind in ("", DANGLING)
    return False


def fold(findings: list[Finding]) -> list[Finding]:
    """Return the findings with `cause` set on consequences, roots first, in file order."""
    roots: list[Finding] = []
    for finding in sorted(findings, key=_order):
        if finding.kind and not any(_follows(finding, root) for root in roots):
            roots.append(finding)
    result, folded = [], []
    for finding in findings:
        cause = next((root for root in roots if _follows(finding, root)), None)
        if cause is None:
            result.append(finding)
        else:
            folded.append((cause, finding))
    # Consequences point at the very root objects kept in the list.
    return result + [replace(finding, cause=cause) for cause, finding in folded]
