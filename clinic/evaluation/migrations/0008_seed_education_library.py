"""Seed version 1 of the patient education library, published, so that a new clinic's patients
have pages to read from the first day. The text lives in a frozen module (clinic.evaluation.seeds.education_pages_v1);
later versions are made in the admin."""

from django.db import migrations
from django.utils import timezone

from clinic.evaluation.seeds.education_pages_v1 import EDUCATION_PAGES_V1


def seed(apps, schema_editor):
    Page = apps.get_model("evaluation", "EducationPage")
    now = timezone.now()
    for page in EDUCATION_PAGES_V1:
        Page.objects.get_or_create(
            code=page["code"],
            version=1,
            defaults={
                "title": page["title"],
                "phase": page["phase"],
                "routes": page["routes"],
                "body": page["body"],
                "status": "active",
                "published_at": now,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0007_education_library")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
