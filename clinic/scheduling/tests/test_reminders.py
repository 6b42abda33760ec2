from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.patients.models import Patient
from clinic.scheduling import reminders, services
from clinic.scheduling.models import AppointmentType, ReminderDispatch, Room, SchedulingPolicy

NEW_YORK = ZoneInfo("America/New_York")
# Monday after the 2027 US change to daylight saving time: 09:00 EDT is 13:00 UTC.
NINE_AM = timezone.make_aware(datetime(2027, 3, 15, 9, 0), NEW_YORK)


@pytest.fixture
def infusion(db):
    return AppointmentType.objects.get(code="iv-infusion")


@pytest.fixture
def chair(location):
    return Room.objects.create(location=location, name="Chair 1")


@pytest.fixture
def book(clinician, patient_alice, infusion, chair, nurse):
    def book(starts_at=NINE_AM, patient=patient_alice):
        return services.book_appointment(
            actor=clinician,
            patient=patient,
            appointment_type=infusion,
            starts_at=starts_at,
            room=chair,
            staff=nurse,
        )

    return book


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def run(now):
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.send_due_reminders(now=now)

    return run


@pytest.fixture(autouse=True)
def _reminders_only(db):
    """These tests count reminder e-mails; the questionnaires sent before a visit are tested below."""
    AppointmentType.objects.update(send_questionnaires=False)


def test_a_due_reminder_is_sent_exactly_once(book, run, mailoutbox, patient_alice):
    appointment = book()

    assert run(NINE_AM - timedelta(hours=20)) == 1
    assert run(NINE_AM - timedelta(hours=19, minutes=55)) == 0

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [patient_alice.email]
    assert list(appointment.reminders.values_list("kind", flat=True)) == ["24h"]
    audit = AuditEvent.objects.get(event_type=AuditEventType.REMINDER_SENT)
    assert audit.actor is None and audit.actor_label == "reminder job"
    assert audit.patient_id == patient_alice.pk and audit.details["kind"] == "24h"


def test_the_2h_reminder_follows_the_24h_one(book, run, mailoutbox):
    appointment = book()

    assert run(NINE_AM - timedelta(hours=20)) == 1
    assert run(NINE_AM - timedelta(hours=3)) == 0
    assert run(NINE_AM - timedelta(hours=2)) == 1
    assert run(NINE_AM - timedelta(hours=1)) == 0

    assert len(mailoutbox) == 2
    assert sorted(appointment.reminders.values_list("kind", flat=True)) == ["24h", "2h"]


def test_an_appointment_within_2h_gets_only_the_2h_reminder(book, run, mailoutbox):
    appointment = book()

    assert run(NINE_AM - timedelta(hours=1)) == 1
    assert run(NINE_AM - timedelta(minutes=30)) == 0

    assert len(mailoutbox) == 1
    assert list(appointment.reminders.values_list("kind", flat=True)) == ["2h"]


def test_a_failed_send_is_retried_by_the_next_run_and_only_it(book, run, mailoutbox, monkeypatch):
    first, second, third = (
        book(NINE_AM),
        book(NINE_AM + timedelta(hours=3)),
        book(NINE_AM + timedelta(hours=6)),
    )
    real_send_mail = reminders.send_mail

    def refuse_the_second(*, subject, **kwargs):
        if "12:00 PM" in subject:
            raise ConnectionRefusedError("mail server down")
        return real_send_mail(subject=subject, **kwargs)

    monkeypatch.setattr(reminders, "send_mail", refuse_the_second)
    now = NINE_AM - timedelta(hours=10)
    run(now)

    assert len(mailoutbox) == 2
    assert set(ReminderDispatch.objects.values_list("appointment_id", flat=True)) == {
        first.pk,
        third.pk,
    }
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.REMINDER_SENT,
        outcome=AuditOutcome.FAILED,
        target_id=str(second.pk),
    ).exists()

    monkeypatch.setattr(reminders, "send_mail", real_send_mail)
    assert run(now + timedelta(minutes=10)) == 1

    assert len(mailoutbox) == 3
    assert "12:00 PM" in mailoutbox[2].subject
    assert ReminderDispatch.objects.count() == 3


