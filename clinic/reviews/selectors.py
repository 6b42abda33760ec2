"""Reads of follow-up reviews, and the facts a review opens with, scoped to what the viewer may
see (the patient comes from `patient_or_404`, which scopes by location)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from clinic.assessments.choices import AlertStatus as SafetyAlertStatus
from clinic.assessments.models import SafetyAlert
from clinic.assessments.selectors import patient_progress, patient_relapses
from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.patients.choices import PatientStatus
from clinic.reviews.choices import ReviewStatus
from clinic.reviews.models import FollowUpReview, ReviewPolicy
from clinic.scheduling.choices import (
    AppointmentKind,
    AppointmentStatus,
    FollowUpKind,
    FollowUpStatus,
)
from clinic.scheduling.models import Appointment, FollowUp
from clinic.sessions.choices import SessionStatus
from clinic.sessions.models import MonitoringAlert, SideEffect, TreatmentSession
from clinic.treatment.choices import ChangeReason
from clinic.treatment.goals import describe_target
from clinic.treatment.selectors import current_plan_version, plan_goal_progress

# Lists in the facts are capped: a review covers weeks, not years; the counts stay exact.
FACT_LIST_LIMIT = 100


def get_policy() -> ReviewPolicy:
    policy = ReviewPolicy.objects.filter(singleton=True).first()
    return policy if policy is not None else ReviewPolicy()


def patient_reviews(patient) -> list[FollowUpReview]:
    return list(
        FollowUpReview.objects.filter(patient=patient)
        .select_related("signed_by", "clinician", "plan_draft")
        .order_by("-created_at", "-id")[:50]
    )


def review_for(patient, public_id) -> FollowUpReview | None:
    """The patient's review with this public id (None for another patient's)."""
    return (
        FollowUpReview.objects.filter(patient=patient, public_id=public_id)
        .select_related("patient", "patient__location", "signed_by", "clinician", "follow_up")
        .first()
    )


def open_review(patient) -> FollowUpReview | None:
    return FollowUpReview.objects.filter(patient=patient, status=ReviewStatus.IN_PROGRESS).first()


def last_signed_review(patient, *, excluding=None) -> FollowUpReview | None:
    reviews = FollowUpReview.objects.filter(patient=patient, signed_at__isnull=False)
    if excluding is not None:
        reviews = reviews.exclude(pk=excluding.pk)
    return reviews.order_by("-signed_at", "-id").first()


def due_review_follow_ups(patient) -> list[FollowUp]:
    """The patient's review follow-ups that are not done yet."""
    return list(
        FollowUp.objects.filter(patient=patient, kind=FollowUpKind.REVIEW)
        .exclude(status=FollowUpStatus.DONE)
        .order_by("due_on", "id")[:10]
    )


def due_review_follow_up(patient, public_id) -> FollowUp | None:
    return (
        FollowUp.objects.filter(patient=patient, kind=FollowUpKind.REVIEW, public_id=public_id)
        .exclude(status=FollowUpStatus.DONE)
        .first()
    )


def in_maintenance(patient, version=None) -> bool:
    """In maintenance: the patient's status says so, or the current plan version is one."""
    version = version if version is not None else current_plan_version(patient)
    return patient.status == PatientStatus.MAINTENANCE or (
        version is not None and version.change_reason == ChangeReason.MAINTENANCE
    )


def induction_ends_on(version):
    """The last induction date the plan version proposes (None without a version)."""
    if version is None or not version.proposed_dates:
        return None
    dates = version.proposed_dates[: version.induction_sessions]
    return datetime.fromisoformat(dates[-1]).date() if dates else None


def _day(moment, zone) -> str:
    return timezone.localtime(moment, zone).date().isoformat() if moment else ""


def _number(value) -> str | None:
    if value is None:
        return None
    value = Decimal(value)
    return str(int(value)) if value == value.to_integral() else str(value.normalize())


def _window(queryset, field: str, since, until):
    queryset = queryset.filter(**{f"{field}__lte": until})
    return queryset.filter(**{f"{field}__gt": since}) if since is not None else queryset


