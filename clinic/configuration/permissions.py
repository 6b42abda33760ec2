"""Who may read and change the clinic's configuration: the medical director changes it; clinicians
read it (they prescribe within the protocols and act on the limits)."""

from __future__ import annotations

from clinic.accounts.choices import Role
from clinic.audit.choices import AuditEventType
from clinic.core.permissions import ensure_role, has_role

READERS = frozenset({Role.MEDICAL_DIRECTOR, Role.CLINICIAN})
EDITORS = frozenset({Role.MEDICAL_DIRECTOR})


def can_view_configuration(user) -> bool:
    return has_role(user, READERS)


def can_change_configuration(user) -> bool:
    return has_role(user, EDITORS)


def ensure_can_change_configuration(user, *, action: str, event_type: AuditEventType) -> None:
    ensure_role(user, EDITORS, action=action, event_type=event_type)
