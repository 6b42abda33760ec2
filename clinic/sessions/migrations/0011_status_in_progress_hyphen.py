"""A session under way is stored as "in-progress", FHIR's spelling (Encounter.status and
Procedure.status), as evaluations and questionnaire responses already are, instead of
"in_progress": one spelling of the state across the record.

No constraint, index or trigger of this app names the value; the row guards
(clinic.sessions.guards) seal on locked_at and are re-created after every migrate anyway."""

from django.db import migrations, models

OLD = "in_progress"
NEW = "in-progress"


def _respell(apps, old: str, new: str) -> None:
    TreatmentSession = apps.get_model("treatment_sessions", "TreatmentSession")
    # A session still being monitored is never locked, so its row guard lets this through.
    TreatmentSession.objects.filter(status=old).update(status=new)


def forwards(apps, schema_editor):
    _respell(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _respell(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("treatment_sessions", "0010_minor_gate"),
    ]

    operations = [
        migrations.AlterField(
            model_name="treatmentsession",
            name="status",
            field=models.CharField(
                choices=[
                    ("preparation", "Preparing"),
                    ("in-progress", "Dosed, monitoring"),
                    ("discharged", "Discharged, awaiting signatures"),
                    ("signed", "Signed"),
                    ("not_done", "Not done"),
                ],
                default="preparation",
                max_length=12,
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
