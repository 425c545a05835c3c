"""Keeping the data: release and IRI stability (fmt and diff live beside them)."""
