"""Version 3 of the screening rules: version 2 plus a rule on an adolescent patient (a clinic
that sees minors lowers its minimum age; see clinic.patients.ages) and a prompt for a cognitive
screen in an older adult. Frozen, like v1 and v2.

Ketamine's evidence for depression comes from trials in adults; the consensus statement of the
American Psychiatric Association's research council (Sanacora G et al., JAMA Psychiatry
2017;74:399–405) reviews adult use only, and esketamine's label states that safety and
effectiveness in pediatric patients are not established (Spravato US prescribing information,
§8.4 Pediatric Use) — esketamine is refused below 18 by its own gate. For racemic ketamine (IV,
IM, oral) no retrieved source makes youth an absolute contraindication, so the rule is relative:
the clinician records their reason to treat. Its severity and cut-off are clinic policy
[UNVERIFIED], edited by the medical director in a new rule-set version.
"""

ADOLESCENT_PATIENT = (
    "adolescent-patient",
    "Adolescent patient (under 18)",
    "relative",
    "age_years",
    "lt",
    18,
    "Ketamine's evidence is in adults: record why treatment is appropriate for this young "
    "person, and check that a guardian's consent and the patient's own assent are signed.",
    "Clinic policy [UNVERIFIED]; adult evidence only (Sanacora et al., JAMA Psychiatry "
    "2017;74:399); esketamine: pediatric safety and effectiveness not established (Spravato US "
    "PI §8.4)",
)

# Older adults: the clinic asks for a cognitive screen before treatment, so that later memory or
# concentration complaints (a known effect of repeated ketamine) can be judged against a baseline.
# No retrieved source sets an age for this or names the screen: the cut-off of 65 follows the age
# from which esketamine's EU SmPC gives older-adult doses (28 mg to start), and the rule is clinic
# policy [UNVERIFIED]. Relative, so the clinician records the screen and its result (e.g. MoCA
# 27/30) in the acknowledgement before finding the patient suitable.
OLDER_ADULT_COGNITIVE_SCREEN = (
    "older-adult-cognitive-screen",
    "Older adult (65 or over): cognitive screen",
    "relative",
    "age_years",
    "gte",
    65,
    "Do a cognitive screen (e.g. MoCA or Mini-Cog) and record the instrument and result here, as "
    "the baseline for later memory or concentration complaints.",
    "Clinic policy [UNVERIFIED]: no retrieved source sets the age; 65 is the older-adult age of "
    "the Spravato EU SmPC",
)

RULES_V3_ADDED = [ADOLESCENT_PATIENT, OLDER_ADULT_COGNITIVE_SCREEN]
