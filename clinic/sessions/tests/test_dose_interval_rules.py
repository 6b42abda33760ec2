"""The floor between doses as a pure rule: the same-day gate and the protocol's days between doses
and most doses in any 7 days (`rules.evaluate_gates` over `clinic.treatment.rules.dose_spacing`).
Days are calendar days in the clinic's zone; no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from clinic.sessions.choices import OVERRIDABLE_GATES, Gate
from clinic.sessions.rules import PriorDose, evaluate_gates
from clinic.sessions.tests.test_gate_rules import READY
from clinic.treatment.rules import DoseOnRecord, dose_spacing

BOSTON = ZoneInfo("America/New_York")
TODAY = READY.today  # Tue 1 Dec 2026


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BOSTON)


def given(day: date, hour: int = 9, minute: int = 14) -> PriorDose:
    return PriorDose(at=at(day, hour, minute), given=True, route_label="IV infusion")


def gates(*doses: PriorDose, gap: int = 2, most: int = 3, today: date = TODAY, overrides=None):
    facts = replace(
        READY,
        today=today,
        prior_doses=tuple(doses),
        minimum_days_between_doses=gap,
        maximum_doses_per_7_days=most,
    )
    checklist = evaluate_gates(facts, overrides)
    return {g.gate: g for g in checklist.gates}, checklist


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


# --- boundary table -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("doses", "gap", "most", "same_day_blocks", "interval_blocks"),
    [
        # No dose before: both pass.
        ((), 2, 3, False, False),
        # Given earlier today (any hour): the same-day gate blocks.
        ((given(TODAY, 0, 5),), 2, 3, True, False),
        ((given(TODAY, 9, 14),), 1, 7, True, False),
        # Yesterday at 23:59 local: a different calendar day, but 1 < 2 days.
        ((given(days_ago(1), 23, 59),), 2, 3, False, True),
        # … and allowed where the protocol allows daily doses.
        ((given(days_ago(1), 23, 59),), 1, 5, False, False),
        # Exactly at the gap (two calendar days, whatever the hour): allowed.
        ((given(days_ago(2), 23, 59),), 2, 3, False, False),
        ((given(days_ago(2), 0, 1),), 2, 3, False, False),
        # A 3-day gap: 2 days is too soon, 3 is allowed.
        ((given(days_ago(2)),), 3, 2, False, True),
        ((given(days_ago(3)),), 3, 2, False, False),
        # Rolling 7 days: 3 doses in the 6 days before today reach a limit of 3 …
        ((given(days_ago(6)), given(days_ago(4)), given(days_ago(2))), 2, 3, False, True),
        # … but not a limit of 4.
        ((given(days_ago(6)), given(days_ago(4)), given(days_ago(2))), 2, 4, False, False),
        # Seven days ago has left the window: only 2 inside.
        ((given(days_ago(7)), given(days_ago(4)), given(days_ago(2))), 2, 3, False, False),
        # The window is not a calendar week: Sat 28 and Sun 29 Nov lie in the week before
        # Tuesday's, yet are 2 doses in the 7 days to it.
        ((given(days_ago(3)), given(days_ago(2))), 1, 2, False, True),
    ],
)
def test_the_interval_gates_at_their_boundaries(doses, gap, most, same_day_blocks, interval_blocks):
    by_gate, _ = gates(*doses, gap=gap, most=most)
    assert (not by_gate[Gate.SAME_DAY].passed) is same_day_blocks
    assert (not by_gate[Gate.DOSE_INTERVAL].passed) is interval_blocks


def test_the_same_day_gate_names_the_first_dose_in_local_time():
    by_gate, checklist = gates(given(TODAY, 9, 14))
    reason = by_gate[Gate.SAME_DAY].reason
    assert "given Tue, Dec 1, 2026 at 9:14 AM (iv infusion)" in reason
    assert "never given on the same day" in reason
    assert not checklist.ready_to_dose


def test_a_dose_confirmed_in_another_open_session_counts_as_today():
    pending = PriorDose(at=at(TODAY, 8, 50), given=False, route_label="IV infusion")
    by_gate, _ = gates(pending)
    assert not by_gate[Gate.SAME_DAY].passed
    assert (
        "confirmed Tue, Dec 1, 2026 at 8:50 AM in another session" in by_gate[Gate.SAME_DAY].reason
    )


def test_a_dose_too_soon_names_the_last_dose_and_the_next_allowed_day():
    by_gate, _ = gates(given(days_ago(1), 23, 59))
    reason = by_gate[Gate.DOSE_INTERVAL].reason
    assert reason.startswith("Last dose given Mon, Nov 30, 2026 at 11:59 PM")
    assert "Fewer than 2 calendar days" in reason
    assert "Next dose from Wed, Dec 2, 2026" in reason


def test_a_full_week_names_its_doses_and_when_a_place_frees():
    by_gate, _ = gates(given(days_ago(6)), given(days_ago(4)), given(days_ago(2)))
    reason = by_gate[Gate.DOSE_INTERVAL].reason
    assert "3 other doses in the 7 days Wed, Nov 25, 2026 to Tue, Dec 1, 2026" in reason
    assert "at most 3 in any 7 days" in reason
    # The oldest (Wed 25 Nov) leaves the window on Wed 2 Dec.
    assert "Next dose from Wed, Dec 2, 2026" in reason


def test_a_passing_interval_names_the_last_dose():
    by_gate, _ = gates(given(days_ago(9)), given(days_ago(3), 10, 5))
    assert by_gate[Gate.DOSE_INTERVAL].reason == (
        "Last dose given Sat, Nov 28, 2026 at 10:05 AM (iv infusion), 3 days ago."
    )


def test_the_interval_may_be_overridden_but_a_same_day_dose_may_not():
    assert Gate.DOSE_INTERVAL in OVERRIDABLE_GATES
    assert Gate.SAME_DAY not in OVERRIDABLE_GATES
    override = object()
    _, soon = gates(given(days_ago(1)), overrides={Gate.DOSE_INTERVAL: override})
    assert soon.ready_to_dose
    _, same = gates(given(TODAY), overrides={Gate.DOSE_INTERVAL: override, Gate.SAME_DAY: override})
    assert [g.gate for g in same.blocking] == [Gate.SAME_DAY]


# --- across a change of clock ---------------------------------------------------------------
def local(utc: datetime) -> PriorDose:
    return PriorDose(at=utc.astimezone(BOSTON), given=True, route_label="IV infusion")


def test_calendar_days_not_hours_across_the_spring_change():
    # Clocks go forward at 02:00 on Sun 8 Mar 2026 in Boston. A dose at 23:30 on Sat 7 Mar
    # (04:30 UTC on 8 Mar) and one at 00:10 on Mon 9 Mar are 2 calendar days apart in under
    # 48 hours (23 h on the Sunday): allowed with a 2-day gap.
    saturday_night = local(datetime(2026, 3, 8, 4, 30, tzinfo=UTC))
    assert saturday_night.at.date() == date(2026, 3, 7)
    by_gate, _ = gates(saturday_night, today=date(2026, 3, 9))
    assert by_gate[Gate.DOSE_INTERVAL].passed
    # 00:30 on Sunday is one calendar day before Monday: refused.
    sunday = local(datetime(2026, 3, 8, 5, 30, tzinfo=UTC))
    by_gate, _ = gates(sunday, today=date(2026, 3, 9))
    assert not by_gate[Gate.DOSE_INTERVAL].passed


def test_calendar_days_not_hours_across_the_autumn_change():
    # Clocks go back at 02:00 on Sun 1 Nov 2026: that day has 25 hours. A dose at 00:30 on
    # Sat 31 Oct and the next at 23:45 on Sun 1 Nov are more than 48 hours apart, yet only one
    # calendar day lies between Saturday and Sunday: refused with a 2-day gap.
    saturday = local(datetime(2026, 10, 31, 4, 30, tzinfo=UTC))
    assert saturday.at.date() == date(2026, 10, 31)
    by_gate, _ = gates(saturday, today=date(2026, 11, 1))
    assert not by_gate[Gate.DOSE_INTERVAL].passed
    # 23:30 on Sat 31 Oct (03:30 UTC on 1 Nov) is still Saturday locally: the same-day gate
    # does not fire on Sunday although UTC calls both Sunday.
    late = local(datetime(2026, 11, 1, 3, 30, tzinfo=UTC))
    by_gate, _ = gates(late, today=date(2026, 11, 1), gap=1, most=7)
    assert by_gate[Gate.SAME_DAY].passed
    assert by_gate[Gate.DOSE_INTERVAL].passed


# --- the spacing of a booking (before and after it) -----------------------------------------
def dose(day: date) -> DoseOnRecord:
    return DoseOnRecord(day, f"{day:%a %-d %b}")


def test_a_booking_is_spaced_against_doses_after_it_too():
    monday = date(2026, 12, 7)
    spacing = dose_spacing(
        monday, [dose(date(2026, 12, 8))], minimum_days_between=2, maximum_per_7_days=3
    )
    assert [o.day for o in spacing.too_close] == [date(2026, 12, 8)]
    assert not spacing.same_day


def test_a_booking_filling_a_window_that_lies_after_it_is_found():
    # Booked Thu 3 Dec; Mon 7 and Wed 9 Dec are already booked; the window 3–9 Dec would hold 3.
    spacing = dose_spacing(
        date(2026, 12, 3),
        [dose(date(2026, 12, 7)), dose(date(2026, 12, 9))],
        minimum_days_between=2,
        maximum_per_7_days=2,
    )
    assert spacing.crowded_window is not None
    first, inside = spacing.crowded_window
    assert first <= date(2026, 12, 3)
    assert [o.day for o in inside] == [date(2026, 12, 7), date(2026, 12, 9)]
