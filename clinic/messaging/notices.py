"""Sending the "a reply is waiting" notices, once each, retrying when the mail server or the SMS
provider is down.

A notice says only that a message is waiting, with a link to sign in: no topic, no words of the
message, nothing about health (an e-mail or a text can be read by others on a shared screen).

Once. The notice row is locked while it is sent and marked sent in the same transaction, so two
workers (the task and the retry command) never both send it. Retries. A failure is recorded on
the row (how many tries, the provider's reason) and the row is tried again after a growing wait
(`RETRY_MINUTES`) by `manage.py send_message_notices`; after the last try it is marked not
delivered, and the staff inbox shows it, so someone reaches the patient another way. The message
itself is safe in the database all along: nothing is lost while mail or SMS is down.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.services import record_audit_event
from clinic.core.sms import send_sms
from clinic.messaging.choices import NoticeChannel, NoticeStatus
from clinic.messaging.locks import lock_notice_to_send
from clinic.messaging.models import MessagingPolicy, Notice

logger = logging.getLogger(__name__)

# Waits before the 2nd, 3rd, … try; after the last one the notice is not delivered [clinic
# policy: five tries over about a day].
RETRY_MINUTES = (5, 30, 120, 720)
MAX_ATTEMPTS = len(RETRY_MINUTES) + 1
JOB_LABEL = "message notice job"


def notice_text(notice: Notice) -> tuple[str, str]:
    """Subject and body (the body alone for a text). No health details."""
    clinic = settings.OTP_TOTP_ISSUER
    link = settings.CLINIC_BASE_URL + reverse(
        "messaging:my_conversation", args=[notice.message.conversation.public_id]
    )
    if notice.channel == NoticeChannel.SMS:
        return (
            "",
            f"{clinic}: a new message is waiting for you in your patient portal: {link} Reply STOP to stop texts.",
        )
    policy = MessagingPolicy.current()
    body = "\n".join(
        [
            "Hello,",
            "",
            f"The care team at {clinic} has answered you. Sign in to read the reply:",
            link,
            "",
            "Please do not reply to this e-mail; write to the team from the portal.",
            f"Messages are read {policy.staffed_hours}; they are not monitored around the clock.",
            "If you are in crisis, call or text 988 (Suicide & Crisis Lifeline). "
            f"In an emergency, call {policy.emergency_number}.",
            "",
            notice.message.conversation.location.contact_text(clinic),
        ]
    )
    return f"{clinic}: a reply is waiting for you", body


def _deliver(notice: Notice) -> None:
    subject, body = notice_text(notice)
    if notice.channel == NoticeChannel.SMS:
        send_sms(notice.recipient, body)
    else:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[notice.recipient])


def send_one(notice_pk: int, *, now: datetime | None = None) -> str:
    """Try to send one notice; returns its status afterwards ("sent", "retrying", "failed"), or
    "skipped" if it was already sent or another worker holds it."""
    with transaction.atomic(durable=True):
        notice = lock_notice_to_send(notice_pk)
        if notice is None:
            return "skipped"
        now = now or timezone.now()
        conversation = notice.message.conversation
        notice.attempts += 1
        try:
            _deliver(notice)
        except Exception as error:
            logger.exception("message_notice.not_sent notice=%s", notice.pk)
            notice.last_error = f"{type(error).__name__}: {error}"[:300]
            if notice.attempts >= MAX_ATTEMPTS:
                notice.status = NoticeStatus.FAILED
            else:
                notice.status = NoticeStatus.RETRYING
                notice.next_attempt_at = now + timedelta(minutes=RETRY_MINUTES[notice.attempts - 1])
            outcome = AuditOutcome.FAILED
        else:
            notice.status = NoticeStatus.SENT
            notice.sent_at = now
            notice.last_error = ""
            outcome = AuditOutcome.SUCCESS
        notice.save()
        record_audit_event(
            actor=None,
            actor_label=JOB_LABEL,
            event_type=AuditEventType.MESSAGE_NOTICE_SENT,
            target=notice,
            about=conversation,
            outcome=outcome,
            details={"channel": notice.channel, "attempt": notice.attempts},
        )
        return notice.status


def send_due_notices(*, now: datetime | None = None) -> dict[str, int]:
    """Every notice due now: those waiting to be retried, and those still pending a few minutes
    after they were queued (the worker was down). Returns how many ended in each status."""
    now = now or timezone.now()
    due = Notice.objects.filter(
        status__in=[NoticeStatus.PENDING, NoticeStatus.RETRYING], next_attempt_at__lte=now
    ).exclude(status=NoticeStatus.PENDING, created_at__gt=now - timedelta(minutes=2))
    counts: dict[str, int] = {}
    for pk in list(due.order_by("pk").values_list("pk", flat=True)):
        status = send_one(pk, now=now)
        counts[status] = counts.get(status, 0) + 1
    return counts
