"""Which instruments each condition's patients answer: every default set screens for suicide risk,
and the medical director may leave the screen out only with a stated reason, audited."""

from __future__ import annotations

import pytest

from clinic.assessments import services
from clinic.assessments.models import InstrumentAssignment
from clinic.assessments.policy import (
    DEFAULT_ASSIGNMENTS,
    SUICIDE_RISK_SCREENS,
    check_assignment,
    checks_before_each_session,
    instruments_for_conditions,
)
from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.choices import Condition
from clinic.core.exceptions import ClinicError, PermissionDeniedError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("condition", Condition.values)
def test_every_indication_is_screened_for_suicide_risk_by_default_and_as_seeded(condition):
    assert SUICIDE_RISK_SCREENS & set(DEFAULT_ASSIGNMENTS[condition])
    # The data migration brought the seeded rows up to date.
    assert "cssrs_screen" in instruments_for_conditions([condition])


def test_bipolar_depression_checks_for_mania_and_depression_sets_use_a_7_day_measure():
    assert "asrm" in instruments_for_conditions(["bipolar_depression"])
    assert "qids_sr16" in instruments_for_conditions(["trd"])


@pytest.mark.parametrize(
    ("conditions", "checks"),
    [
        (["bipolar_depression"], ["asrm"]),
        (["trd", "bipolar_depression"], ["asrm"]),
        (["trd"], []),
        (["ptsd", "chronic_pain"], []),
        ([], []),
    ],
)
def test_the_mania_check_is_asked_before_each_session_for_bipolar_depression(conditions, checks):
    assert checks_before_each_session(conditions) == checks


def test_a_set_the_director_changed_decides_the_checks_before_each_session():
    without = {"bipolar_depression": ["phq9", "mdq", "cssrs_screen"]}
    assert checks_before_each_session(["bipolar_depression"], without) == []


def test_a_set_without_a_suicide_screen_is_refused_without_a_reason():
    with pytest.raises(ClinicError, match="no suicide-risk screen") as error:
        check_assignment(["pain_nrs", "bpi_sf"], "  ")
    assert error.value.field == "suicide_screen_omitted_reason"
    with pytest.raises(ClinicError, match="at least one"):
        check_assignment([], "a reason")
    check_assignment(["pain_nrs", "bpi_sf"], "Screened at every visit by the pain team's own form.")


def test_the_director_cannot_save_none_without_a_reason(medical_director):
    rule = InstrumentAssignment.objects.get(condition="chronic_pain")
    rule.instrument_codes = ["pain_nrs", "bpi_sf"]
    with pytest.raises(ClinicError, match="no suicide-risk screen"):
        services.save_instrument_assignment(
            actor=medical_director, assignment=rule, changed_fields=["instrument_codes"]
        )
    rule.refresh_from_db()
    assert "cssrs_screen" in rule.instrument_codes


def test_leaving_the_screen_out_with_a_reason_is_audited_with_the_reason(medical_director):
    reason = "Screened at every visit by the pain team's own form."
    rule = InstrumentAssignment.objects.get(condition="chronic_pain")
    rule.instrument_codes = ["pain_nrs", "bpi_sf"]
    rule.suicide_screen_omitted_reason = reason
    services.save_instrument_assignment(
        actor=medical_director,
        assignment=rule,
        changed_fields=["instrument_codes", "suicide_screen_omitted_reason"],
    )
    assert instruments_for_conditions(["chronic_pain"]) == ["pain_nrs", "bpi_sf"]
    event = AuditEvent.objects.filter(
        event_type=AuditEventType.ASSESSMENT_SETTINGS_CHANGED, actor=medical_director
    ).latest("id")
    assert event.details["suicide_screen_omitted_reason"] == reason
    assert event.details["instruments"] == ["pain_nrs", "bpi_sf"]


def test_only_the_medical_director_changes_a_set(clinician):
    rule = InstrumentAssignment.objects.get(condition="ocd")
    rule.instrument_codes = ["ybocs"]
    with pytest.raises(PermissionDeniedError):
        services.save_instrument_assignment(actor=clinician, assignment=rule, changed_fields=[])
