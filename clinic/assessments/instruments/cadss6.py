"""CADSS-6, the six-item short form of the Clinician-Administered Dissociative States Scale, rated
by a clinician after ketamine dosing. Items 1, 2, 6, 7, 15 and 22 of the CADSS (Bremner et al.,
J Trauma Stress 1998;11:125); the short form correlated 0.91–0.95 with the full scale across IV
ketamine infusions 1–4 but was developed retrospectively and "remains unvalidated" (Rodrigues et
al., J Affect Disord 2021;282:160). Chosen over the 23-item CADSS
because a nurse can rate it at the chair side in a minute.

Each item 0–4 (not at all, slightly, moderately, considerably, extremely) [UNVERIFIED anchors]; total 0–24. No validated clinical cut-off exists, so `severity` only says
whether any dissociation was rated ("none" / "present"); the number is what clinicians follow.
Items 1–15 are asked of the patient; item 22 is the rater's observation. Wording of item 22
[UNVERIFIED]: confirm against the licensed CADSS form before go-live.
"""

from clinic.assessments.choices import Respondent
from clinic.assessments.instruments.base import (
    Band,
    Instrument,
    Item,
    options,
    sum_rule,
)

RATING = options("Not at all", "Slightly", "Moderately", "Considerably", "Extremely")
ITEMS = (
    ("1", "Do things seem to be moving in slow motion?"),
    ("2", "Do things seem to be unreal to you, as if you are in a dream?"),
    ("6", "Do you feel disconnected from your own body?"),
    (
        "7",
        "Does your sense of your own body feel changed: for instance, does your own body feel unusually large or unusually small?",
    ),
    ("15", "Do you space out, or in some other way lose track of what is going on?"),
    (
        "22",
        "Observer: did the patient appear to space out or lose track of what was going on during the interview?",
    ),
)

CADSS6 = Instrument(
    code="cadss6",
    name="Clinician-Administered Dissociative States Scale, 6-item short form",
    short_name="CADSS-6",
    purpose="Dissociation after ketamine dosing (clinician-rated)",
    instructions="Ask the patient about how they feel at this time, in this room; rate item 22 from your own observation.",
    items=tuple(
        Item(f"cadss6_{n}", n, text, RATING, group="observer" if n == "22" else "subjective")
        for n, text in ITEMS
    ),
    bands=(Band(0, 0, "none", "None rated"), Band(1, 24, "present", "Dissociation present")),
    min_total=0,
    max_total=24,
    rule=sum_rule(),
    respondent=Respondent.CLINICIAN,
    source="Bremner JD, Krystal JH, Putnam FW, et al. J Trauma Stress 1998;11:125–136; short form: Rodrigues NB, et al. J Affect Disord 2021;282:160–164.",
    copyright_note="CADSS © J. Douglas Bremner; used in research and clinical care with attribution.",
    recall="now (during and after the dose)",
    loinc_note="No LOINC code: the six-item short form is an unvalidated research derivative of the CADSS (Rodrigues 2021), not a LOINC panel.",
)
