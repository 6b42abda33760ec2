"""Appointment reminders by e-mail, sent by a job that runs every few minutes (the
`send_reminders` management command).

Which reminder is due. The policy lists reminder windows, e.g. 24 h and 2 h before. Each window
owns a band of lead times: the 2 h reminder is due for an appointment that starts within the next
2 hours, the 24 h reminder for one that starts in more than 2 and at most 24 hours. So an
appointment gets at most one reminder per band, and never a stale one: an appointment booked
1 hour ahead gets only the 2 h reminder (the 24 h one is skipped for good, nothing is recorded
for it), one booked 20 hours ahead gets the 24 h reminder now and the 2 h reminder later. A job
that was down for a while sends only the reminder of the band the appointment is in now.

Exactly once. A reminder is recorded (ReminderDispatch) before it is sent, in the same transaction
as its audit entry, and e-mailed after that transaction commits. The unique constraint on
(appointment, kind) is the guard: a second job that tries to record the same reminder gets an
IntegrityError and skips it, so two jobs never both send. On PostgreSQL each appointment is also
locked with SELECT … FOR UPDATE SKIP LOCKED, so concurrent jobs share the work instead of waiting
on each other, and a concurrent cancellation or move is seen before sending.

If sending fails (the mail server refuses, and the SMS provider too for a patient who takes
texts), the record is deleted again and the failure audited, so the next run retries: a patient who must fast and bring a driver should rather get a reminder
twice than not at all. Only a crash between the commit and the hand-over to the mail server loses
a reminder.

A patient who said yes to text messages also gets the reminder as a text (when and where only;
see `reminder_text`). Patients with neither an e-mail address nor texts are skipped and nothing is
recorded, so the reminder goes out if an address is added while its band lasts.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.assessments.choices import AssessmentContext, RequestStatus
from clinic.assessments.models import QuestionnaireRequest
from clinic.assessments.policy import instruments_for_conditions, patient_answered
from clinic.assessments.services import send_questionnaires
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.services import record_audit_event
from clinic.core.dates import show_time, show_weekday_date
from clinic.core.exceptions import ClinicError
from clinic.core.sms import SmsError, send_sms
from clinic.scheduling.checkin import flag_unanswered, issue_check_in_link
from clinic.scheduling.choices import AppointmentKind, AppointmentStatus
from clinic.scheduling.locks import lock_booked_appointment_in_band
from clinic.scheduling.models import Appointment, ReminderDispatch, SchedulingPolicy

logger = logging.getLogger(__name__)

JOB_LABEL = "reminder job"


def reminder_hours() -> list[int]:
    """The policy's reminder windows in hours, largest first (24 h and 2 h if there is no policy)."""
    policy = SchedulingPolicy.objects.filter(singleton=True).first() or SchedulingPolicy()
    return [hours for hours in policy.reminder_hours_list if hours > 0]


def kind_for(hours: int) -> str:
    return f"{hours}h"


def due_reminders(now: datetime) -> list[tuple[int, int, int]]:
    """(appointment id, window hours, the next smaller window's hours or 0) of every reminder due
    at `now` and not yet recorded, in primary-key order: booked appointments in each window's band
    (see the module docstring)."""
    due: list[tuple[int, int, int]] = []
    lower = 0
    for hours in sorted(reminder_hours()):
        ids = (
            Appointment.objects.filter(
                status=AppointmentStatus.BOOKED,
                starts_at__gt=now + timedelta(hours=lower),
                starts_at__lte=now + timedelta(hours=hours),
            )
            .exclude(reminders__kind=kind_for(hours))
            .values_list("pk", flat=True)
        )
        due.extend((pk, hours, lower) for pk in ids)
        lower = hours
    return sorted(due)


