"""Each seeded protocol's floor between doses, as migration 0006 filled it in.

Frozen: a migration that has shipped means the same thing forever, so this module is never
edited; a later change is a new module and a new migration (clinic/<app>/seeds/ holds every
app's seed data, imported at the top of the migration that writes it)."""

MOOD = {"minimum_days_between_doses": 2, "maximum_doses_per_7_days": 3}
PAIN = {"minimum_days_between_doses": 1, "maximum_doses_per_7_days": 5}
ESKETAMINE = {"minimum_days_between_doses": 2, "maximum_doses_per_7_days": 2}
SEEDS = {
    "IV ketamine — treatment-resistant depression": MOOD,
    "IV ketamine — PTSD": MOOD,
    "IV ketamine — anxiety": MOOD,
    "IV ketamine — CRPS": PAIN,
    "IV ketamine — chronic pain": PAIN,
    "Esketamine nasal spray — treatment-resistant depression": ESKETAMINE,
    "IM ketamine — treatment-resistant depression": MOOD,
    "Oral or sublingual ketamine — treatment-resistant depression": MOOD,
}
