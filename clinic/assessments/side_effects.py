"""What a patient can report between visits, which answers are red flags, and what the patient is
told to do at once (pure rules: no database).

The symptom list follows what clinics are advised to follow after ketamine, beyond the session
itself:
- The Ketamine Side Effect Tool (KSET; Short et al., J Affect Disord 2020;266:615-620) and its
  revision KSET-R (PMID 39721099) follow acute effects and longer-term ones between sessions and at
  follow-up; Bayes et al. (J Affect Disord 2022;308:44-46) recommend it for off-label generic
  ketamine, where no standard safety monitoring exists. Their item wording was not obtained, so
  these are plain-language domains, not the tool's items.
- Bladder and urinary symptoms (frequency, urgency, pain passing urine, blood in urine,
  lower-belly pain) are the warning signs of ketamine uropathy (Anderson DJ et al., Health Psychol
  Res 2022, a review; Chang 2023 reports a case in depression treatment); the Ketalar label
  advises considering stopping ketamine when genitourinary pain persists with other urinary
  symptoms, and the Spravato prescribing information asks for urinary and bladder symptoms to be
  monitored.
- Memory and thinking, lingering dissociation and craving or taking more than prescribed (abuse
  and misuse are boxed or bold warnings on both labels: Ketalar, Spravato REMS).
- Worse mood and thoughts of self-harm: Spravato's boxed warning on suicidal thoughts and
  behaviours; a patient who has them is told to call or text 988 (US Suicide & Crisis Lifeline).
"""

from __future__ import annotations

from dataclasses import dataclass

from clinic.assessments.choices import AlertReason


@dataclass(frozen=True)
class Symptom:
    code: str
    label: str  # as the patient reads it
    group: str
    # The alert a report of it raises for the care team (None: the team reviews it before the
    # next session, as every report).
    alert: str | None = None


GROUP_URGENT = "Needs attention now"
GROUP_BLADDER = "Bladder and urine"
GROUP_MIND = "Memory, thinking and feeling"
GROUP_BODY = "Other effects"

SYMPTOMS: tuple[Symptom, ...] = (
    Symptom(
        "self_harm_thoughts",
        "Thoughts of harming myself or that I would be better off dead",
        GROUP_URGENT,
        AlertReason.REPORT_SELF_HARM,
    ),
    Symptom("chest_pain", "Chest pain or tightness", GROUP_URGENT, AlertReason.REPORT_CHEST_PAIN),
    Symptom("fainting", "Fainting or nearly fainting", GROUP_URGENT, AlertReason.REPORT_FAINTING),
    Symptom("blood_in_urine", "Blood in my urine", GROUP_BLADDER, AlertReason.REPORT_URINARY),
    Symptom(
        "painful_urination",
        "Pain or burning when passing urine",
        GROUP_BLADDER,
        AlertReason.REPORT_URINARY,
    ),
    Symptom("urinary_frequency", "Needing to pass urine more often or urgently", GROUP_BLADDER),
    Symptom("lower_belly_pain", "Pain low in the belly (over the bladder)", GROUP_BLADDER),
    Symptom("memory_thinking", "Memory or thinking problems", GROUP_MIND),
    Symptom(
        "dissociation",
        "Still feeling detached, unreal or 'not in my body' after the day of treatment",
        GROUP_MIND,
    ),
    Symptom("craving", "Craving ketamine, or taking more than was prescribed", GROUP_MIND),
    Symptom("mood_worse", "Mood worse than before", GROUP_MIND),
    Symptom("nausea_vomiting", "Feeling sick or vomiting", GROUP_BODY),
    Symptom("headache", "Headache", GROUP_BODY),
    Symptom("dizziness", "Dizziness or unsteadiness", GROUP_BODY),
    Symptom("sleep", "Trouble sleeping", GROUP_BODY),
    Symptom("other", "Something else (describe it below)", GROUP_BODY),
)
SYMPTOMS_BY_CODE = {symptom.code: symptom for symptom in SYMPTOMS}
SYMPTOM_CHOICES = [(symptom.code, symptom.label) for symptom in SYMPTOMS]


def grouped_symptoms() -> list[tuple[str, list[Symptom]]]:
    groups: dict[str, list[Symptom]] = {}
    for symptom in SYMPTOMS:
        groups.setdefault(symptom.group, []).append(symptom)
    return list(groups.items())


@dataclass(frozen=True)
class Advice:
    """What the patient is told to do now about a red-flag symptom."""

    reason: str
    heading: str
    steps: tuple[str, ...]
    emergency: bool  # call the emergency number rather than the clinic first


# The words follow the labels' and the crisis line's own advice; the clinic's phone number is added
# by the page.
ADVICE: dict[str, Advice] = {
    AlertReason.REPORT_SELF_HARM: Advice(
        AlertReason.REPORT_SELF_HARM,
        "You said you are having thoughts of harming yourself",
        (
            "If you might act on these thoughts, call 911 now or go to the nearest emergency "
            "department.",
            "Call or text 988 (Suicide & Crisis Lifeline) to talk to someone now, day or night.",
            "Stay with someone you trust and keep away from anything you could use to hurt "
            "yourself.",
            "Your care team has been alerted and will contact you.",
        ),
        True,
    ),
    AlertReason.REPORT_CHEST_PAIN: Advice(
        AlertReason.REPORT_CHEST_PAIN,
        "You said you have chest pain",
        (
            "If the pain is happening now, or comes with shortness of breath, sweating or pain in "
            "the arm, jaw or back, call 911 now. Do not drive yourself.",
            "If it has passed, call the clinic today.",
            "Your care team has been alerted.",
        ),
        True,
    ),
    AlertReason.REPORT_FAINTING: Advice(
        AlertReason.REPORT_FAINTING,
        "You said you fainted or nearly fainted",
        (
            "If you hurt yourself, have chest pain, trouble breathing, or do not feel back to "
            "normal, call 911 now.",
            "Otherwise lie or sit down until you feel well, do not drive, and call the clinic "
            "today.",
            "Your care team has been alerted.",
        ),
        True,
    ),
    AlertReason.REPORT_URINARY: Advice(
        AlertReason.REPORT_URINARY,
        "You said you have blood in your urine or pain passing urine",
        (
            "Call the clinic today. These can be early signs of bladder irritation from "
            "ketamine, which gets better when it is found early.",
            "Do not take any more ketamine or esketamine until the care team has spoken with you.",
            "If you cannot pass urine, have severe pain, a fever, or a lot of blood, go to an "
            "emergency department.",
            "Your care team has been alerted.",
        ),
        False,
    ),
}


def alert_reasons(symptom_codes) -> list[str]:
    """The alerts a report raises, once each, in a fixed order (the most urgent first)."""
    order = list(ADVICE)
    reasons = {SYMPTOMS_BY_CODE[code].alert for code in symptom_codes if code in SYMPTOMS_BY_CODE}
    return [reason for reason in order if reason in reasons]


def advice_for(symptom_codes) -> list[Advice]:
    return [ADVICE[reason] for reason in alert_reasons(symptom_codes)]


def symptom_labels(symptom_codes) -> list[str]:
    return [SYMPTOMS_BY_CODE[code].label for code in symptom_codes if code in SYMPTOMS_BY_CODE]
