"""Reads of questionnaires, scores and alerts, scoped to what the viewer may see."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db.models import F, Max, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from clinic.assessments.choices import AlertStatus, RequestStatus, ResponseStatus
from clinic.assessments.instruments import INSTRUMENTS
from clinic.assessments.models import AssessmentResponse, QuestionnaireRequest, SafetyAlert
from clinic.assessments.permissions import can_view_results
from clinic.assessments.policy import clinic_instrument, get_policy, instruments_for_conditions
from clinic.assessments.progress import Point, Progress, compute_progress
from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.exceptions import NotFoundError
from clinic.patients.choices import PatientStatus
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
        by_code[code].append(Point(taken_at, total, severity, context, str(public_id)))
    return [
        compute_progress(clinic_instrument(code, policy), by_code[code])
        for code in INSTRUMENTS
        if by_code.get(code)
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


def get_alert(viewer, public_id) -> SafetyAlert:
    alert = (
        SafetyAlert.objects.select_related("patient", "response")
        .filter(public_id=public_id)
        .first()
    )
    if (
        alert is None
        or not can_view_results(viewer)
        or not visible_patients(viewer).filter(pk=alert.patient_id).exists()
    ):
        raise NotFoundError("We could not find that alert.")
    return alert


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
        patient_id=response.patient_id,
        location_id=response.location_id,
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
        patient_id=request.patient_id,
        location_id=request.location_id,
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


def get_portal_request(user, public_id) -> QuestionnaireRequest:
    request = (
        QuestionnaireRequest.objects.select_related("patient", "location")
        .filter(public_id=public_id, patient__user=user)
        .first()
        if user.is_authenticated
        else None
    )
    if request is None:
        raise NotFoundError("We could not find those questionnaires.")
    return request


def clinical_dashboard(viewer) -> dict:
    """Open safety alerts, patients due or overdue for a questionnaire, and patients whose scores
    are worsening — for the viewer's locations. A fixed number of queries whatever the numbers of
    patients and responses."""
    if not can_view_results(viewer):
        return {}
    patients = visible_patients(viewer)
    alerts = list(
        SafetyAlert.objects.filter(status=AlertStatus.OPEN, patient__in=patients)
        .select_related("patient", "response")
        .order_by("raised_at")[:100]
    )
    policy = get_policy()
    now = timezone.now()
    care_patients = list(
        patients.filter(status__in=CARE_STATUSES).only(
            "id",
            "public_id",
            "legal_first_name",
            "legal_last_name",
            "preferred_name",
            "mrn",
            "status",
            "primary_conditions",
            "location",
        )
    )
    by_id = {patient.pk: patient for patient in care_patients}
    # The last completed date per (patient, instrument).
    last_taken = {
        (row["patient_id"], row["instrument_code"]): row["last"]
        for row in AssessmentResponse.objects.filter(
            patient_id__in=by_id, status=ResponseStatus.COMPLETED
        )
        .values("patient_id", "instrument_code")
        .annotate(last=Max("taken_at"))
        .order_by()
    }
    from clinic.assessments.models import InstrumentAssignment

    assignments = {
        rule.condition: rule.instrument_codes for rule in InstrumentAssignment.objects.all()
    }
    due, overdue = [], []
    for patient in care_patients:
        interval = (
            policy.maintenance_interval_days
            if patient.status == PatientStatus.MAINTENANCE
            else policy.active_interval_days
        )
        codes = instruments_for_conditions(patient.primary_conditions, rules=assignments)
        for code in [c for c in codes if INSTRUMENTS[c].repeated]:
            last = last_taken.get((patient.pk, code))
            due_at = (last + timedelta(days=interval)) if last else None
            if due_at is None or now >= due_at + timedelta(days=policy.overdue_after_days):
                overdue.append((patient, code, last))
            elif now >= due_at:
                due.append((patient, code, last))
    worsening = _worsening(by_id, policy)
    record_audit_event(
        actor=viewer,
        event_type=AuditEventType.CLINICAL_DASHBOARD_VIEWED,
        details={"alerts": len(alerts)},
    )
    return {
        "alerts": alerts,
        "due": [(p, INSTRUMENTS[c], last) for p, c, last in due][:100],
        "overdue": [(p, INSTRUMENTS[c], last) for p, c, last in overdue][:100],
        "due_count": len(due),
        "overdue_count": len(overdue),
        "worsening": worsening[:100],
    }


def _worsening(patients_by_id: dict, policy) -> list[tuple]:
    """(patient, instrument, baseline, previous, latest) where the latest score is worse than the
    baseline or the previous score by the instrument's meaningful change. One query, using window
    functions to pick each series' first and last two scores."""
    if not patients_by_id:
        return []
    partition = [F("patient_id"), F("instrument_code")]
    rows = (
        AssessmentResponse.objects.filter(
            patient_id__in=patients_by_id, status=ResponseStatus.COMPLETED
        )
        .annotate(
            newest=Window(
                RowNumber(), partition_by=partition, order_by=[F("taken_at").desc(), F("id").desc()]
            ),
            oldest=Window(
                RowNumber(), partition_by=partition, order_by=[F("taken_at").asc(), F("id").asc()]
            ),
        )
        .filter(Q(newest__lte=2) | Q(oldest=1))
        .values_list(
            "patient_id",
            "instrument_code",
            "taken_at",
            "total",
            "severity",
            "context",
            "newest",
            "oldest",
        )
    )
    series: dict[tuple[int, str], list[Point]] = defaultdict(list)
    for patient_id, code, taken_at, total, severity, context, _newest, _oldest in rows:
        series[(patient_id, code)].append(Point(taken_at, Decimal(total), severity, context))
    found = []
    for (patient_id, code), points in series.items():
        if len(points) < 2:
            continue
        progress = compute_progress(clinic_instrument(code, policy), points)
        if progress.worsening:
            found.append((patients_by_id[patient_id], progress))
    found.sort(key=lambda row: row[1].latest.taken_at, reverse=True)
    return found
