"""Validate the knowledge graph: each stage is a function returning findings."""

from .findings import ERROR, INFO, STAGES, WARNING, Counts, Finding, Report
from .run import validate

__all__ = ["ERROR", "INFO", "STAGES", "WARNING", "Counts", "Finding", "Report", "validate"]
