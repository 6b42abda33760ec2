"""QIDS-SR16, Quick Inventory of Depressive Symptomatology, self-report, 16 items (Rush AJ,
Trivedi MH, Ibrahim HM, et al. Biol Psychiatry 2003;54:573–583). Symptoms over the last 7 days
(http://ids-qids.org/administration.html), so consecutive twice-weekly scores do not overlap the
way a 2-week PHQ-9 does.

Scoring (ids-qids.org; Rush 2003): each item 0–3; the 16 items map to the 9 DSM symptom domains and
each domain counts once: sleep = the highest of items 1–4, appetite/weight = the highest of items
6–9, psychomotor = the higher of items 15–16; items 5, 10, 11, 12, 13 and 14 count as they are.
Total = sum of the 9 domains, 0–27 (summing all 16 items is wrong). Bands
(http://ids-qids.org/interpretation.html): 0–5 none, 6–10 mild, 11–15 moderate, 16–20 severe,
21–27 very severe. Remission ≤ 5 (STAR*D convention, Trivedi et al., Am J Psychiatry
2006;163:28) [SECONDARY]; response ≥ 50 % reduction from baseline, the convention of the same
trials [SECONDARY].

Wording: the item statements are not reproduced (© A. John Rush; the source this was written from
does not establish that software may reproduce them). Each item and answer is a faithful short
label of the published statement; use the form from ids-qids.org for the patient-facing wording.
"""

from clinic.assessments.instruments.base import (
    LOINC_NOT_CHECKED,
    Band,
    Instrument,
    Item,
    Outcome,
    ScoreResult,
    options,
    required_answer,
)

DOMAINS = {
    "sleep": ("1", "2", "3", "4"),
    "sad_mood": ("5",),
    "appetite_weight": ("6", "7", "8", "9"),
    "concentration": ("10",),
    "view_of_self": ("11",),
    "death_suicide": ("12",),
    "interest": ("13",),
    "energy": ("14",),
    "psychomotor": ("15", "16"),
}
DOMAIN_OF = {n: domain for domain, numbers in DOMAINS.items() for n in numbers}

