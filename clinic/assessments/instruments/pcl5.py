"""PCL-5, PTSD Checklist for DSM-5 (Weathers, Litz, Keane et al., National Center for PTSD, 2013).
Public-domain wording (US Department of Veterans Affairs). 20 items 0–4, total 0–80; DSM-5 clusters
B = 1–5, C = 6–7, D = 8–14, E = 15–20 (CamCOPS `pcl5.py`; NCPTSD scoring guidance as
reproduced by comorbidityguidelines.org.au).

There are no empirically derived severity bands. `severity` reports the provisional-diagnosis
cut-off on the total: 31–33 "appears reasonable" (NCPTSD); the clinic chooses one value, the
assessment policy's `pcl5_cutoff` (default 33, as in several VA studies). The DSM-5 symptom rule (an item ≥ 2
counts: ≥ 1 B, ≥ 1 C, ≥ 2 D, ≥ 2 E) is reported as the flag `provisional_ptsd_dsm5`; the two
methods can disagree and both are shown. Change: ≥ 5 points = reliable change, ≥ 10 points = the
minimum clinically meaningful change (Blevins 2015 / Bovin 2016 via QxMD); "response" here is
the meaningful fall of ≥ 10 points. Remission: the meaningful fall AND the latest total below the
cut-off, counted only when the baseline was at or above it (loss of probable diagnosis needs the
diagnosis at baseline; of the four progressive categories none / response / response and below
threshold / remission, only responders who ended below threshold reached good functioning: Stress
Health 2021;37:547, PMID 33336551) [UNVERIFIED as a numeric rule: no source fixes it].
"""

from dataclasses import replace

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

PROVISIONAL_CUTOFF = 33
BOTHER = options("Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely")
ITEMS = (
    "Repeated, disturbing, and unwanted memories of the stressful experience?",
    "Repeated, disturbing dreams of the stressful experience?",
    "Suddenly feeling or acting as if the stressful experience were actually happening again (as if you were actually back there reliving it)?",
    "Feeling very upset when something reminded you of the stressful experience?",
    "Having strong physical reactions when something reminded you of the stressful experience (for example, heart pounding, trouble breathing, sweating)?",
    "Avoiding memories, thoughts, or feelings related to the stressful experience?",
    "Avoiding external reminders of the stressful experience (for example, people, places, conversations, activities, objects, or situations)?",
    "Trouble remembering important parts of the stressful experience?",
    "Having strong negative beliefs about yourself, other people, or the world (for example, having thoughts such as: I am bad, there is something seriously wrong with me, no one can be trusted, the world is completely dangerous)?",
    "Blaming yourself or someone else for the stressful experience or what happened after it?",
    "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
    "Loss of interest in activities that you used to enjoy?",
    "Feeling distant or cut off from other people?",
    "Trouble experiencing positive feelings (for example, being unable to feel happiness or have loving feelings for people close to you)?",
    "Irritable behavior, angry outbursts, or acting aggressively?",
    "Taking too many risks or doing things that could cause you harm?",
    "Being “superalert” or watchful or on guard?",
    "Feeling jumpy or easily startled?",
    "Having difficulty concentrating?",
    "Trouble falling or staying asleep?",
)


def cutoff_bands(cutoff: int) -> tuple[Band, Band]:
    return (
        Band(0, cutoff - 1, "below_cutoff", f"Below the provisional cut-off ({cutoff})"),
        Band(cutoff, 80, "probable_ptsd", f"At or above the provisional cut-off ({cutoff})"),
    )


CLUSTERS = {"B": range(1, 6), "C": range(6, 8), "D": range(8, 15), "E": range(15, 21)}
# Endorsed symptoms needed per cluster for a provisional DSM-5 diagnosis.
DSM5_MINIMUM = {"B": 1, "C": 1, "D": 2, "E": 2}
CLUSTER_GROUPS = {n: cluster for cluster, numbers in CLUSTERS.items() for n in numbers}


def cutoff_of(instrument: Instrument) -> int:
    return int(instrument.bands[1].low)


def score_pcl5(instrument: Instrument, answers: dict[str, int | None]) -> ScoreResult:
    value = {n: required_answer(answers, f"pcl5_{n}") for n in range(1, 21)}
    total = sum(value.values())
    subscales = {cluster: sum(value[n] for n in numbers) for cluster, numbers in CLUSTERS.items()}
    endorsed = {
        cluster: sum(1 for n in numbers if value[n] >= 2) for cluster, numbers in CLUSTERS.items()
    }
    flags = set()
    if all(endorsed[cluster] >= minimum for cluster, minimum in DSM5_MINIMUM.items()):
        flags.add("provisional_ptsd_dsm5")
    return ScoreResult(
        total=total,
        severity=instrument.band_for(total).code,
        subscales=subscales,
        flags=frozenset(flags),
        details={"endorsed_symptoms": endorsed, "cutoff": cutoff_of(instrument)},
    )


PCL5 = Instrument(
    code="pcl5",
    name="PTSD Checklist for DSM-5",
    short_name="PCL-5",
    purpose="PTSD symptom severity",
    instructions=(
        "Below is a list of problems that people sometimes have in response to a very stressful experience. "
        "Please read each problem carefully and then choose how much you have been bothered by that problem "
        "in the past month. In the past month, how much were you bothered by:"
    ),
    items=tuple(
        Item(f"pcl5_{n}", str(n), text, BOTHER, group=CLUSTER_GROUPS[n])
        for n, text in enumerate(ITEMS, start=1)
    ),
    bands=cutoff_bands(PROVISIONAL_CUTOFF),
    min_total=0,
    max_total=80,
    rule=score_pcl5,
    outcome=Outcome(
        response_reduction_points=10,
        remission_below=PROVISIONAL_CUTOFF,
        remission_needs_response=True,
        meaningful_change_points=10,
        source="≥ 10 points = minimum clinically meaningful change (Blevins 2015; Bovin 2016); remission = below the cut-off [clinic convention].",
    ),
    source="Weathers FW, Litz BT, Keane TM, et al. The PTSD Checklist for DSM-5 (PCL-5). National Center for PTSD, 2013; Blevins CA et al., J Trauma Stress 2015;28:489–498.",
    copyright_note="Public domain (US Department of Veterans Affairs).",
    recall="the past month",
    loinc_note=LOINC_NOT_CHECKED,
)


def with_cutoff(cutoff: int) -> Instrument:
    """The PCL-5 with the clinic's chosen provisional cut-off (31–33, NCPTSD)."""
    if not 31 <= cutoff <= 33:
        raise ValueError(
            f"The PCL-5 cut-off must be between 31 and 33 (NCPTSD guidance), not {cutoff}."
        )
    outcome = replace(PCL5.outcome, remission_below=cutoff)
    return replace(PCL5, bands=cutoff_bands(cutoff), outcome=outcome)
