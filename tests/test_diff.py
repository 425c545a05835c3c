"""`nzsa diff`: the semantic difference of the published graph between git revisions.

Each test runs on a real git repository in a temporary folder: a copy of this
checkout's ontology/, data/ and shapes/ committed as `main`, with a branch per change.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from nzsa.load import project_root
from nzsa.maintain.diff_report import FORMATS, MarkdownStyle
from nzsa.maintain.published import published
from nzsa.maintain.revisions import Revision, default_base, project_at, resolve
from nzsa.maintain.semantic_diff import semantic_diff
from rdflib import Graph

NZSA = Path(sys.executable).with_name("nzsa")
PREFIXES = """\
PREFIX country: <https://w3id.org/nzsa/id/country/>
PREFIX membership: <https://w3id.org/nzsa/id/membership/>
PREFIX nzsa: <https://w3id.org/nzsa/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX organisation: <https://w3id.org/nzsa/id/organisation/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX role: <https://w3id.org/nzsa/id/role/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX source: <https://w3id.org/nzsa/id/source/>
"""
FORUM = """
organisation:example-maritime-forum a nzsa:Forum ;
    skos:prefLabel "{label}"@en ;
    skos:editorialNote "No Wikidata id is listed for this entity in data/wikidata-ids.csv, \
so it has no skos:exactMatch."@en ;
    nzsa:evidence [ a nzsa:Evidence ; prov:wasQuotedFrom source:mfat-regional-security ;
        nzsa:quote "{quote}" ] .
"""
MEMBERSHIP = """
membership:{member}-example-maritime-forum a nzsa:Membership ;
    org:member country:{member} ;
    org:organization organisation:example-maritime-forum ;
    org:role role:member ;
    nzsa:evidence [ a nzsa:Evidence ; prov:wasQuotedFrom source:mfat-regional-security ;
        nzsa:quote "We belong to the Bali Process" ] .
"""
# Verbatim in data/sources/mfat-regional-security.txt, with its typographic apostrophe.
QUOTE = "the Pacific Islands Forum’s Framework for Pacific Regionalism"
BASE = (
    PREFIXES
    + FORUM.format(label="Example Maritime Forum", quote=QUOTE)
    + MEMBERSHIP.format(member="australia")
)
# A changed label, a removed fact, an added membership with its quote, and a quote whose
# apostrophe was retyped (a new validation finding).
CHANGED = (
    PREFIXES
    + FORUM.format(label="Example Maritime Security Forum", quote=QUOTE.replace("’", "'"))
    + MEMBERSHIP.format(member="new-zealand")
)
REWRITTEN = "data/facts-mfat-regional-security.ttl"


def git(repo: Path, *args: str, check: bool = True):
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=check, timeout=60
    )
    return done.stdout.strip() if check else done.returncode


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=nzsa", "-c", "user.email=nzsa@example.org", "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> dict:
    """The repository and its commits: base (main), changed, reserialised, formatted."""
    root = tmp_path_factory.mktemp("repo")
    for folder in ("ontology", "data", "shapes"):
        shutil.copytree(project_root() / folder, root / folder)
    git(root, "init", "-q", "-b", "main")
    (root / "data" / "review.ttl").write_text(BASE, encoding="utf-8")
    commits = {"base": commit(root, "base")}

    git(root, "checkout", "-q", "-b", "reserialised")
    path = root / REWRITTEN
    original = path.read_text(encoding="utf-8")
    # rdflib's plain Turtle writer: another order, other blank-node ids, no nesting style.
    other = Graph(bind_namespaces="none").parse(path, format="turtle").serialize(format="turtle")
    assert other != original
    path.write_text(other, encoding="utf-8")
    commits["reserialised"] = commit(root, "re-serialise one file")
    subprocess.run([str(NZSA), "fmt", root / "data"], check=True, capture_output=True)
    assert path.read_text(encoding="utf-8") != other
    commits["formatted"] = commit(root, "nzsa fmt")

    git(root, "checkout", "-q", "-b", "changed", commits["base"])
    (root / "data" / "review.ttl").write_text(CHANGED, encoding="utf-8")
    commits["changed"] = commit(root, "change")
    return {"root": root, **commits}


@functools.cache
def _published(root: Path, commit: str):
    with project_at(root, Revision(commit, commit)) as folder:
        return published(folder)


def diff_of(repo: dict, old: str, new: str, fmt: str) -> str:
    root = repo["root"]
    # A commit of the fixture by its name there, or a git revision.
    a, b = (Revision(r, repo[r]) if r in repo else resolve(root, r) for r in (old, new))
    return FORMATS[fmt](semantic_diff(_published(root, a.commit), _published(root, b.commit)), a, b)


ASSERTED_MARKDOWN = """\
### Asserted: 1 added, 1 removed, 1 changed

