"""Keeping `ProgressSummary` in step with the responses, so that the clinical dashboard reads a
bounded, indexed list whatever the size of the clinic.

A summary is derived data: `refresh_series` recomputes one (patient, instrument) series from its
completed responses (a patient's series is tens of rows, never the clinic), and
`refresh_requirements` marks which instruments a patient's conditions call for. The services call
them inside their own transaction, so a summary never disagrees with a committed response.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from clinic.assessments.choices import ResponseStatus
from clinic.assessments.instruments import INSTRUMENTS
from clinic.assessments.models import AssessmentResponse, InstrumentAssignment, ProgressSummary
from clinic.assessments.policy import clinic_instrument, get_policy, instruments_for_conditions
from clinic.assessments.progress import Point, completed_point, compute_progress
from clinic.assessments.relapse import best_after_baseline, responded
from clinic.patients.locks import lock_patient_row
from clinic.patients.models import Patient

# Patients whose requirements are refreshed per transaction when every patient's are (the medical
# director changed which instruments a condition calls for).
REQUIREMENT_BATCH = 2_000


def refresh_series(patient_id: int, instrument_code: str, *, policy=None) -> ProgressSummary | None:
    """Recompute one series from its completed responses. A series with no completed response
    keeps its row only while the instrument is required (it is then "never done").

    Two responses of one patient completed at once would each summarise the series without the
    other's: the patient's row is locked first, so the second waits for the first to commit and
    then reads both."""
    lock_patient_row(patient_id)
    rows = list(
        AssessmentResponse.objects.filter(
            patient_id=patient_id,
            instrument_code=instrument_code,
            status=ResponseStatus.COMPLETED,
            taken_at__isnull=False,
            total__isnull=False,
        )
        .order_by("taken_at", "id")
        .values_list("taken_at", "total", "severity", "context")
    )
    summary = ProgressSummary.objects.filter(
        patient_id=patient_id, instrument_code=instrument_code
    ).first()
    if not rows:
        if summary is None:
            return None
        if not summary.required:
            summary.delete()
            return None
        _clear(summary)
        summary.save()
        return summary
    points = [
        completed_point(taken_at, total, severity, context)
        for taken_at, total, severity, context in rows
    ]
    fresh = _summary_of(patient_id, instrument_code, points, policy or get_policy())
    if summary is None:
        fresh.save()
        return fresh
    fresh.pk, fresh.required = summary.pk, summary.required
    fresh.save(force_update=True)
    return fresh


def _clear(summary: ProgressSummary) -> None:
    summary.responses = 0
    summary.baseline_total = summary.baseline_taken_at = None
    summary.previous_total = summary.previous_taken_at = None
    summary.latest_total = summary.latest_taken_at = None
    summary.latest_severity = ""
    summary.worsening = False
    summary.best_total = summary.best_taken_at = None
    summary.responded = False


def required_codes(conditions: list[str], rules: dict[str, list[str]] | None = None) -> set[str]:
    """The repeated instruments a patient with these conditions answers (the ones that fall due)."""
    return {
        code
        for code in instruments_for_conditions(conditions or [], rules=rules)
        if INSTRUMENTS[code].repeated
    }


def refresh_requirements(
    patients: Iterable[Patient], *, rules: dict[str, list[str]] | None = None
) -> None:
    """Mark, for each patient, which instruments their conditions call for: a required series
    without a row gets one (so that it shows as never done), and a series no longer required
    without any response loses its row."""
    patients = list(patients)
    if not patients:
        return
    if rules is None:
        rules = {
            rule.condition: rule.instrument_codes for rule in InstrumentAssignment.objects.all()
        }
    wanted = {patient.pk: required_codes(patient.primary_conditions, rules) for patient in patients}
    existing = {
        (row.patient_id, row.instrument_code): row
        for row in ProgressSummary.objects.filter(patient_id__in=wanted)
    }
    to_create: list[ProgressSummary] = []
    to_require: list[int] = []
    to_release: list[int] = []
    to_delete: list[int] = []
    for patient_id, codes in wanted.items():
        for code in codes:
            row = existing.get((patient_id, code))
            if row is None:
                to_create.append(
                    ProgressSummary(patient_id=patient_id, instrument_code=code, required=True)
                )
            elif not row.required:
                to_require.append(row.pk)
    for (patient_id, code), row in existing.items():
        if row.required and code not in wanted[patient_id]:
            (to_release if row.responses else to_delete).append(row.pk)
    ProgressSummary.objects.bulk_create(to_create, ignore_conflicts=True)
    ProgressSummary.objects.filter(pk__in=to_require).update(required=True)
    ProgressSummary.objects.filter(pk__in=to_release).update(required=False)
    ProgressSummary.objects.filter(pk__in=to_delete).delete()


def refresh_patient_requirements(patient: Patient) -> None:
    """The `care_changed` hook (clinic.patients.hooks): one patient's status or conditions changed."""
    refresh_requirements([patient])


