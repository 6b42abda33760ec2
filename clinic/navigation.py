"""The menu of the whole product: it links to every app, so it sits above them all."""

# The menu each role sees: only links to pages the role may open.

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from clinic.accounts.choices import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]


NAV_ITEMS = [
    NavItem("Dashboard", "dashboard:home", frozenset(Role.values) - {Role.PATIENT}),
    NavItem(
        "Consultations",
        "intake:queue",
        frozenset({Role.FRONT_DESK, Role.CLINICIAN, Role.MEDICAL_DIRECTOR}),
    ),
    NavItem("Calendar", "scheduling:calendar", frozenset(Role.values) - {Role.PATIENT}),
    NavItem(
        "Sessions",
        "sessions:board",
        frozenset({Role.NURSE, Role.CLINICIAN, Role.MEDICAL_DIRECTOR}),
    ),
    NavItem("Follow-ups", "scheduling:follow_ups", frozenset(Role.values) - {Role.PATIENT}),
    # The controlled-substance register (front desk never handles stock).
    NavItem(
        "Register",
        "inventory:stock",
        frozenset({Role.NURSE, Role.CLINICIAN, Role.MEDICAL_DIRECTOR}),
    ),
    NavItem("Patients", "patients:list", frozenset(Role.values) - {Role.PATIENT}),
    NavItem("My record", "patients:my_record", frozenset({Role.PATIENT})),
    NavItem("Appointments", "scheduling:my_appointments", frozenset({Role.PATIENT})),
    NavItem("Consent forms", "evaluation:my_consent", frozenset({Role.PATIENT})),
    NavItem("Team", "accounts:team", frozenset({Role.MEDICAL_DIRECTOR})),
    NavItem("Audit log", "audit:log", frozenset({Role.MEDICAL_DIRECTOR})),
    NavItem("FHIR API", "interop:tokens", frozenset({Role.MEDICAL_DIRECTOR})),
]


def navigation_for(request) -> list[dict[str, str | bool]]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    path = request.path
    items = []
    for item in NAV_ITEMS:
        if user.role in item.roles:
            url = reverse(item.url_name)
            items.append(
                {"label": item.label, "url": url, "active": path.startswith(url) and url != "/"}
            )
    return items