def test_a_rerun_after_a_crash_sends_only_the_missing_reminders(book, run, mailoutbox):
    first, second = book(NINE_AM), book(NINE_AM + timedelta(hours=3))
    # The crashed run had recorded (and sent) the first one.
    ReminderDispatch.objects.create(appointment=first, kind="24h")

    assert run(NINE_AM - timedelta(hours=10)) == 1

    assert len(mailoutbox) == 1
    assert "12:00 PM" in mailoutbox[0].subject
    assert second.reminders.get().kind == "24h"


def test_a_reminder_another_job_recorded_meanwhile_is_not_sent_again(
    book, run, mailoutbox, monkeypatch
):
    appointment = book()
    now = NINE_AM - timedelta(hours=20)
    listed = reminders.due_reminders(now)
    # Another job records the reminder between this job's listing and its insert.
    ReminderDispatch.objects.create(appointment=appointment, kind="24h")
    monkeypatch.setattr(reminders, "due_reminders", lambda now: listed)

    assert run(now) == 0
    assert mailoutbox == []
    assert appointment.reminders.count() == 1


def test_the_job_runs_in_primary_key_order(book, run, mailoutbox):
    later = book(NINE_AM + timedelta(hours=3))
    earlier = book(NINE_AM)

    assert [
        pk for pk, _hours, _lower in reminders.due_reminders(NINE_AM - timedelta(hours=10))
    ] == [later.pk, earlier.pk]


def test_cancelled_appointments_get_no_reminder(book, run, mailoutbox, clinician):
    appointment = book()
    services.cancel_appointment(actor=clinician, appointment=appointment, reason="patient_request")

    assert run(NINE_AM - timedelta(hours=20)) == 0
    assert run(NINE_AM - timedelta(hours=1)) == 0
    assert mailoutbox == []


@pytest.mark.parametrize(
    "before",
    [timedelta(hours=25), timedelta(hours=24, seconds=1), timedelta(0), -timedelta(minutes=10)],
    ids=["a day and more ahead", "just outside 24h", "starting now", "already started"],
)
def test_appointments_outside_the_windows_get_no_reminder(book, run, mailoutbox, before):
    book()

    assert run(NINE_AM - before) == 0
    assert mailoutbox == []
    assert not ReminderDispatch.objects.exists()


def test_the_reminder_windows_come_from_the_policy(book, run, mailoutbox):
    SchedulingPolicy.objects.filter(singleton=True).update(reminder_hours="48")
    appointment = book()

    assert run(NINE_AM - timedelta(hours=40)) == 1
    assert run(NINE_AM - timedelta(hours=1)) == 0
    assert list(appointment.reminders.values_list("kind", flat=True)) == ["48h"]


def test_a_patient_without_email_gets_the_reminder_once_an_address_is_added(
    book, run, mailoutbox, patient_alice
):
    Patient.objects.filter(pk=patient_alice.pk).update(email="")
    book()

    assert run(NINE_AM - timedelta(hours=20)) == 0
    assert not ReminderDispatch.objects.exists()

    Patient.objects.filter(pk=patient_alice.pk).update(email="alice@example.com")
    assert run(NINE_AM - timedelta(hours=19)) == 1
    assert mailoutbox[0].to == ["alice@example.com"]


def test_the_email_has_local_time_place_and_preparation_and_no_diagnosis(
    book, run, mailoutbox, infusion, location, patient_alice
):
    book()
    run(NINE_AM - timedelta(hours=20))

    [message] = mailoutbox
    body = message.body
    assert "Mon, Mar 15, 2027 at 9:00 AM (EDT)" in body
    assert "9:00 AM" in message.subject
    assert "1:00 PM" not in body  # the UTC time
    assert location.name in body and location.address_line1 in body
    assert infusion.preparation in body
    assert "no driving until the next day" in body.lower()
    assert location.phone in body
    assert patient_alice.primary_conditions == ["trd"]
    for diagnosis in ["depress", "Treatment-resistant", "trd", "PTSD", "anxiety", "pain"]:
        assert diagnosis.lower() not in body.lower()
        assert diagnosis.lower() not in message.subject.lower()


