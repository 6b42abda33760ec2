"""The Content-Security-Policy in a real browser: every main page of every role, on the demo
clinic (so each page has something to show), reports no violation. Chromium refuses an inline
script, style or handler, or an eval, that the policy does not allow and says so twice: a
`securitypolicyviolation` event in the page and a console message."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from clinic.assessments.services import send_questionnaires
from clinic.demo.data import PATIENT_ACCOUNTS, STAFF_ACCOUNTS, build_demo_clinic
from clinic.evaluation.models import Evaluation
from clinic.patients.chart import sections_for
from clinic.patients.models import Patient
from clinic.scheduling.checkin import issue_check_in_link
from clinic.scheduling.models import Appointment
from clinic.sessions.models import TreatmentSession
from clinic.treatment.models import TreatmentPlan
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(
    event.violatedDirective + " blocked " + (event.blockedURI || "inline") +
    " (" + (event.sourceFile || "") + ":" + event.lineNumber + ") " + (event.sample || "")
  );
});
"""


class ViolationWatch:
    """Opens pages in one browser page and keeps every violation reported on any of them."""

    def __init__(self, page):
        self.page = page
        self.reported: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self._note(f"page error: {error}"))

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self._note(f"console: {message.text}")

    def _note(self, text: str) -> None:
        self.reported.append(f"{self.page.url}: {text}")

    def collect(self) -> None:
        # Give htmx a moment to process the page and make its first requests.
        self.page.wait_for_timeout(400)
        for violation in self.page.evaluate("window.__cspViolations || []"):
            self._note(violation)
        self.page.evaluate("window.__cspViolations = []")

    def visit(self, path: str) -> None:
        response = self.page.goto(path)
        assert response is not None and response.status < 400, f"{path}: {response.status}"
        self.collect()

    def assert_clean(self) -> None:
        assert self.reported == [], "\n".join(self.reported)


def test_no_page_of_any_role_reports_a_violation(open_page):
    """One test, because building the demo clinic takes most of a minute."""
    build_demo_clinic()
    demo = {account.email: account for account in [*STAFF_ACCOUNTS, *PATIENT_ACCOUNTS]}
    for role in (
        public_site,
        medical_director,
        clinician_chart_evaluation_and_plan,
        nurse_board_session_and_summary,
        front_desk_queue_and_calendar,
        patient_portal_and_links,
    ):
        role(open_page, demo)


def signed_in(open_page, account) -> ViolationWatch:
    watch = ViolationWatch(open_page())
    sign_in(watch.page, account.email, account.password)
    watch.collect()
    return watch


def public_site(open_page, demo):
    watch = ViolationWatch(open_page())
    # The watch itself: a style attribute added to the page is refused and reported.
    watch.visit("/")
    watch.page.evaluate(
        """document.body.insertAdjacentHTML("beforeend", '<p style="color: red">x</p>')"""
    )
    watch.collect()
    assert any("style-src" in violation for violation in watch.reported), watch.reported
    watch.reported.clear()
    for path in ("/", "/treatment/", "/conditions/", "/safety/", "/accounts/login/"):
        watch.visit(path)
    watch.visit("/consultation/")
    expect(watch.page.get_by_role("button", name=re.compile("Send|Request|Submit"))).to_be_visible()
    watch.assert_clean()


def medical_director(open_page, demo):
    watch = signed_in(open_page, demo["director@demo.clinic"])
    for path in ("/dashboard/", "/patients/", "/audit/", "/accounts/team/", "/calendar/"):
        watch.visit(path)
    watch.visit("/calendar/?view=week")
    watch.visit("/consultations/")
    # The patient list filters as one types (htmx).
    watch.visit("/patients/")
    watch.page.get_by_label(re.compile("Search", re.I)).first.fill("a")
    watch.page.wait_for_timeout(600)
    watch.collect()
    watch.visit("/api/v1/docs")
    watch.page.wait_for_selector(".swagger-ui")
    watch.collect()
    watch.assert_clean()


def clinician_chart_evaluation_and_plan(open_page, demo):
    account = demo["clinician@demo.clinic"]
    watch = signed_in(open_page, account)
    from clinic.accounts.models import User

    clinician = User.objects.get(email=account.email)
    plan = TreatmentPlan.objects.select_related("patient").order_by("pk").first()
    patient = plan.patient
    for section in sections_for(clinician):
        watch.visit(f"/patients/{patient.public_id}/?section={section.key}")
    # Switching tabs in the page (htmx).
    tabs = watch.page.get_by_role("navigation", name=re.compile("chart", re.I)).get_by_role("link")
    assert tabs.count() > 1
    tabs.nth(1).click()
    watch.page.wait_for_load_state()
    watch.collect()
    evaluation = Evaluation.objects.filter(patient=patient).order_by("-pk").first()
    watch.visit(f"/patients/{patient.public_id}/evaluation/{evaluation.public_id}/")
    watch.visit(f"/patients/{patient.public_id}/plan/")
    watch.visit(f"/patients/{patient.public_id}/questionnaires/enter/phq9/")
    assert sections_for(clinician)
    watch.assert_clean()


def nurse_board_session_and_summary(open_page, demo):
    watch = signed_in(open_page, demo["nurse@demo.clinic"])
    watch.visit("/sessions/")
    watch.page.wait_for_timeout(5500)  # one refresh of the board
    watch.collect()
    session = TreatmentSession.objects.filter(dosed_at__isnull=False).order_by("-pk").first()
    assert session is not None
    watch.visit(f"/sessions/{session.public_id}/")
    watch.page.wait_for_timeout(2500)  # a few refreshes of the live region
    watch.collect()
    watch.visit(f"/sessions/{session.public_id}/summary/")
    watch.visit("/calendar/")
    watch.assert_clean()


def front_desk_queue_and_calendar(open_page, demo):
    watch = signed_in(open_page, demo["frontdesk@demo.clinic"])
    for path in ("/consultations/", "/calendar/", "/patients/", "/follow-ups/"):
        watch.visit(path)
    watch.assert_clean()


def patient_portal_and_links(open_page, demo):
    from clinic.accounts.models import User

    account = demo["alice@demo.clinic"]
    alice = Patient.objects.get(user__email=account.email)
    clinician = User.objects.get(email="clinician@demo.clinic")
    _request, token = send_questionnaires(
        actor=clinician, patient=alice, instrument_codes=["phq9"], context="check_in"
    )
    # The pre-visit check-in link of an upcoming visit (the page is the same for every patient).
    appointment = Appointment.objects.filter(starts_at__gt=timezone.now()).order_by("pk").first()
    with transaction.atomic():
        check_in = issue_check_in_link(appointment)

    # The questionnaire link, answered without signing in: each answer is saved as it is chosen.
    watch = ViolationWatch(open_page())
    watch.visit(f"/q/{token}/")
    watch.visit(f"/q/{token}/phq9/")
    watch.page.get_by_text("Several days").first.click()
    expect(watch.page.get_by_text("Saved").first).to_be_visible()
    watch.collect()
    watch.visit("/" + check_in.split("://", 1)[1].split("/", 1)[1])
    watch.assert_clean()

    portal = signed_in(open_page, account)
    for path in ("/patients/me/", "/portal/appointments/", "/portal/consent/"):
        portal.visit(path)
    portal.assert_clean()