def refresh_every_patients_requirements() -> int:
    """After the medical director changes which instruments a condition calls for: every
    patient's requirements, in batches of `REQUIREMENT_BATCH` (each its own transaction)."""
    rules = {rule.condition: rule.instrument_codes for rule in InstrumentAssignment.objects.all()}
    done = 0
    last_pk = 0
    while True:
        batch = list(
            Patient.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .only("pk", "primary_conditions")[:REQUIREMENT_BATCH]
        )
        if not batch:
            return done
        with transaction.atomic():
            refresh_requirements(batch, rules=rules)
        done += len(batch)
        last_pk = batch[-1].pk


def _summary_of(patient_id: int, code: str, points: list[Point], policy) -> ProgressSummary:
    instrument = clinic_instrument(code, policy)
    progress = compute_progress(instrument, points)
    baseline, best = best_after_baseline(points)
    return ProgressSummary(
        patient_id=patient_id,
        instrument_code=code,
        responses=len(points),
        baseline_total=progress.baseline.total,
        baseline_taken_at=progress.baseline.taken_at,
        previous_total=progress.previous.total if progress.previous else None,
        previous_taken_at=progress.previous.taken_at if progress.previous else None,
        latest_total=progress.latest.total,
        latest_taken_at=progress.latest.taken_at,
        latest_severity=progress.latest.severity,
        worsening=progress.worsening,
        best_total=best.total if best else None,
        best_taken_at=best.taken_at if best else None,
        responded=bool(best and responded(instrument, baseline.total, best.total)),
    )


def rebuild_all() -> int:
    """Every summary recomputed from the responses (`manage.py rebuild_progress_summaries`): one
    ordered pass over the completed responses, a series at a time, written in batches; then every
    patient's requirements. Returns the number of series with responses."""
    policy = get_policy()
    rows = (
        AssessmentResponse.objects.filter(
            status=ResponseStatus.COMPLETED, taken_at__isnull=False, total__isnull=False
        )
        .order_by("patient_id", "instrument_code", "taken_at", "id")
        .values_list("patient_id", "instrument_code", "taken_at", "total", "severity", "context")
    )
    count = 0
    with transaction.atomic():
        ProgressSummary.objects.all().delete()
        batch: list[ProgressSummary] = []
        key: tuple[int, str] | None = None
        points: list[Point] = []
        for patient_id, code, taken_at, total, severity, context in rows.iterator(chunk_size=5000):
            if (patient_id, code) != key:
                if key is not None and key[1] in INSTRUMENTS:
                    batch.append(_summary_of(*key, points, policy))
                    count += 1
                key, points = (patient_id, code), []
            points.append(completed_point(taken_at, total, severity, context))
            if len(batch) >= REQUIREMENT_BATCH:
                ProgressSummary.objects.bulk_create(batch)
                batch = []
        if key is not None and key[1] in INSTRUMENTS:
            batch.append(_summary_of(*key, points, policy))
            count += 1
        ProgressSummary.objects.bulk_create(batch)
    refresh_every_patients_requirements()
    return count
