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
    # Shows the patient's questionnaire answers or scores: a guardian sees it only when the
    # clinic's setting lets guardians see them (patients.PatientPolicy).
    shows_answers: bool = False


_PANELS: dict[str, PortalPanel] = {}


def register_portal_panel(panel: PortalPanel) -> None:
    _PANELS[panel.key] = panel


def portal_panels_for(
    patient, *, with_answers: bool = True
) -> list[tuple[PortalPanel, dict[str, Any]]]:
    """The panels of `patient`'s first page; `with_answers=False` (a guardian, unless the clinic
    allows it) leaves out those that show questionnaire answers or scores."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: p.order):
        if panel.shows_answers and not with_answers:
            continue
        context = panel.context(patient)
        if context is not None:
            shown.append((panel, context))
    return shown
