"""Reads of consultation requests, scoped to the viewer's locations and audited."""

from __future__ import annotations

import uuid

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet

from clinic.accounts.choices import Role
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.services import record_audit_event
from clinic.core.exceptions import NotFoundError
from clinic.intake.choices import ConsultationStatus
from clinic.intake.models import ConsultationRequest
from clinic.intake.permissions import can_work_consultation_queue
from clinic.patients.choices import PatientStatus
from clinic.patients.permissions import staff_location_ids
from clinic.patients.selectors import visible_patients

REQUESTS_PER_PAGE = 25


def visible_consultation_requests(viewer) -> QuerySet[ConsultationRequest]:
    requests = ConsultationRequest.objects.select_related("location", "assigned_to", "patient")
    if not can_work_consultation_queue(viewer):
        return requests.none()
    if viewer.role == Role.MEDICAL_DIRECTOR:
        return requests
    return requests.filter(location_id__in=staff_location_ids(viewer))


def count_requests_by_status(viewer) -> dict[str, int]:
    rows = visible_consultation_requests(viewer).order_by().values("status").annotate(n=Count("*"))
    counts = dict.fromkeys(ConsultationStatus.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def list_consultation_requests(
    viewer, *, status: str = "open", query: str = "", page_number: str | int = 1
) -> Page:
    requests = visible_consultation_requests(viewer)
    if status == "open":
        requests = requests.filter(
            status__in=[
                ConsultationStatus.NEW,
                ConsultationStatus.CONTACTED,
                ConsultationStatus.EVALUATION_BOOKED,
            ]
        ).order_by("created_at", "id")
    elif status in ConsultationStatus.values:
        requests = requests.filter(status=status)
    query = query.strip()
    if query:
        for word in query.split()[:4]:
            requests = requests.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
                | Q(phone__icontains=word)
            )
    page = Paginator(requests, REQUESTS_PER_PAGE).get_page(page_number)
    record_audit_event(
        actor=viewer,
        event_type=AuditEventType.CONSULTATION_QUEUE_VIEWED,
        details={"status": status, "query": query[:100], "page": page.number},
    )
    return page


def get_consultation_request(
    viewer, public_id: uuid.UUID | str, *, audit: bool = True
) -> ConsultationRequest:
    try:
        request = visible_consultation_requests(viewer).get(public_id=public_id)
    except (ConsultationRequest.DoesNotExist, ValueError, TypeError):
        record_audit_event(
            actor=viewer,
            event_type=AuditEventType.CONSULTATION_VIEWED,
            outcome=AuditOutcome.DENIED,
            details={"public_id": str(public_id)},
        )
        raise NotFoundError("We could not find that consultation request.") from None
    if audit:
        record_audit_event(
            actor=viewer,
            event_type=AuditEventType.CONSULTATION_VIEWED,
            target=request,
            about=request,
        )
    return request


def list_activities(request: ConsultationRequest):
    return list(request.activities.select_related("author"))


def dashboard_summary(viewer) -> dict:
    """What a member of staff sees first: the queue and the patients at their locations."""

    # COUNT(*), not COUNT(id): answered from the (location, status) index without the table.
    rows = visible_patients(viewer).order_by().values("status").annotate(n=Count("*"))
    by_status = {row["status"]: row["n"] for row in rows}
    # It names the newest patients: a look at the patient list.
    record_audit_event(
        actor=viewer, event_type=AuditEventType.PATIENT_LIST_VIEWED, details={"view": "dashboard"}
    )
    return {
        "patient_counts": [
            (status, label, by_status.get(status, 0)) for status, label in PatientStatus.choices
        ],
        "consultation_counts": count_requests_by_status(viewer),
        "can_work_queue": can_work_consultation_queue(viewer),
        "recent_patients": list(visible_patients(viewer).order_by("-created_at")[:8]),
    }
