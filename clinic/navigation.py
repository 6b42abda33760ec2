"""The menu of the whole product: it links to every app, so it sits above them all."""

# The menu each role sees: only links to pages the role may open.

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from clinic.accounts.choices import PORTAL_ROLES, STAFF_ROLES, Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]
    # A fragment saying how many items wait there, fetched after the page has loaded (so no page
    # pays for it), for the roles whose work list it is.
    count_url_name: str = ""
    count_roles: frozenset[str] = frozenset()


NAV_ITEMS = [
    NavItem("Dashboard", "dashboard:home", STAFF_ROLES),
    NavItem(
        "Consultations",
        "intake:queue",
        frozenset({Role.FRONT_DESK, Role.CLINICIAN, Role.MEDICAL_DIRECTOR}),
    ),
    NavItem("Calendar", "scheduling:calendar", STAFF_ROLES),
    NavItem(
        "Sessions",
        "sessions:board",
        frozenset({Role.NURSE, Role.CLINICIAN, Role.MEDICAL_DIRECTOR}),
    ),
    NavItem("Follow-ups", "scheduling:follow_ups", STAFF_ROLES),
    # Patients' requests from the portal to cancel or move an appointment.
    NavItem(
        "Change requests",
        "scheduling:change_requests",
        frozenset({Role.FRONT_DESK, Role.MEDICAL_DIRECTOR}),
        count_url_name="scheduling:change_request_count",
        count_roles=frozenset({Role.FRONT_DESK}),
    ),
    # Patients waiting for an earlier time, and the freed times offered to them.
    NavItem("Waitlist", "scheduling:waitlist", frozenset({Role.FRONT_DESK, Role.MEDICAL_DIRECTOR})),
    # Patients who stalled mid-induction or missed a session: the front desk reaches out.
    NavItem(
        "Drop-offs",
        "outcomes:drop_offs",
        frozenset({Role.FRONT_DESK, Role.CLINICIAN, Role.MEDICAL_DIRECTOR}),
    ),
    # The controlled-substance register (front desk never handles stock).
    NavItem(
        "Register",
        "inventory:stock",
        frozenset({Role.NURSE, Role.CLINICIAN, Role.MEDICAL_DIRECTOR}),
    ),
    NavItem("Inbox", "messaging:inbox", STAFF_ROLES),
    NavItem("Patients", "patients:list", STAFF_ROLES),
    NavItem("My record", "patients:my_record", frozenset({Role.PATIENT})),
    # A guardian's portal: the record of the patient(s) they represent.
    NavItem("Patient's record", "patients:my_record", frozenset({Role.GUARDIAN})),
    NavItem("Appointments", "scheduling:my_appointments", PORTAL_ROLES),
    NavItem("Consent forms", "evaluation:my_consent", PORTAL_ROLES),
    NavItem("Messages", "messaging:mine", PORTAL_ROLES),
    NavItem("Side effects", "assessments:my_side_effects", frozenset({Role.PATIENT})),
    NavItem("What to expect", "evaluation:my_education", frozenset({Role.PATIENT})),
    NavItem("Your goals", "treatment:my_goals", frozenset({Role.PATIENT})),
    NavItem("Outcomes", "outcomes:home", frozenset({Role.MEDICAL_DIRECTOR, Role.CLINICIAN})),
    # Protocols, monitoring limits and policies: the director changes them, clinicians read them.
    NavItem(
        "Configuration",
        "configuration:home",
        frozenset({Role.MEDICAL_DIRECTOR, Role.CLINICIAN}),
    ),
    NavItem("Team", "accounts:team", frozenset({Role.MEDICAL_DIRECTOR})),
    NavItem("Audit log", "audit:log", frozenset({Role.MEDICAL_DIRECTOR})),
    NavItem("FHIR API", "interop:tokens", frozenset({Role.MEDICAL_DIRECTOR})),
]


def navigation_for(request) -> list[dict[str, Any]]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    path = request.path
    items = []
    for item in NAV_ITEMS:
        if user.role in item.roles:
            url = reverse(item.url_name)
            counted = item.count_url_name and user.role in item.count_roles
            items.append(
                {
                    "label": item.label,
                    "url": url,
                    "active": path.startswith(url) and url != "/",
                    "count_url": reverse(item.count_url_name) if counted else "",
                }
            )
    return items
