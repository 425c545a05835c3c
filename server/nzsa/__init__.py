"""nzsa: the linked-data publication of New Zealand's international security architecture."""

__version__ = "0.1.0"
