"""Reads of questionnaires, scores and alerts, scoped to what the viewer may see."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.accounts.choices import CLINICAL_ROLES, Role
from clinic.assessments.choices import REVIEW_REASONS, AlertStatus, RequestStatus, ResponseStatus
from clinic.assessments.instruments import INSTRUMENTS
from clinic.assessments.models import (
    AssessmentPolicy,
    AssessmentResponse,
    ProgressSummary,
    QuestionnaireRequest,
    SafetyAlert,
    SafetyAlertContactAttempt,
    SideEffectReport,
)
from clinic.assessments.permissions import can_record_alert_contact, can_view_results
from clinic.assessments.policy import clinic_instrument, get_policy
from clinic.assessments.progress import Point, Progress, completed_point, compute_progress
from clinic.assessments.relapse import (
    DEFAULT_RELAPSE_SHARE_PERCENT,
    Relapse,
    possible_relapse,
    relapse_threshold,
)
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.services import record_audit_event
from clinic.core.exceptions import NotFoundError
from clinic.patients.choices import PatientStatus
from clinic.patients.models import Patient
from clinic.patients.permissions import can_view_patient
from clinic.patients.selectors import visible_patients

CARE_STATUSES = (PatientStatus.IN_EVALUATION, PatientStatus.ACTIVE, PatientStatus.MAINTENANCE)


def completed_responses(patient) -> QuerySet[AssessmentResponse]:
    return AssessmentResponse.objects.filter(patient=patient, status=ResponseStatus.COMPLETED)


def patient_progress(patient) -> list[Progress]:
    """One Progress per instrument the patient has scores for, in registry order (one query)."""
    policy = get_policy()
    by_code: dict[str, list[Point]] = defaultdict(list)
    rows = (
        completed_responses(patient)
        .order_by("taken_at", "id")
        .values_list("instrument_code", "taken_at", "total", "severity", "context", "public_id")
    )
    for code, taken_at, total, severity, context, public_id in rows:
        by_code[code].append(completed_point(taken_at, total, severity, context, str(public_id)))
    return [
        compute_progress(clinic_instrument(code, policy), by_code[code])
        for code in INSTRUMENTS
        if by_code.get(code)
    ]


def patient_relapses(patient) -> list[Relapse]:
    """Each instrument on which the patient may be relapsing (clinic.assessments.relapse)."""
    policy = get_policy()
    by_code: dict[str, list[Point]] = defaultdict(list)
    rows = (
        completed_responses(patient)
        .filter(taken_at__isnull=False, total__isnull=False)
        .order_by("taken_at", "id")
        .values_list("instrument_code", "taken_at", "total", "context")
    )
    for code, taken_at, total, context in rows:
        by_code[code].append(completed_point(taken_at, total, "", context))
    found = []
    for code in INSTRUMENTS:
        if by_code.get(code):
            relapse = possible_relapse(
                clinic_instrument(code, policy),
                by_code[code],
                share_percent=policy.relapse_share_percent,
            )
            if relapse is not None:
                found.append(relapse)
    return found


def relapsing_summaries(summaries: QuerySet[ProgressSummary], share_percent) -> QuerySet:
    """The series among `summaries` that `possible_relapse` flags, as one indexed query: a
    response, then the previous and the latest answers (both after the best) above the point
    `share_percent` of the way from the best score back to baseline."""
    threshold = ExpressionWrapper(
        F("best_total") + (F("baseline_total") - F("best_total")) * share_percent / 100,
        output_field=DecimalField(max_digits=8, decimal_places=4),
    )
    return (
        summaries.filter(responded=True, previous_taken_at__gt=F("best_taken_at"))
        .alias(relapse_threshold=threshold)
        .filter(latest_total__gt=F("relapse_threshold"), previous_total__gt=F("relapse_threshold"))
    )


def patient_relapse_flags(patient) -> list[Relapse]:
    """The same flags as `patient_relapses`, read from the progress summaries in one query (the
    policy's share read inside it): for a banner shown on every chart page."""
    share = Coalesce(
        Subquery(
            AssessmentPolicy.objects.filter(singleton=True).values("relapse_share_percent")[:1]
        ),
        Value(DEFAULT_RELAPSE_SHARE_PERCENT),
    )
    rows = relapsing_summaries(
        ProgressSummary.objects.filter(patient=patient).annotate(share=share), share
    ).order_by("instrument_code")
    return [
        Relapse(
            row.instrument_code,
            row.baseline_total,
            row.best_total,
            relapse_threshold(row.baseline_total, row.best_total, row.share),
            (row.previous_total, row.latest_total),
        )
        for row in rows
        if row.instrument_code in INSTRUMENTS
    ]


def recent_responses(patient, limit: int = 50) -> list[AssessmentResponse]:
    return list(
        AssessmentResponse.objects.filter(patient=patient)
        .exclude(status=ResponseStatus.IN_PROGRESS)
        .select_related("entered_by", "handed_over_by")
        .order_by("-taken_at", "-id")[:limit]
    )


def open_requests(patient) -> list[QuestionnaireRequest]:
    return list(
        QuestionnaireRequest.objects.filter(
            patient=patient, status=RequestStatus.OPEN, expires_at__gt=timezone.now()
        )
        .select_related("sent_by")
        .order_by("-created_at")
    )


def patient_alerts(patient) -> list[SafetyAlert]:
    return list(
        SafetyAlert.objects.filter(patient=patient)
        .select_related("response", "resolved_by")
        .order_by("status", "-raised_at")[:20]
    )


def get_alert(viewer, public_id, *, to_contact: bool = False) -> SafetyAlert:
    """One alert of a patient the viewer may see. Clinical staff only, unless `to_contact`: then
    whoever may phone the patient about it (the front desk too), for a page that shows them no
    more than its contact sheet (`alert_contact_sheet`)."""
    allowed = can_record_alert_contact(viewer) if to_contact else can_view_results(viewer)
    alert = (
        SafetyAlert.objects.select_related("patient", "response", "side_effect_report")
        .filter(public_id=public_id)
        .first()
    )
    if (
        alert is None
        or not allowed
        or not visible_patients(viewer).filter(pk=alert.patient_id).exists()
    ):
        raise NotFoundError("We could not find that alert.")
    return alert


def list_alert_contact_attempts(alert: SafetyAlert) -> list[SafetyAlertContactAttempt]:
    """The attempts to reach the patient about an alert, oldest first (the alert's timeline);
    the alert is one get_alert already gave the viewer."""
    return list(alert.contact_attempts.select_related("recorded_by").order_by("attempted_at", "id"))


@dataclass(frozen=True)
class ContactAttemptLine:
    """One attempt to reach the patient, as the contact sheet shows it."""

    outcome: str
    attempted_at: datetime
    recorded_by: str
    # Empty when a clinician or nurse wrote it: what a reached patient said is clinical.
    note: str


@dataclass(frozen=True)
class AlertContactSheet:
    """What someone asked to phone the patient about a safety alert needs, and nothing more: who
    to call and on which numbers, how urgent, since when, whether it is still open and the
    attempts so far. No reason, score, answer or resolution: those stay with clinical staff, so
    a page drawn from this cannot show them by mistake."""

    public_id: uuid.UUID
    patient: Patient
    is_urgent: bool
    is_open: bool
    raised_at: datetime
    attempts: tuple[ContactAttemptLine, ...] = ()


def _contact_lines(attempts) -> tuple[ContactAttemptLine, ...]:
    return tuple(
        ContactAttemptLine(
            outcome=attempt.get_outcome_display(),
            attempted_at=attempt.attempted_at,
            recorded_by=attempt.recorded_by.full_name,
            note="" if attempt.recorded_by.role in CLINICAL_ROLES else attempt.note,
        )
        for attempt in attempts
    )


def alert_contact_sheet(alert: SafetyAlert, attempts=None) -> AlertContactSheet:
    """The contact sheet of an alert get_alert(…, to_contact=True) gave the viewer; `attempts`
    when the caller has them already (prefetched), else they are read."""
    return AlertContactSheet(
        public_id=alert.public_id,
        patient=alert.patient,
        is_urgent=alert.is_urgent,
        is_open=alert.status == AlertStatus.OPEN,
        raised_at=alert.raised_at,
        attempts=_contact_lines(
            list_alert_contact_attempts(alert) if attempts is None else attempts
        ),
    )


# 1 for an alert that asks only for a review before the next dose, 0 for an urgent one: sorting
# on it puts the urgent alerts first (the reasons are a Python set, not a column).
_REVIEW_ONLY = Case(
    When(reason__in=REVIEW_REASONS, then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)


# The front desk's dashboard panel lists this many alerts to call about; the list page all.
CONTACT_PANEL_LIMIT = 10


def alerts_to_contact(viewer, *, limit: int | None = None, part: str) -> dict | None:
    """The open safety alerts of patients at the viewer's locations, as contact sheets: urgent
    first, then the longest waiting; with how many there are (bounded). None for those who may
    not phone patients about alerts. Audited (names and phone numbers are shown), `part` saying
    which page asked. A fixed number of queries."""
    if not can_record_alert_contact(viewer):
        return None
    open_alerts = SafetyAlert.objects.filter(
        status=AlertStatus.OPEN, patient__in=visible_patients(viewer).values("pk")
    )
    count, more = _bounded_count(open_alerts)
    urgent_count, urgent_more = _bounded_count(open_alerts.exclude(reason__in=REVIEW_REASONS))
    shown = min(limit or DASHBOARD_LIST_LIMIT, DASHBOARD_LIST_LIMIT)
    rows = list(
        open_alerts.annotate(review_only=_REVIEW_ONLY)
        .select_related("patient")
        .prefetch_related(
            Prefetch(
                "contact_attempts",
                queryset=SafetyAlertContactAttempt.objects.select_related("recorded_by").order_by(
                    "attempted_at", "id"
                ),
            )
        )
        .order_by("review_only", "raised_at", "pk")[:shown]
    )
    record_audit_event(
        actor=viewer,
        event_type=AuditEventType.SAFETY_ALERTS_TO_CONTACT_LISTED,
        details={"part": part, "alerts": [str(alert.public_id) for alert in rows]},
    )
    return {
        "sheets": [alert_contact_sheet(alert, alert.contact_attempts.all()) for alert in rows],
        "count": count,
        "more": more,
        "urgent_count": urgent_count,
        "urgent_more": urgent_more,
    }


def get_response(viewer, public_id) -> AssessmentResponse:
    response = (
        AssessmentResponse.objects.select_related("patient", "entered_by")
        .filter(public_id=public_id)
        .first()
    )
    if (
        response is None
        or not can_view_results(viewer)
        or not visible_patients(viewer).filter(pk=response.patient_id).exists()
    ):
        raise NotFoundError("We could not find that questionnaire.")
    return response


def open_response(viewer, public_id, *, section: str) -> AssessmentResponse:
    """Open one questionnaire response and record that the viewer looked (as a chart view)."""
    response = get_response(viewer, public_id)
    record_audit_event(
        actor=viewer,
        event_type=AuditEventType.PATIENT_CHART_VIEWED,
        target=response,
        about=response,
        details={"section": section},
    )
    return response


def get_staff_request(viewer, public_id) -> QuestionnaireRequest:
    """Questionnaires sent to a patient the member of staff may see (else not found)."""
    request = (
        QuestionnaireRequest.objects.select_related("patient", "location")
        .filter(public_id=public_id, patient__in=visible_patients(viewer))
        .first()
        if viewer.is_authenticated
        else None
    )
    if request is None:
        raise NotFoundError("We could not find those questionnaires.")
    return request


def open_staff_request(viewer, public_id, *, page: str) -> QuestionnaireRequest:
    """`get_staff_request`, recording that the member of staff opened a page of it (as a chart
    view: the page names the patient)."""
    request = get_staff_request(viewer, public_id)
    record_audit_event(
        actor=viewer,
        event_type=AuditEventType.PATIENT_CHART_VIEWED,
        target=request,
        about=request,
        details={"section": page},
    )
    return request


def portal_requests(user) -> list[QuestionnaireRequest]:
    """Questionnaires waiting for a signed-in patient."""
    return list(
        QuestionnaireRequest.objects.filter(
            patient__user=user, status=RequestStatus.OPEN, expires_at__gt=timezone.now()
        ).order_by("expires_at")
    )


def guardian_requests(patient) -> list[QuestionnaireRequest]:
    """Questionnaires waiting for a minor patient, shown to their guardian's portal account when
    the clinic allows guardians to see the answers (PatientPolicy)."""
    return list(
        QuestionnaireRequest.objects.filter(
            patient=patient, status=RequestStatus.OPEN, expires_at__gt=timezone.now()
        ).order_by("expires_at")
    )


def get_portal_request(user, public_id) -> QuestionnaireRequest:
    """Questionnaires a signed-in patient answers; for a guardian (the caller has checked that
    the clinic allows it), those of a patient they represent."""
    owner = (
        {"patient__in": visible_patients(user)}
        if user.is_authenticated and user.role == Role.GUARDIAN
        else {"patient__user": user}
    )
    try:
        request = (
            QuestionnaireRequest.objects.select_related("patient", "location")
            .filter(public_id=public_id, **owner)
            .first()
            if user.is_authenticated
            else None
        )
    except (ValueError, ValidationError):
        request = None
    if request is None:
        raise NotFoundError("We could not find those questionnaires.")
    return request


# Each list on the dashboard shows this many rows at most; its count stops at COUNT_LIMIT.
DASHBOARD_LIST_LIMIT = 100
DASHBOARD_COUNT_LIMIT = 1000
ACTIVE_CARE = (PatientStatus.IN_EVALUATION, PatientStatus.ACTIVE)


def _bounded_count(queryset: QuerySet) -> tuple[int, bool]:
    """How many rows, counting no further than DASHBOARD_COUNT_LIMIT (and whether it stopped)."""
    count = queryset.order_by()[: DASHBOARD_COUNT_LIMIT + 1].count()
    return min(count, DASHBOARD_COUNT_LIMIT), count > DASHBOARD_COUNT_LIMIT


# How many new urgent alerts a page's banner lists at once (the dashboard lists them all).
NEW_ALERT_BANNER_LIMIT = 5


@dataclass(frozen=True)
class UrgentAlertWatch:
    """What a page that watches for new urgent safety alerts knows: the newest alert it knew of
    when it was drawn (`since`), the newest it has announced since (`shown`), and the alerts
    raised after `since`, newest first, that its banner lists."""

    since: datetime
    shown: datetime | None = None
    alerts: tuple[SafetyAlert, ...] = ()
    # Whether the banner may say why each alert was raised: not to the front desk, who is told
    # only whom to call.
    clinical: bool = True


def _urgent_open_alerts(viewer) -> QuerySet[SafetyAlert]:
    return SafetyAlert.objects.filter(
        status=AlertStatus.OPEN, patient__in=visible_patients(viewer).values("pk")
    ).exclude(reason__in=REVIEW_REASONS)


def start_urgent_alert_watch(viewer) -> UrgentAlertWatch | None:
    """For a page drawn now: the newest open urgent alert the viewer may see (else now) as the
    point after which an alert is new; None for those who see no alerts. One query."""
    if not can_record_alert_contact(viewer):
        return None
    newest = (
        _urgent_open_alerts(viewer).order_by("-raised_at").values_list("raised_at", flat=True)
    ).first()
    return UrgentAlertWatch(since=newest or timezone.now(), clinical=can_view_results(viewer))


def poll_new_urgent_alerts(
    viewer, *, since: datetime, shown: datetime | None
) -> UrgentAlertWatch | None:
    """The open urgent alerts raised after `since` that the viewer may see, or None when none was
    raised after `shown` (nothing new to announce). One bounded query; a poll that shows alerts
    is audited, one that finds nothing new writes nothing."""
    if not can_record_alert_contact(viewer):
        return None
    clinical = can_view_results(viewer)
    alerts = tuple(
        _urgent_open_alerts(viewer)
        .filter(raised_at__gt=since)
        .select_related("patient")
        .order_by("-raised_at", "-pk")[:NEW_ALERT_BANNER_LIMIT]
    )
    if not alerts or (shown is not None and alerts[0].raised_at <= shown):
        return None
    record_audit_event(
        actor=viewer,
        event_type=AuditEventType.CLINICAL_DASHBOARD_VIEWED
        if clinical
        else AuditEventType.SAFETY_ALERTS_TO_CONTACT_LISTED,
        details={"part": "new urgent alerts", "alerts": [str(a.public_id) for a in alerts]},
    )
    return UrgentAlertWatch(
        since=since, shown=alerts[0].raised_at, alerts=alerts, clinical=clinical
    )


def clinical_dashboard(viewer) -> dict:
    """Open safety alerts, patients due or overdue for a questionnaire, and patients whose scores
    are worsening — for the viewer's locations. It reads the progress summaries
    (`clinic.assessments.summaries`), never the responses: a fixed number of queries, each
    bounded, whatever the numbers of patients and responses."""
    if not can_view_results(viewer):
        return {}
    patients = visible_patients(viewer)
    # Urgent first (a self-harm answer must not wait behind reviews), then the longest waiting,
    # as the front desk's calls to make; with the attempts to reach the patient so far, counted
    # in the same query.
    open_alerts = SafetyAlert.objects.filter(status=AlertStatus.OPEN, patient__in=patients)
    alerts = list(
        open_alerts.annotate(review_only=_REVIEW_ONLY, attempt_count=Count("contact_attempts"))
        .select_related("patient", "response")
        .order_by("review_only", "raised_at", "pk")[:DASHBOARD_LIST_LIMIT]
    )

    policy = get_policy()
    now = timezone.now()
    in_care = ProgressSummary.objects.filter(
        patient__in=patients.filter(status__in=CARE_STATUSES).values("pk")
    ).select_related("patient")
    active_due = now - timedelta(days=policy.active_interval_days)
    maintenance_due = now - timedelta(days=policy.maintenance_interval_days)
    late = timedelta(days=policy.overdue_after_days)
    required = in_care.filter(required=True)
    answered_overdue_q = Q(
        patient__status__in=ACTIVE_CARE, latest_taken_at__lte=active_due - late
    ) | Q(patient__status=PatientStatus.MAINTENANCE, latest_taken_at__lte=maintenance_due - late)
    overdue_q = Q(latest_taken_at__isnull=True) | answered_overdue_q
    due_q = Q(
        patient__status__in=ACTIVE_CARE,
        latest_taken_at__lte=active_due,
        latest_taken_at__gt=active_due - late,
    ) | Q(
        patient__status=PatientStatus.MAINTENANCE,
        latest_taken_at__lte=maintenance_due,
        latest_taken_at__gt=maintenance_due - late,
    )
    # Never-answered series first, then the longest unanswered: two reads of the summary_due
    # index in its own order (one ORDER BY with NULLS FIRST would sort every overdue series).
    overdue = list(
        required.filter(latest_taken_at__isnull=True).order_by("pk")[:DASHBOARD_LIST_LIMIT]
    )
    if len(overdue) < DASHBOARD_LIST_LIMIT:
        overdue += required.filter(answered_overdue_q).order_by("latest_taken_at", "pk")[
            : DASHBOARD_LIST_LIMIT - len(overdue)
        ]
    due = list(required.filter(due_q).order_by("latest_taken_at", "pk")[:DASHBOARD_LIST_LIMIT])
    overdue_count, overdue_more = _bounded_count(required.filter(overdue_q))
    due_count, due_more = _bounded_count(required.filter(due_q))
    worsening = list(
        in_care.filter(worsening=True).order_by("-latest_taken_at", "-pk")[:DASHBOARD_LIST_LIMIT]
    )
    relapsing = list(
        relapsing_summaries(in_care, policy.relapse_share_percent).order_by(
            "-latest_taken_at", "-pk"
        )[:DASHBOARD_LIST_LIMIT]
    )
    record_audit_event(
        actor=viewer,
        event_type=AuditEventType.CLINICAL_DASHBOARD_VIEWED,
        details={"alerts": len(alerts)},
    )

    def listed(rows):
        return [
            (row.patient, INSTRUMENTS[row.instrument_code], row.latest_taken_at)
            for row in rows
            if row.instrument_code in INSTRUMENTS
        ]

    return {
        "alerts": alerts,
        # Counted from the list, not a query of its own: urgent ones come first, so the list holds
        # them all unless it is full.
        "alert_urgent_count": sum(alert.is_urgent for alert in alerts),
        "due": listed(due),
        "overdue": listed(overdue),
        "due_count": due_count,
        "due_more": due_more,
        "overdue_count": overdue_count,
        "overdue_more": overdue_more,
        "worsening": [
            (row.patient, row) for row in worsening if row.instrument_code in INSTRUMENTS
        ],
        "relapse_share_percent": policy.relapse_share_percent,
        "relapsing": [
            (row.patient, row) for row in relapsing if row.instrument_code in INSTRUMENTS
        ],
    }


# --- Side-effect reports ----------------------------------------------------------------------


def _audit_report_read(viewer, report, *, outcome=None, details=None) -> None:
    record_audit_event(
        actor=viewer,
        event_type=AuditEventType.SIDE_EFFECT_REPORT_VIEWED,
        target=report,
        patient_id=report.patient_id if report else None,
        location_id=report.location_id if report else None,
        **({"outcome": outcome} if outcome else {}),
        details=details or {},
    )


def get_side_effect_report(viewer, public_id) -> SideEffectReport:
    """One side-effect report, if the viewer may read it: the patient who wrote it, or clinical
    staff who may see the patient. Anyone else learns nothing (NotFound, audited as denied)."""
    try:
        report = (
            SideEffectReport.objects.select_related(
                "patient", "patient__location", "reviewed_by", "location"
            )
            .filter(public_id=public_id)
            .first()
        )
    except (ValueError, TypeError):
        report = None
    if report is None:
        record_audit_event(
            actor=viewer,
            event_type=AuditEventType.SIDE_EFFECT_REPORT_VIEWED,
            outcome=AuditOutcome.DENIED,
            details={"public_id": str(public_id)},
        )
        raise NotFoundError("We could not find that report.")
    allowed = (
        viewer.is_authenticated
        and (viewer.role == Role.PATIENT or can_view_results(viewer))
        and can_view_patient(viewer, report.patient)
    )
    if not allowed:
        record_audit_event(
            actor=viewer,
            event_type=AuditEventType.SIDE_EFFECT_REPORT_VIEWED,
            outcome=AuditOutcome.DENIED,
            patient_id=report.patient_id,
            details={"public_id": str(public_id)},
        )
        raise NotFoundError("We could not find that report.")
    _audit_report_read(viewer, report)
    return report


def list_side_effect_reports(viewer, patient, *, limit: int = 50) -> list[SideEffectReport]:
    """A patient's reports, newest first (the caller has checked the viewer may see the patient
    and audits the page)."""
    return list(
        SideEffectReport.objects.filter(patient=patient)
        .select_related("reviewed_by")
        .prefetch_related("alerts")
        .order_by("-reported_at", "-id")[:limit]
    )


def reports_waiting_for_review(patient) -> list[SideEffectReport]:
    """The patient's side-effect reports no clinician has reviewed yet (the pre-dose checklist
    holds for them)."""
    return list(
        SideEffectReport.objects.filter(patient=patient, reviewed_at__isnull=True).order_by(
            "reported_at", "id"
        )[:20]
    )
