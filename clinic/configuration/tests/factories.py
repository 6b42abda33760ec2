"""Configuration changes made through the services, as a director would."""

from __future__ import annotations

from typing import Any

from clinic.configuration import services
from clinic.configuration.choices import TargetKind
from clinic.configuration.targets import TARGETS


def draft_change(*, actor, kind: TargetKind, key: str, **changes: Any):
    target = TARGETS[kind]
    values = target.values_of(target.row_for_key(key))
    values.update(changes)
    return services.save_draft(actor=actor, kind=kind, key=key, values=values, reason="test")
