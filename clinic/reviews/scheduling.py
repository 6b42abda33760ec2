"""The next review falls due by itself: registered from `ReviewsConfig.ready()` into the hooks of
the apps below (clinic.sessions.hooks, clinic.assessments.hooks), and run inside their
transactions. The days are `ReviewPolicy`'s (clinic policy, UNVERIFIED)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from clinic.assessments.hooks import on_urgent_alert_raised
from clinic.reviews import rules, selectors
from clinic.reviews.services import review_due
from clinic.sessions.hooks import on_session_locked
from clinic.sessions.models import TreatmentSession
from clinic.treatment.choices import ChangeReason


def after_session_locked(session: TreatmentSession) -> None:
    """The last session of an induction series is signed: the review that decides what comes
    next falls due."""
    version = session.plan_version
    if session.dosed_at is None or version.change_reason == ChangeReason.MAINTENANCE:
        return
    given = TreatmentSession.objects.filter(plan_version=version, dosed_at__isnull=False).count()
    if not rules.induction_just_ended(
        doses_given_under_version=given, induction_sessions=version.induction_sessions
    ):
        return
    policy = selectors.get_policy()
    day = timezone.localtime(session.dosed_at, session.location.zone).date()
    review_due(
        patient=session.patient,
        due_on=day + timedelta(days=policy.review_after_induction_days),
        reason=f"Review after the induction series ({given} session{'' if given == 1 else 's'})",
    )


def after_urgent_alert(alert) -> None:
    """An urgent safety alert: a review of the course of care falls due soon after it."""
    policy = selectors.get_policy()
    day = timezone.localtime(alert.raised_at, alert.patient.location.zone).date()
    review_due(
        patient=alert.patient,
        due_on=day + timedelta(days=policy.review_after_urgent_alert_days),
        reason=f"Review after an urgent safety alert ({alert.get_reason_display().lower()})",
    )


def register() -> None:
    on_session_locked(after_session_locked)
    on_urgent_alert_raised(after_urgent_alert)
