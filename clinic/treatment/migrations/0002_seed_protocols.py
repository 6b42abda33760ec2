"""Seed the protocol templates (frozen data in clinic.treatment.seeds.protocols_v1; edited later by the
medical director)."""

from decimal import Decimal

from django.db import migrations

from clinic.treatment.seeds.protocols_v1 import PROTOCOLS_V1


def seed(apps, schema_editor):
    Protocol = apps.get_model("treatment", "ProtocolTemplate")
    for row in PROTOCOLS_V1:
        values = dict(row)
        for key in ("default_dose", "minimum_dose", "maximum_dose"):
            values[key] = Decimal(values[key])
        Protocol.objects.get_or_create(name=values.pop("name"), defaults=values)


class Migration(migrations.Migration):
    dependencies = [("treatment", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
