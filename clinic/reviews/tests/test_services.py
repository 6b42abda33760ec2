"""Signing a review and its decision: the plan version it drafts, the status it sets, the review
that falls due next; and who may do it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError, InvalidTransitionError, PermissionDeniedError
from clinic.patients.choices import PatientStatus
from clinic.reviews import services
from clinic.reviews.choices import ReviewStatus
from clinic.reviews.models import ReviewPolicy
from clinic.reviews.tests.factories import induction_course, signed_review, written_review
from clinic.scheduling.models import FollowUp
from clinic.treatment.models import TreatmentPlanDraft
from clinic.treatment.services import PlanDraft, sign_plan_version
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(clinician, nurse, patient_alice):
    version, _given = induction_course(clinician, nurse, patient_alice)
    return version


def test_continue_drafts_nothing_and_signs_the_facts(clinician, patient_alice, course):
    review = signed_review(clinician, patient_alice)
    assert review.status == "signed" and review.content_sha256
    assert review.plan_draft is None
    assert review.facts["sessions"]["given"] == 6
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.REVIEW_SIGNED, target_id=str(review.pk), actor=clinician
    ).exists()


def test_adjusting_the_dose_drafts_a_version_with_the_new_dose(clinician, patient_alice, course):
    review = signed_review(
        clinician,
        patient_alice,
        decision="adjust_dose",
        new_dose=Decimal("0.6"),
        booster_sessions=3,
    )
    draft = review.plan_draft
    assert draft.status == "open" and draft.based_on == course
    assert draft.values["dose"] == "0.6"
    assert draft.values["infusion_minutes"] == course.infusion_minutes
    assert draft.values["change_reason"] == "response"
    assert "Follow-up review" in draft.origin
    # A value another decision would use is not kept.
    assert review.booster_sessions is None


def test_changing_the_interval_drafts_it(clinician, patient_alice, course):
    review = signed_review(
        clinician, patient_alice, decision="change_interval", new_interval_days=14
    )
    assert review.plan_draft.values["maintenance_interval_days"] == 14
    assert review.plan_draft.values["dose"] == str(course.dose.normalize())


def test_moving_to_maintenance_drafts_a_maintenance_version(clinician, patient_alice, course):
    review = signed_review(
        clinician, patient_alice, decision="to_maintenance", new_interval_days=21
    )
    values = review.plan_draft.values
    assert values["change_reason"] == "maintenance"
    assert values["induction_sessions"] == 1 and values["induction_sessions_per_week"] == 1
    assert values["maintenance_interval_days"] == 21
    assert values["start_date"] == (timezone.localdate() + timedelta(days=21)).isoformat()
    # In maintenance now: the next review is the maintenance interval away.
    weeks = ReviewPolicy().maintenance_review_interval_weeks
    assert review.next_review_due_on == timezone.localdate() + timedelta(weeks=weeks)
    assert FollowUp.objects.get(patient=patient_alice, kind="review", status="open").due_on == (
        review.next_review_due_on
    )


def test_a_booster_drafts_its_sessions(clinician, patient_alice, course):
    review = signed_review(clinician, patient_alice, decision="booster", booster_sessions=2)
    values = review.plan_draft.values
    assert values["induction_sessions"] == 2
    assert values["start_date"] == (timezone.localdate() + timedelta(days=1)).isoformat()


def test_the_drafted_version_is_signed_by_the_prescriber_through_the_plan(
    clinician, patient_alice, course
):
    review = signed_review(clinician, patient_alice, decision="to_maintenance")
    draft = review.plan_draft
    values = draft.values
    version = sign_plan_version(
        actor=clinician,
        patient=patient_alice,
        draft=PlanDraft(
            protocol=course.protocol,
            indications=values["indications"],
            dose=Decimal(values["dose"]),
            weight_basis=values["weight_basis"],
            start_date=timezone.localdate() + timedelta(days=28),
            target_outcomes=values["target_outcomes"],
            induction_sessions=values["induction_sessions"],
            induction_sessions_per_week=values["induction_sessions_per_week"],
            maintenance_interval_days=values["maintenance_interval_days"],
            infusion_minutes=values["infusion_minutes"],
            change_reason=values["change_reason"],
            change_details=values["change_details"],
        ),
        password=PASSWORD,
        from_draft=draft,
    )
    draft.refresh_from_db()
    assert version.number == course.number + 1 and version.change_reason == "maintenance"
    assert draft.status == "signed" and draft.signed_version == version


def test_a_new_draft_sets_the_older_one_aside(clinician, patient_alice, course):
    first = signed_review(
        clinician, patient_alice, decision="change_interval", new_interval_days=14
    )
    second = signed_review(clinician, patient_alice, decision="booster", booster_sessions=1)
    assert TreatmentPlanDraft.objects.get(pk=first.plan_draft_id).status == "set_aside"
    assert second.plan_draft.status == "open"


def test_ending_treatment_discharges_the_patient_and_ends_the_plan(
    clinician, patient_alice, course
):
    from clinic.treatment.models import TreatmentPlan

    patient_alice.refresh_from_db()
    assert patient_alice.status != PatientStatus.DISCHARGED
    review = signed_review(clinician, patient_alice, decision="end_treatment")
    patient_alice.refresh_from_db()
    assert patient_alice.status == PatientStatus.DISCHARGED
    change = patient_alice.status_changes.first()
    assert "follow-up review" in change.reason and change.changed_by == clinician
    assert review.next_review_due_on is None and review.plan_draft is None
    plan = TreatmentPlan.objects.get(patient=patient_alice)
    assert plan.status == "stopped" and plan.ended_at is not None
    assert plan.end_reason.startswith("Ended at the follow-up review of ")
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.PLAN_ENDED, target_id=str(plan.pk), actor=clinician
    ).exists()


def test_pausing_changes_no_status_and_the_review_falls_due_later(clinician, patient_alice, course):
    patient_alice.refresh_from_db()
    before = patient_alice.status
    review = signed_review(clinician, patient_alice, decision="pause")
    patient_alice.refresh_from_db()
    assert patient_alice.status == before and review.plan_draft is None
    assert review.next_review_due_on == timezone.localdate() + timedelta(weeks=8)


@pytest.mark.parametrize(
    "decision, values, field",
    [
        ("adjust_dose", {}, "new_dose"),
        ("change_interval", {}, "new_interval_days"),
        ("change_interval", {"new_interval_days": 28}, "new_interval_days"),
    ],
)
def test_a_decision_without_what_it_needs_is_refused(
    clinician, patient_alice, course, decision, values, field
):
    review = written_review(clinician, patient_alice, decision=decision, **values)
    with pytest.raises(ClinicError) as refused:
        services.sign_review(actor=clinician, review=review, password=PASSWORD)
    assert refused.value.field == field
    review.refresh_from_db()
    assert review.status == ReviewStatus.IN_PROGRESS


def test_signing_needs_the_assessment_and_the_password(clinician, patient_alice, course):
    review = written_review(clinician, patient_alice, assessment="")
    with pytest.raises(ClinicError) as refused:
        services.sign_review(actor=clinician, review=review, password=PASSWORD)
    assert refused.value.field == "assessment"
    review = services.update_review(
        actor=clinician, review=review, changes={"assessment": "Doing well."}
    )
    with pytest.raises(ClinicError) as refused:
        services.sign_review(actor=clinician, review=review, password="wrong")
    assert refused.value.field == "password"
    assert AuditEvent.objects.filter(event_type=AuditEventType.SIGNATURE_FAILED).exists()


def test_a_signed_review_is_not_edited_but_takes_addenda(clinician, patient_alice, course):
    review = signed_review(clinician, patient_alice)
    with pytest.raises(InvalidTransitionError):
        services.update_review(actor=clinician, review=review, changes={"assessment": "Other."})
    services.add_review_addendum(
        actor=clinician, review=review, text="Patient called: sleeping better.", password=PASSWORD
    )
    review.refresh_from_db()
    assert review.status == "amended"


def test_nurses_front_desk_and_other_locations_cannot_write_reviews(
    nurse, front_desk, other_location_clinician, patient_alice, course
):
    for actor in (nurse, front_desk):
        with pytest.raises(PermissionDeniedError):
            services.open_review(actor=actor, patient=patient_alice)
    from clinic.core.exceptions import NotFoundError

    with pytest.raises(NotFoundError):
        services.open_review(actor=other_location_clinician, patient=patient_alice)


def test_an_open_review_is_returned_rather_than_a_second(clinician, patient_alice, course):
    first = services.open_review(actor=clinician, patient=patient_alice)
    assert services.open_review(actor=clinician, patient=patient_alice) == first


# --- the next review falls due by itself ------------------------------------------------
def test_the_last_induction_session_locked_makes_a_review_fall_due(clinician, nurse, patient_alice):
    from clinic.reviews.scheduling import after_session_locked

    version, given = induction_course(clinician, nurse, patient_alice, sessions=5)
    after_session_locked(given[-1])
    assert not FollowUp.objects.filter(patient=patient_alice, kind="review").exists()
    from clinic.reviews.tests.factories import given_session

    sixth = given_session(version, nurse=nurse, at=timezone.now() - timedelta(hours=2))
    after_session_locked(sixth)
    due = FollowUp.objects.get(patient=patient_alice, kind="review")
    # The day after the sixth dose's own day (two hours ago is yesterday just after midnight).
    dosed_on = timezone.localtime(sixth.dosed_at, patient_alice.location.zone).date()
    assert due.due_on == dosed_on + timedelta(days=1)
    assert "induction" in due.reason
    # The same again (a second signature, a retry) adds no second one.
    after_session_locked(sixth)
    assert FollowUp.objects.filter(patient=patient_alice, kind="review").count() == 1


def test_an_urgent_safety_alert_makes_a_review_fall_due(clinician, patient_alice):
    from clinic.assessments.tests.factories import record_phq9

    record_phq9(actor=clinician, patient=patient_alice, total=12, item9=2)
    due = FollowUp.objects.get(patient=patient_alice, kind="review")
    assert due.due_on == timezone.localdate() + timedelta(days=1)
    assert "urgent safety alert" in due.reason


def test_a_review_opened_from_a_due_follow_up_settles_it(clinician, patient_alice, course):
    from clinic.reviews.scheduling import after_session_locked
    from clinic.sessions.models import TreatmentSession

    after_session_locked(TreatmentSession.objects.filter(patient=patient_alice).last())
    due = FollowUp.objects.get(patient=patient_alice, kind="review")
    review = services.open_review(actor=clinician, patient=patient_alice, follow_up=due)
    services.update_review(
        actor=clinician,
        review=review,
        changes={
            "assessment": "Responding.",
            "decision": "to_maintenance",
            "decision_reason": "Response.",
        },
    )
    services.sign_review(actor=clinician, review=review, password=PASSWORD)
    due.refresh_from_db()
    assert due.status == "done" and due.completed_by == clinician
    upcoming = FollowUp.objects.get(patient=patient_alice, kind="review", status="open")
    assert upcoming.due_on == timezone.localdate() + timedelta(weeks=8)


def test_in_induction_the_next_review_falls_due_after_the_series(clinician, nurse, patient_alice):
    version, _ = induction_course(clinician, nurse, patient_alice, sessions=2)
    # The plan's proposed induction dates run from today: the series ends on its 6th date.
    from clinic.reviews.selectors import induction_ends_on

    review = signed_review(clinician, patient_alice)
    assert review.next_review_due_on == induction_ends_on(version) + timedelta(days=1)


def test_signing_the_last_induction_session_through_the_sessions_service_makes_a_review_due(
    clinician, nurse, patient_alice
):
    """The hook is wired: the sessions app's signing runs it once the record locks."""
    from clinic.sessions.tests.factories import IV_TRD
    from clinic.sessions.tests.test_services import discharged, sign_both
    from clinic.treatment.models import ProtocolTemplate

    ProtocolTemplate.objects.filter(name=IV_TRD).update(induction_sessions=1)
    session = discharged(clinician, nurse, patient_alice)
    assert not FollowUp.objects.filter(patient=patient_alice, kind="review").exists()
    sign_both(clinician, nurse, session)
    due = FollowUp.objects.get(patient=patient_alice, kind="review")
    assert due.reason == "Review after the induction series (1 session)"
