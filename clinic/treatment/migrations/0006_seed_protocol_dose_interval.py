"""Seed each protocol's floor between doses (the medical director edits them in the admin; a
value a director has already changed from the model's default is left alone).

No source gives a minimum interval in hours or days for any route; every value below is clinic
policy [UNVERIFIED], inferred from the most frequent schedules the sources describe:
- IV ketamine for mood disorders: two or three infusions a week (Singh et al., Am J Psychiatry
  2016;173:816-826; alternate days, Middle East Curr Psychiatry 2024;31:31; Mon/Wed/Fri as in
  Murrough et al., Biol Psychiatry 2013;74:250-256): never on consecutive days (2 calendar days),
  at most 3 in any 7 days.
- Chronic pain and CRPS: daily infusions on consecutive days (CRPS 4 h daily for 10 days;
  spinal-cord-injury pain on 7 consecutive days; Cohen et al., Reg Anesth Pain Med
  2018;43:521-546): 1 day, at most the protocol's 5 sessions a week.
- Esketamine nasal spray: twice a week in weeks 1-4, weekly in weeks 5-8 (Spravato US
  prescribing information, Janssen 2019): 2 days, at most 2 in any 7 days (the induction phase's
  count; the later phases' weekly sessions sit within it).
- IM and oral ketamine for depression: twice-weekly schedules (oral 1-2 mg/kg twice weekly,
  KheirAbadi & Golkar, Iran J Psychiatry Behav Sci 2023): 2 days, at most 3 in 7 days as for IV."""

from django.db import migrations

from clinic.treatment.seeds.protocol_dose_intervals import SEEDS

# The model's defaults (0005): a row still holding them has not been edited.
DEFAULTS = {"minimum_days_between_doses": 2, "maximum_doses_per_7_days": 3}


def seed(apps, schema_editor):
    Protocol = apps.get_model("treatment", "ProtocolTemplate")
    for name, values in SEEDS.items():
        protocol = Protocol.objects.filter(name=name).first()
        if protocol is None:
            continue
        changed = [key for key, value in values.items() if getattr(protocol, key) == DEFAULTS[key]]
        for key in changed:
            setattr(protocol, key, values[key])
        if changed:
            protocol.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [("treatment", "0005_protocol_dose_interval")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
