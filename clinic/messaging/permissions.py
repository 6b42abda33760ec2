"""Who reads and writes which conversation.

A patient: their own conversations only; a minor's guardian with a portal account: the
conversations of the patient they represent, while the guardianship lasts. Staff: conversations of their locations (the medical
director: every location) whose topic their role reads; front desk reads appointment and billing
conversations only, as it sees no clinical content anywhere else (clinic.accounts' roles)."""

from __future__ import annotations

from clinic.accounts.choices import PORTAL_ROLES, STAFF_ROLES, Role
from clinic.messaging.choices import topics_for_role
from clinic.patients.permissions import can_view_patient, staff_location_ids


def is_staff_reader(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in STAFF_ROLES


def speaks_for_patient(user, patient) -> bool:
    """The patient themself, or one of their current guardians (the patient's side of every
    conversation)."""
    return user.is_authenticated and user.role in PORTAL_ROLES and can_view_patient(user, patient)


def can_read_conversation(user, conversation) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.role in PORTAL_ROLES:
        return speaks_for_patient(user, conversation.patient)
    if conversation.topic not in topics_for_role(user.role):
        return False
    if user.role == Role.MEDICAL_DIRECTOR:
        return True
    return conversation.location_id in staff_location_ids(user)


def can_reply(user, conversation) -> bool:
    return can_read_conversation(user, conversation)


def can_manage_conversation(user, conversation) -> bool:
    """Assign, mark done, reopen: the team, not the patient."""
    return is_staff_reader(user) and can_read_conversation(user, conversation)


def can_be_assigned(user, conversation) -> bool:
    return (
        user.is_active
        and user.role in STAFF_ROLES
        and conversation.topic in topics_for_role(user.role)
        and (
            user.role == Role.MEDICAL_DIRECTOR
            or conversation.location_id in staff_location_ids(user)
        )
    )
