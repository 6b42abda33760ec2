"""The booking's warning of a treatment too close to another dose: the protocol's days between
doses and its most doses in any 7 days (`clinic.treatment.rules.dose_spacing`, with its sources),
weighed against the doses already given (sessions fill `clinic.treatment.dose_history`) and the
patient's other treatment bookings, before and after it. A warning, never a refusal: the
front desk sees it, the booking records it, and the pre-dose gates decide on the day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from clinic.core.choices import Route
from clinic.core.dates import show_time, show_weekday_date
from clinic.scheduling.choices import AppointmentKind, AppointmentStatus
from clinic.scheduling.models import Appointment
from clinic.treatment.dose_history import doses_given
from clinic.treatment.rules import DoseOnRecord, dose_spacing, spacing_messages
from clinic.treatment.selectors import current_plan_version

# Bookings that still stand for a dose to come (a completed one has its dose given, or none).
STANDING = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)
WARNING_MAX_LENGTH = 1000


def standing_treatments(patient, *, dosed_appointments, ignore_id=None):
    """The patient's treatment bookings that still stand for a dose to come: not yet dosed
    (`dosed_appointments`), and not the booking being moved (`ignore_id`)."""
    return (
        Appointment.objects.filter(
            patient=patient, appointment_type__kind=AppointmentKind.TREATMENT, status__in=STANDING
        )
        .exclude(pk__in=dosed_appointments)
        .exclude(pk__in=[ignore_id] if ignore_id is not None else [])
    )


def _label(verb: str, at: datetime, zone, route: str = "") -> str:
    local = timezone.localtime(at, zone)
    route_label = f" ({Route(route).label.lower()})" if route in Route.values else ""
    return f"{verb} {show_weekday_date(local)} at {show_time(local)}{route_label}"


def spacing_warning(
    *,
    patient,
    appointment_type,
    starts_at: datetime,
    plan_version=None,
    also: Iterable[datetime] = (),
    ignore_id: int | None = None,
) -> str:
    """Why a treatment at `starts_at` would come too soon after (or before) another dose, in
    sentences; "" when it is spaced as the protocol asks, or is not a treatment, or the patient
    has no plan. `also`: the other sessions of a series booked with it."""
    if appointment_type.kind != AppointmentKind.TREATMENT:
        return ""
    version = plan_version or current_plan_version(patient)
    if version is None:
        return ""
    protocol = version.protocol
    zone = patient.location.zone
    given = doses_given(patient=patient)
    dosed_appointments = {dose.appointment_id for dose in given}
    others = [
        DoseOnRecord(timezone.localdate(d.at, zone), _label("given", d.at, zone, d.route))
        for d in given
    ]
    booked = standing_treatments(
        patient, dosed_appointments=dosed_appointments, ignore_id=ignore_id
    ).values_list("starts_at", flat=True)
    others += [
        DoseOnRecord(timezone.localdate(at, zone), _label("booked", at, zone)) for at in booked
    ]
    others += [
        DoseOnRecord(timezone.localdate(at, zone), _label("in this series", at, zone))
        for at in also
        if at != starts_at
    ]
    spacing = dose_spacing(
        timezone.localdate(starts_at, zone),
        others,
        minimum_days_between=protocol.minimum_days_between_doses,
        maximum_per_7_days=protocol.maximum_doses_per_7_days,
    )
    if spacing.ok:
        return ""
    messages = spacing_messages(
        spacing,
        minimum_days_between=protocol.minimum_days_between_doses,
        maximum_per_7_days=protocol.maximum_doses_per_7_days,
    )
    text = (
        " ".join(messages)
        + f" ({protocol.name}: at least {protocol.minimum_days_between_doses} calendar day(s) "
        f"between doses, at most {protocol.maximum_doses_per_7_days} in any 7 days.)"
    )
    if len(text) > WARNING_MAX_LENGTH:
        text = text[: WARNING_MAX_LENGTH - 1] + "…"
    return text
