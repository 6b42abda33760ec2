"""Reads of patient records, always scoped to what the viewer may see."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from clinic.accounts.choices import STAFF_ROLES, Role
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.services import record_audit_event
from clinic.core.exceptions import NotFoundError
from clinic.core.models import Organisation
from clinic.core.pagination import Window, window
from clinic.patients.models import Guardian, Patient
from clinic.patients.permissions import can_view_patient, staff_location_ids

PATIENTS_PER_PAGE = 25


def portal_guardians(patient: Patient) -> QuerySet[Guardian]:
    """The patient's current guardians with an active portal account: those who answer for the
    patient in the portal, and are told of what the patient is told."""
    return patient.guardians.filter(ended_at__isnull=True, user__isnull=False, user__is_active=True)


def visible_patients(viewer) -> QuerySet[Patient]:
    """Patients the viewer may see: the medical director all, other staff those of their
    locations, a patient only themself."""
    patients = Patient.objects.select_related("location")
    if not (viewer.is_authenticated and viewer.is_active):
        return patients.none()
    if viewer.role == Role.MEDICAL_DIRECTOR:
        return patients
    if viewer.role in STAFF_ROLES:
        return patients.filter(location_id__in=staff_location_ids(viewer))
    if viewer.role == Role.PATIENT:
        return patients.filter(user=viewer)
    if viewer.role == Role.GUARDIAN:
        return patients.filter(guardians__user=viewer, guardians__ended_at__isnull=True).distinct()
    return patients.none()


def _parse_date(text: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date, no zone
        except ValueError:
            continue
    return None


# An MRN as typed: "KC-000123", "kc000123", "000123" or "123" (the clinic's own prefix is assumed).
MRN_QUERY = re.compile(r"(?:(?P<prefix>[A-Za-z]{1,6})-?)?(?P<number>\d{1,9})")


def _mrns_for(query: str) -> list[str] | None:
    """The MRNs a query names, exactly as stored (`PREFIX-000123`), or None when the query is not
    an MRN. An exact match uses the MRN's unique index; a substring search would read every row."""
    match = MRN_QUERY.fullmatch(query)
    if match is None:
        return None
    number = int(match["number"])
    if match["prefix"]:
        prefixes = [match["prefix"].upper()]
    else:
        prefixes = list(Organisation.objects.values_list("mrn_prefix", flat=True)) or ["KC"]
    return [f"{prefix}-{number:06d}" for prefix in prefixes]


def search_patients(viewer, *, query: str = "", status: str = "") -> QuerySet[Patient]:
    """Patients the viewer may see matching a birth date, an MRN, or up to four words of a name
    (each word in the first, last or preferred name). On PostgreSQL the name words are answered
    from trigram indexes (migration `patients.0004`)."""
    patients = visible_patients(viewer)
    query = query.strip()
    if status:
        patients = patients.filter(status=status)
    if query:
        birth_date = _parse_date(query)
        mrns = None if birth_date else _mrns_for(query)
        if birth_date:
            patients = patients.filter(date_of_birth=birth_date)
        elif mrns is not None:
            patients = patients.filter(mrn__in=mrns)
        else:
            for word in query.split()[:4]:
                patients = patients.filter(
                    Q(legal_first_name__icontains=word)
                    | Q(legal_last_name__icontains=word)
                    | Q(preferred_name__icontains=word)
                )
    return patients


def list_patients(
    viewer, *, query: str = "", status: str = "", page_number: str | int = 1
) -> Window:
    """One page of the patient list, in one query (no count of every match); the view is audited
    with the search terms used."""
    page = window(
        search_patients(viewer, query=query, status=status), page_number, per_page=PATIENTS_PER_PAGE
    )
    record_audit_event(
        actor=viewer,
        event_type=AuditEventType.PATIENT_LIST_VIEWED,
        details={"query": query[:100], "status": status, "page": page.number},
    )
    return page


