"""The roles an account carries (defined in core, the lowest layer, so core and audit can name
them too)."""

from clinic.core.roles import CLINICAL_ROLES, PORTAL_ROLES, PRESCRIBER_ROLES, STAFF_ROLES, Role

__all__ = ["CLINICAL_ROLES", "PORTAL_ROLES", "PRESCRIBER_ROLES", "STAFF_ROLES", "Role"]