def review_facts(patient, *, since: datetime | None, until: datetime | None = None) -> dict:
    """What the record says since the last review (`since`; None: since care began) up to
    `until` (now): scores with response and remission from baseline and change since the last
    review, sessions given and not given, side effects, vital-sign and safety alerts, and the
    plan. JSON-ready (text, numbers, booleans): signing freezes exactly this. A fixed number of
    queries; each list holds at most FACT_LIST_LIMIT rows."""
    until = until or timezone.now()
    zone = patient.location.zone
    relapses = {r.instrument_code: r for r in patient_relapses(patient)}
    instruments = []
    for progress in patient_progress(patient):
        points = [p for p in progress.points if p.taken_at <= until]
        if not points:
            continue
        at_review = [p for p in points if since is not None and p.taken_at <= since]
        at_last_review = at_review[-1] if at_review else None
        latest = points[-1]
        relapse = relapses.get(progress.instrument.code)
        instruments.append(
            {
                "code": progress.instrument.code,
                "name": progress.instrument.short_name,
                "baseline": _number(progress.baseline.total),
                "baseline_on": _day(progress.baseline.taken_at, zone),
                "latest": _number(latest.total),
                "latest_on": _day(latest.taken_at, zone),
                "change_from_baseline_percent": _number(progress.change_percent),
                "response": progress.response,
                "remission": progress.remission_status,
                "at_last_review": _number(at_last_review.total) if at_last_review else None,
                "change_since_last_review": (
                    _number(latest.total - at_last_review.total) if at_last_review else None
                ),
                "answers_since_last_review": len(
                    [p for p in points if since is None or p.taken_at > since]
                ),
                "possible_relapse": relapse.text if relapse else "",
            }
        )
    given = _window(
        TreatmentSession.objects.filter(patient=patient, dosed_at__isnull=False),
        "dosed_at",
        since,
        until,
    ).order_by("dosed_at", "id")
    given_rows = list(given.values_list("dosed_at", "route", "dose_given_mg", "dose_mg"))
    not_done = _window(
        TreatmentSession.objects.filter(patient=patient, status=SessionStatus.NOT_DONE),
        "created_at",
        since,
        until,
    )
    missed = _window(
        Appointment.objects.filter(
            patient=patient,
            appointment_type__kind=AppointmentKind.TREATMENT,
            status__in=[AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW],
        ),
        "starts_at",
        since,
        until,
    )
    missed_rows = list(missed.order_by("starts_at").values_list("starts_at", "status"))
    side_effects = _window(
        SideEffect.objects.filter(session__patient=patient), "onset_at", since, until
    ).order_by("onset_at", "id")
    vital_alerts = _window(
        MonitoringAlert.objects.filter(session__patient=patient), "raised_at", since, until
    ).order_by("raised_at", "id")
    safety_alerts = _window(
        SafetyAlert.objects.filter(patient=patient), "raised_at", since, until
    ).order_by("raised_at", "id")
    version = current_plan_version(patient)
    plan = None
    if version is not None:
        plan = {
            "version": version.number,
            "route": version.get_route_display(),
            "dose": _number(version.dose),
            "dose_unit": version.get_dose_unit_display(),
            "dose_mg": _number(version.dose_mg),
            "infusion_minutes": version.infusion_minutes,
            "induction_sessions": version.induction_sessions,
            "maintenance_interval_days": version.maintenance_interval_days,
            "phase": "maintenance" if in_maintenance(patient, version) else "induction",
            "doses_given_under_version": TreatmentSession.objects.filter(
                plan_version=version, dosed_at__isnull=False
            ).count(),
        }
    goals = [
        {
            "words": progress.goal.get("words", ""),
            "target": describe_target(progress.goal),
            "measure": progress.goal.get("measure", ""),
            "target_date": progress.goal.get("target_date", ""),
            "status": progress.status,
            "status_label": progress.status_label,
            "baseline": _number(progress.baseline),
            "latest": _number(progress.latest),
            "latest_on": _day(progress.latest_on, zone),
            "target_value": _number(progress.target_value),
            "change_percent": _number(progress.change_percent),
            "summary": progress.summary,
        }
        for progress in (plan_goal_progress(patient, version, until=until) if version else [])
    ]
    return {
        "since": _day(since, zone) if since else "",
        "until": _day(until, zone),
        "plan": plan,
        "goals": goals,
        "instruments": instruments,
        "sessions": {
            "given": len(given_rows),
            "given_list": [
                {
                    "on": _day(at, zone),
                    "route": route,
                    "dose_mg": _number(given_mg if given_mg is not None else dose_mg),
                }
                for at, route, given_mg, dose_mg in given_rows[:FACT_LIST_LIMIT]
            ],
            "not_done": not_done.count(),
            "cancelled": sum(1 for _, s in missed_rows if s == AppointmentStatus.CANCELLED),
            "no_show": sum(1 for _, s in missed_rows if s == AppointmentStatus.NO_SHOW),
        },
        "side_effects": [
            {
                "on": _day(effect.onset_at, zone),
                "kind": effect.get_kind_display(),
                "severity": effect.get_severity_display(),
                "outcome": effect.get_outcome_display(),
                "details": effect.details,
            }
            for effect in side_effects[:FACT_LIST_LIMIT]
        ],
        "vital_sign_alerts": [
            {"on": _day(alert.raised_at, zone), "message": alert.message, "stop": alert.stop_level}
            for alert in vital_alerts[:FACT_LIST_LIMIT]
        ],
        "safety_alerts": [
            {
                "on": _day(alert.raised_at, zone),
                "reason": alert.get_reason_display(),
                "open": alert.status == SafetyAlertStatus.OPEN,
            }
            for alert in safety_alerts[:FACT_LIST_LIMIT]
        ],
    }


def facts_of(review: FollowUpReview) -> dict[str, Any]:
    """The facts as signed, or as the record stands while the review is in progress."""
    if review.is_locked and review.facts is not None:
        return review.facts
    return review_facts(review.patient, since=review.since)


def record_review_viewed(viewer, review: FollowUpReview) -> None:
    """A review shows scores, sessions, side effects and the clinician's assessment: every
    showing is audited (HIPAA §164.312(b) audit controls)."""
    record_audit_event(
        actor=viewer,
        event_type=AuditEventType.REVIEW_VIEWED,
        target=review,
        about=review,
    )
