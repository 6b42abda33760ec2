"""Small helpers services share for changing a record."""

from __future__ import annotations

from typing import Any


def apply_changes(instance, changes: dict[str, Any]) -> list[str]:
    """Set the fields whose values differ and return their names, sorted (for the audit entry,
    which names the fields changed but never their values)."""
    changed = sorted(field for field, value in changes.items() if getattr(instance, field) != value)
    for field in changed:
        setattr(instance, field, changes[field])
    return changed
