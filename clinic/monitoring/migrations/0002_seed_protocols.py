"""Seed one monitoring protocol per route (edited later by the medical director in the admin)."""

from django.db import migrations

from clinic.monitoring.seeds.protocols_v1 import SCHEDULES


def seed(apps, schema_editor):
    Protocol = apps.get_model("monitoring", "MonitoringProtocol")
    for route, (minutes, observation, source) in SCHEDULES.items():
        Protocol.objects.get_or_create(
            route=route, defaults={"reading_schedule_minutes": minutes, "minimum_observation_minutes": observation, "source": source}
        )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
