"""Proposed session dates (pure, no database).

Source: an induction series of six infusions three times a week over about two weeks (Murrough
et al., Biol Psychiatry 2013;74:250–256, SECONDARY); clinics describe 3×/week for 2 weeks. The spacing
table (3 a week → Mon/Wed/Fri, 2 → Mon/Thu) is the module's documented clinic rule.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic.treatment.rules import (
    MINIMUM_GAP_DAYS,
    propose_induction_dates,
    propose_maintenance_dates,
)

MONDAY = date(2026, 11, 30)
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def days(*offsets: int) -> list[date]:
    return [MONDAY + timedelta(days=offset) for offset in offsets]


def test_six_at_three_a_week_from_monday_is_mon_wed_fri_for_two_weeks():
    assert MONDAY.weekday() == MON
    dates = propose_induction_dates(MONDAY, sessions=6, per_week=3)
    assert dates == days(0, 2, 4, 7, 9, 11)
    assert [d.weekday() for d in dates] == [MON, WED, FRI] * 2


@pytest.mark.parametrize("offset", [-2, -1])  # Saturday, Sunday before the Monday
def test_weekend_start_moves_to_monday(offset):
    start = MONDAY + timedelta(days=offset)
    assert start.weekday() in (SAT, SUN)
    assert propose_induction_dates(start, sessions=6, per_week=3) == days(0, 2, 4, 7, 9, 11)


def test_two_a_week_is_monday_and_thursday():
    dates = propose_induction_dates(MONDAY, sessions=4, per_week=2)
    assert dates == days(0, 3, 7, 10)
    assert [d.weekday() for d in dates] == [MON, THU, MON, THU]


def test_one_a_week_is_weekly():
    assert propose_induction_dates(MONDAY, sessions=3, per_week=1) == days(0, 7, 14)


def test_five_a_week_is_consecutive_weekdays():
    dates = propose_induction_dates(MONDAY, sessions=7, per_week=5)
    assert dates == days(0, 1, 2, 3, 4, 7, 8)


def test_four_a_week_skips_the_fifth_weekday():
    assert propose_induction_dates(MONDAY, sessions=6, per_week=4) == days(0, 1, 2, 3, 7, 8)


def test_midweek_start_respects_the_week_cap():
    # Start Wednesday at 3 a week: Wed, Fri, then Mon/Wed/Fri of the next week.
    dates = propose_induction_dates(MONDAY + timedelta(days=2), sessions=5, per_week=3)
    assert dates == days(2, 4, 7, 9, 11)


def test_single_session():
    assert propose_induction_dates(MONDAY, sessions=1, per_week=3) == [MONDAY]


@pytest.mark.parametrize("per_week", [0, 6, -1])
def test_invalid_per_week_rejected(per_week):
    with pytest.raises(ValueError, match="per week"):
        propose_induction_dates(MONDAY, sessions=6, per_week=per_week)


@pytest.mark.parametrize("sessions", [0, -1])
def test_no_sessions_rejected(sessions):
    with pytest.raises(ValueError, match="at least one session"):
        propose_induction_dates(MONDAY, sessions=sessions, per_week=3)


def test_maintenance_after_a_friday_every_28_days():
    friday = MONDAY + timedelta(days=11)  # 2026-12-11
    assert friday.weekday() == FRI
    dates = propose_maintenance_dates(friday, 28)
    assert dates == [friday + timedelta(days=28 * n) for n in (1, 2, 3)]
    assert all(d.weekday() == FRI for d in dates)


def test_maintenance_weekend_dates_move_to_monday():
    friday = MONDAY + timedelta(days=11)
    # Friday + 29 = Saturday → Monday (+31); the next date still counts from the induction
    # (Friday + 58 = Sunday → Monday, + 59), so a weekend move never drifts the schedule.
    dates = propose_maintenance_dates(friday, 29, count=2)
    assert dates[0] == friday + timedelta(days=31)
    assert dates[0].weekday() == MON
    assert dates[1] == friday + timedelta(days=59)
    # Friday + 30 = Sunday → Monday
    assert propose_maintenance_dates(friday, 30, count=1) == [friday + timedelta(days=31)]


def test_maintenance_default_count():
    assert len(propose_maintenance_dates(MONDAY, 14)) == 3


@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    sessions=st.integers(min_value=1, max_value=20),
    per_week=st.integers(min_value=1, max_value=5),
)
def test_property_induction_dates(start, sessions, per_week):
    dates = propose_induction_dates(start, sessions=sessions, per_week=per_week)
    assert len(dates) == sessions
    assert dates[0] >= start
    assert all(d.weekday() < SAT for d in dates)
    assert all(a < b for a, b in pairwise(dates))
    assert all((b - a).days >= MINIMUM_GAP_DAYS[per_week] for a, b in pairwise(dates))
    weeks = Counter(d.isocalendar()[:2] for d in dates)
    assert max(weeks.values()) <= per_week
    # The first session is the first weekday on or after the start.
    assert (dates[0] - start).days <= 2


@given(
    after=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    interval=st.integers(min_value=1, max_value=90),
    count=st.integers(min_value=1, max_value=6),
)
def test_property_maintenance_dates(after, interval, count):
    dates = propose_maintenance_dates(after, interval, count=count)
    assert len(dates) == count
    assert all(d.weekday() < SAT for d in dates)
    for n, d in enumerate(dates, start=1):
        # n intervals after the induction, moved at most two weekend days later.
        assert interval * n <= (d - after).days <= interval * n + 2
    assert dates == sorted(dates)
