"""The esketamine protocol's blood-pressure check at about 40 minutes, as migration 0004 seeded it.

Frozen: a migration that has shipped means the same thing forever, so this module is never
edited; a later change is a new module and a new migration (clinic/<app>/seeds/ holds every
app's seed data, imported at the top of the migration that writes it)."""

# Esketamine: blood pressure at about 40 minutes after dosing (Spravato US prescribing
# information, Dosage and Administration; the REMS Patient Monitoring Form asks for it).
INTRANASAL_SOURCE = (
    " Discharge needs a blood pressure at about 40 minutes (30–50 minutes counts: clinic policy "
    "[UNVERIFIED], the label says approximately) and one before discharge (Spravato US "
    "prescribing information; REMS Patient Monitoring Form)."
)
