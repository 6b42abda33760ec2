"""Treatment goals: the pure progress rule on known readings (boundaries exactly at the target),
what a goal may hold, and goals signed into the plan version, carried to the next one and frozen
there."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction

from clinic.assessments.tests.factories import record_phq9
from clinic.core.exceptions import ClinicError
from clinic.sessions.tests.factories import plan_for
from clinic.treatment import selectors, services
from clinic.treatment.goals import (
    MET,
    NO_DATA,
    NOT_MEASURED,
    NOT_YET,
    Reading,
    clean_goal,
    describe_for_patient,
    describe_target,
    goal_progress,
)
from clinic.treatment.integrity import plan_version_seal_problems
from clinic.treatment.models import TreatmentPlanVersion
from conftest import PASSWORD, client_for

T0 = datetime(2026, 10, 1, 9, 0)
PHQ9_BELOW_10 = {
    "words": "feel like myself again",
    "measure": "phq9",
    "comparison": "below",
    "value": "10",
    "target_date": "2027-01-15",
}
PAIN_DOWN_30 = {
    "words": "walk the dog every day",
    "measure": "pain_nrs",
    "comparison": "reduce_by_percent",
    "value": "30",
    "target_date": "2027-02-01",
}
BACK_AT_WORK = {"words": "back at work", "measure": "", "target_date": "2027-03-01"}


def readings(*values, baseline_first=True):
    return [
        Reading(T0 + timedelta(days=7 * n), Decimal(str(v)), baseline=baseline_first and n == 0)
        for n, v in enumerate(values)
    ]


@pytest.mark.parametrize(
    ("values", "status"),
    [((20, 14, 9), MET), ((20, 10), NOT_YET), ((20, 9.5), MET), ((20, 9, 12), NOT_YET)],
)
def test_below_a_cut_off_is_met_strictly_below_it_on_the_latest_score(values, status):
    progress = goal_progress(PHQ9_BELOW_10, readings(*values))
    assert progress.status == status
    assert progress.latest == Decimal(str(values[-1]))
    assert progress.target_value == Decimal(10)


@pytest.mark.parametrize(
    ("values", "status", "change"),
    [
        ((10, 7), MET, Decimal("-30.0")),  # exactly 30 % down meets it
        ((10, "7.1"), NOT_YET, Decimal("-29.0")),
        ((8, 5), MET, Decimal("-37.5")),
        ((8, 6), NOT_YET, Decimal("-25.0")),
        ((6, 8), NOT_YET, Decimal("33.3")),
    ],
)
def test_a_percent_reduction_is_met_from_exactly_that_percent_below_baseline(
    values, status, change
):
    progress = goal_progress(PAIN_DOWN_30, readings(*values))
    assert progress.status == status
    assert progress.change_percent == change
    assert progress.target_value == Decimal(values[0]) * Decimal("0.7")


def test_a_reduction_reads_the_baseline_answer_not_the_first():
    # A screening answer before the baseline one: the baseline is the one marked so.
    points = [
        Reading(T0, Decimal(4)),
        Reading(T0 + timedelta(days=1), Decimal(10), baseline=True),
        Reading(T0 + timedelta(days=20), Decimal(7)),
    ]
    assert goal_progress(PAIN_DOWN_30, points).status == MET


def test_no_data_without_readings_a_follow_up_or_a_baseline_above_zero():
    assert goal_progress(PHQ9_BELOW_10, []).status == NO_DATA
    only_baseline = goal_progress(PAIN_DOWN_30, readings(8))
    assert only_baseline.status == NO_DATA and only_baseline.baseline == 8
    zero = goal_progress(PAIN_DOWN_30, readings(0, 0))
    assert zero.status == NO_DATA and "baseline is 0" in zero.summary
    assert goal_progress(BACK_AT_WORK, readings(1, 2)).status == NOT_MEASURED


def test_a_goal_is_refused_with_a_clear_message_when_it_cannot_be_read():
    for bad, message in [
        ({**PHQ9_BELOW_10, "target_date": ""}, "target date"),
        ({**PHQ9_BELOW_10, "value": "abc"}, "not a number"),
        ({**PHQ9_BELOW_10, "value": "28"}, "scores go up to 27"),
        ({**PAIN_DOWN_30, "value": "0"}, "percent above 0"),
        ({**PAIN_DOWN_30, "value": "150"}, "at most 100"),
        ({**PHQ9_BELOW_10, "measure": "nope"}, "Unknown measure"),
        ({**PHQ9_BELOW_10, "comparison": ""}, "how the target is read"),
        ({"words": "", "measure": "", "target_date": "2027-01-01"}, "patient's words"),
    ]:
        with pytest.raises(ValueError, match=message):
            clean_goal(bad)
    assert clean_goal({**PHQ9_BELOW_10, "value": "10.0"})["value"] == "10"


def test_targets_read_in_words():
    assert describe_target(PHQ9_BELOW_10) == "PHQ-9 below 10 by Jan 15, 2027"
    assert describe_target(PAIN_DOWN_30).startswith("Pain NRS down 30 % from baseline")
    assert describe_target({**PHQ9_BELOW_10, "measure": "mme", "value": "50"}).startswith(
        "Daily opioid dose (MME) below 50"
    )
    assert describe_target(BACK_AT_WORK) == "by Mar 1, 2027"
    assert "PHQ-9" in describe_for_patient(PHQ9_BELOW_10)
    assert "Jan 15, 2027" in describe_for_patient(PHQ9_BELOW_10)


@pytest.mark.django_db
def test_goals_are_signed_into_the_version_and_a_changed_goal_breaks_the_seal(
    clinician, patient_alice
):
    version = plan_for(clinician, patient_alice, goals=(PHQ9_BELOW_10, BACK_AT_WORK))
    version.refresh_from_db()
    assert version.goals == [PHQ9_BELOW_10, BACK_AT_WORK]
    assert plan_version_seal_problems(version) == []
    # The database refuses to change a signed version, goals included ...
    with pytest.raises(DatabaseError), transaction.atomic():  # a trigger: IntegrityError on SQLite
        TreatmentPlanVersion.objects.filter(pk=version.pk).update(
            goals=[{**PHQ9_BELOW_10, "value": "15"}, BACK_AT_WORK]
        )
    # ... and a goal changed behind its back no longer matches the signature.
    version.goals[0]["value"] = "15"
    assert plan_version_seal_problems(version) == ["Plan version 1 differs from what was signed."]


@pytest.mark.django_db
def test_a_version_without_goals_hashes_as_before(clinician, patient_alice):
    version = plan_for(clinician, patient_alice)
    assert version.goals is None
    assert "goals" not in services.plan_version_content(version)


@pytest.mark.django_db
def test_a_bad_goal_is_refused_by_the_service(clinician, patient_alice):
    with pytest.raises(ClinicError, match="target date"):
        plan_for(clinician, patient_alice, goals=({**PHQ9_BELOW_10, "target_date": ""},))


@pytest.mark.django_db
def test_goals_are_carried_to_the_draft_and_the_signed_version_keeps_its_own(
    clinician, patient_alice
):
    first = plan_for(clinician, patient_alice, goals=(PHQ9_BELOW_10,))
    draft = services.open_plan_draft(
        actor=clinician,
        patient=patient_alice,
        change_reason="maintenance",
        changes={"maintenance_interval_days": 21},
        origin="Follow-up review",
    )
    assert draft.values["goals"] == [PHQ9_BELOW_10]
    client = client_for(clinician)
    url = f"/patients/{patient_alice.public_id}/plan/"
    page = client.get(url, {"draft": str(draft.public_id)}).content.decode()
    assert 'value="feel like myself again"' in page
    values = {k: v for k, v in draft.values.items() if k != "goals" and v is not None}
    posted = {
        **values,
        "indications": values["indications"],
        "draft": str(draft.public_id),
        "action": "sign",
        "password": PASSWORD,
        "goal-TOTAL_FORMS": "2",
        "goal-INITIAL_FORMS": "1",
        "goal-MIN_NUM_FORMS": "0",
        "goal-MAX_NUM_FORMS": "10",
        "goal-0-words": "feel like myself again",
        "goal-0-measure": "phq9",
        "goal-0-comparison": "below",
        "goal-0-value": "5",
        "goal-0-target_date": "2027-04-01",
        "goal-1-words": "back at work",
        "goal-1-measure": "",
        "goal-1-comparison": "below",
        "goal-1-value": "",
        "goal-1-target_date": "2027-03-01",
    }
    response = client.post(url, posted)
    assert response.status_code == 302, response.content.decode()[:3000]
    second = selectors.current_plan_version(patient_alice)
    assert second.number == 2
    assert [g["value"] for g in second.goals if g["measure"]] == ["5"]
    assert second.goals[1] == BACK_AT_WORK
    first.refresh_from_db()
    assert first.goals == [PHQ9_BELOW_10]
    assert plan_version_seal_problems(first) == [] and plan_version_seal_problems(second) == []


@pytest.mark.django_db
def test_a_goal_row_with_an_error_is_shown_again_with_what_was_typed(clinician, patient_alice):
    plan_for(clinician, patient_alice)
    current = selectors.current_plan_version(patient_alice)
    values = services.draft_values_from_version(current)
    values.pop("goals")
    posted = {
        **{k: v for k, v in values.items() if v is not None},
        "action": "preview",
        "goal-TOTAL_FORMS": "1",
        "goal-INITIAL_FORMS": "0",
        "goal-MIN_NUM_FORMS": "0",
        "goal-MAX_NUM_FORMS": "10",
        "goal-0-words": "sleep through the night",
        "goal-0-measure": "phq9",
        "goal-0-comparison": "below",
        "goal-0-value": "",
        "goal-0-target_date": "",
    }
    response = client_for(clinician).post(f"/patients/{patient_alice.public_id}/plan/", posted)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Give the target value." in html and 'value="sleep through the night"' in html


@pytest.mark.django_db
def test_progress_is_shown_beside_the_scores_on_the_chart(clinician, patient_alice):
    record_phq9(actor=clinician, patient=patient_alice, total=20, days_ago=30, context="baseline")
    plan_for(clinician, patient_alice, goals=(PHQ9_BELOW_10, BACK_AT_WORK))
    record_phq9(actor=clinician, patient=patient_alice, total=9, days_ago=1)
    client = client_for(clinician)
    html = client.get(f"/patients/{patient_alice.public_id}/?section=assessments").content.decode()
    assert 'id="goal-progress"' in html
    assert "20 → 9; target below 10" in html and "Met" in html
    assert html.index('id="goal-progress"') < html.index('id="progress-phq9"')
    plan = client.get(f"/patients/{patient_alice.public_id}/?section=plan").content.decode()
    assert "“back at work” — by Mar 1, 2027" in plan


@pytest.mark.django_db
def test_a_reduction_of_the_daily_opioid_dose_is_a_goal(clinician, nurse, patient_alice):
    from django.utils import timezone

    from clinic.evaluation import services as evaluation_services
    from clinic.evaluation.tests.factories import complete_evaluation
    from clinic.treatment.models import ProtocolTemplate

    evaluation = complete_evaluation(
        clinician,
        patient_alice,
        no_current_medications=False,
        current_medications="oxycodone 20 mg twice daily\nsertraline 100 mg daily",
    )
    evaluation_services.sign_evaluation(
        actor=clinician,
        evaluation=evaluation,
        decision="suitable",
        reasoning="Ok.",
        password=PASSWORD,
    )
    protocol = ProtocolTemplate.objects.filter(route="iv", is_active=True).first()
    mme_goal = {
        "words": "fewer pain pills",
        "measure": "mme",
        "comparison": "reduce_by_percent",
        "value": "50",
        "target_date": "2027-06-01",
    }
    services.sign_plan_version(
        actor=clinician,
        patient=patient_alice,
        password=PASSWORD,
        draft=services.PlanDraft(
            protocol=protocol,
            indications=[protocol.indication],
            dose=protocol.default_dose,
            weight_basis="actual",
            start_date=timezone.localdate(),
            target_outcomes="Less pain",
            induction_sessions=protocol.induction_sessions,
            induction_sessions_per_week=protocol.induction_sessions_per_week,
            maintenance_interval_days=protocol.maintenance_interval_days,
            infusion_minutes=protocol.infusion_minutes,
            change_reason="initial",
            goals=(mme_goal,),
        ),
    )
    # 60 MME at the evaluation (40 mg oxycodone × 1.5).
    [progress] = selectors.plan_goal_progress(patient_alice)
    assert progress.status == NO_DATA and progress.baseline == Decimal(60)
    from clinic.evaluation.services import record_medicine_list

    record_medicine_list(
        actor=nurse, patient=patient_alice, medicines="oxycodone 15 mg twice daily"
    )
    [progress] = selectors.plan_goal_progress(patient_alice)
    assert progress.status == NOT_YET and progress.latest == Decimal(45)
    # A list with an opioid not converted is left out: its total is only part of the dose.
    record_medicine_list(
        actor=nurse,
        patient=patient_alice,
        medicines="oxycodone 10 mg twice daily\nbuprenorphine 2 mg daily",
    )
    assert selectors.plan_goal_progress(patient_alice)[0].latest == Decimal(45)
    record_medicine_list(
        actor=nurse, patient=patient_alice, medicines="oxycodone 10 mg twice daily"
    )
    [progress] = selectors.plan_goal_progress(patient_alice)
    assert progress.status == MET and progress.latest == Decimal(30)  # exactly 50 % down
