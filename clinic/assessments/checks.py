"""Scheduled side-effect checks: every write to them, audited in the same transaction.

During maintenance the patient is asked, between visits and at the interval their plan's
protocol sets, whether they have side effects (who is due is decided above this app, in
`clinic.treatment.side_effect_checks`, which knows plans). The patient answers in the portal
with "nothing to report" or with a side-effect report, which then answers every open check.

Telling the patient: an e-mail (and a text where they said yes) with a sign-in link and no health
details, sent by the task queue once the check is committed. Until it has gone out the check has
no `notified_at`, and the next run of the daily job queues it again: a mail server that is down
delays the check, it does not lose it.
"""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from clinic.accounts.choices import Role
from clinic.assessments.choices import SideEffectCheckAnswer
from clinic.assessments.locks import (
    lock_open_side_effect_checks_of,
    lock_side_effect_check,
    lock_side_effect_check_to_notify,
)
from clinic.assessments.models import SideEffectCheck, SideEffectReport
from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.exceptions import ClinicError, NotFoundError
from clinic.core.permissions import ensure_role
from clinic.core.sms import SmsError, send_sms
from clinic.patients.models import Patient

logger = logging.getLogger(__name__)

JOB_LABEL = "side-effect check job"


def ask_for_side_effect_check(patient: Patient, *, asked_on: date) -> SideEffectCheck | None:
    """The job asks the patient for a check today: the check, or None when one was already
    asked today (a second run of the job). The notice is queued after commit."""
    try:
        with transaction.atomic():
            check = SideEffectCheck.objects.create(
                patient=patient, location_id=patient.location_id, asked_on=asked_on
            )
            record_audit_event(
                actor=None,
                actor_label=JOB_LABEL,
                event_type=AuditEventType.SIDE_EFFECT_CHECK_SENT,
                target=check,
                about=patient,
                details={"asked_on": asked_on.isoformat()},
            )
    except IntegrityError:
        return None
    transaction.on_commit(lambda: notify_side_effect_check.enqueue(check_id=check.pk))
    return check


def check_link() -> str:
    """The portal's home, which shows the waiting check first (the address of the side-effect
    page would itself say what the message is about)."""
    return settings.CLINIC_BASE_URL + reverse("patients:my_record")


def notify(check_id: int) -> bool:
    """Send the check's e-mail and text (once: the row is locked and marked in one transaction).
    False when there is nothing to send yet or sending failed (the job tries again)."""
    with transaction.atomic():
        check = lock_side_effect_check_to_notify(check_id)
        if check is None:
            return False
        patient = check.patient
        clinic = settings.OTP_TOTP_ISSUER
        sent = False
        try:
            if patient.email:
                send_mail(
                    subject=f"{clinic}: a short check-in from your care team",
                    message="\n".join(
                        [
                            f"Hello {patient.preferred_name or patient.legal_first_name},",
                            "",
                            f"Your care team at {clinic} asks how you have been since your last "
                            "visit. It takes a minute; sign in to your patient portal:",
                            check_link(),
                            "",
                            "If you are in crisis, call or text 988 (Suicide & Crisis Lifeline). "
                            "In an emergency, call 911.",
                            "",
                            check.location.contact_text(clinic),
                        ]
                    ),
                    from_email=None,
                    recipient_list=[patient.email],
                )
                sent = True
            if patient.may_be_texted:
                send_sms(
                    patient.phone,
                    f"{clinic}: your care team has a short check-in for you in your patient "
                    f"portal: {check_link()} Reply STOP to stop texts.",
                )
                sent = True
        except (OSError, SmsError) as error:
            # Nothing is marked: the next run of the job queues it again.
            logger.warning("side_effect_check.not_sent id=%s error=%s", check.pk, error)
            return False
        if sent:
            check.notified_at = timezone.now()
            check.save(update_fields=["notified_at", "updated_at"])
        return sent


@task()
def notify_side_effect_check(*, check_id: int) -> bool:
    """Background: tell the patient a check is waiting (queued when the check is committed)."""
    return notify(check_id)


def answer_nothing_to_report(*, actor, check: SideEffectCheck) -> SideEffectCheck:
    """The patient answers their open check: no side effects since the last visit."""
    ensure_role(
        actor,
        {Role.PATIENT},
        action="answer side-effect checks",
        event_type=AuditEventType.SIDE_EFFECT_CHECK_ANSWERED,
        patient_id=check.patient_id,
    )
    if check.patient.user_id != actor.pk:
        raise NotFoundError("We could not find that check.")
    with transaction.atomic(durable=True):
        locked = lock_side_effect_check(check.pk)
        if locked.answer == SideEffectCheckAnswer.NOTHING:
            return locked  # the same answer sent twice
        if locked.answer != SideEffectCheckAnswer.OPEN:
            raise ClinicError("This check is already answered with a report.")
        locked.answer = SideEffectCheckAnswer.NOTHING
        locked.answered_at = timezone.now()
        locked.save(update_fields=["answer", "answered_at", "updated_at"])
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.SIDE_EFFECT_CHECK_ANSWERED,
            target=locked,
            about=locked.patient,
            details={"answer": locked.answer},
        )
    return locked


def answer_open_checks_with(report: SideEffectReport, *, actor) -> int:
    """Inside the report's transaction: the report answers every open check of its patient."""
    open_checks = lock_open_side_effect_checks_of(report.patient_id)
    for check in open_checks:
        check.answer = SideEffectCheckAnswer.REPORTED
        check.answered_at = report.reported_at
        check.report = report
        check.save(update_fields=["answer", "answered_at", "report", "updated_at"])
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.SIDE_EFFECT_CHECK_ANSWERED,
            target=check,
            about=report.patient,
            details={"answer": check.answer, "report": str(report.public_id)},
        )
    return len(open_checks)


def open_check_of(patient: Patient) -> SideEffectCheck | None:
    """The patient's newest check still waiting for their answer."""
    return (
        SideEffectCheck.objects.filter(patient=patient, answer=SideEffectCheckAnswer.OPEN)
        .order_by("-asked_on", "-id")
        .first()
    )


def get_own_check(viewer, public_id) -> SideEffectCheck:
    check = (
        SideEffectCheck.objects.select_related("patient")
        .filter(public_id=public_id, patient__user=viewer)
        .first()
        if getattr(viewer, "is_authenticated", False)
        else None
    )
    if check is None:
        raise NotFoundError("We could not find that check.")
    return check
