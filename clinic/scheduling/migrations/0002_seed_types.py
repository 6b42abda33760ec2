"""Seed appointment types and the scheduling policy (editable in the admin). Durations are clinic
policy; a treatment session covers dosing plus monitoring and recovery before discharge."""

from django.db import migrations

from clinic.scheduling.seeds.appointment_types_v1 import TYPES


def seed(apps, schema_editor):
    AppointmentType = apps.get_model("scheduling", "AppointmentType")
    SchedulingPolicy = apps.get_model("scheduling", "SchedulingPolicy")
    SchedulingPolicy.objects.get_or_create(singleton=True)
    for code, name, kind, route, minutes, needs_room, role, questionnaires, preparation, source in TYPES:
        AppointmentType.objects.get_or_create(
            code=code,
            defaults={
                "name": name, "kind": kind, "route": route, "duration_minutes": minutes, "needs_room": needs_room,
                "staff_role": role, "send_questionnaires": questionnaires, "preparation": preparation, "source": source,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
