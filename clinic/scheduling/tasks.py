"""Background work of scheduling (django-tasks; the database backend's worker runs it)."""

from __future__ import annotations

import logging
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django_tasks import task

from clinic.core.dates import show_datetime, show_time, show_weekday_date
from clinic.scheduling.choices import WaitlistOfferStatus, WaitlistStatus
from clinic.scheduling.models import WaitlistEntry, WaitlistOffer

logger = logging.getLogger(__name__)


@task()
def notify_waitlist_offer(*, offer_id: str) -> str:
    """E-mail a waiting patient that an earlier time is held for them (queued when the offer is
    committed); the portal shows the offer whether or not the e-mail arrives."""
    offer = (
        WaitlistOffer.objects.select_related(
            "entry__patient", "entry__appointment_type", "location"
        )
        .filter(public_id=offer_id)
        .first()
    )
    if offer is None or offer.status != WaitlistOfferStatus.OPEN:
        return "not open"
    patient = offer.entry.patient
    if not patient.email:
        return "no address"
    zone = offer.location.zone
    link = settings.CLINIC_BASE_URL + reverse("scheduling:my_appointments")
    try:
        send_mail(
            subject=f"An earlier appointment is free at {offer.location.name}",
            message=(
                f"An earlier time for your {offer.entry.appointment_type.name.lower()} is free: "
                f"{show_weekday_date(offer.starts_at, zone)} at {show_time(offer.starts_at, zone)}"
                f" ({offer.location.name}).\n"
                f"We hold it for you until {show_datetime(offer.expires_at, zone)}. "
                f"Sign in to book it or to let it go to the next patient:\n{link}\n"
            ),
            from_email=None,
            recipient_list=[patient.email],
        )
    except (SMTPException, OSError):
        logger.warning("waitlist offer e-mail failed", extra={"offer_id": offer_id})
        return "failed"
    return "sent"


@task()
def notify_waitlist_closed(*, entry_id: str) -> str:
    """E-mail a patient that their place on the waitlist closed because every date they wanted
    has passed (queued when the closing is committed, like an offer's e-mail); the portal says
    so whether or not the e-mail arrives."""
    entry = (
        WaitlistEntry.objects.select_related("patient", "appointment_type", "location")
        .filter(public_id=entry_id)
        .first()
    )
    if entry is None or entry.status != WaitlistStatus.EXPIRED:
        return "not closed"
    if not entry.patient.email:
        return "no address"
    link = settings.CLINIC_BASE_URL + reverse("scheduling:my_appointments")
    try:
        send_mail(
            subject=f"Your place on the waitlist at {entry.location.name} has ended",
            message=(
                f"You were waiting for an earlier {entry.appointment_type.name.lower()} between "
                f"{show_weekday_date(entry.earliest_on)} and {show_weekday_date(entry.latest_on)}."
                " Those dates have passed, so no earlier time can be offered and your place on "
                "the waitlist has ended. Your booked appointments are not changed. If you still "
                "want an earlier time, ask the clinic to put you on the waitlist again.\n"
                f"Your appointments (sign-in required):\n{link}\n"
            ),
            from_email=None,
            recipient_list=[entry.patient.email],
        )
    except (SMTPException, OSError):
        logger.warning("waitlist closed e-mail failed", extra={"entry_id": entry_id})
        return "failed"
    return "sent"
