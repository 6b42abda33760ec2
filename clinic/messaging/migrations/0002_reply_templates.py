"""Starting reply templates (the clinic edits them in the admin) and the messaging policy row."""

from django.db import migrations

from clinic.messaging.seeds.reply_templates_v1 import TEMPLATES


def seed(apps, schema_editor):
    ReplyTemplate = apps.get_model("messaging", "ReplyTemplate")
    MessagingPolicy = apps.get_model("messaging", "MessagingPolicy")
    for title, topic, body in TEMPLATES:
        ReplyTemplate.objects.get_or_create(title=title, defaults={"topic": topic, "body": body})
    MessagingPolicy.objects.get_or_create(singleton=True)


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
