"""The session's pure rules: the infusion's state machine, the discharge criteria and the
checklist's override logic. No database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic.core.choices import Route
from clinic.sessions.choices import OVERRIDABLE_GATES, Gate, InfusionEventKind
from clinic.sessions.rules import (
    DISCHARGE_READING_MAX_AGE,
    INFUSION_TRANSITIONS,
    Checklist,
    DischargeFacts,
    GateResult,
    allowed_infusion_events,
    discharge_reasons,
    infusion_state,
)

STATES = {"not_started", "running", "paused", "ended"}
START, RATE, PAUSE, RESUME, STOP, COMPLETE = (
    InfusionEventKind.START,
    InfusionEventKind.RATE_CHANGE,
    InfusionEventKind.PAUSE,
    InfusionEventKind.RESUME,
    InfusionEventKind.STOP,
    InfusionEventKind.COMPLETE,
)
NON_IV_ROUTES = [r for r in Route.values if r != Route.IV]

kinds_strategy = st.lists(st.sampled_from(InfusionEventKind.values), max_size=12)
routes_strategy = st.sampled_from(Route.values)


# --- infusion state machine ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("kinds", "state", "allowed"),
    [
        ([], "not_started", [START]),
        ([START], "running", [RATE, PAUSE, STOP, COMPLETE]),
        ([START, RATE], "running", [RATE, PAUSE, STOP, COMPLETE]),
        ([START, PAUSE], "paused", [RESUME, STOP]),
        ([START, PAUSE, RESUME], "running", [RATE, PAUSE, STOP, COMPLETE]),
        ([START, PAUSE, RESUME, RATE, PAUSE], "paused", [RESUME, STOP]),
        ([START, STOP], "ended", []),
        ([START, COMPLETE], "ended", []),
        ([START, PAUSE, STOP], "ended", []),
        ([START, RATE, COMPLETE], "ended", []),
    ],
)
def test_iv_infusion_states_and_allowed_events(kinds, state, allowed):
    assert infusion_state(kinds, route="iv") == state
    assert sorted(allowed_infusion_events(kinds, route="iv")) == sorted(allowed)


def test_iv_infusion_cannot_be_completed_while_paused():
    allowed = allowed_infusion_events([START, PAUSE], route="iv")
    assert COMPLETE not in allowed
    assert RATE not in allowed
    assert PAUSE not in allowed


@pytest.mark.parametrize("after", [START, RATE, PAUSE, RESUME, STOP, COMPLETE])
@pytest.mark.parametrize("ending", [STOP, COMPLETE])
def test_nothing_happens_after_the_infusion_ended(ending, after):
    assert infusion_state([START, ending, after], route="iv") == "ended"
    assert allowed_infusion_events([START, ending], route="iv") == []


def test_an_event_not_allowed_in_the_current_state_does_not_change_it():
    assert infusion_state([PAUSE], route="iv") == "not_started"
    assert infusion_state([START, RESUME], route="iv") == "running"
    assert infusion_state([START, START], route="iv") == "running"
    assert infusion_state([START, PAUSE, RATE], route="iv") == "paused"


@pytest.mark.parametrize("route", NON_IV_ROUTES)
def test_non_iv_dose_ends_as_soon_as_it_is_given(route):
    assert infusion_state([], route=route) == "not_started"
    assert allowed_infusion_events([], route=route) == [START]
    assert infusion_state([START], route=route) == "ended"
    assert allowed_infusion_events([START], route=route) == []


@pytest.mark.parametrize("route", NON_IV_ROUTES)
@pytest.mark.parametrize("after", [RATE, PAUSE, RESUME, STOP, COMPLETE, START])
def test_non_iv_dose_has_nothing_to_pause_or_stop(route, after):
    assert infusion_state([START, after], route=route) == "ended"


@given(kinds=kinds_strategy, route=routes_strategy)
def test_any_sequence_of_events_yields_one_of_the_four_states(kinds, route):
    state = infusion_state(kinds, route=route)
    assert state in STATES
    assert allowed_infusion_events(kinds, route=route) == list(INFUSION_TRANSITIONS[state])
    if route != "iv":
        assert state in ("not_started", "ended")


@given(kinds=kinds_strategy, route=routes_strategy, data=st.data())
def test_allowed_events_always_lead_to_a_valid_state(kinds, route, data):
    state = infusion_state(kinds, route=route)
    allowed = allowed_infusion_events(kinds, route=route)
    for kind in allowed:
        following = infusion_state([*kinds, kind], route=route)
        expected = INFUSION_TRANSITIONS[state][kind]
        if route != "iv" and expected == "running":
            expected = "ended"
        assert following == expected
        assert following in STATES
    not_allowed = [k for k in InfusionEventKind.values if k not in allowed]
    if not_allowed:
        kind = data.draw(st.sampled_from(not_allowed))
        assert infusion_state([*kinds, kind], route=route) == state


@given(kinds=kinds_strategy, more=kinds_strategy, route=routes_strategy)
def test_ended_is_final(kinds, more, route):
    if infusion_state(kinds, route=route) == "ended":
        assert infusion_state([*kinds, *more], route=route) == "ended"


# --- discharge -----------------------------------------------------------------------------
DOSED = datetime(2025, 3, 4, 14, 0, tzinfo=UTC)
NOW = DOSED + timedelta(minutes=120)


def facts(**changes) -> DischargeFacts:
    """Every discharge criterion met; a test changes one."""
    values = {
        "dosed_at": DOSED,
        "now": NOW,
        "minimum_observation_minutes": 120,
        "infusion_state": "ended",
        "aldrete_total": 10,
        "aldrete_threshold": 9,
        "latest_reading_at": NOW - timedelta(minutes=5),
        "latest_reading_breaches": [],
        "latest_reading_has_blood_pressure": True,
        "open_alerts": 0,
        "escort_present": True,
        "instructions_given": True,
    }
    values.update(changes)
    return DischargeFacts(**values)


def test_all_criteria_met_means_the_patient_may_go():
    assert discharge_reasons(facts()) == []


def test_not_dosed_is_the_only_reason_given():
    reasons = discharge_reasons(
        facts(dosed_at=None, aldrete_total=None, escort_present=False, latest_reading_at=None)
    )
    assert reasons == ["No dose has been given in this session."]


def test_observation_time_exactly_at_the_minimum_passes():
    assert discharge_reasons(facts(now=DOSED + timedelta(minutes=120))) == []


def test_observation_time_one_second_short_fails_with_minutes_to_go():
    now = DOSED + timedelta(minutes=120) - timedelta(seconds=1)
    reasons = discharge_reasons(facts(now=now, latest_reading_at=now - timedelta(minutes=1)))
    assert len(reasons) == 1
    assert "120 minutes after dosing are required" in reasons[0]
    assert "(1 min to go)" in reasons[0]


def test_observation_time_counts_the_minutes_left():
    now = DOSED + timedelta(minutes=45, seconds=30)
    reasons = discharge_reasons(facts(now=now, latest_reading_at=now - timedelta(minutes=1)))
    assert reasons == ["Observation time: 120 minutes after dosing are required (75 min to go)."]


def test_observation_time_with_a_whole_number_of_minutes_left():
    now = DOSED + timedelta(minutes=90)
    reasons = discharge_reasons(facts(now=now, latest_reading_at=now - timedelta(minutes=1)))
    assert reasons == ["Observation time: 120 minutes after dosing are required (30 min to go)."]


@given(
    minimum=st.integers(min_value=0, max_value=240),
    observed_seconds=st.integers(min_value=0, max_value=300 * 60),
)
def test_observation_reason_appears_only_before_the_minimum(minimum, observed_seconds):
    now = DOSED + timedelta(seconds=observed_seconds)
    reasons = discharge_reasons(
        facts(
            now=now,
            minimum_observation_minutes=minimum,
            latest_reading_at=now - timedelta(seconds=1) if observed_seconds > 1 else None,
        )
    )
    observation = [r for r in reasons if r.startswith("Observation time")]
    remaining = minimum * 60 - observed_seconds
    assert bool(observation) is (remaining > 0)
    if observation:
        left = int(observation[0].split("(")[1].split(" min")[0])
        # Never tells the nurse there is less time left than there is.
        assert left * 60 >= remaining
        assert left >= 1


@pytest.mark.parametrize("state", ["running", "paused"])
def test_a_running_or_paused_infusion_blocks_discharge(state):
    assert discharge_reasons(facts(infusion_state=state)) == [
        "The infusion has not been stopped or completed."
    ]


@pytest.mark.parametrize("state", ["ended", "not_started"])
def test_an_ended_infusion_does_not_block(state):
    assert discharge_reasons(facts(infusion_state=state)) == []


def test_aldrete_missing():
    assert discharge_reasons(facts(aldrete_total=None)) == ["Score the modified Aldrete items."]


def test_aldrete_below_threshold():
    assert discharge_reasons(facts(aldrete_total=8, aldrete_threshold=9)) == [
        "Modified Aldrete score 8 is below 9."
    ]


def test_aldrete_exactly_at_threshold_passes():
    assert discharge_reasons(facts(aldrete_total=9, aldrete_threshold=9)) == []
    assert discharge_reasons(facts(aldrete_total=10, aldrete_threshold=10)) == []


def test_aldrete_zero_is_scored_not_missing():
    reasons = discharge_reasons(facts(aldrete_total=0))
    assert reasons == ["Modified Aldrete score 0 is below 9."]


NO_READING = "Take a set of vital signs after dosing, before discharge."


def test_no_reading_at_all():
    assert discharge_reasons(facts(latest_reading_at=None)) == [NO_READING]


def test_reading_before_or_at_dosing_does_not_count():
    assert discharge_reasons(facts(latest_reading_at=DOSED - timedelta(minutes=5))) == [NO_READING]
    assert discharge_reasons(facts(latest_reading_at=DOSED)) == [NO_READING]


def test_no_reading_hides_the_reading_details():
    reasons = discharge_reasons(
        facts(
            latest_reading_at=None,
            latest_reading_has_blood_pressure=False,
            latest_reading_breaches=["Systolic 190 mmHg is above 180."],
        )
    )
    assert reasons == [NO_READING]


def test_reading_exactly_at_the_maximum_age_passes():
    assert timedelta(minutes=15) == DISCHARGE_READING_MAX_AGE
    assert discharge_reasons(facts(latest_reading_at=NOW - DISCHARGE_READING_MAX_AGE)) == []


def test_reading_one_second_older_than_the_maximum_age_fails():
    at = NOW - DISCHARGE_READING_MAX_AGE - timedelta(seconds=1)
    assert discharge_reasons(facts(latest_reading_at=at)) == [
        "The latest vital signs are more than 15 minutes old; take them again."
    ]


def test_latest_reading_without_blood_pressure():
    assert discharge_reasons(facts(latest_reading_has_blood_pressure=False)) == [
        "The latest vital signs have no blood pressure."
    ]


def test_each_breach_is_listed():
    breaches = ["Systolic 185 mmHg is above 180.", "Heart rate 120 /min is above 110."]
    assert discharge_reasons(facts(latest_reading_breaches=breaches)) == [
        "Not back within limits: Systolic 185 mmHg is above 180.",
        "Not back within limits: Heart rate 120 /min is above 110.",
    ]


def test_open_alerts_block():
    assert discharge_reasons(facts(open_alerts=2)) == [
        "2 vital-sign alert(s) not yet acknowledged."
    ]


@pytest.mark.parametrize("escort", [None, False])
def test_escort_must_be_present(escort):
    assert discharge_reasons(facts(escort_present=escort)) == [
        "No escort is present to take the patient home."
    ]


@pytest.mark.parametrize("given_", [None, False])
def test_instructions_must_be_given(given_):
    assert discharge_reasons(facts(instructions_given=given_)) == [
        "The after-care sheet has not been handed over."
    ]


def test_every_unmet_criterion_is_listed():
    now = DOSED + timedelta(minutes=30)
    reasons = discharge_reasons(
        facts(
            now=now,
            infusion_state="running",
            aldrete_total=7,
            latest_reading_at=now - timedelta(minutes=20),
            latest_reading_has_blood_pressure=False,
            latest_reading_breaches=["SpO₂ 90 % is below 92."],
            open_alerts=1,
            escort_present=False,
            instructions_given=False,
        )
    )
    assert len(reasons) == 9
    assert reasons[0].startswith("Observation time")
    assert reasons[-2:] == [
        "No escort is present to take the patient home.",
        "The after-care sheet has not been handed over.",
    ]


def test_discharge_facts_default_to_unknown_escort_and_instructions():
    bare = DischargeFacts(
        dosed_at=DOSED,
        now=NOW,
        minimum_observation_minutes=60,
        infusion_state="ended",
        aldrete_total=10,
        aldrete_threshold=9,
        latest_reading_at=NOW,
    )
    assert discharge_reasons(bare) == [
        "The latest vital signs have no blood pressure.",
        "No escort is present to take the patient home.",
        "The after-care sheet has not been handed over.",
    ]
    assert (
        discharge_reasons(
            replace(
                bare,
                latest_reading_has_blood_pressure=True,
                escort_present=True,
                instructions_given=True,
            )
        )
        == []
    )


# --- checklist -----------------------------------------------------------------------------
OVERRIDE = object()


@pytest.mark.parametrize("gate", Gate.values)
def test_a_passed_gate_is_satisfied(gate):
    assert GateResult(gate, True, "Fine.").satisfied


@pytest.mark.parametrize("gate", Gate.values)
def test_a_failed_gate_without_override_is_not_satisfied(gate):
    assert not GateResult(gate, False, "No.").satisfied


@pytest.mark.parametrize("gate", Gate.values)
def test_an_override_satisfies_only_an_overridable_gate(gate):
    result = GateResult(gate, False, "No.", override=OVERRIDE)
    assert result.overridable is (gate in OVERRIDABLE_GATES)
    assert result.satisfied is (gate in OVERRIDABLE_GATES)


def test_overridable_gates_are_the_documented_five():
    # The days between doses are clinic policy a prescriber may document an exception to; a
    # second dose on the same day is never overridden.
    assert {
        Gate.FASTING,
        Gate.ESCORT,
        Gate.QUESTIONNAIRES,
        Gate.BLOOD_PRESSURE,
        Gate.DOSE_INTERVAL,
    } == OVERRIDABLE_GATES
    assert Gate.SAME_DAY not in OVERRIDABLE_GATES


def test_gate_label():
    assert GateResult(Gate.BLOOD_PRESSURE, True, "").label == (
        "Blood pressure within the pre-dose limit"
    )


def test_checklist_ready_only_when_every_gate_is_satisfied():
    ok = GateResult(Gate.IDENTITY, True, "Confirmed.")
    overridden = GateResult(Gate.FASTING, False, "Not confirmed.", override=OVERRIDE)
    failing = GateResult(Gate.CONSENT, False, "No signed current consent for iv infusion.")
    assert Checklist([]).ready_to_dose
    assert Checklist([ok, overridden]).ready_to_dose
    assert Checklist([ok, overridden]).blocking == []
    checklist = Checklist([ok, overridden, failing])
    assert not checklist.ready_to_dose
    assert checklist.blocking == [failing]
    assert checklist.blocking_reasons() == [
        "Consent signed for this route: No signed current consent for iv infusion."
    ]


def test_override_of_non_overridable_gate_still_blocks():
    safety = GateResult(Gate.SAFETY, False, "A flag is open.", override=OVERRIDE)
    checklist = Checklist([safety])
    assert not checklist.ready_to_dose
    assert checklist.blocking_reasons() == ["No open safety flag: A flag is open."]


@given(
    results=st.lists(
        st.tuples(st.sampled_from(Gate.values), st.booleans(), st.booleans()), max_size=10
    )
)
def test_checklist_ready_iff_no_gate_blocks(results):
    gates = [
        GateResult(gate, passed, "r", override=OVERRIDE if overridden else None)
        for gate, passed, overridden in results
    ]
    checklist = Checklist(gates)
    expected = all(
        passed or (overridden and gate in OVERRIDABLE_GATES) for gate, passed, overridden in results
    )
    assert checklist.ready_to_dose is expected
    assert (len(checklist.blocking) == 0) is expected
    assert len(checklist.blocking_reasons()) == len(checklist.blocking)
