"""The apps' dependency order (docs/architecture.md): an app imports only from the rows above
it. Read from each module's import statements (the AST), so a new import of a higher app fails
here with the file and the line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CLINIC = Path(__file__).resolve().parents[2] / "clinic"

# Rows of the architecture, top first; apps in one row may import each other.
ROWS = [
    {"core", "audit"},
    {"accounts", "patients"},
    {"intake", "assessments", "evaluation", "treatment"},
    {"scheduling", "sessions", "monitoring"},
    {"reviews"},
    {"inventory"},
    # The FHIR mapping reads every clinical app; nothing clinical reads it.
    {"interop"},
    {"dashboard", "demo"},
]
RANK = {app: rank for rank, row in enumerate(ROWS) for app in row}
# Modules that sit above every app by design (the menu, the API's router, context processors).
ABOVE_ALL = {"navigation.py", "api.py", "context_processors.py"}


def imported_apps(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "clinic" and len(parts) > 1 and parts[1] in RANK:
                yield parts[1], node.lineno


def test_every_app_is_in_the_order():
    apps = {p.name for p in CLINIC.iterdir() if (p / "apps.py").exists()}
    assert apps == set(RANK), f"add {sorted(apps - set(RANK))} to ROWS (docs/architecture.md)"


@pytest.mark.parametrize("app", sorted(RANK))
def test_an_app_imports_no_app_below_it(app):
    wrong = []
    for path in sorted((CLINIC / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        # Tests may build records across apps (a higher app's factories) without a dependency.
        if "tests" in path.parts:
            continue
        for other, line in imported_apps(path):
            if RANK[other] > RANK[app]:
                wrong.append(f"{path.relative_to(CLINIC.parent)}:{line} imports clinic.{other}")
    assert not wrong, "\n".join(wrong)


def test_the_interop_app_sits_above_sessions_and_inventory():
    assert RANK["interop"] > RANK["sessions"] and RANK["interop"] > RANK["inventory"]
