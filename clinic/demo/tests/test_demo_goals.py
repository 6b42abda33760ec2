"""The demo clinic has plans with goals, a chronic-pain patient's falling opioid dose, a signed
follow-up review, and patients who came through consultation requests (so that the outcomes
funnel follows them)."""

from __future__ import annotations

import pytest

from clinic.demo.data import build_demo_clinic
from clinic.evaluation.selectors import mme_series
from clinic.outcomes.selectors import OutcomeFilters, funnel
from clinic.reviews.models import FollowUpReview
from clinic.treatment.models import TreatmentPlanVersion

pytestmark = pytest.mark.django_db


def test_the_demo_clinic_has_goals_and_a_signed_review():
    build_demo_clinic()
    versions = list(TreatmentPlanVersion.objects.all())
    assert versions and all(version.goals for version in versions)
    assert FollowUpReview.objects.filter(status="signed").count() == 1
    review = FollowUpReview.objects.get(status="signed")
    assert review.facts["goals"], "the signed review's facts show progress toward the goals"
    pain = [v for v in versions if any(g["measure"] == "mme" for g in v.goals)]
    for version in pain:
        totals = [entry.mme.total for entry in mme_series(version.plan.patient)]
        assert totals[0] == 100 and totals[-1] == 70
    # The funnel: every stage after the request has patients in it.
    stages = {stage.key: stage.count for stage in funnel(OutcomeFilters())}
    assert stages["consultation"] > stages["evaluated"] > 0
    assert stages["plan_signed"] > 0 and stages["session_1"] > 0
