"""The facts a review opens with match the record, on a known data set."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.assessments.tests.factories import record_phq9
from clinic.reviews import selectors
from clinic.reviews.tests.factories import (
    days_ago,
    given_session,
    induction_course,
    signed_review,
    written_review,
)

pytestmark = pytest.mark.django_db


def phq9(facts):
    return next(i for i in facts["instruments"] if i["code"] == "phq9")


def test_the_facts_of_a_first_review_cover_the_whole_course(clinician, nurse, patient_alice):
    version, _given = induction_course(clinician, nurse, patient_alice)
    facts = selectors.review_facts(patient_alice, since=None)
    assert facts["since"] == ""
    scores = phq9(facts)
    assert scores["baseline"] == "20"
    assert scores["latest"] == "8"
    assert scores["change_from_baseline_percent"] == "-60"
    assert scores["response"] is True
    assert scores["remission"] == "no_remission"
    assert scores["at_last_review"] is None and scores["change_since_last_review"] is None
    assert scores["answers_since_last_review"] == 3
    assert scores["possible_relapse"] == ""
    assert facts["sessions"]["given"] == 6
    assert [s["dose_mg"] for s in facts["sessions"]["given_list"]] == [
        str(int(version.dose_mg))
        if version.dose_mg == int(version.dose_mg)
        else str(version.dose_mg)
    ] * 6
    assert facts["sessions"]["cancelled"] == 1
    assert facts["sessions"]["no_show"] == 0
    assert facts["sessions"]["not_done"] == 0
    assert [(e["kind"], e["severity"]) for e in facts["side_effects"]] == [
        ("Nausea or vomiting", "Mild")
    ]
    assert [a["message"] for a in facts["vital_sign_alerts"]] == ["Systolic 172 mmHg is above 160."]
    assert facts["safety_alerts"] == []
    assert facts["plan"]["version"] == version.number
    assert facts["plan"]["phase"] == "induction"
    assert facts["plan"]["doses_given_under_version"] == 6
    assert facts["plan"]["induction_sessions"] == 6


def test_the_facts_since_the_last_review_count_only_what_came_after_it(
    clinician, nurse, patient_alice
):
    _version, _given = induction_course(clinician, nurse, patient_alice)
    since = timezone.now() - timedelta(days=5, hours=12)
    facts = selectors.review_facts(patient_alice, since=since)
    scores = phq9(facts)
    # At the last review the latest score was 14 (10 days ago); since then, 8.
    assert scores["at_last_review"] == "14"
    assert scores["change_since_last_review"] == "-6"
    assert scores["answers_since_last_review"] == 1
    # Sessions 5 and 6 (5 and 3 days ago); the cancelled one was 6 days ago, before.
    assert facts["sessions"]["given"] == 2
    assert facts["sessions"]["cancelled"] == 0
    assert facts["side_effects"] == [] and facts["vital_sign_alerts"] == []


def test_a_second_review_starts_where_the_first_was_signed(clinician, nurse, patient_alice):
    version, _given = induction_course(clinician, nurse, patient_alice)
    first = signed_review(clinician, patient_alice)
    given_session(version, nurse=nurse, at=timezone.now() + timedelta(minutes=1))
    record_phq9(actor=clinician, patient=patient_alice, total=6, days_ago=-0.001)
    second = written_review(clinician, patient_alice)
    assert second.since == first.signed_at
    facts = selectors.facts_of(second)
    assert facts["sessions"]["given"] == 0  # the session after `now` is not in the facts yet
    assert phq9(facts)["at_last_review"] == "8"


def test_a_signed_review_keeps_the_facts_it_was_signed_with(clinician, nurse, patient_alice):
    version, _given = induction_course(clinician, nurse, patient_alice)
    review = signed_review(clinician, patient_alice)
    record_phq9(actor=clinician, patient=patient_alice, total=2, days_ago=0)
    given_session(version, nurse=nurse, at=days_ago(0.01))
    assert phq9(selectors.facts_of(review))["latest"] == "8"
    assert selectors.facts_of(review)["sessions"]["given"] == 6


GOALS = (
    {
        "words": "feel like myself again",
        "measure": "phq9",
        "comparison": "below",
        "value": "10",
        "target_date": "2027-01-15",
    },
    {
        "words": "",
        "measure": "phq9",
        "comparison": "reduce_by_percent",
        "value": "60",
        "target_date": "2027-01-15",
    },
    {"words": "back at work", "measure": "", "target_date": "2027-03-01"},
)


def test_the_facts_show_progress_toward_each_goal_and_signing_freezes_it(
    clinician, nurse, patient_alice
):
    from clinic.reviews.integrity import review_seal_problems

    induction_course(clinician, nurse, patient_alice, goals=GOALS)
    facts = selectors.review_facts(patient_alice, since=None)
    below, reduction, words = facts["goals"]
    # PHQ-9 20 at baseline, 8 latest: below 10 met; down 60 % exactly (20 → 8) met.
    assert below["status"] == "met" and below["latest"] == "8" and below["baseline"] == "20"
    assert below["target"] == "PHQ-9 below 10 by Jan 15, 2027"
    assert reduction["status"] == "met" and reduction["target_value"] == "8"
    assert reduction["change_percent"] == "-60"
    assert words["status"] == "not_measured" and words["words"] == "back at work"
    review = signed_review(clinician, patient_alice)
    record_phq9(actor=clinician, patient=patient_alice, total=12, days_ago=0)
    frozen = selectors.facts_of(review)["goals"]
    assert frozen[0]["status"] == "met" and frozen[0]["latest"] == "8"
    assert review_seal_problems(review) == []
    live = selectors.review_facts(patient_alice, since=None)["goals"]
    assert live[0]["status"] == "not_yet" and live[0]["latest"] == "12"


def test_a_plan_without_goals_gives_an_empty_list(clinician, nurse, patient_alice):
    induction_course(clinician, nurse, patient_alice)
    assert selectors.review_facts(patient_alice, since=None)["goals"] == []
