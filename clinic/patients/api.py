from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Query, Router, Schema

from clinic.core.exceptions import PermissionDeniedError
from clinic.patients.choices import PatientStatus
from clinic.patients.permissions import can_view_clinical_details, can_view_patient_list
from clinic.patients.selectors import list_patients, open_patient_chart

router = Router(tags=["patients"])


class PatientSummary(Schema):
    id: uuid.UUID
    mrn: str
    display_name: str
    date_of_birth: date
    status: str
    location: str


class PatientDetail(PatientSummary):
    legal_first_name: str
    legal_last_name: str
    preferred_name: str
    sex: str
    email: str
    phone: str
    primary_conditions: list[str]
    height_cm: Decimal | None = None
    weight_kg: Decimal | None = None
    created_at: datetime


class PatientPage(Schema):
    page: int
    # Whether another page follows (the list is not counted: a count reads every match).
    has_next: bool
    results: list[PatientSummary]


class PatientFilters(Schema):
    q: str = Field("", max_length=100, description="Name, birth date (YYYY-MM-DD) or MRN")
    status: Literal["", *PatientStatus.values] = ""  # type: ignore[valid-type]
    page: int = Field(1, ge=1)


def _summary(patient) -> dict:
    return {
        "id": patient.public_id,
        "mrn": patient.mrn,
        "display_name": patient.display_name,
        "date_of_birth": patient.date_of_birth,
        "status": patient.status,
        "location": patient.location.name,
    }


@router.get("", response=PatientPage, summary="Search the patients the caller may see")
def patients(request, filters: Query[PatientFilters]):
    if not can_view_patient_list(request.user):
        raise PermissionDeniedError("Your role does not give access to the patient list.")
    page = list_patients(
        request.user, query=filters.q[:100], status=filters.status, page_number=filters.page
    )
    return {
        "page": page.number,
        "has_next": page.has_next,
        "results": [_summary(p) for p in page],
    }


@router.get(
    "/{patient_id}",
    response=PatientDetail,
    summary="One patient's record (audited as a chart view)",
)
def patient(request, patient_id: uuid.UUID):
    record = open_patient_chart(request.user, patient_id, section="api")
    clinical = can_view_clinical_details(request.user) or record.user_id == request.user.pk
    return {
        **_summary(record),
        "legal_first_name": record.legal_first_name,
        "legal_last_name": record.legal_last_name,
        "preferred_name": record.preferred_name,
        "sex": record.sex,
        "email": record.email,
        "phone": record.phone,
        "primary_conditions": record.primary_conditions,
        "height_cm": record.height_cm if clinical else None,
        "weight_kg": record.weight_kg if clinical else None,
        "created_at": record.created_at,
    }
