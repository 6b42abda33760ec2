"""What the plan form opens with: the reason, the protocol, the values and goals carried over."""

from __future__ import annotations

import pytest

from clinic.sessions.tests.factories import plan_for
from clinic.treatment import selectors, services
from clinic.treatment.choices import ChangeReason
from clinic.treatment.models import ProtocolTemplate

pytestmark = pytest.mark.django_db


def test_a_first_plan_starts_as_the_first_and_a_new_version_as_a_response(clinician, patient_alice):
    assert selectors.plan_change_reason(None) == ChangeReason.INITIAL
    version = plan_for(clinician, patient_alice)
    assert selectors.plan_change_reason(version) == ChangeReason.RESPONSE


def test_the_protocol_asked_for_wins_then_the_current_one_then_a_default(clinician, patient_alice):
    other = ProtocolTemplate.objects.filter(is_active=True).last()
    assert selectors.protocol_to_offer(patient_alice, str(other.pk), None) == other
    default = selectors.protocol_to_offer(patient_alice, None, None)
    assert default is not None and default.is_active
    assert selectors.protocol_to_offer(patient_alice, "not-a-number", None) == default
    version = plan_for(clinician, patient_alice)
    assert selectors.protocol_to_offer(patient_alice, "", version) == version.protocol
    assert selectors.protocol_to_offer(patient_alice, "0", version) == version.protocol


def test_a_new_version_keeps_the_current_values_and_a_draft_s_over_them(clinician, patient_alice):
    assert selectors.plan_values_carried(None, None) == {}
    assert selectors.goals_carried(None, None) is None
    version = plan_for(clinician, patient_alice)
    carried = selectors.plan_values_carried(version, None)
    assert carried["dose"] == version.dose.normalize()
    assert carried["target_outcomes"] == version.target_outcomes
    assert selectors.goals_carried(None, version) == version.goals
    draft = services.open_plan_draft(
        actor=clinician,
        patient=patient_alice,
        change_reason="maintenance",
        changes={"maintenance_interval_days": 21, "induction_sessions": 1},
        origin="Follow-up review",
    )
    carried = selectors.plan_values_carried(version, draft)
    assert carried["maintenance_interval_days"] == 21
    assert carried["change_reason"] == "maintenance"
    assert selectors.goals_carried(draft, version) == draft.values.get("goals")
