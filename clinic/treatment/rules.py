"""Pure scheduling rules for a plan's proposed sessions (booked later in scheduling)."""

from __future__ import annotations

from datetime import date, timedelta

# The fewest days between two sessions for a given number per week, weekends skipped:
# 3 a week → Mon/Wed/Fri; 2 → Mon/Thu; 1 → weekly.
MINIMUM_GAP_DAYS = {1: 7, 2: 3, 3: 2, 4: 1, 5: 1}
MAINTENANCE_PROPOSALS = 3


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def propose_induction_dates(start: date, sessions: int, per_week: int) -> list[date]:
    """Weekday dates for an induction series of `sessions`, at most `per_week` in a calendar week,
    spaced as evenly as the week allows (e.g. six over two weeks at three a week, the regimen
    of Murrough et al., Biol Psychiatry 2013;74:250–256)."""
    if sessions < 1:
        raise ValueError("An induction series has at least one session.")
    if per_week not in MINIMUM_GAP_DAYS:
        raise ValueError("Sessions per week must be between 1 and 5.")
    gap = MINIMUM_GAP_DAYS[per_week]
    dates: list[date] = []
    day = _weekday_on_or_after(start)
    while len(dates) < sessions:
        same_week = [d for d in dates if d.isocalendar()[:2] == day.isocalendar()[:2]]
        spaced = not dates or (day - dates[-1]).days >= gap
        if day.weekday() < 5 and spaced and len(same_week) < per_week:
            dates.append(day)
        day += timedelta(days=1)
    return dates


def propose_maintenance_dates(
    after: date, interval_days: int, count: int = MAINTENANCE_PROPOSALS
) -> list[date]:
    """The first maintenance sessions, every `interval_days` after the induction, on weekdays
    (a weekend date moves to Monday without shifting the later ones)."""
    if interval_days < 1 or count < 1:
        raise ValueError("The maintenance interval and count must be at least 1.")
    return [
        _weekday_on_or_after(after + timedelta(days=interval_days * n)) for n in range(1, count + 1)
    ]
