"""The apps' one-way order (docs/architecture.md): an app imports only from the apps before it.

A lower app that must show what a higher one owns keeps a registry the higher app fills from its
AppConfig.ready(); this test keeps anyone from taking the shortcut of importing upwards."""

from __future__ import annotations

import ast
from pathlib import Path

import clinic

# Each row may import from the rows before it. core and audit share a row: every audited write
# names a location, and the audit trail is how core's own configuration changes are recorded.
LAYERS: list[set[str]] = [
    {"core", "audit"},
    {"accounts"},
    {"patients"},
    {"intake"},
    {"assessments"},
    {"evaluation"},
    {"treatment"},
    {"monitoring"},
    {"scheduling"},
    {"sessions"},
    {"reviews"},
    {"inventory"},
    {"letters"},
    {"messaging"},
    # The FHIR mapping reads every clinical app (above sessions and inventory); nothing reads it.
    {"interop"},
    # The medical director's configuration pages write the clinical apps' settings; only the
    # URLs and the menu name it.
    {"configuration"},
    {"outcomes"},
    {"dashboard"},
    {"demo"},
]
RANK = {app: index for index, row in enumerate(LAYERS) for app in row}
CLINIC = Path(clinic.__file__).parent


def _apps() -> list[str]:
    return sorted(p.parent.name for p in CLINIC.glob("*/apps.py"))


def _imports(path: Path) -> set[str]:
    """The clinic apps a module imports (at the top or inside a function)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        found |= {name.split(".")[1] for name in names if name.startswith("clinic.")}
    return found


def test_every_app_has_its_place_in_the_order():
    assert [app for app in _apps() if app not in RANK] == [], (
        "Add the new app to LAYERS here and to the diagram in docs/architecture.md."
    )


def test_no_app_imports_an_app_after_it():
    upward = []
    for app in _apps():
        for path in (CLINIC / app).rglob("*.py"):
            if {"tests", "migrations"} & set(path.relative_to(CLINIC).parts):
                continue
            for other in _imports(path) - {app}:
                if RANK.get(other, len(LAYERS)) > RANK[app]:
                    upward.append(f"{path.relative_to(CLINIC.parent)} imports clinic.{other}")
    assert upward == []
