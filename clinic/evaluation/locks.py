"""Row locks on evaluations and on the versioned documents the medical director publishes,
held until the transaction ends."""

from __future__ import annotations

from typing import TypeVar

from django.db import models

from clinic.core.compiled import CompiledQuery
from clinic.evaluation.choices import EvaluationStatus
from clinic.evaluation.models import Evaluation

Versioned = TypeVar("Versioned", bound=models.Model)


def _evaluation_to_lock(pk, *, of: tuple[str, ...]):
    return Evaluation.objects.select_for_update(of=of).select_related("patient").filter(pk=pk)


# Compiled once per connection (clinic.core.compiled): every change to an evaluation runs one.
_LOCK = CompiledQuery(lambda pk: _evaluation_to_lock(pk, of=("self",)), pk=Evaluation._meta.pk)
_LOCK_WITH_PATIENT = CompiledQuery(
    lambda pk: _evaluation_to_lock(pk, of=("self", "patient")), pk=Evaluation._meta.pk
)


def lock_evaluation(evaluation_id: int, *, with_patient: bool = False) -> Evaluation:
    """The evaluation's row, locked, read with its patient in one statement; `with_patient`
    locks the patient's row too (before the patient's measurements change). The evaluation is
    locked before its patient, the order every evaluation step keeps."""
    return (_LOCK_WITH_PATIENT if with_patient else _LOCK).get(pk=evaluation_id)


def lock_open_evaluation_of(patient_id: int) -> Evaluation | None:
    """The patient's evaluation in progress, locked (the newest, should there be two), or None."""
    return (
        Evaluation.objects.select_for_update()
        .filter(patient_id=patient_id, status=EvaluationStatus.IN_PROGRESS)
        .first()
    )


def lock_version(model: type[Versioned], pk: int) -> Versioned:
    """One version of a published document (a consent document, a screening rule set, an
    education page), locked while it is published."""
    return model.objects.select_for_update().get(pk=pk)  # type: ignore[attr-defined]
