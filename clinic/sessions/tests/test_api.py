"""The session vital-signs API: monitors post batches of readings with their own bearer token;
staff read a session's readings with their sign-in.

A monitor posts only to sessions at its own location (404 elsewhere, as for an unknown session),
each reading is stored once per reading id (a retried batch answers "duplicate" and stores
nothing), the values are validated strictly (422), a reading timed in the future refuses the
whole batch (400), and a session that is no longer open refuses readings (409). Every refused
token is audited as DEVICE_AUTH_FAILED; every ingestion is audited under "device:<name>".

Note on unknown fields: the reading schema is a Ninja `Schema` (pydantic, extra="ignore"), so a
field the API does not know is silently dropped; a reading carrying only unknown fields has no
values left and is refused with 400 ("Enter at least one reading.").
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from clinic.accounts.services import issue_device_token, revoke_device
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.patients.models import VitalSigns
from clinic.sessions.choices import ReadingSource, SessionStatus
from clinic.sessions.models import MonitoringAlert, SessionReading, TreatmentSession
from clinic.sessions.tests.factories import dosed, ready_to_dose
from conftest import client_for, service_statements

pytestmark = pytest.mark.django_db

DEVICE_NAME = "Chair 2 monitor"
NORMAL = {
    "systolic_mmhg": 130,
    "diastolic_mmhg": 80,
    "heart_rate_bpm": 76,
    "respiratory_rate_per_min": 14,
    "spo2_pct": 98,
}


# --- helpers and fixtures ------------------------------------------------------------------
def vitals_url(session_id) -> str:
    return f"/api/v1/sessions/{session_id}/vitals"


def reading(reading_id: str, *, minutes_ago: float = 0, **values) -> dict:
    taken_at = timezone.now() - timedelta(minutes=minutes_ago)
    return {"reading_id": reading_id, "taken_at": taken_at.isoformat(), **NORMAL, **values}


def post_vitals(token: str | None, session_id, payload, *, scheme: str = "Bearer"):
    headers = {"Authorization": f"{scheme} {token}"} if token is not None else {}
    return Client().post(
        vitals_url(session_id),
        data=json.dumps(payload),
        content_type="application/json",
        headers=headers,
    )


def post_readings(token, session, readings: list[dict]):
    return post_vitals(token, session.public_id, {"readings": readings})


def counts(session) -> tuple[int, int, int]:
    """Session readings, vital-sign rows of the patient, alerts of the session."""
    return (
        SessionReading.objects.filter(session=session).count(),
        VitalSigns.objects.filter(patient=session.patient).count(),
        MonitoringAlert.objects.filter(session=session).count(),
    )


def auth_failures() -> int:
    return AuditEvent.objects.filter(
        event_type=AuditEventType.DEVICE_AUTH_FAILED, outcome=AuditOutcome.FAILED
    ).count()


@pytest.fixture
def session(clinician, nurse, patient_alice):
    """Dosed half an hour ago (a good manual pre-dose reading 35 minutes ago), monitoring."""
    return dosed(clinician, nurse, patient_alice, at=timezone.now() - timedelta(minutes=30))


@pytest.fixture
def issued(medical_director, location):
    return issue_device_token(actor=medical_director, name=DEVICE_NAME, location=location)


@pytest.fixture
def device(issued):
    return issued[0]


@pytest.fixture
def token(issued):
    return issued[1]


# --- storing readings ----------------------------------------------------------------------
def test_a_batch_of_readings_is_stored_as_device_readings(session, device, token):
    before = counts(session)
    batch = [
        reading("r-1", minutes_ago=15),
        reading("r-2", minutes_ago=10, temperature_c=36.8, consciousness="alert"),
        reading("r-3", minutes_ago=5, on_supplemental_oxygen=True, spo2_pct=96),
    ]
    response = post_readings(token, session, batch)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["stored"] == 3 and body["duplicates"] == 0
    assert [r["reading_id"] for r in body["readings"]] == ["r-1", "r-2", "r-3"]
    assert all(r["status"] == "stored" and r["alerts"] == [] for r in body["readings"])
    assert counts(session) == (before[0] + 3, before[1] + 3, before[2])

    stored = SessionReading.objects.filter(session=session, source=ReadingSource.DEVICE)
    assert sorted(stored.values_list("device_reading_id", flat=True)) == ["r-1", "r-2", "r-3"]
    for row in stored.select_related("vital_signs"):
        assert row.device == device
        assert row.pre_dose is False  # timed after the dose
        assert row.vital_signs.recorded_by is None
        assert row.vital_signs.context == "monitoring"
        assert row.vital_signs.systolic_mmhg == 130
    second = stored.get(device_reading_id="r-2").vital_signs
    assert second.temperature_c == Decimal("36.8") and second.consciousness == "alert"
    third = stored.get(device_reading_id="r-3").vital_signs
    assert third.on_supplemental_oxygen is True and third.spo2_pct == 96
    device.refresh_from_db()
    assert device.last_seen_at is not None


def test_an_out_of_range_reading_returns_its_alert_in_the_same_response(session, token):
    response = post_readings(
        token,
        session,
        [
            reading("ok", minutes_ago=6),
            reading("high", minutes_ago=5, **{**NORMAL, "systolic_mmhg": 190}),
        ],
    )

    assert response.status_code == 200, response.content
    ok, high = response.json()["readings"]
    assert ok["alerts"] == []
    assert len(high["alerts"]) == 1
    alert = high["alerts"][0]
    assert alert["parameter"] == "systolic_mmhg"
    assert Decimal(str(alert["value"])) == 190
    assert "180" in alert["limit"] and "190" in alert["message"]
    row = MonitoringAlert.objects.get(public_id=alert["id"])
    assert row.session == session
    assert row.reading.device_reading_id == "high"
    assert row.status == "open" and row.blocks_dosing is False
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.SESSION_ALERT_RAISED,
        actor_label=f"device:{DEVICE_NAME}",
        patient_id=session.patient_id,
    ).exists()


def test_a_rise_from_the_pre_dose_baseline_raises_an_alert_below_the_absolute_limit(session, token):
    # The pre-dose baseline is 124 mmHg; 170 is a 37 % rise (limit +30 %), below the 180 limit.
    response = post_readings(
        token, session, [reading("rise", minutes_ago=5, **{**NORMAL, "systolic_mmhg": 170})]
    )
    assert response.status_code == 200, response.content
    (alert,) = response.json()["readings"][0]["alerts"]
    assert alert["parameter"] == "systolic_mmhg" and "baseline" in alert["limit"]


def test_posting_the_same_batch_again_stores_nothing_and_answers_duplicate(session, token):
    batch = [
        reading("a", minutes_ago=8),
        reading("b", minutes_ago=7, **{**NORMAL, "systolic_mmhg": 190}),
        reading("c", minutes_ago=6),
    ]
    first = post_readings(token, session, batch)
    assert first.status_code == 200, first.content
    after_first = counts(session)

    again = post_readings(token, session, batch)

    assert again.status_code == 200, again.content
    body = again.json()
    assert body["stored"] == 0 and body["duplicates"] == 3
    assert [r["status"] for r in body["readings"]] == ["duplicate"] * 3
    # The retried alerting reading comes back with the alert it raised the first time.
    (retried,) = body["readings"][1]["alerts"]
    (original,) = first.json()["readings"][1]["alerts"]
    assert retried["id"] == original["id"] and retried["message"] == original["message"]
    assert Decimal(retried["value"]) == Decimal(original["value"]) == 190
    assert counts(session) == after_first


def test_a_batch_mixing_new_and_already_stored_readings_stores_only_the_new(session, token):
    post_readings(token, session, [reading("a", minutes_ago=9), reading("b", minutes_ago=8)])
    before = counts(session)

    response = post_readings(
        token,
        session,
        [reading("b", minutes_ago=8), reading("c", minutes_ago=7), reading("a", minutes_ago=9)],
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["stored"] == 1 and body["duplicates"] == 2
    assert [(r["reading_id"], r["status"]) for r in body["readings"]] == [
        ("b", "duplicate"),
        ("c", "stored"),
        ("a", "duplicate"),
    ]
    assert counts(session)[0] == before[0] + 1


def test_the_same_reading_id_twice_in_one_batch_is_stored_once(session, token):
    before = counts(session)
    response = post_readings(
        token, session, [reading("twice", minutes_ago=5), reading("twice", minutes_ago=5)]
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["stored"] == 1 and body["duplicates"] == 1
    assert [r["status"] for r in body["readings"]] == ["stored", "duplicate"]
    assert counts(session)[0] == before[0] + 1


def test_readings_before_the_dose_are_pre_dose_and_a_high_pressure_blocks_dosing(
    clinician, nurse, patient_alice, token
):
    session = ready_to_dose(clinician, nurse, patient_alice)
    assert session.status == SessionStatus.PREPARATION
    response = post_readings(
        token, session, [reading("pre", **{**NORMAL, "systolic_mmhg": 150, "diastolic_mmhg": 85})]
    )
    assert response.status_code == 200, response.content
    (alert,) = response.json()["readings"][0]["alerts"]
    assert alert["parameter"] == "systolic_mmhg"
    row = SessionReading.objects.get(session=session, device_reading_id="pre")
    assert row.pre_dose is True and row.vital_signs.context == "pre_dose"
    assert MonitoringAlert.objects.get(public_id=alert["id"]).blocks_dosing is True


def test_the_ingestion_is_audited_under_the_device_name(session, device, token):
    post_readings(token, session, [reading("a", minutes_ago=6), reading("b", minutes_ago=5)])
    post_readings(token, session, [reading("b", minutes_ago=5)])

    events = AuditEvent.objects.filter(
        event_type=AuditEventType.SESSION_READING_RECORDED, patient_id=session.patient_id
    ).order_by("id")
    device_events = [e for e in events if e.actor_label == f"device:{DEVICE_NAME}"]
    assert len(device_events) == 2
    first, retry = device_events
    assert first.actor is None and first.actor_role == ""
    assert first.outcome == AuditOutcome.SUCCESS
    assert first.location_id == session.location_id
    stored = list(
        SessionReading.objects.filter(session=session, device_reading_id__in=["a", "b"])
        .order_by("taken_at")
        .values_list("vital_signs_id", flat=True)
    )
    # One entry per batch names the vital-signs rows it stored (not one entry per row).
    assert first.details == {
        "device": DEVICE_NAME,
        "stored": 2,
        "duplicates": 0,
        "vital_signs": stored,
    }
    assert retry.details == {
        "device": DEVICE_NAME,
        "stored": 0,
        "duplicates": 1,
        "vital_signs": [],
    }
    assert not AuditEvent.objects.filter(
        event_type=AuditEventType.VITAL_SIGNS_RECORDED, actor_label=f"device:{DEVICE_NAME}"
    ).exists()


# --- authentication and scope --------------------------------------------------------------
def test_no_token_is_refused(session):
    before = counts(session)
    response = post_readings(None, session, [reading("a")])
    assert response.status_code == 401
    assert counts(session) == before


def test_a_post_without_a_token_is_audited_as_a_refused_device(session):
    before = auth_failures()
    assert post_readings(None, session, [reading("a")]).status_code == 401
    assert auth_failures() == before + 1


def test_a_wrong_token_is_refused_and_audited(session, token):
    before, stored = auth_failures(), counts(session)
    response = post_readings("kcm_not-the-right-token", session, [reading("a")])
    assert response.status_code == 401
    assert auth_failures() == before + 1
    event = AuditEvent.objects.filter(event_type=AuditEventType.DEVICE_AUTH_FAILED).latest("id")
    assert event.actor is None and event.actor_label == "device:unknown"
    assert counts(session) == stored


def test_a_signed_in_nurse_cannot_post_without_a_device_token(session, nurse):
    before = counts(session)
    response = client_for(nurse).post(
        vitals_url(session.public_id),
        data=json.dumps({"readings": [reading("a", minutes_ago=1)]}),
        content_type="application/json",
    )
    assert response.status_code == 401
    assert counts(session) == before


def test_a_token_under_another_scheme_is_refused(session, token):
    response = post_vitals(token, session.public_id, {"readings": [reading("a")]}, scheme="Token")
    assert response.status_code == 401


def test_a_revoked_device_is_refused_and_audited(session, device, token, medical_director):
    assert post_readings(token, session, [reading("a", minutes_ago=2)]).status_code == 200
    revoke_device(actor=medical_director, device=device)
    before, stored = auth_failures(), counts(session)

    response = post_readings(token, session, [reading("b", minutes_ago=1)])

    assert response.status_code == 401
    assert auth_failures() == before + 1
    assert counts(session) == stored


def test_a_reissued_token_replaces_the_old_one(session, device, token, medical_director, location):
    _, new_token = issue_device_token(
        actor=medical_director, name=device.name, location=location, device=device
    )
    assert post_readings(token, session, [reading("a", minutes_ago=2)]).status_code == 401
    assert post_readings(new_token, session, [reading("a", minutes_ago=2)]).status_code == 200


def test_a_device_of_another_location_cannot_post_to_this_session(
    session, medical_director, other_location
):
    medical_director.locations.add(other_location)
    _, elsewhere = issue_device_token(
        actor=medical_director, name="Denver chair 1", location=other_location
    )
    before = counts(session)
    response = post_readings(elsewhere, session, [reading("a", minutes_ago=2)])
    assert response.status_code == 404
    assert counts(session) == before


def test_an_unknown_session_is_not_found(session, token):
    response = post_vitals(token, uuid.uuid4(), {"readings": [reading("a")]})
    assert response.status_code == 404
    assert "detail" in response.json()


def test_a_malformed_session_id_is_refused(token):
    assert post_vitals(token, "not-a-uuid", {"readings": [reading("a")]}).status_code == 422


@pytest.mark.parametrize(
    ("status", "locked"),
    [
        (SessionStatus.DISCHARGED, False),
        (SessionStatus.SIGNED, True),
        (SessionStatus.NOT_DONE, False),
    ],
)
def test_a_session_no_longer_open_refuses_readings(session, token, status, locked):
    TreatmentSession.objects.filter(pk=session.pk).update(
        status=status, locked_at=timezone.now() if locked else None
    )
    before = counts(session)
    response = post_readings(token, session, [reading("late", minutes_ago=1)])
    assert response.status_code == 409, response.content
    assert response.json()["detail"]
    assert counts(session) == before


# --- validation ----------------------------------------------------------------------------
_DROP = object()


def _with(**changes) -> dict:
    item = reading("x", minutes_ago=3)
    for key, value in changes.items():
        if value is _DROP:
            item.pop(key)
        else:
            item[key] = value
    return item


@pytest.mark.parametrize(
    "item",
    [
        pytest.param(_with(taken_at="2025-01-01T10:00:00"), id="naive-taken-at"),
        pytest.param(_with(taken_at="yesterday"), id="unparseable-taken-at"),
        pytest.param(_with(taken_at=_DROP), id="no-taken-at"),
        pytest.param(_with(reading_id=_DROP), id="no-reading-id"),
        pytest.param(_with(reading_id=""), id="empty-reading-id"),
        pytest.param(_with(reading_id="x" * 81), id="long-reading-id"),
        pytest.param(_with(systolic_mmhg="120"), id="string-systolic"),
        pytest.param(_with(systolic_mmhg=120.0), id="float-systolic"),
        pytest.param(_with(heart_rate_bpm=True), id="bool-heart-rate"),
        pytest.param(_with(systolic_mmhg=301), id="systolic-too-high"),
        pytest.param(_with(systolic_mmhg=39), id="systolic-too-low"),
        pytest.param(_with(diastolic_mmhg=201), id="diastolic-too-high"),
        pytest.param(_with(heart_rate_bpm=19), id="heart-rate-too-low"),
        pytest.param(_with(respiratory_rate_per_min=71), id="respiratory-rate-too-high"),
        pytest.param(_with(spo2_pct=101), id="spo2-above-100"),
        pytest.param(_with(spo2_pct=49), id="spo2-too-low"),
        pytest.param(_with(temperature_c=46), id="temperature-too-high"),
        pytest.param(_with(temperature_c=36.85), id="temperature-two-decimals"),
        pytest.param(_with(consciousness="sleepy"), id="unknown-consciousness"),
        pytest.param(_with(on_supplemental_oxygen="yes"), id="string-oxygen"),
    ],
)
def test_an_invalid_reading_is_refused_with_422_and_nothing_is_stored(session, token, item):
    before = counts(session)
    response = post_readings(token, session, [reading("good", minutes_ago=4), item])
    assert response.status_code == 422, response.content
    assert counts(session) == before


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({"readings": []}, id="empty-list"),
        pytest.param({}, id="no-readings"),
        pytest.param({"readings": "r-1"}, id="not-a-list"),
        pytest.param([], id="a-bare-list"),
    ],
)
def test_a_malformed_batch_is_refused_with_422(session, token, payload):
    before = counts(session)
    assert post_vitals(token, session.public_id, payload).status_code == 422
    assert counts(session) == before


def test_more_than_500_readings_are_refused_with_422(session, token):
    batch = [reading(f"r-{i}", minutes_ago=20 - i / 30) for i in range(501)]
    before = counts(session)
    response = post_readings(token, session, batch)
    assert response.status_code == 422
    assert counts(session) == before


def test_a_body_that_is_not_json_is_refused(session, token):
    response = Client().post(
        vitals_url(session.public_id),
        data="readings=1",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400


def test_a_string_value_is_refused_strictly_and_the_error_names_the_field(session, token):
    response = post_readings(token, session, [reading("s", systolic_mmhg="120")])
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"][-1] == "systolic_mmhg" and error["loc"][-2] == 0


def test_a_reading_in_the_future_refuses_the_whole_batch_with_a_message(session, token):
    before = counts(session)
    future = (timezone.now() + timedelta(minutes=10)).isoformat()
    response = post_readings(
        token, session, [reading("now", minutes_ago=1), {**reading("later"), "taken_at": future}]
    )
    assert response.status_code == 400
    body = response.json()
    assert "future" in body["detail"] and body["field"] == "taken_at"
    assert counts(session) == before  # the valid reading before it is not kept either


def test_a_reading_more_than_12_hours_old_is_refused(session, token):
    response = post_readings(token, session, [reading("old", minutes_ago=13 * 60)])
    assert response.status_code == 400
    assert "12 hours" in response.json()["detail"]


def test_a_reading_in_another_time_zone_is_stored_at_the_same_instant(session, token):
    taken_at = (timezone.now() - timedelta(minutes=3)).replace(microsecond=0)
    tokyo = taken_at.astimezone(timezone.get_fixed_timezone(9 * 60))
    response = post_readings(
        token, session, [{"reading_id": "tz", "taken_at": tokyo.isoformat(), **NORMAL}]
    )
    assert response.status_code == 200, response.content
    assert SessionReading.objects.get(device_reading_id="tz").taken_at == taken_at


def test_unknown_fields_are_ignored_and_known_values_kept(session, token):
    # Ninja schemas ignore extra fields (pydantic extra="ignore"): documented behaviour.
    item = {**reading("extra", minutes_ago=2), "blood_glucose": 5.5, "weight_kg": 90}
    response = post_readings(token, session, [item])
    assert response.status_code == 200, response.content
    vitals = SessionReading.objects.get(device_reading_id="extra").vital_signs
    assert vitals.systolic_mmhg == 130
    assert vitals.weight_kg is None  # a monitor cannot change today's weight
    session.refresh_from_db()
    assert session.weight_kg == Decimal("70.0")


def test_a_reading_with_only_unknown_or_no_values_is_refused_with_400(session, token):
    before = counts(session)
    typo = {"reading_id": "typo", "taken_at": timezone.now().isoformat(), "spo2": 97}
    response = post_readings(token, session, [typo])
    assert response.status_code == 400
    assert "at least one" in response.json()["detail"]
    empty = {"reading_id": "empty", "taken_at": timezone.now().isoformat()}
    assert post_readings(token, session, [empty]).status_code == 400
    assert counts(session) == before


# --- reading a session's vitals (staff) -----------------------------------------------------
def test_a_nurse_lists_the_sessions_readings_manual_and_device(session, token, nurse):
    post_readings(
        token,
        session,
        [reading("a", minutes_ago=10), reading("b", minutes_ago=5, **{**NORMAL, "spo2_pct": 91})],
    )

    response = client_for(nurse).get(vitals_url(session.public_id))

    assert response.status_code == 200, response.content
    rows = response.json()
    assert [(r["source"], r["pre_dose"]) for r in rows] == [
        ("manual", True),
        ("device", False),
        ("device", False),
    ]
    assert rows[0]["systolic_mmhg"] == 124  # the pre-dose baseline
    assert rows[2]["spo2_pct"] == 91
    assert rows == sorted(rows, key=lambda r: r["taken_at"])


def test_reading_a_sessions_vitals_is_audited(session, nurse):
    views = AuditEvent.objects.filter(
        actor=nurse,
        patient_id=session.patient_id,
        event_type__in=[AuditEventType.SESSION_VIEWED, AuditEventType.PATIENT_CHART_VIEWED],
    )
    before = views.count()
    assert client_for(nurse).get(vitals_url(session.public_id)).status_code == 200
    assert views.count() == before + 1


def test_front_desk_cannot_read_a_sessions_vitals(session, front_desk):
    # Front desk is not a clinical role: the session is invisible to them (404, not 403).
    response = client_for(front_desk).get(vitals_url(session.public_id))
    assert response.status_code == 404
    assert "systolic" not in response.content.decode()


def test_staff_of_another_location_cannot_read_a_sessions_vitals(session, other_location_clinician):
    response = client_for(other_location_clinician).get(vitals_url(session.public_id))
    assert response.status_code == 404


def test_reading_vitals_needs_a_staff_sign_in_not_a_device_token(session, token, patient_alice):
    assert Client().get(vitals_url(session.public_id)).status_code == 401
    response = Client().get(
        vitals_url(session.public_id), headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401
    assert client_for(patient_alice.user).get(vitals_url(session.public_id)).status_code == 404


def test_the_openapi_schema_describes_the_vitals_endpoints(nurse):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    path = schema["paths"]["/api/v1/sessions/{session_id}/vitals"]
    assert set(path) >= {"post", "get"}
    post = path["post"]
    assert any("DeviceToken" in requirement for requirement in post["security"])
    assert schema["components"]["securitySchemes"]["DeviceToken"]["scheme"] == "bearer"
    assert "ReadingIn" in schema["components"]["schemas"]


# --- cost ----------------------------------------------------------------------------------
def test_a_20_reading_batch_costs_the_same_few_statements_as_one_reading(
    session, token, django_assert_num_queries
):
    """Whatever its size: the monitor's token looked up, then in one transaction the session
    locked and read with its limits and baseline, the batch's reading ids looked up, one insert
    each of the vital signs, the readings and the alerts, the monitor's last-seen time, and the
    audit (the chain's head read, one insert for the batch's entry and its alerts')."""
    batch = [
        reading(
            f"q-{i}",
            minutes_ago=20 - i / 2,
            **{**NORMAL, "systolic_mmhg": 190 if i % 5 == 0 else 130},
        )
        for i in range(20)
    ]
    token_lookup = 1
    with django_assert_num_queries(token_lookup + service_statements(8)) as queries:
        response = post_readings(token, session, batch)
    assert response.status_code == 200, response.content
    assert response.json()["stored"] == 20
    assert sum(1 for q in queries.captured_queries if "audit_auditevent" in q["sql"]) == 2


@pytest.mark.parametrize(
    "taken_at", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+14:00", "2200-01-01T00:00:00Z"]
)
def test_a_reading_timed_in_a_far_year_is_refused_with_422_and_why(session, token, taken_at):
    response = post_vitals(
        token,
        session.public_id,
        {"readings": [{"reading_id": "far", "taken_at": taken_at, **NORMAL}]},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "enter when it happened" in page or "within the last year" in page
    assert not SessionReading.objects.filter(device_reading_id="far").exists()
