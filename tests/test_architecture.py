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


def imported_names(tree: ast.AST, *, full: bool = False) -> list[str]:
    """Every absolute import in a module: the top-level name, or with ``full`` the whole dotted name and
    each ``from x import y`` also as ``x.y``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name if full else alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if not full:
                found.append(node.module.split(".")[0])
                continue
            found += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def imports_of(package: str, *, full: bool = False) -> list[tuple[str, str]]:
    """(file, imported name) for every absolute import in a package."""
    return [(str(path.relative_to(ROOT)), name) for path in sorted((ROOT / package).rglob("*.py"))
            for name in imported_names(ast.parse(path.read_text(encoding="utf-8")), full=full)]


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


# Persistence belongs to the services: a view that could query would grow its own rules (STYLE.md).
PERSISTENCE = ("app.models", "app.extensions", "sqlalchemy", "flask_sqlalchemy")


def touches_persistence(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in PERSISTENCE)


@pytest.mark.parametrize("package", ["api", "web"])
def test_views_never_touch_models_or_the_session(package):
    if not (ROOT / package).is_dir():
        pytest.skip(f"no {package}/ package yet")
    assert [(f, m) for f, m in imports_of(package, full=True) if touches_persistence(m)] == []
    sessions = [str(p.relative_to(ROOT)) for p in (ROOT / package).rglob("*.py")
                if "db.session" in p.read_text(encoding="utf-8")]
    assert sessions == []


def test_the_architecture_check_sees_a_model_import():
    # The check above must be able to fail: a view importing a model is found by the same walk.
    sample = ast.parse("from app import models\nfrom app.models import Case\nimport sqlalchemy as sa\n")
    assert [m for m in imported_names(sample, full=True) if touches_persistence(m)] == [
        "app.models", "app.models", "app.models.Case", "sqlalchemy"]
