"""The publishable dataset: dumps, VoID/DCAT, checksums, inferred triples in their own graph.

A package rather than one module: the deterministic writers, the VoID description
and the manifest each have their own concern and tests.
"""

from .command import register
from .dataset import BuildRefused, BuildResult, build_dataset, is_current, publishable_graphs

__all__ = [
    "BuildRefused",
    "BuildResult",
    "build_dataset",
    "is_current",
    "publishable_graphs",
    "register",
]