def _lock(pk: int, now: datetime, hours: int, lower: int) -> Appointment | None:
    """The appointment, locked for this transaction, if it is still booked and still in the band;
    None if another job holds it (PostgreSQL) or it changed since it was listed."""
    if not lock_booked_appointment_in_band(
        pk, starts_after=now + timedelta(hours=lower), starts_until=now + timedelta(hours=hours)
    ):
        return None
    return Appointment.objects.select_related(
        "patient", "location__organisation", "appointment_type"
    ).get(pk=pk)


def reminder_message(appointment: Appointment, check_in_link: str | None = None) -> tuple[str, str]:
    """Subject and body: when (in the location's time zone), where, how to prepare, and the
    clinic's phone. Nothing about diagnoses or treatment results."""
    clinic = settings.OTP_TOTP_ISSUER
    patient = appointment.patient
    location = appointment.location
    appointment_type = appointment.appointment_type
    starts = timezone.localtime(appointment.starts_at, location.zone)
    when = f"{show_weekday_date(starts)} at {show_time(starts)} ({starts:%Z})"
    phone = location.phone or location.organisation.phone
    lines = [
        f"Hello {patient.preferred_name or patient.legal_first_name},",
        "",
        f"This is a reminder of your appointment at {clinic}:",
        "",
        f"What:  {appointment_type.name}",
        f"When:  {when}",
        f"Where: {', '.join([location.name, *location.address_lines])}",
    ]
    preparation = appointment_type.preparation.strip()
    if preparation:
        lines += ["", "How to prepare:", preparation]
    # Sedation: said even if the type's preparation text forgets it (it is there in the seeded ones).
    if (
        appointment_type.kind == AppointmentKind.TREATMENT
        and "no driving" not in preparation.lower()
    ):
        lines += [
            "",
            "After your treatment: no driving until the next day, after a night's sleep. "
            "An adult must take you home; please arrange this now.",
        ]
    if check_in_link:
        lines += [
            "",
            "Before your visit, please answer three quick questions (fasting, your ride home, any "
            f"change in your medicines):\n{check_in_link}",
        ]
    lines += [
        "",
        f"If you need to cancel or change this appointment, or have questions, call us on {phone}.",
        "",
        "If you are in crisis, call or text 988 (Suicide & Crisis Lifeline) or call 911.",
        "",
        appointment.location.contact_text(clinic),
    ]
    return (
        f"{clinic}: reminder of your appointment on {show_weekday_date(starts)} at {show_time(starts)}",
        "\n".join(lines),
    )


def _send_into(
    outcomes: list[bool],
    dispatch_id: int,
    appointment: Appointment,
    kind: str,
    check_in_link: str | None = None,
) -> None:
    outcomes.append(_send(dispatch_id, appointment, kind, check_in_link))


def reminder_text(appointment: Appointment) -> str:
    """The text-message reminder: when and where, and the clinic's phone. Not the appointment's
    type (a treatment's name tells what it treats): a phone's lock screen shows texts to anyone."""
    clinic = settings.OTP_TOTP_ISSUER
    location = appointment.location
    starts = timezone.localtime(appointment.starts_at, location.zone)
    phone = location.phone or location.organisation.phone
    return (
        f"{clinic}: reminder of your appointment on {show_weekday_date(starts)} at {show_time(starts)} at "
        f"{location.name}. To change it, call {phone}. Reply STOP to stop texts."
    )


def _audit_failure(appointment: Appointment, kind: str, channel: str) -> None:
    record_audit_event(
        actor=None,
        actor_label=JOB_LABEL,
        event_type=AuditEventType.REMINDER_SENT,
        outcome=AuditOutcome.FAILED,
        target=appointment,
        about=appointment,
        details={"kind": kind, "channel": channel},
    )


