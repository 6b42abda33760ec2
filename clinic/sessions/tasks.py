"""Background work of the treatment sessions (django-tasks; the database backend's worker runs it).

A stop-level vital-sign alert is e-mailed to the supervising clinician the moment it is committed:
the location's on-call inbox, else the clinic's, else every prescriber at the location (the same
recipients as an urgent questionnaire safety alert). The e-mail carries a link, not the readings.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from clinic.assessments.services import on_call_recipients
from clinic.core.dates import show_time
from clinic.sessions.choices import AlertStatus
from clinic.sessions.models import MonitoringAlert

logger = logging.getLogger(__name__)


@task()
def notify_stop_level_alert(*, alert_id: str) -> None:
    _notify(alert_id)


@task()
def notify_stop_level_alerts(*, alert_ids: list[str]) -> None:
    """The stop-level alerts one monitor batch raised, queued as one task: each is e-mailed on its
    own, as `notify_stop_level_alert` e-mails it, and one that cannot be sent does not keep the
    others from being sent (the task then fails, naming it)."""
    failed = []
    for alert_id in alert_ids:
        try:
            _notify(alert_id)
        except Exception:
            logger.exception("session_alert.not_notified alert=%s", alert_id)
            failed.append(alert_id)
    if failed:
        raise RuntimeError(f"Stop-level alerts not e-mailed: {', '.join(failed)}.")


def _notify(alert_id: str) -> None:
    alert = (
        MonitoringAlert.objects.filter(public_id=alert_id)
        .select_related("session", "session__location", "session__appointment__room")
        .first()
    )
    if alert is None or alert.status != AlertStatus.OPEN:
        return
    session = alert.session
    location = session.location
    recipients = on_call_recipients(location)
    if not recipients:
        logger.error("session_alert.no_recipient alert=%s location=%s", alert.pk, location.pk)
        return
    room = session.appointment.room.name if session.appointment.room else "the treatment room"
    raised = timezone.localtime(alert.raised_at, location.zone)
    link = settings.CLINIC_BASE_URL + reverse("sessions:detail", args=[session.public_id])
    send_mail(
        subject=f"URGENT stop-level vital-sign alert — {location.name}, {room}",
        message=(
            f"A reading at {show_time(raised)} in {room} at {location.name} breached the protocol's "
            f"stop level ({len(alert.breach_list)} breach(es)). A prescriber must review the "
            "patient and acknowledge the alert.\n\n"
            f"Open the session now (sign-in required):\n{link}\n"
        ),
        from_email=None,
        recipient_list=recipients,
    )
    logger.info("session_alert.notified alert=%s", alert.pk)
