"""A review being written is stored as "in-progress", FHIR's spelling, as evaluations and
questionnaire responses already are, instead of "in_progress": one spelling of the state across
the record.

The two constraints that name the value (one open review per patient; a signed review is
complete) are dropped before the rows are respelled and rebuilt after, so neither refuses a row
halfway. The row guard that seals a signed review (clinic.reviews.guards: sealed unless the status
is in progress) is re-created with the new spelling by clinic.core.guards after every migrate."""

from django.db import migrations, models

OLD = "in_progress"
NEW = "in-progress"


def _respell(apps, old: str, new: str) -> None:
    FollowUpReview = apps.get_model("reviews", "FollowUpReview")
    # Only reviews still being written change, and the guard never seals those; update() leaves
    # updated_at as it was, since nothing about the review changed.
    FollowUpReview.objects.filter(status=old).update(status=new)


def forwards(apps, schema_editor):
    _respell(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _respell(apps, NEW, OLD)


def _constraints(in_progress: str) -> list[models.BaseConstraint]:
    return [
        models.UniqueConstraint(
            condition=models.Q(status=in_progress),
            fields=("patient",),
            name="one_open_review_per_patient",
        ),
        models.CheckConstraint(
            condition=models.Q(status=in_progress)
            | (
                models.Q(signed_by__isnull=False)
                & models.Q(signed_at__isnull=False)
                & models.Q(facts__isnull=False)
                & ~models.Q(decision="")
                & ~models.Q(content_sha256="")
            ),
            name="signed_review_complete",
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="followupreview", name="one_open_review_per_patient"
        ),
        migrations.RemoveConstraint(model_name="followupreview", name="signed_review_complete"),
        migrations.AlterField(
            model_name="followupreview",
            name="status",
            field=models.CharField(
                choices=[
                    ("in-progress", "In progress"),
                    ("signed", "Signed"),
                    ("amended", "Signed, with addenda"),
                ],
                default="in-progress",
                max_length=12,
            ),
        ),
        migrations.RunPython(forwards, backwards),
        *(
            migrations.AddConstraint(model_name="followupreview", constraint=constraint)
            for constraint in _constraints(NEW)
        ),
    ]
