"""Fill the seeded protocols' new limits with cited values (each protocol stays editable by the
medical director in the admin; a value a director has already set is left alone)."""

from django.db import migrations

from clinic.treatment.seeds.protocol_infusion_limits import LIMITS

EMPTY = (None, [])


def seed(apps, schema_editor):
    Protocol = apps.get_model("treatment", "ProtocolTemplate")
    for name, values in LIMITS.items():
        protocol = Protocol.objects.filter(name=name).first()
        if protocol is None:
            continue
        changed = [key for key, value in values.items() if getattr(protocol, key) in EMPTY]
        for key in changed:
            setattr(protocol, key, values[key])
        if changed:
            protocol.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [("treatment", "0003_protocol_infusion_limits")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
