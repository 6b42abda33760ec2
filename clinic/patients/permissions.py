"""Who may see and change which patient records."""

from __future__ import annotations

from clinic.accounts.choices import CLINICAL_ROLES, PRESCRIBER_ROLES, STAFF_ROLES, Role
from clinic.accounts.locations import user_location_rows
from clinic.core.exceptions import NotFoundError
from clinic.core.permissions import ensure_role
from clinic.patients.choices import PatientStatus

REGISTRATION_ROLES = frozenset({Role.MEDICAL_DIRECTOR, Role.CLINICIAN, Role.FRONT_DESK})
# Front desk moves a patient into evaluation when it books one; clinical steps belong to prescribers.
FRONT_DESK_STATUS_CHANGES = frozenset({(PatientStatus.PROSPECTIVE, PatientStatus.IN_EVALUATION)})
# Who may change a status by hand at all (which change, can_change_patient_status decides); a
# nurse never does, whatever the patient's status (the course of care moves it on by itself).
STATUS_CHANGE_ROLES = PRESCRIBER_ROLES | {Role.FRONT_DESK}


def can_view_patient_list(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in STAFF_ROLES


def can_view_patient(user, patient) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.role == Role.PATIENT:
        return patient.user_id == user.pk
    if user.role == Role.GUARDIAN:
        return patient.guardians.filter(user=user, ended_at__isnull=True).exists()
    if user.role == Role.MEDICAL_DIRECTOR:
        return True
    return user.role in STAFF_ROLES and patient.location_id in staff_location_ids(user)


def can_view_clinical_details(user) -> bool:
    """Height, weight and later clinical sections: not for front desk (minimum necessary)."""
    return user.role in CLINICAL_ROLES


def can_register_patient(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in REGISTRATION_ROLES


def can_edit_patient(user, patient) -> bool:
    return user.role in STAFF_ROLES and can_view_patient(user, patient)


def can_change_patient_status(user, patient, to_status: str) -> bool:
    if not can_view_patient(user, patient):
        return False
    if user.role in PRESCRIBER_ROLES:
        return True
    return user.role == Role.FRONT_DESK and (patient.status, to_status) in FRONT_DESK_STATUS_CHANGES


def can_invite_patient_to_portal(user, patient) -> bool:
    return user.role in REGISTRATION_ROLES and can_view_patient(user, patient)


def can_manage_guardians(user, patient) -> bool:
    """Front desk and prescribers record a minor's guardians (they check the proof at
    registration); every member of staff who may see the patient may read them."""
    return user.role in REGISTRATION_ROLES and can_view_patient(user, patient)


def can_view_access_log(user) -> bool:
    return user.role == Role.MEDICAL_DIRECTOR


def staff_location_ids(user) -> set[int]:
    return {location_id for location_id, _ in user_location_rows(user)}


def ensure_can_act_on_patient(actor, patient, *, roles, action: str, event_type) -> None:
    """The common gate of clinical services: the actor's role allows the action (refusals are
    audited), and the patient is one the actor may see (else NotFound, as if it did not exist)."""

    ensure_role(
        actor, roles, action=action, event_type=event_type, target=patient, patient_id=patient.pk
    )
    if not can_view_patient(actor, patient):
        raise NotFoundError("We could not find that patient.")
