"""Opening, writing and signing follow-up reviews, their addenda, and the decisions' effects on
the plan, the patient's status and the next review."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.dates import show_date
from clinic.core.exceptions import ClinicError, InvalidTransitionError
from clinic.core.meta import present
from clinic.core.records import apply_changes
from clinic.core.signing import confirm_signer, content_sha256
from clinic.patients.choices import ALLOWED_STATUS_CHANGES, PatientStatus
from clinic.patients.locks import lock_patient
from clinic.patients.models import Patient
from clinic.patients.permissions import ensure_can_act_on_patient
from clinic.patients.services import change_patient_status
from clinic.reviews import rules, selectors
from clinic.reviews.choices import (
    PLAN_CHANGING_DECISIONS,
    ReviewDecision,
    ReviewKind,
    ReviewStatus,
)
from clinic.reviews.locks import lock_review
from clinic.reviews.models import FollowUpReview, FollowUpReviewAddendum
from clinic.reviews.permissions import REVIEW_WRITE_ROLES
from clinic.scheduling.choices import FollowUpKind, FollowUpStatus
from clinic.scheduling.follow_ups import create_follow_up, settle_by_review
from clinic.scheduling.locks import lock_open_reviews_due
from clinic.scheduling.models import FollowUp
from clinic.treatment.choices import PlanStatus
from clinic.treatment.selectors import current_plan_version
from clinic.treatment.services import end_plan, open_plan_draft

# What a person edits on the review form; the signing fields are set only by sign_review.
EDITABLE_FIELDS = (
    "kind",
    "concerns",
    "assessment",
    "decision",
    "decision_reason",
    "new_dose",
    "new_infusion_minutes",
    "new_interval_days",
    "booster_sessions",
)
TEXT_LIMIT = 10_000


def _ensure_reviewer(actor, patient: Patient, action: str, event_type) -> None:
    ensure_can_act_on_patient(
        actor, patient, roles=REVIEW_WRITE_ROLES, action=action, event_type=event_type
    )


def _lock(review: FollowUpReview) -> FollowUpReview:
    locked = lock_review(review.pk)
    if locked.is_locked:
        raise InvalidTransitionError("This review is signed and locked; add an addendum instead.")
    return locked


def open_review(
    *, actor, patient: Patient, kind: str = ReviewKind.IN_PERSON, follow_up: FollowUp | None = None
) -> FollowUpReview:
    """Open a follow-up review (from a due follow-up or from the chart), covering the time since
    the last signed review. A review already in progress is returned instead of a second one."""
    _ensure_reviewer(actor, patient, "open follow-up reviews", AuditEventType.REVIEW_OPENED)
    if kind not in ReviewKind.values:
        raise ClinicError("Choose how you are meeting the patient.", field="kind")
    if follow_up is not None and (
        follow_up.patient_id != patient.pk or follow_up.kind != FollowUpKind.REVIEW
    ):
        raise ClinicError("That follow-up is not a review of this patient.")
    with transaction.atomic(durable=True):
        lock_patient(patient.pk)
        existing = selectors.open_review(patient)
        if existing is not None:
            return existing
        previous = selectors.last_signed_review(patient)
        review = FollowUpReview.objects.create(
            patient=patient,
            location_id=patient.location_id,
            follow_up=follow_up,
            kind=kind,
            clinician=actor,
            since=previous.signed_at if previous else None,
        )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.REVIEW_OPENED,
            target=review,
            about=patient,
            details={"kind": kind, "from_follow_up": follow_up is not None},
        )
        return review


def _clean_changes(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ClinicError(f"A review has no field {', '.join(unknown)}.")
    cleaned = dict(changes)
    for name in ("concerns", "assessment", "decision_reason"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
            if len(cleaned[name]) > TEXT_LIMIT:
                raise ClinicError(f"Keep this under {TEXT_LIMIT} characters.", field=name)
    if cleaned.get("kind", ReviewKind.IN_PERSON) not in ReviewKind.values:
        raise ClinicError("Choose how you are meeting the patient.", field="kind")
    if cleaned.get("decision") and cleaned["decision"] not in ReviewDecision.values:
        raise ClinicError("Choose one of the listed decisions.", field="decision")
    return cleaned


def update_review(*, actor, review: FollowUpReview, changes: dict[str, Any]) -> FollowUpReview:
    """Save the review as written so far; the audit entry names the fields changed."""
    _ensure_reviewer(
        actor, review.patient, "write follow-up reviews", AuditEventType.REVIEW_UPDATED
    )
    cleaned = _clean_changes(changes)
    with transaction.atomic(durable=True):
        locked = _lock(review)
        changed = apply_changes(locked, cleaned)
        if changed:
            locked.full_clean()
            locked.save()
            record_audit_event(
                actor=actor,
                event_type=AuditEventType.REVIEW_UPDATED,
                target=locked,
                about=locked,
                details={"fields": changed},
            )
        return locked


def signed_content(review: FollowUpReview) -> dict[str, Any]:
    """Exactly what a review's signature covers: the frozen facts, the patient's concerns, the
    assessment and the decision with its values, and who signed when."""
    return {
        "patient": str(review.patient.public_id),
        "review": str(review.public_id),
        "kind": review.kind,
        "since": review.since,
        "facts": review.facts,
        "concerns": review.concerns,
        "assessment": review.assessment,
        "decision": review.decision,
        "decision_reason": review.decision_reason,
        "new_dose": (
            Decimal(review.new_dose).quantize(Decimal("0.001"))
            if review.new_dose is not None
            else None
        ),
        "new_infusion_minutes": review.new_infusion_minutes,
        "new_interval_days": review.new_interval_days,
        "booster_sessions": review.booster_sessions,
        "next_review_due_on": review.next_review_due_on,
        "signed_by": review.signed_by_id,
        "signed_at": review.signed_at,
    }


def addendum_content(*, review_sha256: str, text: str, author_id: int, signed_at) -> dict:
    """What an addendum's signature covers: its text, author and time, and the signature of the
    review it adds to."""
    return {
        "review_sha256": review_sha256,
        "text": text,
        "author": author_id,
        "signed_at": signed_at,
    }


def _current_plan(version) -> rules.CurrentPlan | None:
    if version is None:
        return None
    return rules.CurrentPlan(
        dose=Decimal(version.dose),
        infusion_minutes=version.infusion_minutes,
        maintenance_interval_days=version.maintenance_interval_days,
        induction_sessions_per_week=version.induction_sessions_per_week,
        route=version.route,
    )


def _values(review: FollowUpReview) -> rules.DecisionValues:
    return rules.DecisionValues(
        new_dose=Decimal(review.new_dose) if review.new_dose is not None else None,
        new_infusion_minutes=review.new_infusion_minutes,
        new_interval_days=review.new_interval_days,
        booster_sessions=review.booster_sessions,
    )


def _keep_only_decision_values(review: FollowUpReview) -> None:
    """The values another decision would use are not part of this one."""
    values_of: dict[str, set[str]] = {
        ReviewDecision.ADJUST_DOSE: {"new_dose", "new_infusion_minutes"},
        ReviewDecision.CHANGE_INTERVAL: {"new_interval_days"},
        ReviewDecision.TO_MAINTENANCE: {"new_interval_days"},
        ReviewDecision.BOOSTER: {"booster_sessions"},
    }
    keep = values_of.get(review.decision, set())
    for name in ("new_dose", "new_infusion_minutes", "new_interval_days", "booster_sessions"):
        if name not in keep:
            setattr(review, name, None)


def review_due(*, patient: Patient, due_on, reason: str) -> FollowUp | None:
    """Inside the caller's transaction: a review falls due on `due_on` unless one is already
    due (not done) on or before that day; a later one is brought forward."""
    open_ones = lock_open_reviews_due(patient.pk)
    if any(open_one.due_on <= due_on for open_one in open_ones):
        return None
    if open_ones:
        later = min(open_ones, key=lambda open_one: (open_one.due_on, open_one.pk))
        later.due_on, later.reason = due_on, reason[:200]
        later.save(update_fields=["due_on", "reason", "updated_at"])
        return later
    return create_follow_up(
        patient=patient, kind=FollowUpKind.REVIEW, due_on=due_on, reason=reason[:200]
    )


def sign_review(*, actor, review: FollowUpReview, password: str) -> FollowUpReview:
    """Sign the review and its decision. Re-authenticates the clinician, freezes the facts as the
    record stands, hashes the content and locks the row. In the same transaction: a decision
    that changes the plan drafts the next plan version (for a prescriber to check and sign on
    the plan page); "end treatment" discharges the patient; the follow-up it was opened from is
    done; and the next review falls due (ReviewPolicy)."""
    patient = review.patient
    _ensure_reviewer(actor, patient, "sign follow-up reviews", AuditEventType.REVIEW_SIGNED)
    fresh = FollowUpReview.objects.get(pk=review.pk)
    if fresh.is_locked:
        raise InvalidTransitionError("This review is signed and locked; add an addendum instead.")
    if not fresh.assessment.strip():
        raise ClinicError("Write your assessment before signing.", field="assessment")
    if not fresh.decision:
        raise ClinicError("Choose a decision before signing.", field="decision")
    if not fresh.decision_reason.strip():
        raise ClinicError("Give the reason for the decision.", field="decision_reason")
    version = current_plan_version(patient)
    problems = rules.decision_problems(fresh.decision, _values(fresh), _current_plan(version))
    if problems:
        field, message = next(iter(problems.items()))
        raise ClinicError(message, field=field)
    if fresh.decision == ReviewDecision.END_TREATMENT and (
        PatientStatus.DISCHARGED not in ALLOWED_STATUS_CHANGES[patient.status]
    ):
        raise ClinicError(
            f"A patient who is “{patient.get_status_display()}” cannot be discharged.",
            field="decision",
        )
    confirm_signer(actor, password, target=fresh, patient_id=patient.pk)
    policy = selectors.get_policy()
    with transaction.atomic(durable=True):
        locked = _lock(fresh)
        signed_at = timezone.now()
        today = timezone.localtime(signed_at, patient.location.zone).date()
        version = current_plan_version(patient)
        maintenance = selectors.in_maintenance(patient, version)
        _keep_only_decision_values(locked)
        if locked.decision in PLAN_CHANGING_DECISIONS:
            change = present(
                rules.plan_change(
                    locked.decision,
                    _values(locked),
                    present(_current_plan(version), "The plan the decision changes"),
                    today=today,
                ),
                "The plan change of a plan-changing decision",
            )
            locked.plan_draft = open_plan_draft(
                actor=actor,
                patient=patient,
                change_reason=change.change_reason,
                changes={
                    **change.changes,
                    "change_details": f"{change.summary}. {locked.decision_reason}"[:2000],
                },
                origin=f"Follow-up review of {show_date(today)}: {locked.get_decision_display()}",
            )
        locked.next_review_due_on = rules.next_review_on(
            locked.decision,
            in_maintenance=maintenance,
            signed_on=today,
            induction_ends_on=selectors.induction_ends_on(version),
            interval_weeks=policy.maintenance_review_interval_weeks,
            after_induction_days=policy.review_after_induction_days,
        )
        locked.facts = selectors.review_facts(patient, since=locked.since, until=signed_at)
        locked.signed_by, locked.signed_at = actor, signed_at
        locked.status = ReviewStatus.SIGNED
        locked.content_sha256 = content_sha256(signed_content(locked))
        locked.full_clean()
        locked.save()
        if locked.follow_up_id is not None:
            settle_by_review(actor=actor, follow_up=present(locked.follow_up, "The follow-up"))
        # Other reviews already due are settled by this one; the next one falls due below.
        for due in FollowUp.objects.filter(
            patient=patient,
            kind=FollowUpKind.REVIEW,
            status=FollowUpStatus.OPEN,
            due_on__lte=today + timedelta(days=7),
        ):
            settle_by_review(actor=actor, follow_up=due)
        if locked.next_review_due_on is not None:
            review_due(
                patient=patient,
                due_on=locked.next_review_due_on,
                reason=f"Review after the review of {show_date(today)}",
            )
        if locked.decision == ReviewDecision.END_TREATMENT:
            # Treatment ends: so does the plan (no further session may be given under it).
            if version is not None:
                end_plan(
                    actor=actor,
                    plan=version.plan,
                    status=PlanStatus.STOPPED,
                    reason=f"Ended at the follow-up review of {show_date(today)}: "
                    f"{locked.decision_reason}"[:300],
                    in_caller_transaction=True,
                    discharge=False,
                )
            change_patient_status(
                actor=actor,
                patient=patient,
                to_status=PatientStatus.DISCHARGED,
                reason=f"Treatment ended at a follow-up review: {locked.decision_reason}",
                in_caller_transaction=True,
            )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.REVIEW_SIGNED,
            target=locked,
            patient_id=patient.pk,
            location_id=locked.location_id,
            details={
                "decision": locked.decision,
                "plan_draft": str(locked.plan_draft.public_id) if locked.plan_draft else None,
                "next_review_due_on": (
                    locked.next_review_due_on.isoformat() if locked.next_review_due_on else None
                ),
                "sha256": locked.content_sha256,
            },
        )
        return locked


def add_review_addendum(
    *, actor, review: FollowUpReview, text: str, password: str
) -> FollowUpReviewAddendum:
    """Correct or add to a signed review without changing it: a signed addendum."""
    _ensure_reviewer(actor, review.patient, "add addenda", AuditEventType.REVIEW_ADDENDUM)
    text = (text or "").strip()
    if not text:
        raise ClinicError("Write the addendum.", field="text")
    if len(text) > TEXT_LIMIT:
        raise ClinicError(f"Keep the addendum under {TEXT_LIMIT} characters.", field="text")
    confirm_signer(actor, password, target=review, patient_id=review.patient_id)
    with transaction.atomic(durable=True):
        locked = lock_review(review.pk)
        if not locked.is_locked:
            raise InvalidTransitionError("The review is not signed yet: edit it directly.")
        signed_at = timezone.now()
        addendum = FollowUpReviewAddendum.objects.create(
            review=locked,
            location_id=locked.location_id,
            text=text,
            author=actor,
            signed_at=signed_at,
            content_sha256=content_sha256(
                addendum_content(
                    review_sha256=locked.content_sha256,
                    text=text,
                    author_id=actor.pk,
                    signed_at=signed_at,
                )
            ),
        )
        if locked.status == ReviewStatus.SIGNED:
            locked.status = ReviewStatus.AMENDED
            locked.save(update_fields=["status", "updated_at"])
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.REVIEW_ADDENDUM,
            target=addendum,
            about=locked,
        )
        return addendum
