"""The seeded protocols' infusion and esketamine limits, as migration 0004 filled them in.

Frozen: a migration that has shipped means the same thing forever, so this module is never
edited; a later change is a new module and a new migration (clinic/<app>/seeds/ holds every
app's seed data, imported at the top of the migration that writes it)."""

from decimal import Decimal

# Mood disorders (depression, PTSD, anxiety): 0.5 mg/kg over 40 min (Sanacora et al., APA
# consensus, JAMA Psychiatry 2017;74(4):399-405) = 0.75 mg/kg/h. 40 min as the shortest is clinic
# policy [UNVERIFIED: 2-100 min sessions have been used - Andrade C, J Clin Psychiatry
# 2017;78:e852]; 100 min as the longest (Andrade 2017; Rasmussen et al., J Psychopharmacol 2013,
# 100-min infusions). Ceiling 1.5 mg/kg/h [UNVERIFIED clinic policy: no source fixes one for
# psychiatry; 1.0 mg/kg over 40 min, the highest dose-finding arm (Freeman et al., J Clin
# Psychopharmacol 2020;40:287-292), is 1.5 mg/kg/h]. Stock 50 mg/mL (Ketalar label strengths
# 10, 50 and 100 mg/mL, https://www.drugs.com/dosage/ketalar.html) added to a 100 mL saline bag
# (the dose in 100 mL over 40 min: Middle East Curr Psychiatry 2024;31:31) [UNVERIFIED clinic
# choice of strength: the Handbook on Injectable Drugs says the 10 mg/mL strength should not be
# diluted, so the bag is made from 50 mg/mL].
MOOD = {
    "minimum_infusion_minutes": 40,
    "maximum_infusion_minutes": 100,
    "maximum_mg_per_kg_per_hour": Decimal("1.50"),
    "maximum_bolus_mg_per_kg": None,
    "bolus_up_to_minutes": None,
    "stock_concentration_mg_per_ml": Decimal("50.0"),
    "bag_volume_ml": Decimal("100.0"),
}
# Chronic pain and CRPS (Cohen et al., ASRA/AAPM/ASA guideline, Reg Anesth Pain Med
# 2018;43:521-546): bolus up to 0.35 mg/kg; infusion 0.5-2 mg/kg/h (up to 7 mg/kg/h only in
# refractory ICU cases); a total of at least 80 mg over more than 2 h suggested, so 120 min is the
# shortest [SECONDARY]; 5 h the longest (trial sessions of 17 min to 5 h, 4 h daily for CRPS:
# the guideline's evidence table as summarised by MedCentral) [SECONDARY]. Stock 50 mg/mL in a
# 250 mL bag [UNVERIFIED clinic choice; 500 mg in 250 mL = 2 mg/mL is a label dilution for
# fluid-restricted patients]. A dose over 15 min or less counts as a bolus [UNVERIFIED clinic
# policy: the guideline gives the bolus ceiling but not where a bolus ends].
PAIN = {
    "minimum_infusion_minutes": 120,
    "maximum_infusion_minutes": 300,
    "maximum_mg_per_kg_per_hour": Decimal("2.00"),
    "maximum_bolus_mg_per_kg": Decimal("0.35"),
    "bolus_up_to_minutes": 15,
    "stock_concentration_mg_per_ml": Decimal("50.0"),
    "bag_volume_ml": Decimal("250.0"),
}
# Esketamine nasal spray: 28 mg a device; day 1 56 mg, then 56 or 84 mg (Spravato US prescribing
# information, Janssen 2019; https://www.spravatohcp.com). From 65: day 1 28 mg, then 28, 56 or
# 84 mg, in 28 mg steps (Spravato UK SmPC, https://www.medicines.org.uk/emc/product/10977/smpc)
# [UNVERIFIED for the US label: no separate dosing from 65 was confirmed in it - the medical
# director decides whether to keep the SmPC's older-adult doses].
ESKETAMINE = {
    "device_mg": Decimal("28.0"),
    "allowed_doses_mg": [56, 84],
    "first_session_dose_mg": Decimal("56.0"),
    "older_adult_from_age_years": 65,
    "older_adult_allowed_doses_mg": [28, 56, 84],
    "older_adult_first_session_dose_mg": Decimal("28.0"),
}
LIMITS = {
    "IV ketamine — treatment-resistant depression": MOOD,
    "IV ketamine — PTSD": MOOD,
    "IV ketamine — anxiety": MOOD,
    "IV ketamine — CRPS": PAIN,
    "IV ketamine — chronic pain": PAIN,
    "Esketamine nasal spray — treatment-resistant depression": ESKETAMINE,
}
