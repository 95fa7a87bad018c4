"""The layers of docs/architecture.md, read from the imports of every module.

    web → operations → renderers, storage → engine

A module may import its own package and the packages below it, never one above or
beside it; the pure core imports no web framework, template engine, PDF or database
library. Every import counts, the ones inside functions too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# package -> the project's packages it may import
MAY_IMPORT = {
    "engine": {"engine"},
    "storage": {"engine", "storage"},
    "renderers": {"engine", "renderers"},
    "operations": {"engine", "storage", "renderers", "operations"},
    "web": {"engine", "storage", "renderers", "operations", "web"},
}
WEB_ONLY = {"flask", "flask_babel", "flask_wtf", "flask_limiter", "werkzeug", "itsdangerous", "wtforms"}
# package -> the libraries it must not import
MUST_NOT = {
    "engine": WEB_ONLY | {"jinja2", "weasyprint", "tinydb", "psycopg", "psycopg_pool", "redis"},
    "storage": WEB_ONLY | {"jinja2", "weasyprint"},
    "renderers": WEB_ONLY | {"tinydb", "psycopg", "psycopg_pool"},
    "operations": WEB_ONLY,
    "web": set(),
}


def imported(path: Path) -> set[str]:
    """The top-level names of every module ``path`` imports (relative imports excepted)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


MODULES = sorted((package, path) for package in MAY_IMPORT for path in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package, path", MODULES, ids=[str(p.relative_to(ROOT)) for _, p in MODULES])
def test_a_module_imports_only_what_its_layer_may(package, path):
    names = imported(path)
    above = {n for n in names & MAY_IMPORT.keys() if n not in MAY_IMPORT[package]}
    assert not above, f"{path.relative_to(ROOT)} imports {sorted(above)}: {package} may import {sorted(MAY_IMPORT[package])}"
    libraries = names & MUST_NOT[package]
    assert not libraries, f"{path.relative_to(ROOT)} imports {sorted(libraries)}, which {package} must not"


def test_the_check_sees_a_forbidden_import(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("def later():\n    from web.resources import portal\n    import flask\n")
    assert {"web", "flask"} <= imported(module)


def test_every_package_of_the_project_has_a_layer():
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench"}
    assert packages == MAY_IMPORT.keys()
