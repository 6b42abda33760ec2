"""The front desk and safety alerts: a clinician asks the desk to phone the patient, so the desk
sees the open alerts of its locations as patients to call (name, phone, how urgent, since when,
the calls so far) and records each call through the nurses' service. It never sees why the alert
was raised, the answers or the score, and it cannot resolve the alert."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.assessments.choices import AlertStatus, ContactOutcome
from clinic.assessments.models import SafetyAlertContactAttempt
from clinic.assessments.selectors import alerts_to_contact, poll_new_urgent_alerts
from clinic.assessments.services import record_alert_contact_attempt, resolve_safety_alert
from clinic.assessments.tests.factories import record_phq9
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import NotFoundError, PermissionDeniedError
from clinic.patients.tests.factories import register_test_patient
from conftest import client_for

# Words that would tell the desk why the alert was raised or what the patient answered.
CLINICAL_WORDS = ("PHQ-9", "item 9", "thoughts of death", "self-harm", "score", "Resolve alert")


@pytest.fixture
def alert(clinician, patient_alice):
    return record_phq9(actor=clinician, patient=patient_alice, total=14, item9=2).alerts.get()


@pytest.fixture
def elsewhere_alert(other_location_clinician, other_location):
    dana = register_test_patient(
        actor=other_location_clinician, location=other_location, first_name="Dana"
    )
    return record_phq9(actor=other_location_clinician, patient=dana, total=15, item9=1).alerts.get()


@pytest.fixture
def elsewhere_front_desk(other_location):
    user = UserFactory(role=Role.FRONT_DESK, full_name="Desk Elsewhere")
    user.locations.set([other_location])
    return user


def _assert_no_clinical_detail(page: str) -> None:
    for word in CLINICAL_WORDS:
        assert word not in page, f"{word!r} shown to the front desk"


def test_the_front_desk_lists_only_its_locations_open_alerts(
    front_desk, alert, elsewhere_alert, patient_alice
):
    listed = alerts_to_contact(front_desk, part="list")
    assert listed is not None
    assert [sheet.public_id for sheet in listed["sheets"]] == [alert.public_id]
    assert (listed["count"], listed["urgent_count"]) == (1, 1)
    page = client_for(front_desk).get("/assessments/alerts/to-contact/").content.decode()
    assert patient_alice.display_name in page and patient_alice.phone in page
    assert elsewhere_alert.patient.display_name not in page
    assert "Urgent: call today" in page
    _assert_no_clinical_detail(page)


def test_listing_the_alerts_to_call_is_audited(front_desk, alert):
    client_for(front_desk).get("/assessments/alerts/to-contact/")
    event = AuditEvent.objects.get(event_type=AuditEventType.SAFETY_ALERTS_TO_CONTACT_LISTED)
    assert event.actor == front_desk
    assert event.details == {"part": "list", "alerts": [str(alert.public_id)]}


def test_a_resolved_alert_is_off_the_list(front_desk, clinician, alert):
    resolve_safety_alert(
        actor=clinician, alert=alert, actions=["assessment"], note="Spoke; no current risk."
    )
    listed = alerts_to_contact(front_desk, part="list")
    assert listed is not None and listed["sheets"] == [] and listed["count"] == 0


def test_the_contact_sheet_shows_whom_to_call_and_who_must_act_not_the_clinical_detail(
    front_desk, nurse, alert, patient_alice
):
    # A nurse's note on a reached call says how the patient is: clinical, so not shown.
    record_alert_contact_attempt(
        actor=nurse, alert=alert, outcome=ContactOutcome.REACHED, note="Low mood, has a plan."
    )
    page = client_for(front_desk).get(f"/assessments/alerts/{alert.public_id}/").content.decode()
    assert f"Call {patient_alice.display_name}" in page
    assert f'href="tel:{patient_alice.phone}"' in page
    assert "A clinician must review and resolve this alert." in page
    assert "A clinician asked for the patient to be contacted." in page
    assert "Urgent: call today" in page and "Open" in page
    assert "Reached" in page and nurse.full_name in page
    assert "Low mood" not in page
    assert "Record attempt" in page
    assert f"/assessments/responses/{alert.response.public_id}/" not in page
    _assert_no_clinical_detail(page)
    event = AuditEvent.objects.filter(event_type=AuditEventType.PATIENT_CHART_VIEWED).latest("pk")
    assert event.actor == front_desk and event.details == {"section": "safety alert contact sheet"}


def test_the_clinical_page_is_unchanged_for_a_nurse(nurse, alert):
    page = client_for(nurse).get(f"/assessments/alerts/{alert.public_id}/").content.decode()
    assert "PHQ-9" in page and f"/assessments/responses/{alert.response.public_id}/" in page


def test_the_front_desk_records_a_call_through_the_nurses_service(front_desk, alert):
    client = client_for(front_desk)
    response = client.post(
        f"/assessments/alerts/{alert.public_id}/contact/",
        {"contact-outcome": "no_answer", "contact-note": "Rang twice, no voicemail set up."},
    )
    assert response.status_code == 302
    attempt = SafetyAlertContactAttempt.objects.get()
    assert (attempt.recorded_by, attempt.outcome) == (front_desk, ContactOutcome.NO_ANSWER)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    event = AuditEvent.objects.get(event_type=AuditEventType.SAFETY_ALERT_CONTACT_RECORDED)
    assert event.actor == front_desk and event.outcome == AuditOutcome.SUCCESS
    assert event.patient_id == alert.patient_id
    page = client.get(response.url).content.decode()
    assert "The alert stays open until a clinician resolves it." in page
    # The desk's own note is not clinical: shown back on the timeline.
    assert "Called – no answer" in page and "Rang twice, no voicemail set up." in page


def test_a_refused_call_from_the_front_desk_is_shown_on_the_contact_sheet(front_desk, alert):
    response = client_for(front_desk).post(
        f"/assessments/alerts/{alert.public_id}/contact/",
        {"contact-outcome": "reached", "contact-note": ""},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Write what the patient said" in page
    _assert_no_clinical_detail(page)
    assert not SafetyAlertContactAttempt.objects.exists()


def test_the_front_desk_cannot_resolve_an_alert(front_desk, alert):
    with pytest.raises(PermissionDeniedError):
        resolve_safety_alert(actor=front_desk, alert=alert, actions=["assessment"], note="Fine.")
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.SAFETY_ALERT_RESOLVED,
        outcome=AuditOutcome.DENIED,
        actor=front_desk,
    ).exists()
    response = client_for(front_desk).post(
        f"/assessments/alerts/{alert.public_id}/",
        {"actions": ["assessment"], "note": "Fine."},
    )
    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_another_locations_front_desk_finds_nothing(elsewhere_front_desk, alert):
    client = client_for(elsewhere_front_desk)
    assert client.get(f"/assessments/alerts/{alert.public_id}/").status_code == 404
    response = client.post(
        f"/assessments/alerts/{alert.public_id}/contact/", {"contact-outcome": "voicemail"}
    )
    assert response.status_code == 404
    with pytest.raises(NotFoundError):
        record_alert_contact_attempt(
            actor=elsewhere_front_desk, alert=alert, outcome=ContactOutcome.VOICEMAIL
        )
    assert not SafetyAlertContactAttempt.objects.exists()


def test_a_patient_is_refused_every_alert_page(patient_alice, alert):
    client = client_for(patient_alice.user)
    assert client.get("/assessments/alerts/to-contact/").status_code == 403
    assert client.get(f"/assessments/alerts/{alert.public_id}/").status_code == 403
    assert alerts_to_contact(patient_alice.user, part="list") is None


def test_the_front_desk_dashboard_shows_the_patients_to_call(front_desk, alert, patient_alice):
    page = client_for(front_desk).get("/dashboard/").content.decode()
    assert 'id="alerts-to-contact"' in page
    assert "1 open" in page and "1 urgent" in page
    assert patient_alice.display_name in page
    assert f'href="/assessments/alerts/{alert.public_id}/"' in page
    assert 'href="/assessments/alerts/to-contact/"' in page
    # The urgent-alert poll runs on the desk's dashboard too.
    assert 'id="urgent-alert-poll"' in page
    _assert_no_clinical_detail(page)


def test_clinical_dashboards_keep_their_own_alert_list(nurse, alert):
    page = client_for(nurse).get("/dashboard/").content.decode()
    assert 'id="safety-alerts"' in page and 'id="alerts-to-contact"' not in page


def test_the_urgent_poll_tells_the_front_desk_whom_to_call_not_why(front_desk, alert):
    since = alert.raised_at - timedelta(minutes=1)
    watch = poll_new_urgent_alerts(front_desk, since=since, shown=None)
    assert watch is not None and not watch.clinical
    assert [a.public_id for a in watch.alerts] == [alert.public_id]
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.SAFETY_ALERTS_TO_CONTACT_LISTED, actor=front_desk
    ).exists()
    response = client_for(front_desk).get(
        "/assessments/alerts/new-urgent/", {"since": since.isoformat()}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "New urgent safety alert for" in page and alert.patient.display_name in page
    assert "a clinician asks for the patient to be called" in page
    _assert_no_clinical_detail(page)
    nothing_new = client_for(front_desk).get(
        "/assessments/alerts/new-urgent/", {"since": timezone.now().isoformat()}
    )
    assert nothing_new.status_code == 204


def test_the_desk_dashboard_and_list_take_bounded_queries(
    front_desk, nurse, clinician, location, django_assert_max_num_queries
):
    for number in range(8):
        patient = register_test_patient(actor=clinician, location=location, first_name=f"P{number}")
        alert = record_phq9(actor=clinician, patient=patient, total=14, item9=1).alerts.get()
        record_alert_contact_attempt(actor=nurse, alert=alert, outcome=ContactOutcome.NO_ANSWER)
    client = client_for(front_desk)
    client.get("/dashboard/")
    with django_assert_max_num_queries(30):
        page = client.get("/dashboard/").content.decode()
    assert "8 open" in page
    with django_assert_max_num_queries(20):
        page = client.get("/assessments/alerts/to-contact/").content.decode()
    assert page.count("Record a contact attempt") == 8


def test_the_desk_reads_phone_numbers_as_the_chart_shows_them(front_desk, alert, patient_alice):
    patient_alice.phone = "+16175555260"
    patient_alice.emergency_contact_name = "Sam Moreno"
    patient_alice.emergency_contact_phone = "+16175550711"
    patient_alice.save(update_fields=["phone", "emergency_contact_name", "emergency_contact_phone"])
    client = client_for(front_desk)
    for url in ("/assessments/alerts/to-contact/", f"/assessments/alerts/{alert.public_id}/"):
        page = client.get(url).content.decode()
        assert ">(617) 555-5260</a>" in page and ">+16175555260<" not in page
        assert 'href="tel:+16175555260"' in page  # still dialled in full
    assert ">(617) 555-0711</a>" in page


def test_the_desk_is_told_where_to_record_each_attempt(front_desk, alert):
    client = client_for(front_desk)
    listed = client.get("/assessments/alerts/to-contact/").content.decode()
    assert "on the patient's page" not in listed and "on its contact sheet" in listed
    sheet = client.get(f"/assessments/alerts/{alert.public_id}/").content.decode()
    assert "You can:" not in sheet
    assert "Call or message the patient and record each attempt here." in sheet