def test_a_treatment_email_says_no_driving_even_without_preparation_text(
    book, run, mailoutbox, infusion
):
    AppointmentType.objects.filter(pk=infusion.pk).update(preparation="")
    book()
    run(NINE_AM - timedelta(hours=20))

    [message] = mailoutbox
    assert "no driving until the next day" in message.body
    assert "How to prepare" not in message.body


def test_the_command_sends_the_due_reminders(
    clinician, patient_alice, infusion, chair, nurse, mailoutbox, django_capture_on_commit_callbacks
):
    services.book_appointment(
        actor=clinician,
        patient=patient_alice,
        appointment_type=infusion,
        starts_at=timezone.now() + timedelta(hours=1),
        room=chair,
        staff=nurse,
    )
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=out)

    assert out.getvalue().strip() == "Sent 1 reminder(s)."
    assert len(mail.outbox) == 1

    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert out.getvalue().strip() == "Sent 0 reminder(s)."


def test_the_first_reminder_brings_a_check_in_link_and_the_questionnaires(
    book, run, mailoutbox, patient_alice
):
    from clinic.assessments.models import QuestionnaireRequest
    from clinic.scheduling.models import PreVisitCheckIn

    AppointmentType.objects.update(send_questionnaires=True)
    appointment = book()
    run(NINE_AM - timedelta(hours=20))
    reminder = next(m for m in mailoutbox if "reminder" in m.subject)
    assert "/checkin/" in reminder.body
    assert PreVisitCheckIn.objects.filter(
        appointment=appointment, answered_at__isnull=True
    ).exists()
    request = QuestionnaireRequest.objects.get(patient=patient_alice)
    assert request.context == "pre_session" and "phq9" in request.instrument_codes
    assert any("/q/" in m.body for m in mailoutbox)
    # Sent by the job, not in the name of whoever booked the appointment.
    assert request.sent_by is None
    sent = AuditEvent.objects.get(event_type=AuditEventType.QUESTIONNAIRES_SENT)
    assert sent.actor is None and sent.actor_label == "appointment reminder job"


@pytest.fixture
def provider(settings):
    from clinic.core.tests.fake_sms_provider import fake_twilio, twilio_settings

    with fake_twilio() as fake, twilio_settings(settings, fake):
        yield fake


def test_a_patient_who_said_yes_to_texts_also_gets_a_text_with_no_health_details(
    book, run, mailoutbox, patient_alice, provider
):
    Patient.objects.filter(pk=patient_alice.pk).update(sms_opted_in_at=timezone.now())
    book()
    assert run(NINE_AM - timedelta(hours=20)) == 1
    assert len(mailoutbox) == 1
    (text,) = provider.received
    assert text["To"] == "+16175550199"
    assert "Mon, Mar 15, 2027 at 9:00 AM" in text["Body"] and "STOP" in text["Body"]
    assert "infusion" not in text["Body"].lower()


def test_a_patient_who_texted_stop_gets_no_text(book, run, patient_alice, provider):
    now = timezone.now()
    Patient.objects.filter(pk=patient_alice.pk).update(
        sms_opted_in_at=now - timedelta(days=2), sms_opted_out_at=now
    )
    book()
    assert run(NINE_AM - timedelta(hours=20)) == 1
    assert provider.received == []


def test_a_text_only_patient_is_reminded_and_retried_when_the_provider_is_down(
    book, run, mailoutbox, patient_alice, provider
):
    Patient.objects.filter(pk=patient_alice.pk).update(email="", sms_opted_in_at=timezone.now())
    appointment = book()
    provider.mode = "down"
    run(NINE_AM - timedelta(hours=20))
    assert not appointment.reminders.exists()
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.REMINDER_SENT, outcome=AuditOutcome.FAILED
    ).exists()
    provider.mode = "ok"
    assert run(NINE_AM - timedelta(hours=19)) == 1
    assert len(provider.received) == 1 and mailoutbox == []
