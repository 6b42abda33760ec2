"""Seed the clinic's assessment settings and condition → instrument rules (editable in the admin).
The values live in the frozen clinic.assessments.seeds.instrument_sets_v1."""

from django.db import migrations

from clinic.assessments.seeds.instrument_sets_v1 import INSTRUMENT_SETS_V1


def seed(apps, schema_editor):
    AssessmentPolicy = apps.get_model("assessments", "AssessmentPolicy")
    InstrumentAssignment = apps.get_model("assessments", "InstrumentAssignment")
    AssessmentPolicy.objects.get_or_create(singleton=True)
    for condition, codes in INSTRUMENT_SETS_V1.items():
        InstrumentAssignment.objects.get_or_create(condition=condition, defaults={"instrument_codes": codes})


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
