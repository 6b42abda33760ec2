"""Who may move, witness, count, resolve and read controlled stock."""

from __future__ import annotations

from clinic.accounts.choices import CLINICAL_ROLES, PRESCRIBER_ROLES, Role
from clinic.audit.choices import AuditEventType
from clinic.core.permissions import ensure_role, has_role, refuse
from clinic.patients.permissions import staff_location_ids

# Nurses and the medical director receive, draw, give, waste, return, destroy and count stock
# [UNVERIFIED: clinic policy; 21 CFR 1301.76(a) leaves to the registrant whom it trusts with
# controlled substances]. Front desk never does.
STOCK_ROLES = frozenset({Role.NURSE, Role.MEDICAL_DIRECTOR})
# At the chair, whoever may confirm and give a dose (nurse, clinician, medical director) draws it,
# records it given and wastes the rest [UNVERIFIED: clinic policy; a practitioner may administer
# under 21 CFR 1306.07 and a nurse under state law as the practitioner's agent].
CHAIRSIDE_ROLES = CLINICAL_ROLES
# A witness is any clinical member of staff.
WITNESS_ROLES = CLINICAL_ROLES
# A discrepancy is explained by a clinician or the medical director.
RESOLVER_ROLES = PRESCRIBER_ROLES
# The register is read by clinical staff.
VIEWER_ROLES = CLINICAL_ROLES


def works_at(user, location_id: int) -> bool:
    """The medical director oversees every location; other staff work where they are assigned."""
    if user.role == Role.MEDICAL_DIRECTOR:
        return True
    return location_id in staff_location_ids(user)


def can_move_stock(user, location_id: int) -> bool:
    return has_role(user, STOCK_ROLES) and works_at(user, location_id)


def can_view_register(user) -> bool:
    return has_role(user, VIEWER_ROLES)


def can_resolve_discrepancy(user, location_id: int) -> bool:
    return has_role(user, RESOLVER_ROLES) and works_at(user, location_id)


def ensure_can_move_stock(user, safe, *, event_type: AuditEventType, action: str) -> None:
    ensure_role(user, STOCK_ROLES, action=action, event_type=event_type, target=safe)
    if not works_at(user, safe.location_id):
        refuse(user, action=f"{action} at {safe.location}", event_type=event_type, target=safe)


def ensure_can_move_for_session(user, safe, *, event_type: AuditEventType, action: str) -> None:
    """Drawing, giving and wasting a session's dose, at the chair."""
    ensure_role(user, CHAIRSIDE_ROLES, action=action, event_type=event_type, target=safe)
    if not works_at(user, safe.location_id):
        refuse(user, action=f"{action} at {safe.location}", event_type=event_type, target=safe)


def ensure_can_resolve(user, safe, *, event_type: AuditEventType) -> None:
    action = "resolve count discrepancies"
    ensure_role(user, RESOLVER_ROLES, action=action, event_type=event_type, target=safe)
    if not works_at(user, safe.location_id):
        refuse(user, action=f"{action} at {safe.location}", event_type=event_type, target=safe)


def ensure_can_view_register(user) -> None:
    ensure_role(
        user,
        VIEWER_ROLES,
        action="see the controlled-substance register",
        event_type=AuditEventType.STOCK_REGISTER_VIEWED,
    )
