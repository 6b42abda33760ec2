"""The dose actually given, as arithmetic: rate × running time over the infusion's events
(rules.infused_dose), when "Completed" may be recorded (rules.completion_refusal), and the
routes given at once (rules.dose_given_at_once). Each row is worked by hand in its comment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic.sessions import rules
from clinic.sessions.rules import InfusionEntry

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def entry(kind: str, minutes: float, rate: str | None = None) -> InfusionEntry:
    return InfusionEntry(kind, at(minutes), Decimal(rate) if rate is not None else None)


@pytest.mark.parametrize(
    ("events", "until", "drawn", "expected_mg", "running", "paused"),
    [
        # 35 mg over 40 min = 52.5 mg/h; 40 min × 52.5 mg/h ÷ 60 = 35.00 mg.
        ([entry("start", 0, "52.5"), entry("complete", 40)], 60, "35.0", "35.0", "40.0", "0"),
        # Stopped at 2 min: 52.5 × 2 ÷ 60 = 1.75 → 1.8 mg (half up).
        ([entry("start", 0, "52.5"), entry("stop", 2)], 60, "35.0", "1.8", "2.0", "0"),
        # Still running at 10 min (until = now): 52.5 × 10 ÷ 60 = 8.75 → 8.8 mg.
        ([entry("start", 0, "52.5")], 10, "35.0", "8.8", "10.0", "0"),
        # Rate halved at 10 min, stopped at 30: 8.75 + 26.25 × 20 ÷ 60 = 8.75 + 8.75 = 17.5 mg.
        (
            [entry("start", 0, "52.5"), entry("rate_change", 10, "26.25"), entry("stop", 30)],
            60,
            "35.0",
            "17.5",
            "30.0",
            "0",
        ),
        # Paused 10-15, resumed, stopped at 25: (10 + 10) min × 52.5 ÷ 60 = 17.5 mg; 5 min paused.
        (
            [
                entry("start", 0, "52.5"),
                entry("pause", 10),
                entry("resume", 15),
                entry("stop", 25),
            ],
            60,
            "35.0",
            "17.5",
            "20.0",
            "5.0",
        ),
        # Paused at 10 and stopped while paused at 20: only the 10 running minutes count.
        (
            [entry("start", 0, "52.5"), entry("pause", 10), entry("stop", 20)],
            60,
            "35.0",
            "8.8",
            "10.0",
            "10.0",
        ),
        # Paused and not yet resumed (until 18): 8.75 → 8.8 mg, paused 8 min so far.
        ([entry("start", 0, "52.5"), entry("pause", 10)], 18, "35.0", "8.8", "10.0", "8.0"),
        # Rate raised to 100 mg/h at 10 min and run to 40: 8.75 + 50 = 58.75 mg by rate × time,
        # but no more than the 35.0 mg drawn up can have run.
        (
            [entry("start", 0, "52.5"), entry("rate_change", 10, "100"), entry("stop", 40)],
            60,
            "35.0",
            "35.0",
            "40.0",
            "0",
        ),
        # Seconds count: 7 min 30 s at 40 mg/h = 7.5 min × 40 ÷ 60 = 5.00 mg.
        ([entry("start", 0, "40"), entry("stop", 7.5)], 60, "30.0", "5.0", "7.5", "0"),
        # Not started: nothing has run.
        ([], 60, "35.0", "0", "0", "0"),
    ],
)
def test_the_dose_infused_is_rate_times_running_time(
    events, until, drawn, expected_mg, running, paused
):
    dose = rules.infused_dose(events, dose_drawn_mg=Decimal(drawn), until=at(until))
    assert dose.mg == Decimal(expected_mg)
    assert dose.running_minutes == Decimal(running)
    assert dose.paused_minutes == Decimal(paused)


def test_the_working_shows_each_spell_and_the_cap():
    dose = rules.infused_dose(
        [entry("start", 0, "52.5"), entry("rate_change", 10, "100"), entry("stop", 40)],
        dose_drawn_mg=Decimal("35.0"),
        until=at(60),
    )
    assert dose.working == (
        "52.5 mg/h × 10.0 min = 8.75 mg + 100 mg/h × 30.0 min = 50.00 mg = 58.8 mg over "
        "40.0 min running; at most the 35.0 mg drawn up, so 35.0 mg."
    )
    assert dose.capped and dose.infused_mg == Decimal("58.8")


def test_a_pause_shows_in_the_working():
    dose = rules.infused_dose(
        [entry("start", 0, "52.5"), entry("pause", 10), entry("resume", 15), entry("stop", 25)],
        dose_drawn_mg=Decimal("35.0"),
        until=at(60),
    )
    assert dose.working == (
        "52.5 mg/h × 10.0 min = 8.75 mg + 52.5 mg/h × 10.0 min = 8.75 mg = 17.5 mg over "
        "20.0 min running (paused 5.0 min)."
    )


def test_an_infusion_that_ran_without_a_rate_cannot_be_worked_out():
    with pytest.raises(ValueError, match="no rate recorded"):
        rules.infused_dose(
            [entry("start", 0), entry("stop", 10)], dose_drawn_mg=Decimal("35"), until=at(20)
        )


@pytest.mark.parametrize(
    ("stopped_at", "planned", "tolerance", "allowed"),
    [
        # 35 mg over 40 min, 5 min tolerance: "Completed" from 35 × 35 ÷ 40 = 30.6 mg, i.e.
        # after 35 min at 52.5 mg/h (30.625 mg → 30.6 at 35.0 min).
        (2, 40, 5, False),  # the case: 2 minutes into a 40-minute infusion
        (34.9, 40, 5, False),  # 52.5 × 34.9 ÷ 60 = 30.54 → 30.5 mg < 30.6
        (35, 40, 5, True),  # 30.625 → 30.6 mg
        (40, 40, 5, True),
        (55, 40, 5, True),  # a slow pump: longer is always allowed
        (39.9, 40, 0, False),  # no tolerance: the whole 40 min
        (40, 40, 0, True),
    ],
)
def test_completed_is_accepted_only_once_the_dose_has_run(stopped_at, planned, tolerance, allowed):
    dose = rules.infused_dose(
        [entry("start", 0, "52.5"), entry("complete", stopped_at)],
        dose_drawn_mg=Decimal("35.0"),
        until=at(stopped_at),
    )
    refusal = rules.completion_refusal(dose, planned_minutes=planned, tolerance_minutes=tolerance)
    assert (refusal == "") is allowed


def test_the_early_completion_refusal_says_what_ran_and_what_to_record():
    dose = rules.infused_dose(
        [entry("start", 0, "52.5"), entry("complete", 2)],
        dose_drawn_mg=Decimal("35.0"),
        until=at(2),
    )
    refusal = rules.completion_refusal(dose, planned_minutes=40, tolerance_minutes=5)
    assert "1.8 mg of the 35.0 mg drawn has run (2.0 min of the plan's 40 min" in refusal
    assert "from 30.6 mg" in refusal and "record “Stopped”" in refusal


def test_a_faster_rate_may_complete_sooner():
    # Doubled to 105 mg/h from the start: 35 mg runs in 20 min, so "Completed" at 20 is right.
    dose = rules.infused_dose(
        [entry("start", 0, "105"), entry("complete", 20)],
        dose_drawn_mg=Decimal("35.0"),
        until=at(20),
    )
    assert rules.completion_refusal(dose, planned_minutes=40, tolerance_minutes=5) == ""


def test_the_dose_given_by_infusion_completed_is_the_whole_dose_and_stopped_is_what_ran():
    ran = rules.infused_dose(
        [entry("start", 0, "52.5"), entry("stop", 20)], dose_drawn_mg=Decimal("35.0"), until=at(20)
    )
    stopped = rules.dose_given_by_infusion(ran, kind="stop")
    assert stopped.mg == Decimal("17.5")
    assert (
        stopped.working == "Stopped early: 52.5 mg/h × 20.0 min = 17.50 mg over 20.0 min running."
    )
    done = rules.infused_dose(
        [entry("start", 0, "52.5"), entry("complete", 39)],
        dose_drawn_mg=Decimal("35.0"),
        until=at(39),
    )
    completed = rules.dose_given_by_infusion(done, kind="complete")
    assert completed.mg == Decimal("35.0")
    assert completed.working.startswith("Completed: the whole 35.0 mg drawn up.")


@pytest.mark.parametrize(
    ("dose", "device", "label", "expected"),
    [
        ("56.0", "28.0", "Intranasal", "2 devices × 28 mg = 56.0 mg, given at once (intranasal)."),
        ("28.0", "28.0", "Intranasal", "1 device × 28 mg = 28.0 mg, given at once (intranasal)."),
        ("35.0", None, "Intramuscular", "35.0 mg verified and given at once (intramuscular)."),
        # Not a whole number of devices (a protocol without devices): said as mg.
        ("50.0", "28.0", "Oral", "50.0 mg verified and given at once (oral)."),
    ],
)
def test_a_dose_given_at_once_is_the_verified_dose(dose, device, label, expected):
    given_ = rules.dose_given_at_once(dose_mg=Decimal(dose), route_label=label, device_mg=device)
    assert given_.mg == Decimal(dose)
    assert given_.working == expected


KINDS_AFTER_START = st.sampled_from(["rate_change", "pause", "resume", "stop", "complete"])


@given(
    drawn=st.decimals(min_value="0.1", max_value="500", places=1),
    first_rate=st.decimals(min_value="0.1", max_value="1000", places=1),
    steps=st.lists(
        st.tuples(
            KINDS_AFTER_START,
            st.integers(min_value=0, max_value=600),  # seconds after the previous event
            st.decimals(min_value="0.1", max_value="1000", places=1),
        ),
        max_size=12,
    ),
    tail_seconds=st.integers(min_value=0, max_value=36_000),
)
def test_the_dose_given_never_exceeds_the_dose_drawn(drawn, first_rate, steps, tail_seconds):
    """Whatever the events (any rates, pauses, an end or none), what is recorded as given is
    between 0 and the dose drawn up and verified."""
    events = [InfusionEntry("start", T0, first_rate)]
    moment = T0
    for kind, seconds, rate in steps:
        moment += timedelta(seconds=seconds)
        events.append(InfusionEntry(kind, moment, rate if kind == "rate_change" else None))
    dose = rules.infused_dose(
        events, dose_drawn_mg=drawn, until=moment + timedelta(seconds=tail_seconds)
    )
    assert Decimal("0") <= dose.mg <= drawn
    for kind in ("stop", "complete"):
        assert Decimal("0") <= rules.dose_given_by_infusion(dose, kind=kind).mg <= drawn
