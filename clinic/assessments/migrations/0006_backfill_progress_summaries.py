"""Fill the progress summaries from the responses already recorded (historical models; the
scoring and the instrument definitions are pure code). Later changes keep them up to date through
the services; `manage.py rebuild_progress_summaries` recomputes them at any time."""

from decimal import Decimal

from django.db import migrations




def backfill(apps, schema_editor):
    from clinic.assessments.instruments import INSTRUMENTS, get_instrument
    from clinic.assessments.policy import DEFAULT_ASSIGNMENTS
    from clinic.assessments.progress import Point, compute_progress

    Response = apps.get_model("assessments", "AssessmentResponse")
    Summary = apps.get_model("assessments", "ProgressSummary")
    Assignment = apps.get_model("assessments", "InstrumentAssignment")
    Patient = apps.get_model("patients", "Patient")
    rules = {rule.condition: rule.instrument_codes for rule in Assignment.objects.all()}

    summaries = {}
    series = (
        Response.objects.filter(status="completed", taken_at__isnull=False, total__isnull=False)
        .order_by("patient_id", "instrument_code", "taken_at", "id")
        .values_list("patient_id", "instrument_code", "taken_at", "total", "severity", "context")
    )
    points = {}
    for patient_id, code, taken_at, total, severity, context in series.iterator():
        points.setdefault((patient_id, code), []).append(
            Point(taken_at, Decimal(total), severity, context)
        )
    for (patient_id, code), found in points.items():
        if code not in INSTRUMENTS:
            continue
        progress = compute_progress(get_instrument(code), found)
        summaries[(patient_id, code)] = Summary(
            patient_id=patient_id,
            instrument_code=code,
            responses=len(found),
            baseline_total=progress.baseline.total,
            baseline_taken_at=progress.baseline.taken_at,
            previous_total=progress.previous.total if progress.previous else None,
            previous_taken_at=progress.previous.taken_at if progress.previous else None,
            latest_total=progress.latest.total,
            latest_taken_at=progress.latest.taken_at,
            latest_severity=progress.latest.severity,
            worsening=progress.worsening,
        )
    for patient_id, conditions in Patient.objects.values_list("pk", "primary_conditions").iterator():
        wanted = set()
        for condition in conditions or []:
            wanted.update(rules.get(condition, DEFAULT_ASSIGNMENTS.get(condition, [])))
        for code in wanted:
            if code not in INSTRUMENTS or not INSTRUMENTS[code].repeated:
                continue
            summary = summaries.get((patient_id, code))
            if summary is None:
                summaries[(patient_id, code)] = Summary(
                    patient_id=patient_id, instrument_code=code, required=True
                )
            else:
                summary.required = True
    Summary.objects.bulk_create(summaries.values(), batch_size=2000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0005_progress_summary")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
