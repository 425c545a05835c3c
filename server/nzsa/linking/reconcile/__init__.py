"""The W3C Entity Reconciliation service: match names to our IRIs, fetch their values."""

from .service import register

__all__ = ["register"]
