"""Starting reply templates (the clinic edits them in the admin) and the messaging policy row."""

from django.db import migrations

TEMPLATES = [
    (
        "Appointment changed",
        "appointments",
        "Thank you for your message. We have changed your appointment; you will find the new time "
        "under Appointments in the portal, and a reminder will come before it.",
    ),
    (
        "Please call us",
        "",
        "Thank you for your message. This is easier to sort out by phone: please call the clinic "
        "during opening hours and we will help you straight away.",
    ),
    (
        "Billing: we are looking into it",
        "billing",
        "Thank you for your message. We are checking your account and will write back within two "
        "working days.",
    ),
    (
        "Side effect: thank you for telling us",
        "side_effects",
        "Thank you for telling us. A clinician has read your message. If it gets worse, or you "
        "have new symptoms, call the clinic; in an emergency call 911.",
    ),
]


def seed(apps, schema_editor):
    ReplyTemplate = apps.get_model("messaging", "ReplyTemplate")
    MessagingPolicy = apps.get_model("messaging", "MessagingPolicy")
    for title, topic, body in TEMPLATES:
        ReplyTemplate.objects.get_or_create(title=title, defaults={"topic": topic, "body": body})
    MessagingPolicy.objects.get_or_create(singleton=True)


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
