"""axe-core finds no WCAG 2.x A/AA violation on the main staff pages of each role (front desk,
nurse, clinician, medical director), on the demo clinic so each page has something to show:
the dashboard, the patient list, a chart with each of its tabs, the consultation queue and a
request, the calendar, the sessions board and a session, the register, outcomes, retention, the
inbox, the audit log, the team, and the configuration pages (the medical director's admin).

Every other browser test checks the staff pages it shows as well (tests/e2e/accessibility.py);
this one makes sure each main page is shown to each role at least once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from clinic.accounts.models import User
from clinic.demo.data import STAFF_ACCOUNTS, build_demo_clinic
from clinic.intake.models import ConsultationRequest
from clinic.patients.chart import sections_for
from clinic.scheduling.choices import AppointmentStatus, CancelReason
from clinic.scheduling.models import Appointment
from clinic.scheduling.services import cancel_appointment
from clinic.sessions.models import TreatmentSession
from clinic.treatment.models import TreatmentPlan
from tests.e2e.accessibility import axe_violations
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = [
    "frontdesk@demo.clinic",
    "nurse@demo.clinic",
    "clinician@demo.clinic",
    "director@demo.clinic",
]
# The medical director's configuration pages in the product (the admin's are found from its index).
CONFIGURATION = [
    "/rems/settings/",
    "/interop/tokens/",
    "/inbox/templates/",
    "/configuration/",
    "/configuration/monitoring/iv/",
    "/configuration/monitoring/iv/draft/",
    "/configuration/scheduling/clinic/draft/",
    "/configuration/clinic-policy/",
    "/configuration/documents/",
    "/configuration/documents/consent/ketamine-infusion-injection/",
]


def _cancel_an_appointment() -> str:
    """The calendar of a day with a cancelled item on it (the demo clinic cancels none)."""
    appointment = (
        Appointment.objects.filter(status=AppointmentStatus.BOOKED, starts_at__gt=timezone.now())
        .select_related("location")
        .order_by("starts_at")
        .first()
    )
    cancel_appointment(
        actor=User.objects.get(email="frontdesk@demo.clinic"),
        appointment=appointment,
        reason=CancelReason.PATIENT_REQUEST,
    )
    day = timezone.localtime(appointment.starts_at, appointment.location.zone).date()
    return f"/calendar/?location={appointment.location_id}&view=day&day={day.isoformat()}"


def _main_pages(user: User, cancelled_day: str) -> list[str]:
    plan = TreatmentPlan.objects.select_related("patient").order_by("pk").first()
    patient = plan.patient
    session = TreatmentSession.objects.filter(dosed_at__isnull=False).order_by("-pk").first()
    request = ConsultationRequest.objects.order_by("pk").first()
    return [
        "/dashboard/",
        "/patients/",
        *(f"/patients/{patient.public_id}/?section={s.key}" for s in sections_for(user)),
        "/consultations/",
        f"/consultations/{request.public_id}/",
        "/calendar/",
        "/calendar/?view=week",
        cancelled_day,
        "/follow-ups/",
        "/sessions/",
        f"/sessions/{session.public_id}/",
        f"/sessions/{session.public_id}/summary/",
        "/inventory/",
        "/outcomes/",
        "/retention/",
        "/inbox/",
        "/audit/",
        "/accounts/team/",
    ]


def _check(page, path: str, found: list[str], who: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status < 500, f"{who} {path}: {response.status}"
    found.extend(f"{who} {path}: {violation}" for violation in axe_violations(page))


def test_every_main_staff_page_of_every_role_passes_axe(open_page):
    """One test, because building the demo clinic takes most of a minute."""
    build_demo_clinic()
    cancelled_day = _cancel_an_appointment()
    accounts = {account.email: account for account in STAFF_ACCOUNTS}
    found: list[str] = []
    visited = 0
    for email in ROLES:
        account = accounts[email]
        user = User.objects.get(email=email)
        page = open_page()
        sign_in(page, account.email, account.password)
        for path in _main_pages(user, cancelled_day):
            _check(page, path, found, user.role)
            visited += 1
        if user.role == "medical_director":
            for path in CONFIGURATION:
                _check(page, path, found, user.role)
            _check(page, "/admin/", found, user.role)
            tables = page.eval_on_selector_all(
                "#content-main table a[href^='/admin/']", "links => links.map(a => a.pathname)"
            )
            assert len(tables) > 10, "the admin's index lists the configuration tables"
            for path in dict.fromkeys(tables):
                _check(page, path, found, user.role)
                visited += 1
    assert visited > 80
    assert not found, "\n".join(found)
