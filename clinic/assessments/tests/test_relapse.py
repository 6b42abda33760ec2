"""Possible relapse: after a response, two answers in a row above half-way back to baseline (the
clinic's share); flagged at the threshold's far side and not at or below it, the same by the pure
rule (the chart) and by the summaries' query (the dashboard)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from clinic.assessments.instruments import get_instrument
from clinic.assessments.models import AssessmentPolicy, ProgressSummary
from clinic.assessments.progress import Point
from clinic.assessments.relapse import possible_relapse, relapse_threshold, responded
from clinic.assessments.selectors import (
    clinical_dashboard,
    patient_relapse_flags,
    patient_relapses,
    relapsing_summaries,
)
from clinic.assessments.tests.factories import record_phq9

PHQ9 = get_instrument("phq9")
START = datetime(2026, 1, 5, 9, tzinfo=UTC)


def series(*totals):
    return [
        Point(START + timedelta(days=7 * n), Decimal(total), "", "baseline" if n == 0 else "")
        for n, total in enumerate(totals)
    ]


def test_the_threshold_is_half_way_from_the_best_back_to_baseline():
    assert relapse_threshold(Decimal(20), Decimal(6), 50) == Decimal(13)
    assert relapse_threshold(Decimal(20), Decimal(6), 25) == Decimal("9.5")


def test_a_response_is_the_instruments_own_rule():
    assert responded(PHQ9, Decimal(20), Decimal(10))  # 50 %
    assert not responded(PHQ9, Decimal(20), Decimal(11))


def test_two_answers_above_half_way_after_a_response_flag_a_relapse():
    found = possible_relapse(PHQ9, series(20, 12, 6, 14, 15))
    assert found is not None
    assert found.threshold == Decimal(13) and found.latest_totals == (Decimal(14), Decimal(15))
    assert "20 to 6" in found.text


@pytest.mark.parametrize(
    "totals",
    [
        (20, 12, 6, 13, 13),  # at the threshold, not above it
        (20, 12, 6, 12, 14),  # only the last answer is above
        (20, 12, 6, 14),  # one answer after the best
        (20, 12, 11, 18, 19),  # never responded (45 % at best)
        (20,),  # baseline only
    ],
)
def test_no_relapse_at_or_below_the_threshold_or_without_a_response(totals):
    assert possible_relapse(PHQ9, series(*totals)) is None


def test_the_share_is_the_clinics_setting():
    assert possible_relapse(PHQ9, series(20, 6, 10, 11), share_percent=50) is None
    assert possible_relapse(PHQ9, series(20, 6, 10, 11), share_percent=25) is not None


@pytest.mark.django_db
@pytest.mark.parametrize("last, flagged", [(14, True), (13, False)])
def test_the_chart_and_the_dashboard_agree_at_the_threshold(
    clinician, patient_alice, last, flagged
):
    for days_ago, total in ((40, 20), (30, 12), (20, 6), (10, 14), (1, last)):
        record_phq9(
            actor=clinician,
            patient=patient_alice,
            total=total,
            days_ago=days_ago,
            context="baseline" if days_ago == 40 else "follow_up",
        )
    assert bool(patient_relapses(patient_alice)) is flagged
    assert bool(patient_relapse_flags(patient_alice)) is flagged
    if flagged:
        assert (
            patient_relapse_flags(patient_alice)[0].text == patient_relapses(patient_alice)[0].text
        )
    summary = ProgressSummary.objects.get(patient=patient_alice, instrument_code="phq9")
    assert summary.responded and summary.best_total == 6
    rows = relapsing_summaries(ProgressSummary.objects.all(), 50)
    assert rows.filter(pk=summary.pk).exists() is flagged
    patient_alice.status = "active"
    patient_alice.save(update_fields=["status"])
    relapsing = clinical_dashboard(clinician)["relapsing"]
    assert bool([row for p, row in relapsing if p == patient_alice]) is flagged


@pytest.mark.django_db
def test_a_lower_share_set_by_the_director_flags_earlier(clinician, patient_alice):
    for days_ago, total in ((40, 20), (20, 6), (10, 10), (1, 11)):
        record_phq9(
            actor=clinician,
            patient=patient_alice,
            total=total,
            days_ago=days_ago,
            context="baseline" if days_ago == 40 else "follow_up",
        )
    assert patient_relapses(patient_alice) == []
    AssessmentPolicy.objects.update_or_create(
        singleton=True, defaults={"relapse_share_percent": 25}
    )
    assert len(patient_relapses(patient_alice)) == 1
    assert len(patient_relapse_flags(patient_alice)) == 1
