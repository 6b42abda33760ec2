"""One monitoring protocol per route, as migration 0002 seeded them.

Frozen: a migration that has shipped means the same thing forever, so this module is never
edited; a later change is a new module and a new migration (clinic/<app>/seeds/ holds every
app's seed data, imported at the top of the migration that writes it)."""

IV_SOURCE = (
    "Limits: clinic policy [UNVERIFIED: the APA consensus (Sanacora 2017) asks for continuous assessment; the "
    "140/90 start, 180/100 stop and HR 110 figures are not in its retrieved text]. Readings every 5–15 minutes "
    "during the infusion [UNVERIFIED: local sedation policy]."
)
SCHEDULES = {
    # route: (schedule minutes after dosing, minimum observation minutes, source)
    "iv": ([0, 10, 20, 30, 40, 55, 70], 60, IV_SOURCE),
    "im": ([0, 10, 20, 30, 45, 60], 60, "Clinic policy [UNVERIFIED]."),
    "intranasal": (
        [0, 40, 90, 120],
        120,
        "Spravato label: blood pressure before dosing, at about 40 minutes and until stable; observe at least 2 hours (Spravato US prescribing information, Dosage and Administration).",
    ),
    "oral": ([0, 20, 40, 60, 90], 90, "Clinic policy [UNVERIFIED]."),
}
