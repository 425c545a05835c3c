"""The README lists every setting, route and command the package has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from nzsa import config
from nzsa.cli import make_parser

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _row(setting: config.Setting) -> str:
    default = "(none)" if setting.default == "" else f"`{setting.default}`"
    return f"| `{setting.option}` | `{setting.env}` | {default} | {setting.help} |"


@pytest.mark.parametrize("setting", config.SETTINGS, ids=lambda s: s.name)
def test_readme_lists_setting(setting):
    assert _row(setting) in README


def test_readme_lists_every_command():
    parser = make_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name in commands:
        assert f"`nzsa {name}" in README, name


def _route_words(rule: str) -> list[str]:
    """Return what the README must show of a URL rule: its static part, or its choices."""
    static = rule.split("<", 1)[0]
    if static != "/" or rule == "/":
        return [static]
    # A rule like /<any('ontology', 'shapes'):name>…: each choice must be documented.
    choices = re.match(r"/<any\(([^)]*)\)", rule)
    assert choices, f"no static part to look for in {rule}"
    return ["/" + choice.strip(" '") for choice in choices.group(1).split(",")]


def test_readme_lists_every_route(app):
    documented = set(re.findall(r"`(/[^`]*)`", README))
    for rule in app.url_map.iter_rules():
        for word in _route_words(rule.rule):
            assert any(route.startswith(word) for route in documented), rule.rule
