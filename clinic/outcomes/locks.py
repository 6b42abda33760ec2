"""Row locks the course summaries take, held until the transaction ends."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from clinic.patients.models import Patient


def lock_course_patients(patient_ids: Sequence[int], *, model: Any = Patient) -> dict[int, int]:
    """The patients' rows, locked in primary-key order (two refreshes of overlapping patients
    never wait on each other in a circle), and each one's location. `model` is the historical
    Patient when a migration rebuilds the summaries."""
    return dict(
        model.objects.select_for_update()
        .filter(pk__in=patient_ids)
        .order_by("pk")
        .values_list("pk", "location_id")
    )
