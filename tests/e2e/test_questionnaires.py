"""Measurement-based care in the browser: a patient answers the PHQ-9 on a phone from a link; the
clinician sees the score, the chart and the safety alert, and records what was done."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.assessments.models import AssessmentResponse, SafetyAlert
from clinic.assessments.services import send_questionnaires
from clinic.assessments.tests.factories import record_phq9
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.patients.tests.factories import register_test_patient
from conftest import PASSWORD
from tests.e2e.conftest import PHONE, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

# PHQ-9 answers by item: mostly "Several days", item 9 "Several days" (raises the alert).
ANSWERS = [
    "Several days",
    "More than half the days",
    "Several days",
    "Nearly every day",
    "Not at all",
    "Several days",
    "Several days",
    "Not at all",
    "Several days",
]


@pytest.fixture
def clinic():
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    clinician = UserFactory(role=Role.CLINICIAN, email="doc@clinic.test", full_name="Dr. Doc")
    clinician.locations.set([location])
    patient = register_test_patient(
        actor=clinician, location=location, first_name="Alice", last_name="Moreno"
    )
    record_phq9(actor=clinician, patient=patient, total=21, days_ago=14, context="baseline")
    return {"clinician": clinician, "patient": patient}


def answer(page, item: int, label: str) -> None:
    # Answers save as they are chosen once the page's scripts (htmx, deferred) have run; an answer
    # chosen before that is sent with Submit instead. The test answers as a person does, on the
    # loaded page: without waiting, a click could land between parsing and the scripts.
    page.wait_for_load_state("load")
    question = page.locator(f"#item-phq9_{item}")
    question.get_by_label(label, exact=True).check()
    expect(question.locator(".save-state")).to_have_text("Saved")


def test_a_patient_answers_on_a_phone_and_the_clinician_acts_on_the_alert(open_page, clinic):
    _request, token = send_questionnaires(
        actor=clinic["clinician"],
        patient=clinic["patient"],
        instrument_codes=["phq9"],
        context="check_in",
    )
    phone = open_page(PHONE)
    phone.goto(f"/q/{token}/")
    expect(phone.get_by_role("heading", name="Hello Alice")).to_be_visible()
    phone.get_by_role("link", name="Start PHQ-9").click()
    for item, label in enumerate(ANSWERS[:4], start=1):
        answer(phone, item, label)
    # A reload (or a dropped connection) loses nothing already chosen.
    phone.reload()
    expect(
        phone.locator("#item-phq9_4").get_by_label("Nearly every day", exact=True)
    ).to_be_checked()
    for item, label in enumerate(ANSWERS[4:], start=5):
        answer(phone, item, label)
    phone.get_by_role("button", name="Submit PHQ-9").click()
    expect(phone.get_by_role("heading", name="Thank you for telling us")).to_be_visible()
    expect(phone.get_by_role("link", name="988").first).to_be_visible()
    response = AssessmentResponse.objects.get(mode="patient_link")
    assert (response.total, response.severity, response.flags) == (
        10,
        "moderate",
        ["self_harm_risk"],
    )

    desk = open_page()
    sign_in(desk, "doc@clinic.test", PASSWORD)
    alerts = desk.locator("#safety-alerts")
    expect(alerts.get_by_text("PHQ-9 item 9")).to_be_visible()
    alerts.get_by_role("link", name="Alice Moreno").click()
    expect(desk.get_by_text(re.compile("Urgent safety alert: PHQ-9 item 9"))).to_be_visible()
    card = desk.locator("#progress-phq9")
    expect(card.get_by_text("10 · Moderate")).to_be_visible()
    expect(card.locator("svg.progress-chart circle")).to_have_count(2)
    desk.get_by_role("link", name="Record what was done").first.click()
    desk.get_by_label("Clinical risk assessment done").check()
    desk.get_by_label("Safety plan made or reviewed").check()
    desk.get_by_label("What you found and decided").fill(
        "Called Alice: passive thoughts, no plan or intent. Safety plan reviewed."
    )
    desk.get_by_role("button", name="Resolve alert").click()
    expect(desk.get_by_text("The safety alert is resolved")).to_be_visible()
    assert SafetyAlert.objects.get().status == "resolved"


def test_a_patient_who_abandons_the_phq9_after_item_9_still_alerts_the_clinician(open_page, clinic):
    _request, token = send_questionnaires(
        actor=clinic["clinician"],
        patient=clinic["patient"],
        instrument_codes=["phq9"],
        context="check_in",
    )
    phone = open_page(PHONE)
    phone.goto(f"/q/{token}/")
    phone.get_by_role("link", name="Start PHQ-9").click()
    answer(phone, 1, "Not at all")
    answer(phone, 9, "More than half the days")
    # The patient closes the page without submitting.
    phone.close()
    response = AssessmentResponse.objects.get(mode="patient_link")
    assert response.status == "in-progress"
    assert SafetyAlert.objects.get().reason == "phq9_item9"

    desk = open_page()
    sign_in(desk, "doc@clinic.test", PASSWORD)
    alerts = desk.locator("#safety-alerts")
    expect(alerts.get_by_text("PHQ-9 item 9")).to_be_visible()
    expect(alerts.get_by_role("link", name="Alice Moreno")).to_be_visible()
    alerts.get_by_role("link", name="Record what was done").click()
    expect(desk.get_by_text("has not been submitted")).to_be_visible()
