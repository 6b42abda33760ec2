"""What a nurse can do with a safety alert: record each attempt to reach the patient (the alert
stays open), shown as a timeline; a clinician resolves it. The front desk's side of the same
calls is in test_alert_contact_front_desk.py."""

from __future__ import annotations

import re

import pytest

from clinic.assessments.choices import AlertStatus, ContactOutcome
from clinic.assessments.models import SafetyAlertContactAttempt
from clinic.assessments.services import record_alert_contact_attempt, resolve_safety_alert
from clinic.assessments.tests.factories import record_phq9
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError, NotFoundError, PermissionDeniedError
from clinic.patients.tests.factories import register_test_patient
from conftest import client_for


@pytest.fixture
def alert(clinician, patient_alice):
    response = record_phq9(actor=clinician, patient=patient_alice, total=14, item9=2)
    return response.alerts.get()


def test_a_nurse_records_a_call_without_resolving_the_alert(nurse, alert):
    attempt = record_alert_contact_attempt(
        actor=nurse, alert=alert, outcome=ContactOutcome.NO_ANSWER, note="Tried mobile."
    )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    assert attempt.recorded_by == nurse and attempt.attempted_at is not None
    event = AuditEvent.objects.get(event_type=AuditEventType.SAFETY_ALERT_CONTACT_RECORDED)
    assert event.actor == nurse and event.patient_id == alert.patient_id
    assert event.details == {"outcome": "no_answer", "attempt": str(attempt.public_id)}


def test_reaching_the_patient_needs_a_note(nurse, alert):
    with pytest.raises(ClinicError, match="what the patient said") as refused:
        record_alert_contact_attempt(actor=nurse, alert=alert, outcome=ContactOutcome.REACHED)
    assert refused.value.field == "note"
    assert not SafetyAlertContactAttempt.objects.exists()


def test_an_unknown_outcome_is_refused(nurse, alert):
    with pytest.raises(ClinicError, match="Choose how"):
        record_alert_contact_attempt(actor=nurse, alert=alert, outcome="shouted")


def test_a_patient_records_no_contact_and_the_refusal_is_audited(patient_alice, alert):
    with pytest.raises(PermissionDeniedError):
        record_alert_contact_attempt(
            actor=patient_alice.user, alert=alert, outcome=ContactOutcome.VOICEMAIL
        )
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.SAFETY_ALERT_CONTACT_RECORDED, outcome=AuditOutcome.DENIED
    ).exists()
    assert not SafetyAlertContactAttempt.objects.exists()


def test_staff_of_another_location_cannot_record_contact(other_location_clinician, alert):
    with pytest.raises(NotFoundError):
        record_alert_contact_attempt(
            actor=other_location_clinician, alert=alert, outcome=ContactOutcome.VOICEMAIL
        )


def test_a_resolved_alert_takes_no_more_attempts(clinician, nurse, alert):
    resolve_safety_alert(
        actor=clinician, alert=alert, actions=["assessment"], note="Spoke; no current risk."
    )
    with pytest.raises(ClinicError, match="already resolved"):
        record_alert_contact_attempt(actor=nurse, alert=alert, outcome=ContactOutcome.NO_ANSWER)


def test_the_alert_page_tells_a_nurse_who_must_act_and_what_they_can_do(nurse, alert):
    page = client_for(nurse).get(f"/assessments/alerts/{alert.public_id}/").content.decode()
    assert "A clinician must review and resolve this alert." in page
    assert "record each attempt here" in page
    assert "Record attempt" in page and "Resolve alert" not in page


def test_the_alert_page_offers_a_clinician_both(clinician, alert):
    page = client_for(clinician).get(f"/assessments/alerts/{alert.public_id}/").content.decode()
    assert "A clinician must review and resolve this alert." in page
    assert "Resolve alert" in page and "Record attempt" in page


def test_a_nurse_posts_an_attempt_and_sees_it_on_the_timeline(nurse, alert):
    client = client_for(nurse)
    response = client.post(
        f"/assessments/alerts/{alert.public_id}/contact/",
        {"contact-outcome": "voicemail", "contact-note": "Left a message to call back."},
    )
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Left voicemail" in page and "Left a message to call back." in page
    assert nurse.full_name in page and "stays open" in page


def test_a_refused_attempt_keeps_what_was_typed(nurse, alert):
    response = client_for(nurse).post(
        f"/assessments/alerts/{alert.public_id}/contact/",
        {"contact-outcome": "reached", "contact-note": "  "},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Write what the patient said" in page
    assert re.search(
        r'<input type="radio" name="contact-outcome" value="reached"[^>]* checked', page
    )


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"contact-outcome": "x" * 5000},
        {"contact-outcome": "no_answer", "contact-note": "n" * 5000},
    ],
)
def test_bad_posts_answer_a_page_never_an_error(nurse, alert, data):
    response = client_for(nurse).post(f"/assessments/alerts/{alert.public_id}/contact/", data)
    assert response.status_code == 400
    assert not SafetyAlertContactAttempt.objects.exists()


def test_a_patient_is_refused_the_contact_page(patient_alice, alert):
    response = client_for(patient_alice.user).post(
        f"/assessments/alerts/{alert.public_id}/contact/", {"contact-outcome": "voicemail"}
    )
    assert response.status_code == 403
    assert not SafetyAlertContactAttempt.objects.exists()


def test_another_locations_clinician_gets_a_404(other_location_clinician, alert):
    response = client_for(other_location_clinician).post(
        f"/assessments/alerts/{alert.public_id}/contact/", {"contact-outcome": "voicemail"}
    )
    assert response.status_code == 404


def test_the_alert_page_with_many_attempts_takes_bounded_queries(
    nurse, alert, django_assert_max_num_queries
):
    for _ in range(8):
        record_alert_contact_attempt(actor=nurse, alert=alert, outcome=ContactOutcome.NO_ANSWER)
    client = client_for(nurse)
    client.get(f"/assessments/alerts/{alert.public_id}/")
    with django_assert_max_num_queries(30):
        page = client.get(f"/assessments/alerts/{alert.public_id}/").content.decode()
    assert page.count("Called – no answer") >= 8


def test_a_patient_at_the_same_location_but_another_alert_is_separate(clinician, nurse, location):
    bob = register_test_patient(actor=clinician, location=location, first_name="Bob")
    other = record_phq9(actor=clinician, patient=bob, total=14, item9=2).alerts.get()
    record_alert_contact_attempt(actor=nurse, alert=other, outcome=ContactOutcome.MESSAGE_SENT)
    assert other.contact_attempts.count() == 1
