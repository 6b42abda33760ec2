"""Session vital-sign limits and the monitoring schedule (defaults: clinic policy beside the
Spravato prescribing information's example of an elevated baseline, > 140/90 mmHg)."""

from datetime import UTC, datetime, timedelta

import pytest

from clinic.monitoring.limits import Limits, check_during, check_pre_dose, reading_schedule_status

LIMITS = Limits()


@pytest.mark.parametrize(
    ("systolic", "diastolic", "blocks"),
    [(140, 90, False), (141, 80, True), (130, 91, True), (139, 89, False)],
)
def test_pre_dose_blood_pressure_above_the_limit_blocks_dosing(systolic, diastolic, blocks):
    breaches = check_pre_dose({"systolic_mmhg": systolic, "diastolic_mmhg": diastolic}, LIMITS)
    assert any(b.blocks_dosing for b in breaches) is blocks


@pytest.mark.parametrize(
    ("values", "parameters"),
    [
        # The stop level is "at or above" 180/100 (see test_alert_rules.py): just below it, and
        # at every other limit, nothing is raised.
        ({"systolic_mmhg": 179, "diastolic_mmhg": 99, "heart_rate_bpm": 110, "spo2_pct": 92}, []),
        ({"systolic_mmhg": 181}, ["systolic_mmhg"]),
        ({"diastolic_mmhg": 101}, ["diastolic_mmhg"]),
        ({"heart_rate_bpm": 111}, ["heart_rate_bpm"]),
        ({"heart_rate_bpm": 49}, ["heart_rate_bpm"]),
        ({"spo2_pct": 91}, ["spo2_pct"]),
        ({"respiratory_rate_per_min": 9}, ["respiratory_rate_per_min"]),
    ],
)
def test_limits_during_the_session_at_their_boundaries(values, parameters):
    assert [b.parameter for b in check_during(values, LIMITS, baseline=None)] == parameters


def test_a_rise_from_the_patients_own_baseline_alerts_below_the_absolute_limit():
    breaches = check_during({"systolic_mmhg": 160}, LIMITS, baseline={"systolic_mmhg": 120})
    assert [b.parameter for b in breaches] == ["systolic_mmhg"] and "rose 33 %" in breaches[
        0
    ].message
    assert check_during({"systolic_mmhg": 156}, LIMITS, baseline={"systolic_mmhg": 120}) == []


def test_the_limits_are_protocol_data():
    strict = Limits(systolic_max=160)
    assert check_during({"systolic_mmhg": 170}, strict, baseline=None)[0].limit == "> 160"


def test_the_schedule_says_what_is_due_next_and_what_is_overdue():
    dosed = datetime(2027, 1, 11, 14, 0, tzinfo=UTC)
    schedule = [
        0,
        15,
        30,
        40,
        120,
    ]  # e.g. esketamine: before dosing, every 15 min, at ~40 min, before discharge
    status = reading_schedule_status(
        schedule_minutes=schedule,
        dosed_at=dosed,
        taken_at=[dosed, dosed + timedelta(minutes=16)],
        now=dosed + timedelta(minutes=37),
    )
    assert status.overdue == [dosed + timedelta(minutes=30)]
    assert status.next_due_at == dosed + timedelta(minutes=40)


@pytest.mark.django_db
def test_each_route_has_a_protocol_the_director_can_change():
    from clinic.monitoring.models import MonitoringProtocol

    esketamine = MonitoringProtocol.objects.get(route="intranasal")
    assert (
        esketamine.minimum_observation_minutes == 120 and 40 in esketamine.reading_schedule_minutes
    )
    MonitoringProtocol.objects.filter(route="iv").update(systolic_max=170)
    assert MonitoringProtocol.objects.get(route="iv").limits().systolic_max == 170


@pytest.mark.parametrize(
    ("values", "parameters"),
    [
        ({"systolic_mmhg": 160, "diastolic_mmhg": 99, "heart_rate_bpm": 100}, []),
        ({"systolic_mmhg": 161, "diastolic_mmhg": 80}, ["systolic_mmhg"]),
        ({"systolic_mmhg": 130, "diastolic_mmhg": 80, "heart_rate_bpm": 101}, ["heart_rate_bpm"]),
        # Above the stop limit too: named once.
        ({"systolic_mmhg": 185, "diastolic_mmhg": 80}, ["systolic_mmhg"]),
    ],
)
def test_discharge_limits_are_checked_beside_the_limits_during_the_session(values, parameters):
    from clinic.monitoring.limits import check_discharge

    breaches = check_discharge(values, LIMITS, baseline=None)
    assert [b.parameter for b in breaches] == parameters
