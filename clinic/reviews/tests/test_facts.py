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
