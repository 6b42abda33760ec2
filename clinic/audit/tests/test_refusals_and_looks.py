"""Refusals audited at the root (once), noise from unauthenticated callers folded into one row a
minute, polled pages audited once per look, and a monitor refused with its device named."""

from __future__ import annotations

import uuid

import pytest

from clinic.accounts.services import issue_device_token
from clinic.audit import throttle
from clinic.audit.choices import AuditEventType as E
from clinic.audit.choices import AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.evaluation.services import start_evaluation
from clinic.sessions.tests.factories import started_session
from conftest import client_for


def rows(**filters):
    return AuditEvent.objects.filter(**filters)


@pytest.fixture
def session(clinician, nurse, patient_alice):
    return started_session(clinician, nurse, patient_alice, instruments=None)


def test_a_refusal_the_role_gate_audited_is_not_written_again(front_desk, clinician, patient_alice):
    evaluation = start_evaluation(actor=clinician, patient=patient_alice)
    url = f"/patients/{patient_alice.public_id}/evaluation/{evaluation.public_id}/"
    assert client_for(front_desk).get(url).status_code == 403
    assert rows(actor=front_desk, outcome=AuditOutcome.DENIED).count() == 1


def test_a_session_page_of_another_location_is_a_refusal_audited_with_its_path(
    other_location_clinician, session
):
    url = f"/sessions/{session.public_id}/"
    assert client_for(other_location_clinician).get(url).status_code == 404
    refusal = rows(actor=other_location_clinician, outcome=AuditOutcome.DENIED).get()
    assert refusal.event_type == E.PAGE_ACCESS_DENIED
    assert refusal.details["path"] == url and refusal.details["method"] == "GET"
    assert refusal.details["status"] == 404


def test_an_api_refusal_is_audited_with_its_reason(patient_alice):
    user = patient_alice.user
    assert client_for(user).get("/api/v1/patients").status_code == 403
    refusal = rows(actor=user, outcome=AuditOutcome.DENIED).get()
    assert refusal.details["reason"] == "Your role does not give access to the patient list."


def test_an_address_that_matches_no_url_is_not_a_refusal(clinician):
    assert client_for(clinician).get("/no-such-page/").status_code == 404
    assert not rows(actor=clinician, outcome=AuditOutcome.DENIED).exists()


def test_the_session_page_audits_its_open_and_its_polls_do_not(nurse, session):
    client = client_for(nurse)
    client.get(f"/sessions/{session.public_id}/")
    for _ in range(3):
        assert client.get(f"/sessions/{session.public_id}/live/").status_code == 200
    assert rows(actor=nurse, event_type=E.SESSION_VIEWED).count() == 1


def test_a_poll_audits_when_the_look_was_not_audited_lately(nurse, session):
    from django.core.cache import cache

    client = client_for(nurse)
    client.get(f"/sessions/{session.public_id}/live/")
    client.get(f"/sessions/{session.public_id}/live/")
    assert rows(actor=nurse, event_type=E.SESSION_VIEWED).count() == 1
    cache.clear()  # POLL_AUDIT_MINUTES later
    client.get(f"/sessions/{session.public_id}/live/")
    assert rows(actor=nurse, event_type=E.SESSION_VIEWED).count() == 2


def test_the_sessions_board_is_audited_once_per_look(nurse, session):
    client = client_for(nurse)
    client.get("/sessions/")
    for _ in range(3):
        client.get("/sessions/", HTTP_HX_REQUEST="true")
    assert rows(actor=nurse, event_type=E.SESSION_BOARD_VIEWED).count() == 1


def _post_vitals(client, session_id, authorization, address="203.0.113.9"):
    return client.post(
        f"/api/v1/sessions/{session_id}/vitals",
        {"readings": [{"reading_id": "r1", "taken_at": "2026-01-05T09:30:00Z"}]},
        content_type="application/json",
        HTTP_AUTHORIZATION=authorization,
        REMOTE_ADDR=address,
    )


@pytest.mark.parametrize("authorization", ["Bearer kcm_wrong", "Bearer"])
def test_refused_monitor_tokens_write_one_row_an_address_a_minute(
    db, client, monkeypatch, authorization
):
    monkeypatch.setattr(throttle, "current_window", lambda: 1000)
    for _ in range(5):
        assert _post_vitals(client, uuid.uuid4(), authorization).status_code == 401
    assert rows(event_type=E.DEVICE_AUTH_FAILED).count() == 1
    # Another address gets its own row.
    _post_vitals(client, uuid.uuid4(), authorization, address="198.51.100.7")
    assert rows(event_type=E.DEVICE_AUTH_FAILED).count() == 2
    # The next minute's first refusal writes a row that counts the four not written.
    monkeypatch.setattr(throttle, "current_window", lambda: 1001)
    _post_vitals(client, uuid.uuid4(), authorization)
    latest = rows(event_type=E.DEVICE_AUTH_FAILED, ip_address="203.0.113.9").order_by("id")
    assert [row.details["refusals_not_written_before"] for row in latest] == [0, 4]


def test_wrong_links_write_one_row_an_address_a_minute(db, client, monkeypatch):
    monkeypatch.setattr(throttle, "current_window", lambda: 1000)
    for path in ["/q/wrong/", "/checkin/wrong/", "/calendar/wrong.ics"] * 3:
        assert client.get(path).status_code == 404
    refused = rows(event_type=E.TOKEN_REFUSED)
    assert refused.count() == 1 and refused.get().details["link"] == "questionnaire"


def test_a_monitor_posting_to_another_locations_session_is_audited_with_the_device(
    client, medical_director, other_location, session
):
    _device, token = issue_device_token(
        actor=medical_director, name="Denver chair 2", location=other_location
    )
    assert _post_vitals(client, session.public_id, f"Bearer {token}").status_code == 404
    refusal = rows(event_type=E.DEVICE_ACCESS_DENIED).get()
    assert refusal.outcome == AuditOutcome.DENIED and refusal.actor_label == "device:Denver chair 2"
    assert refusal.details == {"session": str(session.public_id)}
