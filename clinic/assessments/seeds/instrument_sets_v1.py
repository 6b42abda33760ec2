"""Version 1 of the condition → instrument sets, as migration 0002 seeded them.

Frozen: a migration that has shipped means the same thing forever, so this module is never
edited; a later change is a new module and a new migration (clinic/<app>/seeds/ holds every
app's seed data, imported at the top of the migration that writes it)."""

INSTRUMENT_SETS_V1 = {
    "trd": ["phq9", "cssrs_screen"],
    "anxiety": ["gad7"],
    "ptsd": ["pcl5", "phq9"],
    "bipolar_depression": ["phq9", "mdq", "cssrs_screen"],
    "ocd": ["ybocs"],
    "chronic_pain": ["pain_nrs", "bpi_sf"],
    "neuropathic_pain": ["pain_nrs", "bpi_sf"],
    "fibromyalgia": ["pain_nrs", "bpi_sf"],
    "crps": ["pain_nrs", "bpi_sf"],
    "other": ["phq9"],
}
