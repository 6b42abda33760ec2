"""Seed the clinic's assessment settings and condition → instrument rules (editable in the admin).
The values are copied here, not imported, so this migration means the same thing forever."""

from django.db import migrations

ASSIGNMENTS = {
    "trd": ["phq9", "cssrs_screen"],
    "anxiety": ["gad7"],
    "ptsd": ["pcl5", "phq9"],
    "bipolar_depression": ["phq9", "mdq", "cssrs_screen"],
    "ocd": ["ybocs"],
    "chronic_pain": ["pain_nrs", "bpi_sf"],
    "neuropathic_pain": ["pain_nrs", "bpi_sf"],
    "fibromyalgia": ["pain_nrs", "bpi_sf"],
    "crps": ["pain_nrs", "bpi_sf"],
    "other": ["phq9"],
}


def seed(apps, schema_editor):
    AssessmentPolicy = apps.get_model("assessments", "AssessmentPolicy")
    InstrumentAssignment = apps.get_model("assessments", "InstrumentAssignment")
    AssessmentPolicy.objects.get_or_create(singleton=True)
    for condition, codes in ASSIGNMENTS.items():
        InstrumentAssignment.objects.get_or_create(condition=condition, defaults={"instrument_codes": codes})


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
