"""Seed the protocol templates (frozen data in seed_v1.py; edited later in the admin)."""

from decimal import Decimal

from django.db import migrations


def seed(apps, schema_editor):
    from clinic.treatment.seed_v1 import PROTOCOLS_V1

    Protocol = apps.get_model("treatment", "ProtocolTemplate")
    for row in PROTOCOLS_V1:
        values = dict(row)
        for key in ("default_dose", "minimum_dose", "maximum_dose"):
            values[key] = Decimal(values[key])
        Protocol.objects.get_or_create(name=values.pop("name"), defaults=values)


class Migration(migrations.Migration):
    dependencies = [("treatment", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
