"""Chain the audit rows (clinic.audit.chain): number every existing row in the order it was
written and seal it, then make the number and the seal required.

The triggers that refuse changes are (re)created after every migrate by clinic.core.guards; this
migration drops the old update trigger first, since sealing the existing rows has to write them
once (on SQLite the table is also rebuilt, which drops its triggers anyway)."""

import django.utils.timezone
from django.db import migrations, models


def seal_existing_rows(apps, schema_editor):
    from clinic.audit.chain import GENESIS_SHA256, content_of, seal

    AuditEvent = apps.get_model("audit", "AuditEvent")
    previous = GENESIS_SHA256
    # The historical manager is Django's plain one, so update() is allowed here.
    for position, event in enumerate(AuditEvent.objects.order_by("id").iterator(), start=1):
        event.chain_position = position
        previous = seal(previous_sha256=previous, content=content_of(event))
        AuditEvent.objects.filter(pk=event.pk).update(chain_position=position, chain_sha256=previous)


def drop_old_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_no_update ON audit_auditevent")
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_guard ON audit_auditevent")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_alter_auditevent_event_type")]

    operations = [
        migrations.RunPython(drop_old_triggers, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="occurred_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain_position",
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain_sha256",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(seal_existing_rows, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="chain_position",
            field=models.BigIntegerField(unique=True),
        ),
    ]
