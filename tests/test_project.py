"""Finding the project as git and ruff do: upwards from the working directory, or as named."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from importlib.metadata import distribution, packages_distributions
from pathlib import Path

import pytest
from nzsa.project import NoProject, find_root, layout_of
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).parent / "fixtures" / "validate" / "project"
NZSA = Path(sys.executable).with_name("nzsa")
NO_PROJECT = "no nzsa project here or above {}; pass PATH or --project"


def nzsa(*args, cwd: Path, nzsa_root: str | None = None, command: Path = NZSA):
    """Run the console script in `cwd`, with NZSA_ROOT set only when given."""
    env = {k: v for k, v in os.environ.items() if k != "NZSA_ROOT"}
    if nzsa_root is not None:
        env["NZSA_ROOT"] = nzsa_root
    return subprocess.run(
        [str(command), *map(str, args)],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=300,
    )  # fmt: skip


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the small fixture project, with a subfolder to run from."""
    root = tmp_path / "checkout"
    shutil.copytree(FIXTURE, root)
    (root / "notes" / "deeper").mkdir(parents=True)
    return root


@pytest.fixture
def outside(tmp_path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def test_found_from_a_subfolder(project):
    assert find_root(project / "notes" / "deeper") == project
    assert find_root(project / "data") == project


def test_a_pyproject_table_names_the_folders(tmp_path):
    root = tmp_path / "kb"
    for role, folder in (("ontology", "owl"), ("data", "facts"), ("shapes", "shacl")):
        shutil.copytree(FIXTURE / role, root / "rdf" / folder)
    (root / "pyproject.toml").write_text(
        '[tool.nzsa]\nontology = "rdf/owl"\ndata = "rdf/facts"\nshapes = "rdf/shacl"\n'
    )
    assert find_root(root / "rdf" / "facts") == root
    assert layout_of(root).data == root / "rdf" / "facts"
    # The text copies are named relative to the root, as in the fixture.
    shutil.copytree(FIXTURE / "data" / "sources", root / "data" / "sources")
    result = nzsa("validate", cwd=root / "rdf")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checked 5 files" in result.stdout


def test_a_pyproject_without_the_table_is_no_project(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\n')
    with pytest.raises(NoProject):
        find_root(tmp_path)


@pytest.mark.parametrize("command", ["validate", "build", "serve"])
def test_outside_any_project_one_line(outside, command):
    result = nzsa(command, cwd=outside)
    assert result.returncode == 2
    assert result.stderr == f"nzsa {command}: {NO_PROJECT.format(outside)}\n"
    assert result.stdout == ""


def test_validate_from_a_subfolder(project):
    result = nzsa("validate", cwd=project / "notes" / "deeper")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checked 5 files, 250 triples" in result.stdout


@pytest.mark.parametrize("how", ["--project", "NZSA_ROOT", "--project first"])
def test_named_project_wins(project, outside, how):
    if how == "--project":
        result = nzsa("validate", "--project", project, cwd=outside)
    elif how == "--project first":
        result = nzsa("--project", project, "validate", cwd=outside)
    else:
        result = nzsa("validate", cwd=outside, nzsa_root=str(project))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checked 5 files" in result.stdout


def test_project_option_that_is_no_folder(outside):
    result = nzsa("validate", "--project", outside / "nope", cwd=outside)
    assert result.returncode == 2
    assert result.stderr == f"nzsa validate: --project {outside / 'nope'}: no such folder\n"


def test_no_files_says_where_it_looked(project):
    for role in ("ontology", "data", "shapes"):
        for path in (project / role).glob("*.ttl"):
            path.unlink()
    result = nzsa("validate", cwd=project / "notes")
    assert result.returncode == 1
    looked = ", ".join(str(project / role) for role in ("ontology", "data", "shapes"))
    assert f"no files to validate (looked in {looked})" in result.stdout


def test_build_writes_into_the_project(project):
    result = nzsa("build", cwd=project / "notes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project / "build" / "nzsa.nq").is_file()
    assert not (project / "notes" / "build").exists()


def test_serve_without_data_says_so(project):
    for path in (project / "data").glob("*.ttl"):
        path.unlink()
    result = nzsa("serve", "--port", "1", cwd=project / "notes")
    assert result.returncode == 2
    assert result.stderr == (
        f"nzsa serve: not serving: no data to publish: no Turtle files in {project / 'data'}\n"
    )


def _imports(package: Path) -> set[str]:
    names = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "nzsa"}


def _required(name: str, seen: set[str]) -> set[str]:
    """Distributions `name` needs at run time: its requirements without extras, recursively."""
    key = name.lower().replace("_", "-")
    if key in seen:
        return seen
    seen.add(key)
    for text in distribution(name).requires or []:
        requirement = Requirement(text)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            _required(requirement.name, seen)
    return seen


def test_every_import_of_the_package_is_a_runtime_dependency():
    needed = _required("nzsa", set())
    providers = packages_distributions()
    for module in sorted(_imports(ROOT / "server" / "nzsa")):
        names = {d.lower().replace("_", "-") for d in providers.get(module, [])}
        assert names & needed, f"{module} is imported but not in the main dependencies"


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment with nzsa installed from a wheel (not editable)."""
    folder = tmp_path_factory.mktemp("install")
    wheels = folder / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", wheels, ROOT],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=120)
    [wheel] = wheels.glob("nzsa-*.whl")
    subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return venv / "bin" / "nzsa"


def test_an_installed_wheel_works_from_any_checkout(installed, project):
    # A copy of the checkout, with the fixture's data, validated from its root and below.
    for cwd in (project, project / "notes" / "deeper"):
        result = nzsa("validate", cwd=cwd, command=installed)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "checked 5 files, 250 triples" in result.stdout
    result = nzsa("build", cwd=project / "notes", command=installed)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project / "build" / "nzsa.nq").is_file()
    assert not (installed.parents[1] / "build").exists()
    assert not list(installed.parents[1].rglob("nzsa.nq"))


def test_an_installed_wheel_validates_a_copy_of_this_checkout(installed, tmp_path):
    copy = tmp_path / "copy"
    for role in ("ontology", "data", "shapes"):
        shutil.copytree(ROOT / role, copy / role)
    (copy / "server").mkdir()
    result = nzsa("validate", cwd=copy / "server", command=installed)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip().endswith(": OK")


def test_an_installed_wheel_outside_a_project(installed, outside):
    result = nzsa("validate", cwd=outside, command=installed)
    assert result.returncode == 2
    assert result.stderr == f"nzsa validate: {NO_PROJECT.format(outside)}\n"