- **~ Example Maritime Security Forum (`organisation:example-maritime-forum`): changed forum**
  - **~** preferred label: “Example Maritime Forum” → “Example Maritime Security Forum”
  - **~** evidence: “the Pacific Islands Forum’s Framework for Pacific Regionalism” — Regional security (`source:mfat-regional-security`) → “the Pacific Islands Forum's Framework for Pacific Regionalism” — Regional security (`source:mfat-regional-security`)
- **- Membership: Australia — Example Maritime Security Forum (`membership:australia-example-maritime-forum`): removed fact**
  - **-** type: membership (`nzsa:Membership`)
  - **-** member: Australia (`country:australia`)
  - **-** organization: Example Maritime Security Forum (`organisation:example-maritime-forum`)
  - **-** role: member (`role:member`)
  - **-** evidence: “We belong to the Bali Process” — Regional security (`source:mfat-regional-security`)
- **+ Membership: New Zealand — Example Maritime Security Forum (`membership:new-zealand-example-maritime-forum`): added fact**
  - **+** type: membership (`nzsa:Membership`)
  - **+** member: New Zealand (`country:new-zealand`)
  - **+** organization: Example Maritime Security Forum (`organisation:example-maritime-forum`)
  - **+** role: member (`role:member`)
  - **+** evidence: “We belong to the Bali Process” — Regional security (`source:mfat-regional-security`)
"""  # noqa: E501 (the lines as a pull request shows them)

CHANGED_TEXT = """\
  ~ Example Maritime Security Forum (organisation:example-maritime-forum): changed forum
      ~ preferred label: “Example Maritime Forum” → “Example Maritime Security Forum”
      ~ evidence: “the Pacific Islands Forum’s Framework for Pacific Regionalism” — Regional security (source:mfat-regional-security) → “the Pacific Islands Forum's Framework for Pacific Regionalism” — Regional security (source:mfat-regional-security)
