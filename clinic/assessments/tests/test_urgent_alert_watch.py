"""A new urgent safety alert is announced on the dashboard and the sessions board without a
reload: the pages poll a small endpoint that answers 204 until an alert is raised after the
newest one the page knew of."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from clinic.assessments.selectors import poll_new_urgent_alerts, start_urgent_alert_watch
from clinic.assessments.tests.factories import record_phq9
from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.patients.tests.factories import register_test_patient
from conftest import client_for

URL = "/assessments/alerts/new-urgent/"


def poll(user, **params):
    query = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in params.items()}
    return client_for(user).get(f"{URL}?{urlencode(query)}")


def raise_alert(clinician, patient):
    return record_phq9(actor=clinician, patient=patient, total=14, item9=2).alerts.get()


def test_nothing_new_is_a_204(nurse, patient_alice):
    watch = start_urgent_alert_watch(nurse)
    response = poll(nurse, since=watch.since)
    assert response.status_code == 204 and response.content == b""


def test_an_alert_raised_after_the_page_was_drawn_is_announced_with_a_link(
    nurse, clinician, patient_alice
):
    watch = start_urgent_alert_watch(nurse)
    alert = raise_alert(clinician, patient_alice)
    response = poll(nurse, since=watch.since)
    page = response.content.decode()
    assert response.status_code == 200
    assert "New urgent safety alert for" in page and patient_alice.display_name in page
    assert f"/assessments/alerts/{alert.public_id}/" in page
    # The next poll carries what was shown: nothing newer is a 204 again.
    shown = poll_new_urgent_alerts(nurse, since=watch.since, shown=None).shown
    assert poll(nurse, since=watch.since, shown=shown).status_code == 204


def test_an_alert_the_page_already_knew_of_is_not_announced(nurse, clinician, patient_alice):
    raise_alert(clinician, patient_alice)
    watch = start_urgent_alert_watch(nurse)
    assert poll(nurse, since=watch.since).status_code == 204


def test_a_banner_is_audited_and_an_empty_poll_writes_nothing(nurse, clinician, patient_alice):
    watch = start_urgent_alert_watch(nurse)
    poll(nurse, since=watch.since)
    assert not AuditEvent.objects.filter(
        actor=nurse, event_type=AuditEventType.CLINICAL_DASHBOARD_VIEWED
    ).exists()
    alert = raise_alert(clinician, patient_alice)
    poll(nurse, since=watch.since)
    event = AuditEvent.objects.get(actor=nurse, event_type=AuditEventType.CLINICAL_DASHBOARD_VIEWED)
    assert event.details == {"part": "new urgent alerts", "alerts": [str(alert.public_id)]}


def test_another_locations_alert_is_never_announced(
    other_location_clinician, clinician, patient_alice
):
    since = timezone.now() - timedelta(minutes=1)
    raise_alert(clinician, patient_alice)
    assert poll(other_location_clinician, since=since).status_code == 204


def test_a_patient_who_sees_no_alerts_is_refused(patient_alice):
    assert poll(patient_alice.user, since=timezone.now()).status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"since": "yesterday"},
        {"since": "2026-12-03T10:00:00"},  # no offset
        {"since": "2026-13-45T99:99:99+00:00"},
        {"since": "9" * 5000},
        {"since": "2026-12-03T10:00:00+00:00", "shown": "nonsense"},
    ],
)
def test_a_bad_poll_is_a_204_never_an_error(nurse, query):
    assert client_for(nurse).get(URL, query).status_code == 204


def test_a_poll_takes_a_bounded_number_of_queries(
    nurse, clinician, location, patient_alice, django_assert_max_num_queries
):
    since = timezone.now() - timedelta(minutes=1)
    for number in range(8):
        patient = register_test_patient(actor=clinician, location=location, first_name=f"P{number}")
        raise_alert(clinician, patient)
    client = client_for(nurse)
    query = {"since": since.isoformat()}
    with django_assert_max_num_queries(10):
        page = client.get(URL, query).content.decode()
    assert page.count("New urgent safety alert for") == 5


def test_the_dashboard_and_the_board_watch_for_new_alerts(nurse, front_desk):
    dashboard = client_for(nurse).get("/dashboard/").content.decode()
    board = client_for(nurse).get("/sessions/").content.decode()
    for page in (dashboard, board):
        assert 'id="urgent-alert-watch" aria-live="assertive"' in page
        assert URL in page and 'hx-trigger="every 25s"' in page
    # The front desk phones patients about alerts: its dashboard polls too (the banner names
    # whom to call, not why: test_alert_contact_front_desk.py).
    assert URL in client_for(front_desk).get("/dashboard/").content.decode()
