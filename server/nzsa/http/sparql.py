"""The SPARQL 1.1 Protocol endpoint at /sparql: thin handlers over the guard and the store.

https://www.w3.org/TR/sparql11-protocol/ — query via GET, URL-encoded POST and direct
POST; the dataset from default-graph-uri / named-graph-uri; results negotiated on Accept
or chosen by a `format` parameter; a service description when no query is given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS
from werkzeug.datastructures import MIMEAccept, MultiDict

from .. import guard
from ..formats import Format, formats_of_kind, lookup
from ..store.base import QueryRejected, QueryRequest, QueryResponse, Store
from ..vocab import BASE_IRI, Graphs
from . import negotiate, params
from .cache import BoundedCache

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
RESULT_FORMATS = formats_of_kind("results")
GRAPH_FORMATS = formats_of_kind("graph", "dataset")
# Browsers asking for /sparql get the query editor from the pages blueprint instead.
DESCRIPTION_FORMATS = formats_of_kind("graph")
TRUNCATED_HEADER = "NZSA-Results-Truncated"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type",
    "Access-Control-Expose-Headers": f"{TRUNCATED_HEADER}, Warning, Content-Type",
}

bp = Blueprint("sparql", __name__)
bp.record_once(
    lambda state: state.app.extensions.setdefault(
        "nzsa.answers", BoundedCache(state.app.config["QUERY_CACHE_BYTES"], "query")
    )
)


@dataclass(frozen=True)
class Params:
    """The protocol parameters of one request."""

    query: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()


# Where clients name the answer's format: Virtuoso reads `format`, Fuseki `output`, and
# others `results`; SPARQLWrapper sends all three, some twice (a name and a media type).
FORMAT_PARAMETERS = ("format", "output", "results")


def read_params(method: str, mimetype: str, args: MultiDict, form: MultiDict, body) -> Params:
    """Read the protocol parameters, refusing updates and malformed requests (2.1, 2.2)."""
    if method == "POST":
        if mimetype == "application/sparql-update":
            raise guard.Refused(403, "This endpoint is read-only: SPARQL Update is refused.")
        if mimetype == "application/x-www-form-urlencoded":
            values = MultiDict([*args.items(multi=True), *form.items(multi=True)])
            queries = values.getlist("query")
        elif mimetype == "application/sparql-query":
            values = args
            queries = [body()] + args.getlist("query")
        else:
            raise guard.Refused(
                415,
                "POST a query as application/sparql-query or application/x-www-form-urlencoded.",
            )
    else:
        values, queries = args, args.getlist("query")
    if values.getlist("update"):
        if queries:
            raise guard.Refused(400, "A request may carry a query or an update, not both.")
        raise guard.Refused(403, "This endpoint is read-only: SPARQL Update is refused.")
    if len(queries) > 1:
        raise guard.Refused(400, "Give exactly one query parameter.")
    if method == "POST" and not queries:
        raise guard.Refused(400, "The request carries no query.")
    return Params(
        query=queries[0] if queries else None,
        default_graphs=graph_iris(values, "default-graph-uri"),
        named_graphs=graph_iris(values, "named-graph-uri"),
        formats=tuple(v for name in FORMAT_PARAMETERS for v in values.getlist(name) if v.strip()),
    )


def graph_iris(values: MultiDict, name: str) -> tuple[str, ...]:
    """Return the graph IRIs a dataset parameter names, refusing any that is not an IRI."""
    return tuple(params.absolute_iri(name, iri) for iri in values.getlist(name))


def choose_format(
    offered: tuple[Format, ...],
    named: tuple[str, ...],
    accept: MIMEAccept,
    has_accept: bool,
    answer: str = "this request",
) -> Format:
    """Pick the first offered format the parameters name, else the one `Accept` prefers.

    A client that names formats gets one of them or a 406 saying what `answer` is offered
    in; it never gets a format it did not name.
    """
    if named:
        for name in named:
            chosen = lookup(name, offered)
            if chosen is not None:
                return chosen
        asked = ", ".join(dict.fromkeys(named))
        raise negotiate.NoAcceptableFormat(offered, f"{answer} has no {asked} form.")
    return negotiate.choose(accept, has_accept, offered)


def run_query(
    store: Store,
    settings: Mapping[str, Any],
    params: Params,
    accept: MIMEAccept,
    has_accept: bool,
    ticket=None,
) -> QueryResponse:
    """Check, negotiate and execute a public query; the store serialises the answer.

    A `ticket` (ops/admission.py) says when the request arrived, from which its time limit
    counts, and whether its client has gone.
    """
    form = guard.check_query(
        params.query or "",
        max_length=settings["MAX_QUERY_LENGTH"],
        max_depth=settings["MAX_QUERY_DEPTH"],
    )
    offered = RESULT_FORMATS if form in ("SELECT", "ASK") else GRAPH_FORMATS
    answer = f"A {form} answer" if form in ("SELECT", "ASK") else f"A {form} graph"
    result_format = choose_format(offered, params.formats, accept, has_accept, answer)
    request = QueryRequest(
        text=params.query,
        form=form,
        result_format=result_format,
        default_graph_uris=params.default_graphs,
        named_graph_uris=params.named_graphs,
        timeout=settings["QUERY_TIMEOUT"],
        max_results=settings["MAX_RESULTS"],
        deadline=ticket.deadline(settings["QUERY_TIMEOUT"]) if ticket else None,
        abandoned=ticket.left if ticket else None,
    )
    # The store is read-only, so an answer holds until its version changes: repeated
    # queries skip the executor round trip (bench/RESULTS.md, "answer cache").
    cache = current_app.extensions.get("nzsa.answers") if current_app else None
    if cache is not None and (not cache.largest or not guard.repeatable(params.query)):
        cache = None  # turned off, or RAND(), NOW() ...: each run answers afresh
    key = (store.version(), request) if cache is not None else None
    answer = cache.get(key) if cache is not None else None
    if answer is not None:
        return answer
    try:
        answer = store.execute(request)
    except QueryRejected as error:
        raise type(error)(point_at(str(error), params.query)) from None
    if cache is not None and answer.engine_cut is None:
        cache.put(key, answer)
    return answer


def point_at(message: str, text: str) -> str:
    """Add the query line a parser message ("error at LINE:COLUMN: ...") points at."""
    found = re.match(r"error at (\d+):(\d+)", message)
    lines = text.splitlines()
    if not found or not 0 < int(found.group(1)) <= len(lines):
        return message
    line, column = int(found.group(1)), int(found.group(2))
    return f"{message}\n{lines[line - 1]}\n{' ' * max(column - 1, 0)}^"


def service_description(base_iri: str) -> Graph:
    """Describe the endpoint (SPARQL 1.1 Service Description), linking the VoID."""
    graph = Graph()
    graph.bind("sd", SD)
    endpoint = URIRef(base_iri + "sparql")
    dataset, default_graph = BNode(), BNode()
    graph.add((endpoint, RDF.type, SD.Service))
    graph.add((endpoint, SD.endpoint, endpoint))
    graph.add((endpoint, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((endpoint, SD.feature, SD.UnionDefaultGraph))
    for fmt in RESULT_FORMATS + GRAPH_FORMATS:
        graph.add((endpoint, SD.resultFormat, URIRef(_format_iri(fmt))))
    graph.add((endpoint, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, RDFS.seeAlso, URIRef(base_iri + "void")))
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    graph.add((default_graph, RDFS.comment, Literal("The union of the named graphs.", lang="en")))
    for name in (Graphs.ONTOLOGY, Graphs.DATA, Graphs.INFERRED, Graphs.SHAPES, Graphs.DESCRIPTION):
        named = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(str(name).replace(BASE_IRI, base_iri, 1))))
    return graph


def _format_iri(fmt: Format) -> str:
    # The W3C format IRIs (https://www.w3.org/ns/formats/), as pyoxigraph knows them.
    if fmt.kind == "results":
        return ox.QueryResultsFormat.from_media_type(fmt.media_type).iri
    return ox.RdfFormat.from_media_type(fmt.media_type).iri


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """Answer a SPARQL query, or describe the service when none is given."""
    settings, store = current_app.config, current_app.extensions["nzsa"].store
    params = read_params(
        request.method,
        request.mimetype,
        request.args,
        request.form if request.mimetype == "application/x-www-form-urlencoded" else MultiDict(),
        lambda: request.get_data(as_text=True),
    )
    has_accept = "Accept" in request.headers
    if params.query is None:
        return describe_service(settings["BASE_IRI"], params.formats, has_accept)
    ticket = request.environ.get("nzsa.ticket")
    answer = run_query(store, settings, params, request.accept_mimetypes, has_accept, ticket)
    response = Response(answer.body, mimetype=answer.result_format.media_type)
    if not guard.repeatable(params.query) or answer.engine_cut:
        response.cache_control.no_store = True  # nor may any cache replay this answer
    if answer.truncated:
        response.headers[TRUNCATED_HEADER] = "true"
        cut = answer.engine_cut or f"Results truncated at {settings['MAX_RESULTS']}"
        response.headers["Warning"] = (
            f'199 nzsa "{quoted(cut)}; add LIMIT and OFFSET to page through them"'
        )
    return response


def quoted(text: str) -> str:
    """Return text fit for a quoted-string header value (RFC 9110, 5.6.4)."""
    return "".join(c for c in text if c.isprintable() and c not in '"\\')


def describe_service(base_iri: str, named: tuple[str, ...], has_accept: bool) -> Response:
    """Send the service description in the RDF format negotiated."""
    fmt = choose_format(
        DESCRIPTION_FORMATS, named, request.accept_mimetypes, has_accept, "The service description"
    )
    body = service_description(base_iri).serialize(format=fmt.rdflib_format)
    return Response(body, mimetype=fmt.media_type)


@bp.after_request
def add_headers(response: Response) -> Response:
    """Allow cross-origin reads and say that answers vary by Accept."""
    response.headers.update(CORS_HEADERS)
    response.vary.add("Accept")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
