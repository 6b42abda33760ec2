"""Progress letters: signed from the record (indication, plan, sessions with dates, doses and
route, scores over time with the chart, side effects and alerts, next steps, the clinician's
signature), kept as signed version by version, drawn as a PDF, recorded as sent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.assessments.tests.factories import record_phq9
from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.choices import DocumentStatus
from clinic.core.exceptions import ClinicError, InvalidTransitionError, PermissionDeniedError
from clinic.core.models import GeneratedDocument
from clinic.core.tests.pdf import pdf_text
from clinic.letters import services
from clinic.letters.models import ProgressLetter
from clinic.patients.models import Patient
from clinic.sessions import services as session_services
from clinic.sessions.tests.factories import dosed
from conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db

NEXT = "Two more induction sessions, then maintenance every 4 weeks."


def referred(patient) -> Patient:
    Patient.objects.filter(pk=patient.pk).update(
        referring_provider_name="Dr. Jane Referrer",
        referring_provider_practice="Back Bay Psychiatry",
        referring_provider_address="12 Arlington Street\nBoston, MA 02116",
        referring_provider_fax="(617) 555-0199",
        referring_provider_email="referrals@backbay.example",
    )
    return Patient.objects.get(pk=patient.pk)


def treated(clinician, nurse, patient):
    """One IV session given an hour ago with a side effect, and PHQ-9 from 20 to 9."""
    session = dosed(clinician, nurse, patient, at=timezone.now() - timedelta(minutes=60))
    session_services.record_side_effect(
        actor=nurse,
        session=session,
        kind="nausea_vomiting",
        severity="mild",
        onset_at=timezone.now() - timedelta(minutes=30),
        interventions=["antiemetic"],
        outcome="resolved",
    )
    return session


def test_a_letter_says_what_the_record_holds_and_is_kept_as_signed(clinician, nurse, patient_alice):
    patient = referred(patient_alice)
    session = treated(clinician, nurse, patient)
    record_phq9(actor=clinician, patient=patient, total=20, days_ago=20, context="baseline")
    record_phq9(actor=clinician, patient=patient, total=9, days_ago=1)
    letter = services.sign_progress_letter(
        actor=clinician, patient=patient, next_steps=NEXT, comment="", password=PASSWORD
    )
    content = letter.content
    assert letter.number == 1 and len(letter.content_sha256) == 64
    assert content["recipient"]["fax"] == "+16175550199"
    assert content["indications"] == ["Treatment-resistant depression"]
    assert content["plan"]["route"] == "IV infusion"
    [given] = content["sessions"]
    assert given["route"] == "IV infusion"
    assert given["dose_mg"] == str((session.dose_given_mg or session.dose_mg).normalize())
    assert [e["kind"] for e in content["side_effects"]] == ["Nausea or vomiting"]
    [phq9] = [s for s in content["scores"] if s["instrument"] == "PHQ-9"]
    assert phq9["baseline"] == "20" and phq9["latest"] == "9" and phq9["response"] is True
    assert phq9["svg"].startswith("<svg") and phq9["points"][-1][1] == "9"
    assert content["next_steps"] == NEXT
    assert content["clinician"]["signature_name"] == clinician.signature_name
    assert AuditEvent.objects.filter(event_type=AuditEventType.LETTER_SIGNED).count() == 1
    second = services.sign_progress_letter(
        actor=clinician, patient=patient, next_steps="Maintenance.", comment="", password=PASSWORD
    )
    assert second.number == 2
    assert ProgressLetter.objects.get(pk=letter.pk).content["next_steps"] == NEXT


def test_a_letter_needs_a_referring_provider_next_steps_and_a_prescriber(
    clinician, nurse, patient_alice
):
    with pytest.raises(ClinicError, match="names no referring provider"):
        services.sign_progress_letter(
            actor=clinician, patient=patient_alice, next_steps=NEXT, comment="", password=PASSWORD
        )
    patient = referred(patient_alice)
    with pytest.raises(ClinicError, match="Write the next steps") as refused:
        services.sign_progress_letter(
            actor=clinician, patient=patient, next_steps="  ", comment="", password=PASSWORD
        )
    assert refused.value.field == "next_steps"
    with pytest.raises(PermissionDeniedError):
        services.sign_progress_letter(
            actor=nurse, patient=patient, next_steps=NEXT, comment="", password=PASSWORD
        )
    with pytest.raises(ClinicError):
        services.sign_progress_letter(
            actor=clinician, patient=patient, next_steps=NEXT, comment="", password="wrong"
        )
    assert not ProgressLetter.objects.exists()


def test_a_letter_is_recorded_as_sent_once(clinician, nurse, patient_alice):
    patient = referred(patient_alice)
    letter = services.sign_progress_letter(
        actor=clinician, patient=patient, next_steps=NEXT, comment="", password=PASSWORD
    )
    sent = services.record_letter_sent(actor=nurse, letter=letter, sent_via="fax")
    assert sent.sent_by == nurse and sent.sent_to == "+16175550199" and sent.sent_at
    with pytest.raises(InvalidTransitionError, match="already recorded as sent"):
        services.record_letter_sent(actor=nurse, letter=letter, sent_via="email")


def test_the_letter_pdf_is_drawn_from_the_signed_letter(
    clinician, nurse, patient_alice, django_capture_on_commit_callbacks
):
    patient = referred(patient_alice)
    treated(clinician, nurse, patient)
    record_phq9(actor=clinician, patient=patient, total=20, days_ago=20, context="baseline")
    record_phq9(actor=clinician, patient=patient, total=9, days_ago=1)
    client = client_for(clinician)
    page = client.get(reverse("letters:write", args=[patient.public_id]))
    assert page.status_code == 200 and "Dr. Jane Referrer" in page.content.decode()
    refused = client.post(
        reverse("letters:write", args=[patient.public_id]),
        {"next_steps": NEXT, "comment": "", "password": ""},
    )
    assert refused.status_code == 400 and NEXT in refused.content.decode()
    response = client.post(
        reverse("letters:write", args=[patient.public_id]),
        {"next_steps": NEXT, "comment": "Tolerating well.", "password": PASSWORD},
    )
    letter = ProgressLetter.objects.get()
    assert response["Location"] == reverse("letters:detail", args=[letter.public_id])
    detail = reverse("letters:detail", args=[letter.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(detail, {"action": "pdf"})
    document = GeneratedDocument.objects.get()
    assert document.status == DocumentStatus.READY, document.failure_message
    assert patient.legal_last_name not in document.title
    download = client.get(reverse("documents:download", args=[document.public_id]))
    text = pdf_text(download.content)
    for expected in (
        "Progress letter 1",
        "Dr. Jane Referrer",
        patient.legal_name,
        "Treatment-resistant depression",
        "IV infusion",
        "Nausea or vomiting",
        "PHQ-9",
        "a response",
        NEXT,
        clinician.signature_name,
    ):
        assert expected in text, expected
    sent = client_for(nurse).post(detail, {"action": "sent", "sent_via": "carrier pigeon"})
    assert sent.status_code == 400
    sent = client_for(nurse).post(detail, {"action": "sent", "sent_via": "email"})
    assert sent.status_code == 302
    assert "referrals@backbay.example" in client_for(nurse).get(detail).content.decode()
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.LETTER_VIEWED, details__view="page", actor=nurse
    ).exists()
    chart = client.get(reverse("patients:chart", args=[patient.public_id]) + "?section=letters")
    assert "Progress letter 1" in chart.content.decode()
