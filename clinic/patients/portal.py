"""The patient's own first page in the portal ("My record"), made of panels that each app
registers for itself, as the staff chart is made of sections (`clinic.patients.chart`): the next
appointment, questionnaires waiting, progress in plain words, signed consent forms. It is not the
staff chart: no record number, status or account flags. Each panel's context function runs a
fixed number of queries and shows only the patient's own data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PortalPanel:
    key: str
    order: int
    template: str
    # (patient) -> the template's context, or None to leave the panel out.
    context: Callable[[Any], dict[str, Any] | None]


_PANELS: dict[str, PortalPanel] = {}


def register_portal_panel(panel: PortalPanel) -> None:
    _PANELS[panel.key] = panel


def portal_panels_for(patient) -> list[tuple[PortalPanel, dict[str, Any]]]:
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: p.order):
        context = panel.context(patient)
        if context is not None:
            shown.append((panel, context))
    return shown
