"""Version 2 of the condition → instrument sets, as migration 0004 wrote them over the sets still as seeded.

Frozen: a migration that has shipped means the same thing forever, so this module is never
edited; a later change is a new module and a new migration (clinic/<app>/seeds/ holds every
app's seed data, imported at the top of the migration that writes it)."""

# Every condition's set now includes the C-SSRS screen; depression sets add the QIDS-SR16 and
# bipolar depression the ASRM.
INSTRUMENT_SETS_V2 = {
    "trd": ["phq9", "qids_sr16", "cssrs_screen"],
    "anxiety": ["gad7", "cssrs_screen"],
    "ptsd": ["phq9", "pcl5", "cssrs_screen"],
    "bipolar_depression": ["phq9", "qids_sr16", "mdq", "asrm", "cssrs_screen"],
    "ocd": ["ybocs", "cssrs_screen"],
    "chronic_pain": ["pain_nrs", "bpi_sf", "cssrs_screen"],
    "neuropathic_pain": ["pain_nrs", "bpi_sf", "cssrs_screen"],
    "fibromyalgia": ["pain_nrs", "bpi_sf", "cssrs_screen"],
    "crps": ["pain_nrs", "bpi_sf", "cssrs_screen"],
    "other": ["phq9", "cssrs_screen"],
}
