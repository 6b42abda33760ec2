"""A patient on a phone reports blood in their urine between visits: they are told what to do at
once, the clinician's dashboard shows the urgent alert, and a report typed while the connection
is down is kept and sent once when it is back. axe-core finds no WCAG 2.x A/AA violation on the
patient's pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.assessments.models import SafetyAlert, SideEffectReport
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.patients.tests.factories import register_test_patient
from conftest import PASSWORD
from tests.e2e.accessibility import axe_violations
from tests.e2e.conftest import DESKTOP, PHONE, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PATIENT_PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def clinic():
    location = LocationFactory(
        organisation=OrganisationFactory(),
        name="Boston",
        time_zone="America/New_York",
        phone="+1 617 555 0100",
    )
    clinician = UserFactory(role=Role.CLINICIAN, email="doc@clinic.test", full_name="Dr. Doc")
    clinician.locations.set([location])
    patient = register_test_patient(
        actor=clinician, location=location, first_name="Alice", last_name="Moreno", portal=True
    )
    return {"clinician": clinician, "patient": patient, "location": location}


def fill_report(page) -> None:
    page.wait_for_load_state("load")
    page.get_by_label("Blood in my urine").check()
    page.get_by_label("Since when?").fill("2026-11-28")
    page.get_by_label(re.compile(r"Moderate: ")).check()
    page.get_by_label("Yes, I still have it").check()
    page.get_by_label(re.compile(r"Anything else")).fill("Since the last session, twice.")


def test_a_patient_reports_blood_in_urine_on_a_phone_and_the_dashboard_alerts(open_page, clinic):
    phone = open_page(PHONE)
    sign_in(phone, clinic["patient"].user.email, PATIENT_PASSWORD)
    phone.get_by_role("link", name="Side effects").click()
    expect(phone.get_by_role("heading", name="Side effects", exact=True)).to_be_visible()
    assert axe_violations(phone) == []
    phone.get_by_role("link", name="Report a side effect").click()
    assert axe_violations(phone) == []

    # Typed, then the connection drops as it is sent: nothing is lost, nothing is sent twice.
    fill_report(phone)
    phone.context.set_offline(True)
    phone.get_by_role("button", name="Send to my care team").click()
    expect(phone.locator("#unsaved")).to_contain_text("Not saved")
    assert axe_violations(phone) == []
    assert not SideEffectReport.objects.exists()
    phone.context.set_offline(False)
    phone.get_by_role("button", name="Send again").click()

    expect(
        phone.get_by_role(
            "heading", name=re.compile("blood in your urine or pain passing urine: what to do now")
        )
    ).to_be_visible()
    expect(phone.get_by_role("link", name="Call the clinic: +1 617 555 0100")).to_be_visible()
    assert axe_violations(phone) == []
    report = SideEffectReport.objects.get()
    assert report.symptoms == ["blood_in_urine"]
    assert report.description == "Since the last session, twice."
    assert SafetyAlert.objects.get().side_effect_report_id == report.pk

    # The draft was cleared once it was sent: a new report starts empty.
    phone.get_by_role("link", name="Report something else").click()
    expect(phone.get_by_label("Blood in my urine")).not_to_be_checked()

    desk = open_page(DESKTOP)
    sign_in(desk, clinic["clinician"].email, PASSWORD)
    desk.goto("/dashboard/")
    alerts = desk.locator("#safety-alerts")
    expect(alerts).to_contain_text("Side-effect report: blood in urine or pain passing urine")
    expect(alerts).to_contain_text("Alice")
    alerts.get_by_role("link", name="Record what was done").click()
    expect(desk.get_by_role("link", name=re.compile("side-effect report of"))).to_be_visible()


def test_a_report_typed_and_not_sent_survives_a_reload(open_page, clinic):
    phone = open_page(PHONE)
    sign_in(phone, clinic["patient"].user.email, PATIENT_PASSWORD)
    phone.goto("/portal/side-effects/new/")
    fill_report(phone)
    phone.reload()
    phone.wait_for_load_state("load")
    expect(phone.get_by_label("Blood in my urine")).to_be_checked()
    expect(phone.get_by_label(re.compile(r"Anything else"))).to_have_value(
        "Since the last session, twice."
    )
    expect(phone.locator("#draft-restored")).to_be_visible()
