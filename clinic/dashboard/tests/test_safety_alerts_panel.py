"""The clinical dashboard's safety-alert panel: every open alert, the urgent ones first, each with
how urgent it is and how many attempts to reach the patient have been made."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from clinic.assessments.choices import AlertReason, ContactOutcome
from clinic.assessments.models import SafetyAlert
from clinic.assessments.services import record_alert_contact_attempt
from clinic.assessments.tests.factories import record_phq9
from conftest import client_for


def _review_flag(actor, patient, *, raised_at) -> SafetyAlert:
    # A review-only flag, raised when the test says, on a response of the patient's; how the
    # C-SSRS raises one is tested with the services (clinic/assessments/tests/test_services_safety.py).
    return SafetyAlert.objects.create(
        patient=patient,
        response=record_phq9(actor=actor, patient=patient, total=3),
        location=patient.location,
        reason=AlertReason.CSSRS_LOW,
        raised_at=raised_at,
    )


def _panel(page: str) -> str:
    return page.split('id="safety-alerts"')[1].split("</section>")[0]


def test_an_urgent_alert_comes_before_older_reviews(nurse, clinician, patient_alice, patient_bob):
    urgent = record_phq9(actor=clinician, patient=patient_alice, total=14, item9=2).alerts.get()
    _review_flag(clinician, patient_bob, raised_at=urgent.raised_at - timedelta(days=3))
    panel = _panel(client_for(nurse).get("/dashboard/").content.decode())
    assert "Open safety alerts" in panel and "Urgent safety alerts" not in panel
    assert "2 open" in panel and "1 urgent" in panel
    assert panel.index(patient_alice.display_name) < panel.index(patient_bob.display_name)
    assert panel.index('badge badge-denied">Urgent<') < panel.index("Review before the next dose")


def test_each_alert_shows_its_contact_attempts_so_far(nurse, clinician, patient_alice):
    alert = record_phq9(actor=clinician, patient=patient_alice, total=14, item9=2).alerts.get()
    panel = _panel(client_for(nurse).get("/dashboard/").content.decode())
    assert "None yet" in panel
    for outcome in (ContactOutcome.NO_ANSWER, ContactOutcome.NO_ANSWER):
        record_alert_contact_attempt(actor=nurse, alert=alert, outcome=outcome)
    panel = _panel(client_for(nurse).get("/dashboard/").content.decode())
    assert "<td>2</td>" in panel and "None yet" not in panel


def test_only_reviews_open_is_not_shown_as_urgent(nurse, clinician, patient_bob):
    _review_flag(clinician, patient_bob, raised_at=timezone.now())
    page = client_for(nurse).get("/dashboard/").content.decode()
    panel = _panel(page)
    assert "1 open" in panel and " urgent</span>" not in panel
    assert 'badge-denied">Urgent<' not in panel
    assert 'class="panel panel-urgent" id="safety-alerts"' not in page
