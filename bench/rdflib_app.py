"""rdflib-endpoint as its README runs it: an in-memory rdflib dataset behind uvicorn."""

import sys

import uvicorn
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint

if __name__ == "__main__":
    dataset_file, port = sys.argv[1], int(sys.argv[2])
    dataset = Dataset(default_union=True)
    dataset.parse(dataset_file, format="nquads")
    app = SparqlEndpoint(graph=dataset, path="/sparql", cors_enabled=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
