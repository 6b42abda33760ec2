"""Fill the session figures from the sessions already recorded (historical models, the same
columns `clinic.outcomes.courses` writes). Later changes keep them up to date through the
services."""

from django.db import migrations
from django.db.models import Count, DurationField, ExpressionWrapper, F

BATCH = 5_000


def backfill(apps, schema_editor):
    session_model = apps.get_model("treatment_sessions", "TreatmentSession")
    side_effect_model = apps.get_model("treatment_sessions", "SideEffect")
    figures_model = apps.get_model("outcomes", "SessionFigures")
    side_effects = dict(
        side_effect_model.objects.filter(session__dosed_at__isnull=False)
        .order_by()
        .values("session_id")
        .annotate(n=Count("*"))
        .values_list("session_id", "n")
    )
    delay = ExpressionWrapper(
        F("discharged_at") - F("ready_for_discharge_at"), output_field=DurationField()
    )
    rows = (
        session_model.objects.filter(dosed_at__isnull=False)
        .annotate(delay=delay)
        .order_by("pk")
        .values_list(
            "pk", "patient_id", "location_id", "dosed_at", "route", "plan_version__protocol_id", "delay"
        )
    )
    figures_model.objects.bulk_create(
        (
            figures_model(
                session_id=pk,
                patient_id=patient_id,
                location_id=location_id,
                dosed_at=dosed_at,
                route=route,
                protocol_id=protocol_id,
                side_effects=side_effects.get(pk, 0),
                discharge_delay=discharge_delay,
            )
            for pk, patient_id, location_id, dosed_at, route, protocol_id, discharge_delay in rows.iterator(
                chunk_size=BATCH
            )
        ),
        batch_size=BATCH,
    )


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0004_session_figures")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
