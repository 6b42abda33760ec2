"""The patient's own first page ("My record"): not the staff chart (no record number, status or
account flag); their next appointment, their scores over time in plain words with a simple chart,
and their signed consent forms as PDFs only they (and their clinical team) can download."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.assessments.tests.factories import record_phq9
from clinic.core.choices import DocumentStatus
from clinic.core.dates import show_weekday_date
from clinic.core.models import GeneratedDocument
from clinic.core.tests.pdf import pdf_text
from clinic.evaluation.models import ConsentSignature
from clinic.scheduling.models import Appointment, AppointmentType
from clinic.sessions.tests.factories import sign_consent_for
from conftest import client_for

pytestmark = pytest.mark.django_db


def test_my_record_is_not_the_staff_chart(patient_alice):
    page = client_for(patient_alice.user).get(reverse("patients:my_record")).content.decode()
    assert f"Hello {patient_alice.legal_first_name}" in page
    assert patient_alice.mrn not in page
    assert "Portal account" not in page
    assert patient_alice.get_status_display() not in page
    assert "No appointment is booked" in page


def test_the_next_appointment_is_on_the_first_screen(clinician, patient_alice, location):
    kind = AppointmentType.objects.filter(kind="treatment", is_active=True).first()
    starts_at = timezone.now() + timedelta(days=3)
    Appointment.objects.create(
        patient=patient_alice,
        location=location,
        appointment_type=kind,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=kind.duration_minutes),
        booked_by=clinician,
    )
    page = client_for(patient_alice.user).get(reverse("patients:my_record")).content.decode()
    local = timezone.localtime(starts_at, location.zone)
    assert "Your next appointment" in page
    assert show_weekday_date(local) in page and kind.name in page


def test_scores_over_time_in_plain_words_with_a_chart(clinician, patient_alice):
    record_phq9(actor=clinician, patient=patient_alice, total=21, days_ago=30, context="baseline")
    record_phq9(actor=clinician, patient=patient_alice, total=4, days_ago=1)
    page = client_for(patient_alice.user).get(reverse("patients:my_record")).content.decode()
    assert "Your progress" in page
    assert "You started at 21" in page and "your latest score is 4" in page
    assert "17 points lower" in page
    assert "remission" in page
    assert "<svg" in page


def test_a_signed_consent_form_downloads_as_a_pdf_by_its_patient_only(
    patient_alice, patient_bob, django_capture_on_commit_callbacks
):
    sign_consent_for(patient_alice, "iv")
    signature = ConsentSignature.objects.get(patient=patient_alice)
    alice = client_for(patient_alice.user)
    page = alice.get(reverse("patients:my_record")).content.decode()
    assert "Your signed consent forms" in page and signature.document.title in page
    url = reverse("evaluation:consent_pdf", args=[signature.public_id])
    assert client_for(patient_bob.user).post(url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = alice.post(url)
    assert response.status_code == 302
    document = GeneratedDocument.objects.get()
    assert document.status == DocumentStatus.READY, document.failure_message
    assert patient_alice.legal_last_name not in document.title + document.filename
    download = alice.get(reverse("documents:download", args=[document.public_id]))
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")
    text = pdf_text(download.content)
    assert signature.typed_full_name in text and "What this treatment is" in text
    assert (
        client_for(patient_bob.user)
        .get(reverse("documents:download", args=[document.public_id]))
        .status_code
        == 404
    )
