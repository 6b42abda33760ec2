"""Vital-sign alerts as a monitoring nurse needs them: one alert per reading listing every breach,
acknowledged in one action; a stop-level alert closed only by a prescriber (a nurse records what
they did), the supervising clinician told at once (dashboard, board, e-mail), and an alert left
open past the protocol's minutes escalated. Rows from before keep their signed content."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError, InvalidTransitionError, PermissionDeniedError
from clinic.monitoring.models import MonitoringProtocol
from clinic.sessions import selectors, services
from clinic.sessions.choices import AlertStatus
from clinic.sessions.models import MonitoringAlert
from clinic.sessions.services.signing import session_content
from clinic.sessions.tests import factories

HX = {"HTTP_HX_REQUEST": "true"}
HYPOTENSIVE = {
    "systolic_mmhg": 78,
    "diastolic_mmhg": 40,
    "heart_rate_bpm": 45,
    "respiratory_rate_per_min": 32,
    "spo2_pct": 91,
}


def ago(minutes: float):
    return timezone.now() - timedelta(minutes=minutes)


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def ack_url(alert):
    return reverse("sessions:acknowledge", args=[alert.session.public_id, alert.public_id])


def reading(nurse, session, values, minutes_ago=1):
    return services.record_reading(
        actor=nurse, session=session, values=values, taken_at=ago(minutes_ago)
    )


def stop_level_alert(clinician, nurse, patient, **kwargs):
    session = factories.dosed(clinician, nurse, patient, at=ago(20))
    [alert] = reading(nurse, session, {"systolic_mmhg": 186, "diastolic_mmhg": 104}).alerts
    assert alert.stop_level
    return alert


# --- one alert per reading -----------------------------------------------------------------
def test_a_reading_with_four_breaches_raises_one_alert_listing_them_all(
    clinician, nurse, patient_alice
):
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(20))
    outcome = reading(nurse, session, HYPOTENSIVE)
    [alert] = outcome.alerts
    assert [b["parameter"] for b in alert.breaches] == [
        "systolic_mmhg",
        "heart_rate_bpm",
        "spo2_pct",
        "respiratory_rate_per_min",
    ]
    assert all(b["message"] and b["source"] for b in alert.breaches)
    assert "Systolic 78 mmHg is below 90" in alert.message
    assert "Respiratory rate 32 /min is above 24" in alert.message
    assert MonitoringAlert.objects.filter(session=session).count() == 1
    assert not alert.stop_level
    raised = AuditEvent.objects.filter(event_type=AuditEventType.SESSION_ALERT_RAISED)
    assert raised.count() == 1 and len(raised.get().details["breaches"]) == 4

    services.acknowledge_alert(actor=nurse, alert=alert, action_taken="Legs raised, rate halved.")
    assert selectors.open_alerts(session) == []
    stored = MonitoringAlert.objects.get(pk=alert.pk)
    assert stored.status == AlertStatus.ACKNOWLEDGED and stored.acknowledged_by == nurse


def test_a_reading_inside_every_limit_raises_no_alert(clinician, nurse, patient_alice):
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(20))
    assert reading(nurse, session, factories.GOOD_DURING).alerts == []


def test_a_drop_to_responds_to_voice_alerts(clinician, nurse, patient_alice):
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(20))
    [alert] = reading(nurse, session, {**factories.GOOD_DURING, "consciousness": "voice"}).alerts
    assert alert.breaches[0]["parameter"] == "consciousness" and alert.value is None
    assert "Consciousness below Alert: responds to voice." in alert.message


def test_a_fall_from_the_pre_dose_pressure_alerts_above_the_absolute_limit(
    clinician, nurse, patient_alice
):
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(20))  # pre-dose 124
    assert reading(nurse, session, {"systolic_mmhg": 100, "diastolic_mmhg": 70}, 3).alerts == []
    [alert] = reading(nurse, session, {"systolic_mmhg": 98, "diastolic_mmhg": 70}).alerts
    assert "fell 21 % from the pre-dose 124" in alert.message


def test_a_temperature_of_35_raises_the_news2_red_flag_without_a_full_score(
    clinician, nurse, patient_alice
):
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(20))
    outcome = reading(nurse, session, {**factories.GOOD_DURING, "temperature_c": Decimal("35.0")})
    [alert] = outcome.alerts
    assert alert.message.startswith("NEWS2 red flag: temperature 35.0 scores 3")
    news2 = selectors.news2_of(outcome.reading)
    assert not news2.complete and news2.red_flags == ["temperature"]


def test_a_pre_dose_reading_with_a_low_spo2_holds_dosing_even_with_the_pressure_overridden(
    clinician, nurse, patient_alice
):
    session = factories.started_session(clinician, nurse, patient_alice)
    factories.complete_checklist(nurse, session)
    [alert] = services.record_reading(
        actor=nurse,
        session=session,
        values={**factories.GOOD_PRE_DOSE, "systolic_mmhg": 150, "spo2_pct": 91},
    ).alerts
    assert alert.blocks_dosing
    assert selectors.gate_facts(session).open_pre_dose_alerts


# --- stop level -----------------------------------------------------------------------------
def test_a_nurse_cannot_close_a_stop_level_alert_but_records_what_was_done(
    clinician, nurse, patient_alice
):
    alert = stop_level_alert(clinician, nurse, patient_alice)
    with pytest.raises(PermissionDeniedError, match="closed by a prescriber") as refused:
        services.acknowledge_alert(actor=nurse, alert=alert, action_taken="Rate stopped.")
    assert refused.value.field == "action_taken"
    assert MonitoringAlert.objects.get(pk=alert.pk).status == AlertStatus.OPEN
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.SESSION_ALERT_ACKNOWLEDGED, outcome=AuditOutcome.DENIED
    ).exists()

    services.record_alert_action(actor=nurse, alert=alert, action_taken="Infusion stopped.")
    services.record_alert_action(actor=nurse, alert=alert, action_taken="Re-measured: 178/98.")
    stored = MonitoringAlert.objects.get(pk=alert.pk)
    assert stored.status == AlertStatus.OPEN and stored.interim_action_by == nurse
    assert stored.interim_action.splitlines()[0].endswith("Nurse Nora: Infusion stopped.")
    assert stored.interim_action.splitlines()[1].endswith("Re-measured: 178/98.")
    assert (
        AuditEvent.objects.filter(event_type=AuditEventType.SESSION_ALERT_ACTION_RECORDED).count()
        == 2
    )

    services.acknowledge_alert(actor=clinician, alert=alert, action_taken="Reviewed; labetalol.")
    stored = MonitoringAlert.objects.get(pk=alert.pk)
    assert stored.status == AlertStatus.ACKNOWLEDGED and stored.acknowledged_by == clinician


def test_a_stop_level_alert_stays_escalated_until_a_prescriber_acknowledges(
    clinician, nurse, patient_alice
):
    alert = stop_level_alert(clinician, nurse, patient_alice)
    minutes = MonitoringProtocol.objects.get(route="iv").alert_escalation_minutes
    assert alert.escalates_at == alert.raised_at + timedelta(minutes=minutes)
    later = alert.raised_at + timedelta(minutes=minutes)
    assert not alert.is_escalated(later - timedelta(seconds=1)) and alert.is_escalated(later)
    services.record_alert_action(actor=nurse, alert=alert, action_taken="Infusion stopped.")
    assert MonitoringAlert.objects.get(pk=alert.pk).is_escalated(later)
    services.acknowledge_alert(actor=clinician, alert=alert, action_taken="Reviewed.")
    assert not MonitoringAlert.objects.get(pk=alert.pk).is_escalated(later)


def test_recording_an_action_is_only_for_stop_level_alerts(clinician, nurse, patient_alice):
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(20))
    [alert] = reading(nurse, session, HYPOTENSIVE).alerts
    with pytest.raises(ClinicError, match="does not wait for a prescriber"):
        services.record_alert_action(actor=nurse, alert=alert, action_taken="Legs raised.")
    services.acknowledge_alert(actor=nurse, alert=alert, action_taken="Legs raised.")
    with pytest.raises(InvalidTransitionError, match="Nurse Nora already acknowledged"):
        services.acknowledge_alert(actor=clinician, alert=alert, action_taken="Seen.")


def test_the_supervising_clinician_is_emailed_at_once(
    clinician, nurse, patient_alice, django_capture_on_commit_callbacks
):
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(20))
    session.location.on_call_email = "on-call@clinic.test"
    session.location.save(update_fields=["on_call_email"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reading(nurse, session, HYPOTENSIVE)
    assert mail.outbox == []  # not stop-level
    with django_capture_on_commit_callbacks(execute=True):
        [alert] = reading(nurse, session, {"spo2_pct": 86}).alerts
    [sent] = mail.outbox
    assert sent.to == ["on-call@clinic.test"] and sent.subject.startswith("URGENT stop-level")
    assert str(session.public_id) in sent.body
    assert patient_alice.legal_last_name not in sent.body  # a link, not the record
    assert alert.stop_level


def test_the_dashboard_and_board_show_a_stop_level_alert_to_the_clinician(
    clinician, nurse, patient_alice
):
    alert = stop_level_alert(clinician, nurse, patient_alice)
    dashboard = client_for(clinician).get(reverse("dashboard:home")).content.decode()
    assert 'id="session-stop-alerts"' in dashboard and "waiting for a prescriber" in dashboard
    assert reverse("sessions:detail", args=[alert.session.public_id]) in dashboard
    assert (
        'id="session-stop-alerts"'
        not in client_for(nurse).get(reverse("dashboard:home")).content.decode()
    )
    board = client_for(nurse).get(reverse("sessions:board")).content.decode()
    assert "Stop level: prescriber needed" in board and "Escalated" not in board
    MonitoringAlert.objects.filter(pk=alert.pk).update(escalates_at=ago(1))
    board = client_for(nurse).get(reverse("sessions:board")).content.decode()
    assert "Escalated: not acknowledged in time" in board
    polled = client_for(clinician).get(reverse("sessions:stop_alerts"), **HX).content.decode()
    assert "Escalated: not acknowledged in time" in polled


# --- the page ------------------------------------------------------------------------------
def test_a_saved_reading_with_alerts_is_a_warning_and_the_banner_lists_its_breaches(
    clinician, nurse, patient_alice
):
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(20))
    client = client_for(nurse)
    url = reverse("sessions:act", args=[session.public_id, "vitals"])
    payload = {k: str(v) for k, v in HYPOTENSIVE.items()}
    response = client.post(url, payload, **HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="message message-warning" role="alert" id="notice"' in body
    assert "4 limits breached" in body and "message-success" not in body
    live = client.get(reverse("sessions:live", args=[session.public_id]), **HX).content.decode()
    assert live.count('id="alert-banner"') == 1 and live.count("data-alert=") == 1
    assert "Acknowledge all 4" in live


def test_a_nurse_sees_record_what_was_done_and_a_refusal_is_shown_in_the_banner(
    clinician, nurse, patient_alice
):
    alert = stop_level_alert(clinician, nurse, patient_alice)
    session = alert.session
    live_url = reverse("sessions:live", args=[session.public_id])
    live = client_for(nurse).get(live_url, **HX).content.decode()
    assert "Record what was done" in live and "STOP-LEVEL alert" in live
    banner = live.split('id="alert-banner"')[1]
    assert 'name="do" value="record"' in banner and ">Acknowledge" not in banner
    refused = client_for(nurse).post(ack_url(alert), {"action_taken": "Stopped."}, **HX)
    assert refused.status_code == 403 and "closed by a prescriber" in refused.content.decode()
    recorded = client_for(nurse).post(
        ack_url(alert), {"action_taken": "Stopped.", "do": "record"}, **HX
    )
    assert recorded.status_code == 200 and "Nurse Nora: Stopped." in recorded.content.decode()
    closed = client_for(clinician).post(ack_url(alert), {"action_taken": "Reviewed."}, **HX)
    assert closed.status_code == 200 and 'id="alert-banner"' not in closed.content.decode()


# --- the signed record ---------------------------------------------------------------------
def test_an_alert_from_before_keeps_the_content_it_was_signed_with(clinician, nurse, patient_alice):
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(20))
    [alert] = reading(nurse, session, HYPOTENSIVE).alerts
    # A row as written before one alert listed all its breaches: one breach, no list.
    MonitoringAlert.objects.filter(pk=alert.pk).update(
        breaches=[], message="Systolic 78 mmHg is below 90.", limit="< 90", value=78
    )
    [signed] = session_content(session)["alerts"]
    assert signed == {
        "message": "Systolic 78 mmHg is below 90.",
        "status": "open",
        "action_taken": "",
        "acknowledged_by_id": None,
    }
    legacy = MonitoringAlert.objects.get(pk=alert.pk)
    assert legacy.breach_list == [
        {
            "parameter": "systolic_mmhg",
            "value": "78.0",
            "limit": "< 90",
            "message": "Systolic 78 mmHg is below 90.",
            "stop": False,
            "blocks_dosing": False,
            "source": "",
        }
    ]


def test_a_new_alert_is_signed_with_its_breaches_and_what_was_done(clinician, nurse, patient_alice):
    alert = stop_level_alert(clinician, nurse, patient_alice)
    services.record_alert_action(actor=nurse, alert=alert, action_taken="Infusion stopped.")
    [signed] = session_content(alert.session)["alerts"]
    assert signed["stop_level"] and len(signed["breaches"]) == 2
    assert signed["interim_action"].endswith("Infusion stopped.")
    assert signed["interim_action_by_id"] == nurse.pk


# --- two nurses at once (PostgreSQL) -------------------------------------------------------
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"
)
def test_two_nurses_acknowledging_the_same_alert_at_once_close_it_once(
    clinician, nurse, patient_alice, location
):
    from clinic.sessions.tests.test_concurrency import run_together

    second = UserFactory(role=Role.NURSE, email="nurse2@clinic.test", full_name="Nurse Two")
    second.locations.set([location])
    session = factories.dosed(clinician, nurse, patient_alice, at=ago(20))
    [alert] = reading(nurse, session, HYPOTENSIVE).alerts
    done = threading.Lock()
    closed_by = []

    def acknowledge(actor, text):
        def action():
            services.acknowledge_alert(actor=actor, alert=alert, action_taken=text)
            with done:
                closed_by.append(actor.pk)

        return action

    errors = run_together(acknowledge(nurse, "Legs raised."), acknowledge(second, "Fluids."))
    assert len(closed_by) == 1 and len(errors) == 1
    assert isinstance(errors[0], InvalidTransitionError)
    assert "already acknowledged this alert" in errors[0].message
    stored = MonitoringAlert.objects.get(pk=alert.pk)
    assert stored.acknowledged_by_id == closed_by[0]
    assert (
        AuditEvent.objects.filter(
            event_type=AuditEventType.SESSION_ALERT_ACKNOWLEDGED, outcome=AuditOutcome.SUCCESS
        ).count()
        == 1
    )
