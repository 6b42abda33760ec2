"""Scheduled side-effect checks in maintenance: who is due (the protocol's interval, counted from
the last check, the last report or the start of maintenance), asked once a day at most, told by
e-mail without health details, answered in the portal with "nothing to report" or a report."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from clinic.assessments.choices import SideEffectCheckAnswer
from clinic.assessments.models import SideEffectCheck
from clinic.assessments.services import report_side_effect
from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.patients.models import Patient
from clinic.sessions.tests.factories import plan_for
from clinic.treatment.models import ProtocolTemplate
from clinic.treatment.side_effect_checks import (
    due_side_effect_checks,
    next_check_on,
    send_side_effect_checks,
)
from conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_next_check_counts_from_the_latest_of_check_report_and_maintenance():
    day = date(2026, 6, 1)
    assert (
        next_check_on(
            interval_days=None, last_asked_on=day, last_reported_on=None, maintenance_since=None
        )
        is None
    )
    assert (
        next_check_on(
            interval_days=28, last_asked_on=None, last_reported_on=None, maintenance_since=None
        )
        == date.min
    )
    assert next_check_on(
        interval_days=28,
        last_asked_on=day,
        last_reported_on=day + timedelta(days=10),
        maintenance_since=day - timedelta(days=40),
    ) == day + timedelta(days=38)


@pytest.fixture
def in_maintenance(clinician, patient_alice):
    """Alice's plan, and Alice in maintenance (her protocol asks every 28 days)."""
    version = plan_for(clinician, patient_alice)
    Patient.objects.filter(pk=patient_alice.pk).update(status="maintenance")
    ProtocolTemplate.objects.filter(pk=version.protocol_id).update(side_effect_check_days=28)
    patient_alice.refresh_from_db()
    return version


def _today():
    return timezone.localdate()


def test_a_patient_in_maintenance_is_asked_once_and_told_without_health_details(
    in_maintenance, patient_alice, patient_bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        asked, again = send_side_effect_checks(_today())
    assert (asked, again) == (1, 0)
    check = SideEffectCheck.objects.get()
    assert check.patient == patient_alice and check.answer == SideEffectCheckAnswer.OPEN
    assert check.notified_at is not None
    email = mail.outbox[-1]
    assert email.to == [patient_alice.email]
    assert reverse("patients:my_record") in email.body
    # No health details: no symptom, and not even the subject, is named (the link is the
    # portal's home, which shows the check first).
    assert "side" not in email.body.lower() and "urine" not in email.body.lower()
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.SIDE_EFFECT_CHECK_SENT, patient_id=patient_alice.pk
    ).exists()
    # A second run the same day asks nobody again; Bob (not in maintenance) is never asked.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_side_effect_checks(_today()) == (0, 0)
    assert not SideEffectCheck.objects.filter(patient=patient_bob).exists()


def test_nobody_is_asked_before_the_interval_or_without_one(in_maintenance, patient_alice):
    # Asked (and answered) three days ago: not due until 28 days after that.
    SideEffectCheck.objects.create(
        patient=patient_alice,
        location=patient_alice.location,
        asked_on=_today() - timedelta(days=3),
        answer=SideEffectCheckAnswer.NOTHING,
        answered_at=timezone.now(),
    )
    assert due_side_effect_checks(_today()) == []
    assert due_side_effect_checks(_today() + timedelta(days=24)) == []
    due = due_side_effect_checks(_today() + timedelta(days=25))
    assert [d.patient for d in due] == [patient_alice]
    assert due[0].due_on == _today() + timedelta(days=25)
    # A patient in induction (not maintenance) is not asked.
    Patient.objects.filter(pk=patient_alice.pk).update(status="active")
    assert due_side_effect_checks(_today() + timedelta(days=60)) == []
    Patient.objects.filter(pk=patient_alice.pk).update(status="maintenance")
    # The medical director turns the checks off for the protocol.
    ProtocolTemplate.objects.filter(pk=in_maintenance.protocol_id).update(
        side_effect_check_days=None
    )
    assert due_side_effect_checks(_today() + timedelta(days=60)) == []


def test_a_recent_report_counts_as_an_answer(in_maintenance, patient_alice):
    report_side_effect(
        actor=patient_alice.user,
        patient=patient_alice,
        submission_key=uuid.uuid4(),
        symptoms=["headache"],
        started_on=_today(),
        severity="mild",
        still_going=False,
    )
    assert due_side_effect_checks(_today()) == []
    assert [d.patient for d in due_side_effect_checks(_today() + timedelta(days=28))] == [
        patient_alice
    ]


def test_the_patient_answers_nothing_to_report_in_the_portal(
    in_maintenance, patient_alice, patient_bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_side_effect_checks(_today())
    check = SideEffectCheck.objects.get()
    client = client_for(patient_alice.user)
    home = client.get(reverse("patients:my_record")).content.decode()
    assert "Your care team asks: how have you been?" in home
    page = client.get(reverse("assessments:my_side_effects")).content.decode()
    assert "No, nothing to report" in page
    url = reverse("assessments:nothing_to_report", args=[check.public_id])
    # Another patient cannot answer it (not found), nor can it be answered by GET.
    assert client_for(patient_bob.user).post(url).status_code == 404
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    check.refresh_from_db()
    assert check.answer == SideEffectCheckAnswer.NOTHING and check.answered_at is not None
    assert client.post(url).status_code == 302  # sent twice: the same answer
    assert (
        "No, nothing to report"
        not in client.get(reverse("assessments:my_side_effects")).content.decode()
    )
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.SIDE_EFFECT_CHECK_ANSWERED, actor=patient_alice.user
    ).exists()
    # The next check falls due an interval after this one was asked.
    assert due_side_effect_checks(_today() + timedelta(days=27)) == []
    assert len(due_side_effect_checks(_today() + timedelta(days=28))) == 1


def test_a_report_answers_the_open_check_and_the_chart_shows_it(
    in_maintenance, patient_alice, clinician, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_side_effect_checks(_today())
    report, _created, _alerts = report_side_effect(
        actor=patient_alice.user,
        patient=patient_alice,
        submission_key=uuid.uuid4(),
        symptoms=["memory_thinking"],
        started_on=_today(),
        severity="mild",
        still_going=True,
    )
    check = SideEffectCheck.objects.get()
    assert check.answer == SideEffectCheckAnswer.REPORTED and check.report == report
    chart = (
        client_for(clinician)
        .get(reverse("patients:chart", args=[patient_alice.public_id]) + "?section=side_effects")
        .content.decode()
    )
    assert "Side-effect checks between visits" in chart and "side-effect report" in chart


def test_a_notice_that_could_not_go_out_is_queued_again_the_next_day(
    in_maintenance, patient_alice, django_capture_on_commit_callbacks, monkeypatch
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("clinic.assessments.checks.send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        send_side_effect_checks(_today())
    check = SideEffectCheck.objects.get()
    assert check.notified_at is None
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        asked, again = send_side_effect_checks(_today() + timedelta(days=1))
    assert (asked, again) == (0, 1)
    check.refresh_from_db()
    assert check.notified_at is not None


def test_the_command_reports_what_it_did(in_maintenance, capsys):
    call_command("send_side_effect_checks")
    assert "Asked 1 patient(s)" in capsys.readouterr().out
