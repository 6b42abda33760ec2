"""Pure scheduling rules for a plan's proposed sessions (booked later in scheduling) and the floor
between two doses (checked before dosing and at booking)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from clinic.core.choices import Route
from clinic.core.dates import show_weekday_date

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


# --- The floor between doses ----------------------------------------------------------------
# Checked before dosing (the sessions' gates) and warned of at booking (scheduling), with the
# protocol's `minimum_days_between_doses` and `maximum_doses_per_7_days` [clinic policy,
# UNVERIFIED: no source gives a minimum in hours; the defaults are inferred from the most
# frequent schedules studied - see the protocol model]. Days are calendar days in the clinic's
# zone, so a dose late one evening and one early the next morning are a day apart, and a change
# of clock (DST) moves no dose into another day. "Twice a week" is read as any 7 consecutive
# days, never a calendar week, so Sunday and the next Monday are not two different weeks.
ROLLING_WINDOW_DAYS = 7


@dataclass(frozen=True)
class DoseOnRecord:
    """A dose the patient has had or is booked for: its calendar day in the clinic's zone and
    how to name it ("given Mon 2 Mar 2026 at 09:14")."""

    day: date
    label: str


@dataclass(frozen=True)
class DoseSpacing:
    same_day: list[DoseOnRecord]  # other doses on the same calendar day
    too_close: list[DoseOnRecord]  # on another day, but fewer calendar days away than the gap
    crowded_window: tuple[date, list[DoseOnRecord]] | None  # a 7-day window already full

    @property
    def ok(self) -> bool:
        return not (self.same_day or self.too_close or self.crowded_window)


def dose_spacing(
    day: date,
    others: list[DoseOnRecord],
    *,
    minimum_days_between: int,
    maximum_per_7_days: int,
) -> DoseSpacing:
    """How a dose on `day` stands against the patient's other doses (before or after it): those
    on the same day, those closer than the gap, and the first 7-day window holding `day` in which
    the other doses already reach the limit."""
    same_day = [o for o in others if o.day == day]
    too_close = [o for o in others if 0 < abs((day - o.day).days) < minimum_days_between]
    crowded = None
    for offset in range(ROLLING_WINDOW_DAYS - 1, -1, -1):
        first = day - timedelta(days=offset)
        last = first + timedelta(days=ROLLING_WINDOW_DAYS - 1)
        inside = [o for o in others if first <= o.day <= last]
        if len(inside) >= maximum_per_7_days:
            crowded = (first, sorted(inside, key=lambda o: o.day))
            break
    return DoseSpacing(same_day, sorted(too_close, key=lambda o: o.day), crowded)


def spacing_messages(
    spacing: DoseSpacing, *, minimum_days_between: int, maximum_per_7_days: int
) -> list[str]:
    """The problems of a dose's spacing, each in a sentence naming the other doses."""
    messages = []
    if spacing.same_day:
        messages.append(
            "Another dose the same day: "
            + "; ".join(o.label for o in spacing.same_day)
            + ". A second dose on one day is never given."
        )
    if spacing.too_close:
        messages.append(
            "Fewer than "
            f"{minimum_days_between} calendar day{'s' if minimum_days_between != 1 else ''} "
            "from another dose: " + "; ".join(o.label for o in spacing.too_close) + "."
        )
    if spacing.crowded_window:
        first, inside = spacing.crowded_window
        last = first + timedelta(days=ROLLING_WINDOW_DAYS - 1)
        messages.append(
            f"{len(inside)} other dose{'s' if len(inside) != 1 else ''} in the 7 days "
            f"{show_weekday_date(first)} to {show_weekday_date(last)} ("
            + "; ".join(o.label for o in inside)
            + f"): the protocol allows at most {maximum_per_7_days} in any 7 days."
        )
    return messages


# --- Esketamine REMS -----------------------------------------------------------------------
# The Spravato REMS is a US programme (FDA, Spravato REMS, 21 U.S.C. 355-1): it binds settings in
# the United States. Its certification number and patient REMS ID are issued by the REMS; their
# format is not published [UNVERIFIED], so they are taken as written, letters, digits, spaces,
# hyphens and slashes, 4 to 40 characters, starting and ending with a letter or digit.
REMS_COUNTRY = "US"
REMS_IDENTIFIER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-/]{2,38}[A-Za-z0-9]$")


def rems_applies(*, route: str, country: str) -> bool:
    """Whether the Spravato REMS binds a session: esketamine given at a US location."""
    return route == Route.INTRANASAL and country == REMS_COUNTRY


def rems_identifier_problem(value: str, *, what: str) -> str:
    """Why `value` cannot be a REMS-issued identifier, or "" when it can."""
    if not value:
        return f"Enter the {what} as the REMS issued it."
    if not REMS_IDENTIFIER_PATTERN.match(value):
        return (
            f"The {what} is 4 to 40 letters, digits, spaces, hyphens or slashes, starting and "
            "ending with a letter or digit, as the REMS issued it."
        )
    return ""


# --- Age rules of a plan and a dose -------------------------------------------------------------
# Esketamine (Spravato) is approved for adults: "The safety and effectiveness of SPRAVATO in
# pediatric patients have not been established" (Spravato US prescribing information, Janssen,
# §8.4 Pediatric Use; the EU SmPC likewise gives no paediatric use). The product is dispensed only
# under its REMS for adult indications, so the clinic never plans or doses it below 18: a gate no
# clinician overrides.
ESKETAMINE_ROUTE = "intranasal"
ESKETAMINE_MINIMUM_AGE_YEARS = 18


def age_refusals(*, age_years: int, route: str, is_minor: bool, has_guardian: bool) -> list[str]:
    """Why a plan may not be signed, or a dose given, for a patient of this age: esketamine under
    18, and a minor with no current guardian (no one who may consent for them: see
    clinic.patients.ages)."""
    refusals = []
    if route == ESKETAMINE_ROUTE and age_years < ESKETAMINE_MINIMUM_AGE_YEARS:
        refusals.append(
            f"Esketamine is not approved under {ESKETAMINE_MINIMUM_AGE_YEARS}: its safety and "
            "effectiveness in pediatric patients are not established (Spravato prescribing "
            f"information §8.4). The patient is {age_years}."
        )
    if is_minor and not has_guardian:
        refusals.append(
            "The patient is a minor with no guardian recorded: add a guardian (who consents for "
            "them) on the chart first."
        )
    return refusals
