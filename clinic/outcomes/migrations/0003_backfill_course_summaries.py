"""Fill the course summaries from the record already kept, with the historical models, through
the same rebuild `manage.py rebuild_course_summaries` runs. Later changes keep them up to date
through the services."""

from django.db import migrations


def backfill(apps, schema_editor):
    from clinic.outcomes.courses import Tables, rebuild_all

    rebuild_all(
        Tables(
            patient=apps.get_model("patients", "Patient"),
            evaluation=apps.get_model("evaluation", "Evaluation"),
            plan=apps.get_model("treatment", "TreatmentPlan"),
            plan_version=apps.get_model("treatment", "TreatmentPlanVersion"),
            session=apps.get_model("treatment_sessions", "TreatmentSession"),
            progress_summary=apps.get_model("assessments", "ProgressSummary"),
            response=apps.get_model("assessments", "AssessmentResponse"),
            course_summary=apps.get_model("outcomes", "CourseSummary"),
            outcome_score=apps.get_model("outcomes", "OutcomeScore"),
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0002_course_summaries"),
        ("assessments", "0010_side_effect_checks"),
        ("evaluation", "0012_seed_v3_adolescent_rule"),
        ("treatment_sessions", "0010_minor_gate"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
