"""The course summaries follow the record through the services, inside their transactions, and
the rebuild computes the same rows from scratch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.assessments.tests.factories import record_phq9
from clinic.outcomes.courses import (
    OUTCOME_AT_SESSION,
    Dose,
    first_score_in,
    milestones,
    rebuild_all,
)
from clinic.outcomes.models import CourseSummary, OutcomeScore
from clinic.patients.tests.factories import register_test_patient
from clinic.sessions.tests.factories import dosed
from clinic.treatment.services import end_plan

pytestmark = pytest.mark.django_db


def _rows(patient):
    course = CourseSummary.objects.filter(patient=patient).values().first()
    scores = list(
        OutcomeScore.objects.filter(patient=patient)
        .order_by("instrument_code")
        .values(
            "instrument_code", "baseline_total", "score_after_outcome_dose", "score_at_3_months"
        )
    )
    for volatile in ("id", "updated_at"):
        course.pop(volatile)
    return course, scores


def test_signing_dosing_answering_and_ending_keep_the_summary(clinician, nurse, location):
    patient = register_test_patient(
        actor=clinician, location=location, first_name="Course", portal=True
    )
    record_phq9(actor=clinician, patient=patient, total=20, days_ago=3, context="baseline")
    at = timezone.now() - timedelta(hours=2)
    session = dosed(clinician, nurse, patient, at=at)  # signs an evaluation and a plan, doses

    course = CourseSummary.objects.get(patient=patient)
    assert (course.evaluated, course.suitable, course.plan_signed) == (True, True, True)
    assert course.dosed_sessions == 1
    assert course.first_dose_at == session.dosed_at
    assert course.first_dose_protocol_id == session.plan_version.protocol_id
    assert course.first_dose_route == session.route
    assert course.outcome_dose_at is None  # the sixth dose is not given yet
    assert course.induction_sessions == session.plan_version.induction_sessions
    score = OutcomeScore.objects.get(patient=patient, instrument_code="phq9")
    assert score.baseline_total == 20
    assert score.score_after_outcome_dose is None

    record_phq9(actor=clinician, patient=patient, total=9, days_ago=0)
    assert OutcomeScore.objects.get(patient=patient, instrument_code="phq9").baseline_total == 20

    end_plan(actor=clinician, plan=session.plan_version.plan, status="stopped", reason="Moved away")
    assert CourseSummary.objects.get(patient=patient).plan_stopped is True

    kept = _rows(patient)
    rebuild_all()
    assert _rows(patient) == kept


def test_the_milestones_read_the_sixth_dose_and_the_latest_plan():
    start = timezone.now()
    doses = [
        Dose(start + timedelta(days=k), protocol_id=1 + (k >= 5), route="iv") for k in range(7)
    ]
    course = milestones(
        signed_decisions=["unsuitable", "suitable"],
        latest_induction_sessions=6,
        plan_statuses={"completed", "active"},
        doses=doses,
    )
    assert course.evaluated and course.suitable and course.plan_signed
    assert course.dosed_sessions == 7 and course.induction_sessions == 6
    assert course.first_dose == doses[0]
    assert course.outcome_dose == doses[OUTCOME_AT_SESSION - 1]
    assert course.outcome_dose.protocol_id == 2
    assert course.plan_completed and not course.plan_stopped
    none = milestones(
        signed_decisions=[], latest_induction_sessions=None, plan_statuses=(), doses=[]
    )
    assert not (none.evaluated or none.plan_signed) and none.first_dose is None


def test_the_first_score_in_a_window_is_read_in_order():
    start = timezone.now()
    scores = [(start - timedelta(days=1), 20), (start, 12), (start + timedelta(days=3), 8)]
    assert first_score_in(scores, start) == 12
    assert first_score_in(scores, start + timedelta(days=1)) == 8
    assert first_score_in(scores, start + timedelta(days=1), start + timedelta(days=2)) is None
