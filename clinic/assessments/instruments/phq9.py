"""PHQ-9, Patient Health Questionnaire (Kroenke, Spitzer & Williams, J Gen Intern Med 2001;16:606).

Wording: the Pfizer public-domain form (no permission needed to reproduce, translate or use).
Items, LOINC codes and answer codes: HL7 US Core `Questionnaire-phq-9-example.json` and the PHQ-9
panel example 44249-1. Scoring and bands: Kroenke 2001 as implemented by CamCOPS `phq9.py`.
Item 10 (difficulty, LOINC 69722-7) is not scored.
Item 9 > 0 is clinically significant whatever the total (MII PRO IG PHQ-9 page): flag
`self_harm_risk`. Response ≥ 50 % reduction from baseline and remission < 5: Oliver et al.,
real-world IV ketamine, 178 US community practices. Remission is counted only when the
baseline was 5 or more. Meaningful change 5 points (Löwe et al., Med Care 2004;42:1194, minimal
clinically important difference) [SECONDARY].
"""

from clinic.assessments.instruments.base import (
    FREQUENCY_LAST_TWO_WEEKS,
    AnswerOption,
    Band,
    Instrument,
    Item,
    Outcome,
    item_at_least,
    sum_rule,
)

FREQUENCY = FREQUENCY_LAST_TWO_WEEKS
DIFFICULTY = (
    AnswerOption(0, "Not difficult at all", "LA6572-7"),
    AnswerOption(1, "Somewhat difficult", "LA6573-5"),
    AnswerOption(2, "Very difficult", "LA6575-0"),
    AnswerOption(3, "Extremely difficult", "LA6574-3"),
)
ITEMS = (
    ("1", "Little interest or pleasure in doing things", "44250-9"),
    ("2", "Feeling down, depressed, or hopeless", "44255-8"),
    ("3", "Trouble falling or staying asleep, or sleeping too much", "44259-0"),
    ("4", "Feeling tired or having little energy", "44254-1"),
    ("5", "Poor appetite or overeating", "44251-7"),
    (
        "6",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
        "44258-2",
    ),
    (
        "7",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "44252-5",
    ),
    (
        "8",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or restless that you have been moving around a lot more than usual",
        "44253-3",
    ),
    (
        "9",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
        "44260-8",
    ),
)

PHQ9 = Instrument(
    code="phq9",
    name="Patient Health Questionnaire-9",
    short_name="PHQ-9",
    purpose="Depression severity",
    instructions="Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    items=tuple(Item(f"phq9_{n}", n, text, FREQUENCY, loinc) for n, text, loinc in ITEMS)
    + (
        Item(
            "phq9_10",
            "10",
            "If you checked off any problems, how difficult have these problems made it for you to do your work, take care of things at home, or get along with other people?",
            DIFFICULTY,
            "69722-7",
            scored=False,
            required=False,
        ),
    ),
    bands=(
        Band(0, 4, "minimal", "Minimal"),
        Band(5, 9, "mild", "Mild"),
        Band(10, 14, "moderate", "Moderate"),
        Band(15, 19, "moderately_severe", "Moderately severe"),
        Band(20, 27, "severe", "Severe"),
    ),
    min_total=0,
    max_total=27,
    rule=sum_rule(flag_rules=[item_at_least("phq9_9", 1, "self_harm_risk")]),
    loinc_panel="44249-1",
    loinc_total="44261-6",
    outcome=Outcome(
        response_reduction_percent=50,
        remission_below=5,
        meaningful_change_points=5,
        source="Response ≥ 50 % reduction, remission < 5: Oliver et al. (real-world IV ketamine); MCID 5: Löwe 2004.",
    ),
    source="Kroenke K, Spitzer RL, Williams JB. The PHQ-9. J Gen Intern Med 2001;16(9):606–613.",
    copyright_note="Public domain (Pfizer); no permission required.",
    recall="the last 2 weeks",
)
