"""Who is due a side-effect check between visits (pure rule, then one query for the candidates).

During maintenance a patient is asked about side effects every N days, N being the
`side_effect_check_days` of their current plan version's protocol (the medical director edits
it; empty: never). The interval counts from the latest of: the last check asked, the last
side-effect report they sent (a report is already an answer), and the day maintenance began (the
maintenance plan version's signature). A patient with a check still unanswered is not asked
again, and only a patient with a portal account is asked (the answer is given in the portal).
`manage.py send_side_effect_checks`, run daily by cron, asks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, Subquery

from clinic.assessments.checks import ask_for_side_effect_check, notify_side_effect_check
from clinic.assessments.choices import SideEffectCheckAnswer
from clinic.assessments.models import SideEffectCheck, SideEffectReport
from clinic.patients.choices import PatientStatus
from clinic.patients.models import Patient
from clinic.treatment.choices import ChangeReason, PlanStatus
from clinic.treatment.models import TreatmentPlanVersion

# A check whose notice could not be sent is tried again on the following runs for this long.
RESEND_NOTICE_DAYS = 7


def next_check_on(
    *, interval_days: int | None, last_asked_on, last_reported_on, maintenance_since
) -> date | None:
    """The day the next check falls due (None: never, no interval). With nothing to count from,
    the patient is due at once."""
    if not interval_days:
        return None
    starts = [d for d in (last_asked_on, last_reported_on, maintenance_since) if d is not None]
    if not starts:
        return date.min
    return max(starts) + timedelta(days=interval_days)


@dataclass(frozen=True)
class DueCheck:
    patient: Patient
    due_on: date


def due_side_effect_checks(today: date) -> list[DueCheck]:
    """Patients in maintenance whose next check is due on or before `today`."""
    current = TreatmentPlanVersion.objects.filter(
        plan__patient=OuterRef("pk"), plan__status=PlanStatus.ACTIVE
    ).order_by("-number")
    candidates = (
        Patient.objects.filter(user__isnull=False, user__is_active=True)
        .annotate(
            interval_days=Subquery(current.values("protocol__side_effect_check_days")[:1]),
            change_reason=Subquery(current.values("change_reason")[:1]),
            version_signed_at=Subquery(current.values("signed_at")[:1]),
            # Subqueries, not Max over two joins: joined, every check would be paired with
            # every report of the patient.
            last_asked_on=Subquery(
                SideEffectCheck.objects.filter(patient=OuterRef("pk"))
                .order_by("-asked_on")
                .values("asked_on")[:1]
            ),
            last_reported_at=Subquery(
                SideEffectReport.objects.filter(patient=OuterRef("pk"))
                .order_by("-reported_at")
                .values("reported_at")[:1]
            ),
            waiting=Exists(
                SideEffectCheck.objects.filter(
                    patient=OuterRef("pk"), answer=SideEffectCheckAnswer.OPEN
                )
            ),
        )
        .filter(interval_days__isnull=False, waiting=False)
        .filter(Q(status=PatientStatus.MAINTENANCE) | Q(change_reason=ChangeReason.MAINTENANCE))
        .select_related("location")
        .order_by("pk")
    )
    due = []
    for patient in candidates:
        zone = patient.location.zone
        since = (
            patient.version_signed_at.astimezone(zone).date()
            if patient.change_reason == ChangeReason.MAINTENANCE and patient.version_signed_at
            else None
        )
        reported = (
            patient.last_reported_at.astimezone(zone).date() if patient.last_reported_at else None
        )
        due_on = next_check_on(
            interval_days=patient.interval_days,
            last_asked_on=patient.last_asked_on,
            last_reported_on=reported,
            maintenance_since=since,
        )
        if due_on is not None and due_on <= today:
            due.append(DueCheck(patient, due_on))
    return due


def send_side_effect_checks(today: date) -> tuple[int, int]:
    """Ask every patient who is due (once a day at most), and queue again the notices of recent
    checks that have not gone out. Returns (checks asked, notices queued again)."""
    asked = sum(
        1
        for item in due_side_effect_checks(today)
        if ask_for_side_effect_check(item.patient, asked_on=today) is not None
    )
    unsent = SideEffectCheck.objects.filter(
        answer=SideEffectCheckAnswer.OPEN,
        notified_at__isnull=True,
        asked_on__gte=today - timedelta(days=RESEND_NOTICE_DAYS),
        asked_on__lt=today,
    ).values_list("pk", flat=True)
    again = 0
    for check_id in unsent:
        notify_side_effect_check.enqueue(check_id=check_id)
        again += 1
    return asked, again
