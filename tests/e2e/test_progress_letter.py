"""In the browser: a clinician writes a progress letter to the referring provider from the chart's
Letters section, signs it, draws it as a PDF and downloads it; the PDF's text names the referrer,
the session given, the PHQ-9 scores and the next steps, and is signed by the clinician."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.assessments.tests.factories import record_phq9
from clinic.core import services as core_services
from clinic.core.dates import show_date
from clinic.core.tasks import render_document
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.core.tests.pdf import pdf_text
from clinic.patients.models import Patient
from clinic.patients.tests.factories import register_test_patient
from clinic.sessions.tests.factories import dosed
from conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

NEXT = "Three more induction sessions, then maintenance every four weeks."


class QueueWithoutWorker:
    def __init__(self):
        self.queued: list[str] = []

    def enqueue(self, *, document_id: str) -> None:
        self.queued.append(document_id)


def test_a_clinician_downloads_a_progress_letter(open_page, monkeypatch):
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    clinician = UserFactory(
        role=Role.CLINICIAN, email="doc@clinic.test", full_name="Dr. Doc", credentials="MD"
    )
    nurse = UserFactory(role=Role.NURSE, email="nurse@clinic.test", full_name="Nurse Joy")
    for person in (clinician, nurse):
        person.locations.set([location])
    patient = register_test_patient(
        actor=clinician,
        location=location,
        first_name="Alice",
        last_name="Moreno",
        sex="female",
        portal=True,
    )
    Patient.objects.filter(pk=patient.pk).update(
        referring_provider_name="Dr. Jane Referrer",
        referring_provider_practice="Back Bay Psychiatry",
        referring_provider_fax="(617) 555-0199",
    )
    session = dosed(clinician, nurse, patient, at=timezone.now() - timedelta(minutes=50))
    record_phq9(actor=clinician, patient=patient, total=20, days_ago=14, context="baseline")
    record_phq9(actor=clinician, patient=patient, total=11, days_ago=1)
    queue = QueueWithoutWorker()
    monkeypatch.setattr(core_services, "render_document", queue)

    page = open_page()
    sign_in(page, "doc@clinic.test", PASSWORD)
    page.goto(f"/patients/{patient.public_id}/?section=letters")
    page.get_by_role("link", name="Write a progress letter").click()
    expect(page.locator("#letter-preview")).to_contain_text("Dr. Jane Referrer")
    page.get_by_label("Current plan and next steps").fill(NEXT)
    page.get_by_label("Your password, to sign").fill(PASSWORD)
    page.get_by_role("button", name="Sign the letter").click()
    expect(page.get_by_text("Progress letter 1 is signed.")).to_be_visible()
    page.get_by_role("button", name="Draw the letter as a PDF").click()
    expect(page.get_by_text("Preparing…")).to_be_visible()
    assert len(queue.queued) == 1
    render_document.call(document_id=queue.queued[0])
    link = page.get_by_role("link", name="Download the PDF")
    expect(link).to_be_visible(timeout=10_000)
    with page.expect_download() as download_info:
        link.click()
    text = pdf_text(Path(download_info.value.path()).read_bytes())
    given_on = show_date(session.dosed_at, location.zone)  # the product's one date format
    for expected in (
        "Dr. Jane Referrer",
        "Back Bay Psychiatry",
        "Alice Moreno",
        "Sessions given (1)",
        given_on,
        "IV infusion",
        "PHQ-9",
        NEXT,
        "Dr. Doc, MD",
    ):
        assert expected in text, expected
