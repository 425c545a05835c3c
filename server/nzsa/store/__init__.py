"""Where the triples live: one interface, an embedded and a remote back end."""
