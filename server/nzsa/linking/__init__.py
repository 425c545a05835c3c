"""What lets others link to the publication: retired IRIs, crawlers, w3id.org, Wikidata."""
