"""The Virtuoso bulk load of the engine fixtures and the benchmark: parts, loaders, one checkpoint.

A line-based file is cut into parts that several `rdf_loader_run()` sessions share; what
Virtuoso holds afterwards must be the file, whatever the parts.
"""

from __future__ import annotations

import pytest
import remote_engines as engines
import requests
from fixture_data import GRAPH, ID, ONT, REQUEST_TIMEOUT

NZ = ID + "country/new-zealand"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
JSON_RESULTS = {"Accept": "application/sparql-results+json"}


def select(endpoint: str, query: str) -> list[dict]:
    answer = requests.get(
        endpoint, params={"query": query}, headers=JSON_RESULTS, timeout=REQUEST_TIMEOUT
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]["bindings"]


def test_n_quads_are_cut_at_line_ends_into_parts_holding_every_line(tmp_path):
    source = tmp_path / "data.nq"
    lines = [f'<{ID}r{n}> <{ONT}p> "{"x" * (n % 50)}" <{GRAPH}data> .\n' for n in range(500)]
    source.write_text("".join(lines))
    target = tmp_path / "parts"
    target.mkdir()
    parts = engines.split_lines(source, target, part_bytes=1000)
    assert len(parts) > 10
    assert all(part.suffix == ".nq" for part in parts)
    texts = [part.read_text() for part in parts]
    assert all(text.endswith(" .\n") for text in texts)
    assert "".join(texts) == source.read_text()


BLANK = f'_:e <{ONT}quote> "q" <{GRAPH}data> .\n<{NZ}> <{ONT}p> _:e <{GRAPH}data> .\n'
TURTLE = f'<{NZ}> <{ONT}p> "a" .\n<{NZ}> <{ONT}p> "b" .\n'


@pytest.mark.parametrize("name, text", [("blank.nq", BLANK), ("data.ttl", TURTLE)])
def test_files_with_blank_nodes_and_other_formats_are_copied_whole(tmp_path, name, text):
    source = tmp_path / name
    source.write_text(text)
    target = tmp_path / "parts"
    target.mkdir()
    assert engines.split_lines(source, target, part_bytes=10) == [target / name]
    assert (target / name).read_text() == text


def test_parallel_loaders_load_every_quad_of_the_parts(
    start_virtuoso, fixture_build, fixture_triple_count, monkeypatch
):
    monkeypatch.setattr(engines, "PART_BYTES", 1024)
    instance = start_virtuoso()
    assert instance.load(fixture_build / "nzsa.nq") > engines.LOADERS
    count = (
        "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o }"
        f' FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }}'
    )
    assert int(select(instance.endpoint, count)[0]["n"]["value"]) == fixture_triple_count
    pending = instance.isql("SELECT ll_file FROM DB.DBA.load_list WHERE ll_state <> 2;")
    assert "0 Rows." in pending


def test_a_blank_node_stays_one_node_when_parts_are_small(start_virtuoso, tmp_path, monkeypatch):
    monkeypatch.setattr(engines, "PART_BYTES", 10)
    evidence = tmp_path / "evidence.nq"
    evidence.write_text(
        f'_:evidence <{ONT}quote> "verbatim" <{GRAPH}data> .\n'
        f"<{NZ}> <{PROV_DERIVED}> _:evidence <{GRAPH}data> .\n"
    )
    instance = start_virtuoso()
    instance.load(evidence)
    query = f"SELECT ?q {{ GRAPH ?g {{ <{NZ}> <{PROV_DERIVED}> ?e . ?e <{ONT}quote> ?q }} }}"
    assert [row["q"]["value"] for row in select(instance.endpoint, query)] == ["verbatim"]
