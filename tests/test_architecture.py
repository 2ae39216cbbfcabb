"""The layers import in one direction only (STYLE.md): the domain knows nothing of the web or the
database; the API and any page layer never import each other; services never import delivery code."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW_ALLOWED = {
    "transitions", "chinese_calendar", "marshmallow", "workflow",
    "stdnum",  # identity-number checks (GB 11643, GB 32100): pure functions, no I/O
}


def imports_of(package: str) -> list[tuple[str, str]]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(str(path.relative_to(ROOT)), alias.name.split(".")[0]) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.append((str(path.relative_to(ROOT)), node.module.split(".")[0]))
    return found


def test_the_domain_imports_only_the_standard_library_and_its_own_libraries():
    bad = [(f, m) for f, m in imports_of("workflow")
           if m not in WORKFLOW_ALLOWED and m not in sys.stdlib_module_names]
    assert bad == []


@pytest.mark.parametrize("package, forbidden", [
    ("app", {"api", "web"}),
    ("api", {"web"}),
])
def test_inner_layers_never_import_delivery_layers(package, forbidden):
    # app/__init__.py registers the blueprints: the factory is the one place allowed to know them.
    bad = [(f, m) for f, m in imports_of(package) if m in forbidden and f != "app/__init__.py"]
    assert bad == []


def test_views_never_commit():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "api").rglob("*.py")
                 if "session.commit" in p.read_text(encoding="utf-8")]
    assert offenders == []