"""  # noqa: E501


def section(text: str, start: str, end: str) -> str:
    """The part of `text` from the line starting with `start` to the one before `end`."""
    head = text.index("\n" + start) + 1
    tail = text.find(end, head)
    return text[head : tail if tail >= 0 else len(text)]


def test_markdown_shows_each_fact_with_its_evidence_grouped_by_what_it_is_about(repo):
    text = diff_of(repo, "main", "changed", "markdown")
    assert text.startswith("## nzsa diff: main (")
    assert section(text, "### Asserted", "<details>") == ASSERTED_MARKDOWN + "\n"
    assert "| asserted | 1 added, 1 removed, 1 changed |" in text


def test_entailed_changes_have_their_own_section(repo):
    text = diff_of(repo, "main", "changed", "markdown")
    entailed = section(text, "<summary>Entailed", "</details>")
    new_zealand = section(entailed, "- **~ New Zealand (`country:new-zealand`)", "\n- ")
    assert (
        "  - **+** member of: Example Maritime Security Forum "
        "(`organisation:example-maritime-forum`)" in new_zealand.splitlines()
    )
    australia = section(entailed, "- **~ Australia (`country:australia`)", "\n- ")
    assert "  - **-** member of: Example Maritime Security Forum" in australia
    # What is asserted is not repeated as entailed.
    assert "preferred label" not in entailed


def test_a_new_validation_finding_appears_in_its_own_section(repo):
    root = repo["root"]
    old, new = (_published(root, repo[name]) for name in ("base", "changed"))
    diff = semantic_diff(old, new)
    assert [(f.severity, f.stage) for f in diff.appeared] == [("error", "evidence")]
    assert diff.disappeared == []
    text = diff_of(repo, "main", "changed", "markdown")
    finding = diff.appeared[0]
    message = MarkdownStyle().escape(finding.message)
    assert text.endswith(
        "### Validation: 1 appeared, 0 gone\n\n"
        "- **+** error [evidence] Example Maritime Security Forum "
        "(`organisation:example-maritime-forum`) › evidence “the Pacific Islands Forum's "
        f"Framework for Pacific Regionali…”: {message}\n"
    )


def test_text_shows_a_changed_label_as_a_change(repo):
    text = diff_of(repo, "main", "changed", "text")
    assert text.startswith("nzsa diff: main (")
    assert text.splitlines()[1:3] == ["", "Asserted: 1 added, 1 removed, 1 changed"]
    assert CHANGED_TEXT in text


@pytest.mark.parametrize(
    ("old", "new"), [("main", "reserialised"), ("reserialised", "formatted")], ids=["rdflib", "fmt"]
)
def test_re_serialising_a_file_shows_no_change(repo, old, new):
    assert git(repo["root"], "diff", "--quiet", old, new, check=False) != 0
    for fmt, empty in (
        ("text", "no change to the published graph, its entailments or its findings\n"),
        ("markdown", "No change to the published graph, its entailments or its findings.\n"),
    ):
        assert diff_of(repo, old, new, fmt).endswith(empty)
    document = json.loads(diff_of(repo, old, new, "json"))
    jsonschema.validate(document, SCHEMA)
    assert (document["asserted"], document["entailed"]) == ([], [])
    assert document["validation"] == {"appeared": [], "disappeared": []}


SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "diff.schema.json").read_text())


def test_json_has_the_documented_shape(repo):
    document = json.loads(diff_of(repo, "main", "changed", "json"))
    jsonschema.validate(document, SCHEMA)
    assert document["old"] == {"name": "main", "commit": repo["base"]}
    assert document["new"] == {"name": "changed", "commit": repo["changed"]}
    assert document["summary"] == {
        "asserted": {"added": 1, "removed": 1, "changed": 1},
        "entailed": {"added": 1, "removed": 1, "changed": 3},
        "findings": {"appeared": 1, "disappeared": 0},
    }
    removed = next(g for g in document["asserted"] if g["status"] == "removed")
    assert removed["iri"] == "https://w3id.org/nzsa/id/membership/australia-example-maritime-forum"
    assert removed["curie"] == "membership:australia-example-maritime-forum"
    assert removed["kind"] == "fact"
    assert removed["label"] == "Membership: Australia — Example Maritime Security Forum"
    assert [t["curie"] for t in removed["types"]] == ["nzsa:Membership"]
    assert (removed["added"], removed["changed"]) == ([], [])
    evidence = [
        s["value"] for s in removed["removed"] if s["predicate"]["curie"] == "nzsa:evidence"
    ]
    assert evidence == [
        {
            "evidence": {
                "quote": "We belong to the Bali Process",
                "source": {
                    "iri": "https://w3id.org/nzsa/id/source/mfat-regional-security",
                    "curie": "source:mfat-regional-security",
                    "label": "Regional security",
                },
            }
        }
    ]
    forum = next(g for g in document["asserted"] if g["status"] == "changed")
    label = next(c for c in forum["changed"] if c["predicate"]["curie"] == "skos:prefLabel")
    assert label["old"] == {"literal": "Example Maritime Forum", "datatype": None, "language": "en"}
    assert label["new"]["literal"] == "Example Maritime Security Forum"
    [finding] = document["validation"]["appeared"]
    assert (finding["severity"], finding["stage"], finding["file"]) == (
        "error",
        "evidence",
        "data/review.ttl",
    )
    assert isinstance(finding["line"], int)
    assert finding["subject"]["evidence"]["quote"] == QUOTE.replace("’", "'")
    assert finding["resource"]["curie"] == "organisation:example-maritime-forum"


def nzsa(*args, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(NZSA), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=600,
    )


def test_the_command_compares_the_merge_base_with_the_working_tree(repo):
    root = repo["root"]
    git(root, "checkout", "-q", "changed")
    result = nzsa("diff", "--format", "markdown", cwd=root, env={"NZSA_ROOT": str(root)})
    assert result.returncode == 0, result.stderr
    title, body = result.stdout.split("\n", 1)
    assert title == f"## nzsa diff: merge base with main ({repo['base'][:12]}) → working tree"
    assert body == diff_of(repo, "main", "changed", "markdown").split("\n", 1)[1]


def test_markdown_too_long_for_a_comment_keeps_whole_resources_and_says_what_it_left_out(repo):
    root = repo["root"]
    was = git(root, "rev-parse", "--abbrev-ref", "HEAD")
    git(root, "checkout", "-q", "-b", "many-forums", repo["base"])
    forums = "".join(
        FORUM.replace("example-maritime-forum", f"example-forum-{n}").format(
            label=f"Example Forum {n} for maritime security cooperation", quote=QUOTE
        )
        for n in range(400)
    )
    (root / "data" / "many.ttl").write_text(PREFIXES + forums, encoding="utf-8")
    commit(root, "four hundred forums")
    git(root, "checkout", "-q", was)
    whole = diff_of(repo, "main", "many-forums", "text")
    assert "Asserted: 400 added" in whole and len(whole) > 65_536

    result = nzsa("diff", "main", "many-forums", "--format", "markdown", cwd=root)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert len(text) <= 65_536
    assert "| asserted | 400 added |" in text  # the summary still counts everything
    asserted = text[text.index("### Asserted") : text.index("<details>")]
    shown = asserted.count("added forum**")
    left_out = re.search(r"- … and (\d+) more not shown here .*`nzsa diff --format json`", asserted)
    assert left_out and 0 < shown < 400 and shown + int(left_out[1]) == 400
    assert asserted.count("\n- **") == shown  # whole resources: every heading with its facts
    assert asserted.count("  - **+** preferred label:") == shown
    assert text.rstrip().endswith("</details>")  # the folded entailments gave way first


def test_an_unknown_revision_is_a_usage_error(repo):
    root = repo["root"]
    result = nzsa("diff", "no-such-branch", cwd=root, env={"NZSA_ROOT": str(root)})
    assert result.returncode == 2
    assert result.stderr.startswith("nzsa diff: ")


def test_a_clone_without_a_local_main_compares_with_origin_main(repo, tmp_path):
    clone = tmp_path / "clone"
    git(repo["root"], "clone", "-q", "--branch", "changed", str(repo["root"]), str(clone))
    assert git(clone, "branch", "--list", "main") == ""
    base = default_base(clone)
    assert (base.name, base.commit) == ("merge base with origin/main", repo["base"])


def test_a_revision_that_cannot_be_parsed_is_said_so_and_not_compared(repo):
    root = repo["root"]
    git(root, "checkout", "-q", "-b", "broken", repo["base"])
    path = root / "data" / "review.ttl"
    path.write_text(BASE.replace("a nzsa:Membership ;", "a nzsa:Membership ;;;<"), encoding="utf-8")
    repo["broken"] = commit(root, "break a file")
    git(root, "checkout", "-q", "changed")
    text = diff_of(repo, "main", "broken", "text")
    lines = text.splitlines()
    assert lines[1] == "broken could not be read (see its findings): its graphs are not compared"
    assert "Asserted" not in text and "Entailed" not in text
    assert lines[3] == "Validation: 1 appeared, 0 gone"
    assert lines[4].startswith("  + error [parse] ")
    document = json.loads(diff_of(repo, "main", "broken", "json"))
    jsonschema.validate(document, SCHEMA)
    assert document["unreadable"] == ["new"]
    assert document["validation"]["appeared"][0]["file"] == "data/review.ttl"


def test_a_project_whose_pyproject_names_its_folders(tmp_path):
    """Each revision is read in the layout `[tool.nzsa]` names, not as ontology/ data/ shapes/."""
    fixture = Path(__file__).parent / "fixtures" / "validate" / "project"
    root = tmp_path / "repo"
    for role in ("ontology", "data", "shapes"):
        shutil.copytree(fixture / role, root / "rdf" / role)
    (root / "pyproject.toml").write_text(
        '[tool.nzsa]\nontology = "rdf/ontology"\ndata = "rdf/data"\nshapes = "rdf/shapes"\n',
        encoding="utf-8",
    )
    git(root.parent, "init", "-q", "-b", "main", str(root))
    before = commit(root, "base")
    entities = root / "rdf" / "data" / "entities.ttl"
    text = entities.read_text(encoding="utf-8")
    entities.write_text(text.replace('"Samoa"@en', '"Independent State of Samoa"@en'), "utf-8")
    after = commit(root, "rename Samoa")
    # From the top, the project is the one pyproject.toml describes; from rdf/, the
    # folder holding ontology/, data/ and shapes/ (below the top of the repository).
    for cwd in (root, root / "rdf"):
        result = nzsa("diff", before, after, cwd=cwd)
        assert result.returncode == 0, result.stderr
        assert "Asserted: 1 changed" in result.stdout.splitlines()
        assert "      ~ preferred label: “Samoa” → “Independent State of Samoa”" in result.stdout