def get_patient(viewer, public_id: uuid.UUID | str) -> Patient:
    """The patient with this public id, if the viewer may see them; else NotFoundError (the
    viewer must not learn whether the record exists) and a denied audit entry."""
    try:
        patient = Patient.objects.select_related("location", "user").get(public_id=public_id)
    except (Patient.DoesNotExist, ValueError, TypeError):
        patient = None
    if patient is None or not can_view_patient(viewer, patient):
        record_audit_event(
            actor=viewer,
            event_type=AuditEventType.PATIENT_CHART_VIEWED,
            outcome=AuditOutcome.DENIED,
            patient_id=patient.pk if patient else None,
            details={"public_id": str(public_id)},
        )
        raise NotFoundError("We could not find that patient.")
    return patient


def open_patient_chart(viewer, public_id: uuid.UUID | str, *, section: str) -> Patient:
    """Open a patient's chart (one section of it) and record that the viewer looked."""
    patient = get_patient(viewer, public_id)
    record_chart_viewed(viewer, patient, section=section)
    return patient


def record_chart_viewed(viewer, patient: Patient, *, section: str) -> None:
    """Record that the viewer was shown this patient's record (a chart section, or another page
    built on it: the edit form, a booking form, the patient's own portal pages)."""
    record_audit_event(
        actor=viewer,
        event_type=AuditEventType.PATIENT_CHART_VIEWED,
        target=patient,
        about=patient,
        details={"section": section},
    )


def get_own_patient_record(viewer, public_id: uuid.UUID | str | None = None) -> Patient:
    """The patient whose portal pages the viewer opens: a patient's own record; for a guardian,
    the patient named by `public_id` among those they represent (the first by name when none is
    named). Anyone else's: NotFoundError."""
    if not viewer.is_authenticated:
        patient = None
    elif viewer.role == Role.GUARDIAN:
        patients = visible_patients(viewer)
        if public_id:
            try:
                patients = patients.filter(public_id=public_id)
            except (ValueError, TypeError, ValidationError):
                patients = patients.none()
        try:
            patient = patients.first()
        except ValidationError:
            patient = None
    else:
        patient = visible_patients(viewer).filter(user=viewer).first()
    if patient is None:
        raise NotFoundError("There is no patient record linked to your account.")
    return patient


def list_guarded_patients(viewer) -> list[Patient]:
    """The patients a guardian's portal account represents (none for anyone else)."""
    if not viewer.is_authenticated or viewer.role != Role.GUARDIAN:
        return []
    return list(visible_patients(viewer))


def list_guardians(viewer, patient: Patient) -> list:
    """A patient's guardians, current first, for staff who may see the patient."""
    if not can_view_patient(viewer, patient) or viewer.role not in STAFF_ROLES:
        return []
    return sorted(
        Guardian.objects.filter(patient=patient).select_related("user"),
        key=lambda g: (g.ended_at is not None, g.full_name),
    )


def get_guardian(viewer, patient: Patient, public_id):
    """One of this patient's guardians, for staff who may see the patient; else NotFoundError."""
    if viewer.role not in STAFF_ROLES or not can_view_patient(viewer, patient):
        raise NotFoundError("We could not find that guardian.")
    try:
        return Guardian.objects.select_related("patient__location").get(
            patient=patient, public_id=public_id
        )
    except (Guardian.DoesNotExist, ValueError, TypeError, ValidationError) as error:
        raise NotFoundError("We could not find that guardian.") from error


def find_possible_duplicates(
    viewer, *, first_name: str, last_name: str, date_of_birth: date
) -> list[Patient]:
    """Existing patients with the same birth date and last name: offered before registering.
    The first name is not compared: a patient registered as "Bill" is still William."""
    return list(
        visible_patients(viewer)
        .filter(date_of_birth=date_of_birth, legal_last_name__iexact=last_name.strip())
        .order_by("legal_last_name", "legal_first_name", "pk")[:5]
    )


def check_possible_duplicates(
    viewer, *, first_name: str, last_name: str, date_of_birth: date
) -> list[Patient]:
    """As find_possible_duplicates, while the registration form is being typed; each check is
    audited with how many records it showed (the names typed are not kept in the log)."""
    found = find_possible_duplicates(
        viewer, first_name=first_name, last_name=last_name, date_of_birth=date_of_birth
    )
    record_audit_event(
        actor=viewer,
        event_type=AuditEventType.POSSIBLE_DUPLICATES_CHECKED,
        details={"matches": len(found), "patients": [str(p.public_id) for p in found]},
    )
    return found
