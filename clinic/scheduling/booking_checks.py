"""What a booking should not pass without a word: the front desk is told, and books anyway only
with a reason, which the booking keeps (and its audit entry).

- A member of staff with **no working hours on record** at the location: nothing says they work
  then (staff with hours are held to them as a conflict, `clinic.scheduling.conflicts`).
- A treatment **outside the plan**: another route than the active plan's, or,
  once the plan's induction sessions are all given or booked, a further one sooner than the
  plan's maintenance interval after the last [UNVERIFIED: clinic policy; the plan's own numbers
  are the clinician's, the check only compares the booking with them].

Warnings, not conflicts: the clinician may have asked for the extra session, or the nurse's hours
may simply not be entered yet. Dose spacing (`clinic.scheduling.dose_spacing`) stays a warning
recorded without a reason: the checks before dosing decide on the day."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from clinic.core.choices import Route
from clinic.core.dates import show_weekday_date
from clinic.scheduling.choices import AppointmentKind
from clinic.scheduling.dose_spacing import standing_treatments
from clinic.scheduling.models import StaffHours
from clinic.treatment.dose_history import doses_given
from clinic.treatment.selectors import current_plan_version

OVERRIDE_REASON_MAX_CHARS = 300


def staff_hours_warning(staff, location) -> str:
    if staff is None or StaffHours.objects.filter(user=staff, location=location).exists():
        return ""
    return (
        f"{staff.full_name} has no working hours on record at {location.name}: nothing says "
        "they work then."
    )


def outside_plan_warning(*, patient, appointment_type, starts_at: datetime, ignore_id=None) -> str:
    """Why a treatment booked at `starts_at` is outside the patient's plan; "" when it is not a
    treatment, or fits the plan."""
    if appointment_type.kind != AppointmentKind.TREATMENT:
        return ""
    version = current_plan_version(patient)
    if version is None:
        # Nothing to be outside of: a first session is often booked while the plan is being
        # signed, and no dose is given without one (the session's gates refuse it).
        return ""
    if appointment_type.route and appointment_type.route != version.route:
        return (
            f"The plan gives ketamine by {Route(version.route).label.lower()}; this booking "
            f"is for {appointment_type.name}."
        )
    plan_started = timezone.make_aware(
        datetime.combine(version.start_date, datetime.min.time()), patient.location.zone
    )
    doses = doses_given(patient=patient)
    given = [dose.at for dose in doses if plan_started <= dose.at < starts_at]
    dosed_appointments = {dose.appointment_id for dose in doses}
    booked = list(
        standing_treatments(patient, dosed_appointments=dosed_appointments, ignore_id=ignore_id)
        .filter(starts_at__gte=plan_started, starts_at__lt=starts_at)
        .values_list("starts_at", flat=True)
    )
    before = sorted(given + booked)
    if len(before) < version.induction_sessions:
        return ""  # one of the induction's sessions
    last = before[-1]
    interval = timedelta(days=version.maintenance_interval_days)
    if starts_at - last >= interval:
        return ""  # a maintenance session, spaced as the plan says
    return (
        f"The plan's induction of {version.induction_sessions} sessions is already given or "
        f"booked, and its maintenance sessions are {version.maintenance_interval_days} days "
        f"apart; this one is {(starts_at - last).days} days after the last "
        f"({show_weekday_date(last, patient.location.zone)}): an extra session outside the plan."
    )


def booking_warnings(
    *,
    patient,
    appointment_type,
    starts_at: datetime,
    staff,
    ignore_id=None,
    in_plan_series: bool = False,
) -> list[str]:
    """Every warning of this booking, in sentences. `in_plan_series`: one of the sessions the
    plan itself proposes (booked from its series), never outside it."""
    found = [staff_hours_warning(staff, patient.location)]
    if not in_plan_series:
        found.append(
            outside_plan_warning(
                patient=patient,
                appointment_type=appointment_type,
                starts_at=starts_at,
                ignore_id=ignore_id,
            )
        )
    return [warning for warning in found if warning]
