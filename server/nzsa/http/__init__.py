"""The request layer: SPARQL protocol, Linked Data documents, negotiation, replay and errors."""