def _send(
    dispatch_id: int, appointment: Appointment, kind: str, check_in_link: str | None = None
) -> bool:
    """After commit: e-mail the reminder, and text it to a patient who said yes to texts. If
    nothing could be sent (the mail server and the SMS provider refuse), forget the record (so the
    next run retries), audit the failure and return False. A text that fails after the e-mail went
    is audited, not retried (the patient has the e-mail)."""
    patient = appointment.patient
    delivered = False
    if patient.email:
        subject, body = reminder_message(appointment, check_in_link)
        try:
            send_mail(
                subject=subject, message=body, from_email=None, recipient_list=[patient.email]
            )
            delivered = True
        except Exception:
            logger.exception(
                "Reminder %s for appointment %s could not be e-mailed.", kind, appointment.pk
            )
            with transaction.atomic():
                _audit_failure(appointment, kind, "email")
    if patient.may_be_texted:
        try:
            send_sms(patient.phone, reminder_text(appointment))
            delivered = True
        except SmsError:
            logger.exception(
                "Reminder %s for appointment %s could not be texted.", kind, appointment.pk
            )
            with transaction.atomic():
                _audit_failure(appointment, kind, "sms")
    if not delivered:
        logger.error("Reminder %s for appointment %s will be retried.", kind, appointment.pk)
        with transaction.atomic():
            ReminderDispatch.objects.filter(pk=dispatch_id).delete()
        return False
    return True


def send_due_reminders(*, now: datetime | None = None) -> int:
    """Send every reminder that is due (see the module docstring for which) and return how many
    were sent, each in its own transaction and each exactly once, even when two jobs run at once
    or a run is repeated after a crash."""
    now = now or timezone.now()
    # The policy is read once per run (not once per reminder).
    windows = reminder_hours()
    queued = 0
    # Filled by the after-commit callbacks: False for a reminder the mail server refused.
    outcomes: list[bool] = []
    for pk, hours, lower in due_reminders(now):
        kind = kind_for(hours)
        try:
            with transaction.atomic(durable=True):
                appointment = _lock(pk, now, hours, lower)
                if appointment is None or not (
                    appointment.patient.email or appointment.patient.may_be_texted
                ):
                    continue
                # Recorded first: the unique constraint makes a second job's insert fail.
                dispatch = ReminderDispatch.objects.create(appointment=appointment, kind=kind)
                check_in_link = issue_check_in_link(appointment)
                if hours == min(windows):
                    flag_unanswered(appointment)
                record_audit_event(
                    actor=None,
                    actor_label=JOB_LABEL,
                    event_type=AuditEventType.REMINDER_SENT,
                    target=appointment,
                    about=appointment,
                    details={"kind": kind, "starts_at": appointment.starts_at.isoformat()},
                )
                transaction.on_commit(
                    partial(_send_into, outcomes, dispatch.pk, appointment, kind, check_in_link)
                )
                if hours == max(windows):
                    transaction.on_commit(partial(send_visit_questionnaires, appointment))
        except IntegrityError:
            # Another run recorded (and so sends) this reminder.
            continue
        queued += 1
    return queued - outcomes.count(False)


def send_visit_questionnaires(appointment: Appointment) -> None:
    """Before a session or a follow-up, send the patient's questionnaire set automatically (on
    behalf of whoever booked the visit), unless a set is already waiting for them."""

    if not appointment.appointment_type.send_questionnaires:
        return
    patient = appointment.patient
    if QuestionnaireRequest.objects.filter(
        patient=patient, status=RequestStatus.OPEN, expires_at__gt=timezone.now()
    ).exists():
        return
    codes = (
        list(appointment.plan_version.instruments)
        if appointment.plan_version
        else instruments_for_conditions(patient.primary_conditions)
    )
    codes = patient_answered(codes)
    if not codes:
        return
    context = (
        AssessmentContext.PRE_SESSION
        if appointment.appointment_type.kind == AppointmentKind.TREATMENT
        else AssessmentContext.FOLLOW_UP
    )
    try:
        send_questionnaires(
            actor=None,
            system_label="appointment reminder job",
            patient=patient,
            instrument_codes=codes,
            context=context,
        )
    except ClinicError:
        logger.exception("Questionnaires before appointment %s could not be sent.", appointment.pk)
