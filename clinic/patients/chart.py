"""The patient chart is made of sections that each clinical app registers for itself.

A lower app (patients) owns the chart; higher apps (intake now; assessments, evaluation, treatment
and sessions later) add their section in their AppConfig.ready(), so the chart never imports them.
Each section's context function must run a fixed number of queries whatever the data size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from clinic.accounts.choices import STAFF_ROLES, Role
from clinic.audit.labels import register_code_labels
from clinic.audit.models import AuditEvent
from clinic.core.dates import show_date
from clinic.patients.models import PatientStatusChange
from clinic.patients.permissions import (
    can_invite_patient_to_portal,
    can_manage_guardians,
    can_view_clinical_details,
)
from clinic.patients.selectors import list_guardians


@dataclass(frozen=True)
class ChartSection:
    key: str
    label: str
    template: str
    order: int
    roles: frozenset[str]
    context: Callable[[Any, Any], dict[str, Any]]


_SECTIONS: dict[str, ChartSection] = {}
# Functions (viewer, patient) -> list of {"level", "text", "url"} shown above every chart section,
# e.g. an open safety alert.
_BANNERS: list[Callable[[Any, Any], list[dict[str, str]]]] = []


def register_chart_section(section: ChartSection) -> None:
    _SECTIONS[section.key] = section
    # The access log names the section opened ({"section": "appointments"}) by its label.
    register_code_labels({section.key: section.label}, key="section")


# Functions (viewer, patient) -> list of {"label", "value", "level"}: where the patient stands,
# at a glance, in the chart header (evaluation, consent, plan …).
_SUMMARIES: list[Callable[[Any, Any], list[dict[str, str]]]] = []


def register_chart_summary(provider: Callable[[Any, Any], list[dict[str, str]]]) -> None:
    if provider not in _SUMMARIES:
        _SUMMARIES.append(provider)


def summaries_for(viewer, patient) -> list[dict[str, str]]:
    return [item for provider in _SUMMARIES for item in provider(viewer, patient)]


def register_chart_banner(provider: Callable[[Any, Any], list[dict[str, str]]]) -> None:
    if provider not in _BANNERS:
        _BANNERS.append(provider)


def banners_for(viewer, patient) -> list[dict[str, str]]:
    return [banner for provider in _BANNERS for banner in provider(viewer, patient)]


def sections_for(viewer) -> list[ChartSection]:
    return sorted((s for s in _SECTIONS.values() if viewer.role in s.roles), key=lambda s: s.order)


def status_standing(patient, latest: PatientStatusChange | None) -> str:
    """The patient's status and since when, with the event that set it when it followed the
    course of care by itself: "Active treatment (since Dec 3, 2026, when session 1 was dosed)"."""
    label = patient.get_status_display()
    since = latest.changed_at if latest is not None else patient.status_changed_at
    if since is None:
        return label
    day = show_date(since, patient.location.zone)
    if latest is not None and latest.course_event and latest.to_status == patient.status:
        return f"{label} (since {day}, when {latest.reason})"
    return f"{label} (since {day})"


def _overview_context(viewer, patient) -> dict[str, Any]:
    status_changes = list(patient.status_changes.select_related("changed_by")[:10])
    return {
        "show_measurements": can_view_clinical_details(viewer),
        "status_changes": status_changes,
        "status_standing": status_standing(patient, status_changes[0] if status_changes else None),
    }


def _access_log_context(viewer, patient) -> dict[str, Any]:

    return {
        "events": list(
            AuditEvent.objects.filter(patient_id=patient.pk).select_related("actor")[:100]
        )
    }


ALL_VIEWERS = frozenset(Role.values)
STAFF = STAFF_ROLES

register_chart_section(
    ChartSection(
        "overview", "Overview", "patients/chart/overview.html", 0, ALL_VIEWERS, _overview_context
    )
)
register_chart_section(
    ChartSection(
        "access",
        "Access log",
        "patients/chart/access_log.html",
        900,
        frozenset({Role.MEDICAL_DIRECTOR}),
        _access_log_context,
    )
)


def _guardians_context(viewer, patient) -> dict[str, Any]:
    today = timezone.localdate(timezone.now(), patient.location.zone)
    return {
        "guardians": list_guardians(viewer, patient),
        "is_minor": patient.is_minor_on(today),
        "age_years": patient.age_on(today),
        "can_manage_guardians": can_manage_guardians(viewer, patient),
        "can_invite_guardians": can_invite_patient_to_portal(viewer, patient),
    }


register_chart_section(
    ChartSection(
        "guardians",
        "Guardians",
        "patients/chart/guardians.html",
        5,
        STAFF,
        _guardians_context,
    )
)