ITEMS = (
    (
        "1",
        "Falling asleep",
        (
            "Never longer than 30 minutes",
            "Under half the time 30 minutes or more",
            "Over half the time 30 minutes or more",
            "Over half the time more than 60 minutes",
        ),
    ),
    (
        "2",
        "Sleep during the night",
        (
            "Do not wake up at night",
            "Restless, light sleep, brief waking",
            "Wake at least once a night, fall back asleep easily",
            "Wake more than once a night and stay awake 20 minutes or more, over half the time",
        ),
    ),
    (
        "3",
        "Waking up too early",
        (
            "Most of the time no more than 30 minutes before I need to",
            "Under half the time more than 30 minutes early",
            "Almost always at least an hour early, but fall back asleep",
            "At least an hour early and cannot fall back asleep",
        ),
    ),
    (
        "4",
        "Sleeping too much",
        (
            "No longer than 7–8 hours a night, no daytime naps",
            "No longer than 10 hours in 24 hours, naps included",
            "No longer than 12 hours in 24 hours, naps included",
            "Longer than 12 hours in 24 hours, naps included",
        ),
    ),
    (
        "5",
        "Feeling sad",
        (
            "Do not feel sad",
            "Sad less than half the time",
            "Sad more than half the time",
            "Sad nearly all of the time",
        ),
    ),
    (
        "6",
        "Decreased appetite",
        (
            "No change in usual appetite",
            "Eat somewhat less often or smaller amounts",
            "Eat much less than usual, only with effort",
            "Rarely eat within 24 hours, only with extreme effort or when others persuade me",
        ),
    ),
    (
        "7",
        "Increased appetite",
        (
            "No change from usual appetite",
            "Feel a need to eat more often than usual",
            "Regularly eat more often or larger amounts than usual",
            "Driven to overeat at and between meals",
        ),
    ),
    (
        "8",
        "Decreased weight (within the last two weeks)",
        (
            "No weight change",
            "Feel as if I have had a slight weight loss",
            "Lost 2 pounds or more",
            "Lost 5 pounds or more",
        ),
    ),
    (
        "9",
        "Increased weight (within the last two weeks)",
        (
            "No weight change",
            "Feel as if I have had a slight weight gain",
            "Gained 2 pounds or more",
            "Gained 5 pounds or more",
        ),
    ),
    (
        "10",
        "Concentration and decision-making",
        (
            "No change in usual capacity",
            "Occasionally indecisive or attention wanders",
            "Most of the time struggle to focus or make decisions",
            "Cannot concentrate well enough to read or make even minor decisions",
        ),
    ),
    (
        "11",
        "View of myself",
        (
            "See myself as equally worthwhile and deserving as other people",
            "More self-blaming than usual",
            "Largely believe I cause problems for others",
            "Think almost constantly about major and minor defects in myself",
        ),
    ),
    (
        "12",
        "Thoughts of death or suicide",
        (
            "Do not think of suicide or death",
            "Feel that life is empty or wonder if it is worth living",
            "Think of suicide or death several times a week for several minutes",
            "Think of suicide or death several times a day in some detail, or have made plans or tried",
        ),
    ),
    (
        "13",
        "General interest",
        (
            "No change from usual interest in other people or activities",
            "Notice I am less interested in people or activities",
            "Interested in only one or two of my formerly pursued activities",
            "Virtually no interest in formerly pursued activities",
        ),
    ),
    (
        "14",
        "Energy level",
        (
            "No change in usual energy",
            "Get tired more easily than usual",
            "Have to make a big effort to start or finish usual daily activities",
            "Cannot carry out most usual daily activities for lack of energy",
        ),
    ),
    (
        "15",
        "Feeling slowed down",
        (
            "Think, speak and move at my usual rate",
            "Thinking seems slowed down or voice dull or flat",
            "Takes several seconds to respond to most questions; thinking is slowed",
            "Often unable to respond to questions without extreme effort",
        ),
    ),
    (
        "16",
        "Feeling restless",
        (
            "Do not feel restless",
            "Often fidgety, wringing hands or shifting in my seat",
            "Have impulses to move about and am quite restless",
            "At times unable to stay seated and need to pace about",
        ),
    ),
)


def score_qids(instrument: Instrument, answers: dict[str, int | None]) -> ScoreResult:
    domains = {
        domain: max(required_answer(answers, f"qids_sr16_{n}") for n in numbers)
        for domain, numbers in DOMAINS.items()
    }
    total = sum(domains.values())
    return ScoreResult(total=total, severity=instrument.band_for(total).code, subscales=domains)


QIDS_SR16 = Instrument(
    code="qids_sr16",
    name="Quick Inventory of Depressive Symptomatology, Self-Report (16 items)",
    short_name="QIDS-SR16",
    purpose="Depression severity over the last 7 days (session to session)",
    instructions=(
        "For each question, choose the one answer that best describes you over the last 7 days."
    ),
    items=tuple(
        Item(f"qids_sr16_{n}", n, text, options(*labels), group=DOMAIN_OF[n])
        for n, text, labels in ITEMS
    ),
    bands=(
        Band(0, 5, "none", "None"),
        Band(6, 10, "mild", "Mild"),
        Band(11, 15, "moderate", "Moderate"),
        Band(16, 20, "severe", "Severe"),
        Band(21, 27, "very_severe", "Very severe"),
    ),
    min_total=0,
    max_total=27,
    rule=score_qids,
    outcome=Outcome(
        response_reduction_percent=50,
        remission_below=6,
        source="Response ≥ 50 % reduction from baseline; remission ≤ 5 (STAR*D convention, Trivedi 2006) [SECONDARY].",
    ),
    recall="the last 7 days",
    source="Rush AJ, Trivedi MH, Ibrahim HM, et al. The 16-item Quick Inventory of Depressive Symptomatology (QIDS), clinician rating (QIDS-C), and self-report (QIDS-SR). Biol Psychiatry 2003;54(5):573–583.",
    copyright_note="© A. John Rush; statement wording not reproduced here: short labels only.",
    loinc_note=LOINC_NOT_CHECKED,
)
