"""Validators shared by every form and API schema that takes contact details or dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils import timezone
from pydantic import AfterValidator, AwareDatetime

from clinic.core.phone import to_e164


def validate_phone_number(value: str) -> None:
    """Accept a number libphonenumber knows to be valid (see clinic.core.phone)."""
    to_e164(value)


def age_in_years(date_of_birth: date, on: date) -> int:
    had_birthday = (on.month, on.day) >= (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - (0 if had_birthday else 1)


def validate_birth_date(value: date, *, today: date, minimum_age_years: int | None = None) -> None:
    if value > today:
        raise ValidationError(
            "The date of birth cannot be in the future.", code="future_birth_date"
        )
    if value < EARLIEST_BIRTH_DATE:
        raise ValidationError(
            f"Check the year of birth: it is before {EARLIEST_BIRTH_DATE.year}.", code="too_old"
        )
    if value.year < today.year - 120:
        raise ValidationError(
            "Check the year of birth: it is more than 120 years ago.", code="too_old"
        )
    if minimum_age_years is not None and age_in_years(value, today) < minimum_age_years:
        raise ValidationError(
            f"Our clinic treats adults only: you must be at least {minimum_age_years} years old.",
            code="under_age",
        )


# --- Date ranges: clinic policy, not technical limits ---------------------------------------
# A clinic books within years, not millennia. Each range keeps a mistyped year (20266, 9999) out
# of the records, and keeps the date arithmetic done with a stored date (a booking's end, a week
# view's last day, a plan's proposed sessions, a conversion to UTC) far from Python's year 9999,
# where it would overflow. Change the numbers here, and nowhere else.

# Records of what happened (vital signs, questionnaire answers, the date on a signed consent): at
# most a year back. Anything older is paper from another time, added to the chart as an addendum
# rather than backdated into the clinical timeline.
ENTRY_DAYS_BACK = 366
# Bookings and plan start dates: at most three years ahead. A maintenance plan is reviewed and
# re-signed well within that; a later date is a typo, and a booking that far out would only block
# a chair in the calendar.
BOOKING_DAYS_AHEAD = 3 * 365 + 1
# Browsing (the calendar's day, the audit log's dates): ten years back covers the six years for
# which HIPAA keeps the audit trail (45 CFR §164.316(b)(2)(i)) with room to spare.
BROWSE_DAYS_BACK = 10 * 365 + 2
# A vial's printed expiry: vials carry a shelf life of a few years, so five years ahead is
# generous. Up to a year back, so that a recently expired vial is refused as expired (a
# clearer message) rather than as a mistyped date.
VIAL_EXPIRY_DAYS_AHEAD = 5 * 365 + 1
# Nobody alive was born before 1900; an earlier year is a typo (1090 for 1990).
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
# Slack for "today" itself: the browser's day may be a day off the server's (time zones).
TODAY_SLACK_DAYS = 1


def _span(days: int) -> str:
    """The span in words after "within the last/next": "year", "3 years", "30 days"."""
    years = round(days / 365)
    if years >= 1:
        return "year" if years == 1 else f"{years} years"
    return "day" if days == 1 else f"{days} days"


@dataclass(frozen=True)
class DateRange:
    """A range of dates around today that a field accepts (a Django validator: call it with the
    value). `days_back`/`days_ahead` count from today; the messages say what to do instead."""

    days_back: int
    days_ahead: int
    too_early: str
    too_late: str

    def bounds(self, today: date | None = None) -> tuple[date, date]:
        today = today or timezone.localdate()
        return today - timedelta(days=self.days_back), today + timedelta(days=self.days_ahead)

    def contains(self, value: date | datetime, *, today: date | None = None) -> bool:
        earliest, latest = self.bounds(today)
        # A datetime is judged by its own wall-clock date (as typed, in its own offset): turning
        # a far one into another zone first could itself overflow.
        day = value.date() if isinstance(value, datetime) else value
        return earliest <= day <= latest

    def __call__(self, value: date | datetime, *, today: date | None = None) -> None:
        if value is None:
            return
        earliest, latest = self.bounds(today)
        day = value.date() if isinstance(value, datetime) else value
        if day < earliest:
            raise ValidationError(self.too_early, code="date_too_early")
        if day > latest:
            raise ValidationError(self.too_late, code="date_too_late")

    def check(self, value: date | datetime) -> date | datetime:
        """For pydantic (Django Ninja) schemas: `AfterValidator(range.check)`. Ninja answers a
        ValueError with 422 and its message."""
        try:
            self(value)
        except ValidationError as error:
            raise ValueError(error.messages[0]) from error
        return value

    def parse(self, text: str | None, *, today: date | None = None) -> date | None:
        """A date typed into an address (YYYY-MM-DD), or None when it is missing, not a date or
        out of this range: a query parameter falls back to its default instead of failing."""
        if not text or len(text) != 10:
            return None
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return None
        return day if self.contains(day, today=today) else None


ENTRY_DATES = DateRange(
    days_back=ENTRY_DAYS_BACK,
    days_ahead=TODAY_SLACK_DAYS,
    too_early=f"Enter a date within the last {_span(ENTRY_DAYS_BACK)}; add older records as an "
    "addendum.",
    too_late="This date is in the future: enter when it happened.",
)
BOOKING_DATES = DateRange(
    days_back=TODAY_SLACK_DAYS,
    days_ahead=BOOKING_DAYS_AHEAD,
    too_early="Choose today or a later date.",
    too_late=f"Choose a date within the next {_span(BOOKING_DAYS_AHEAD)}.",
)
BROWSE_DATES = DateRange(
    days_back=BROWSE_DAYS_BACK,
    days_ahead=BOOKING_DAYS_AHEAD,
    too_early=f"Choose a date within the last {_span(BROWSE_DAYS_BACK)}.",
    too_late=f"Choose a date within the next {_span(BOOKING_DAYS_AHEAD)}.",
)
VIAL_EXPIRY_DATES = DateRange(
    days_back=ENTRY_DAYS_BACK,
    days_ahead=VIAL_EXPIRY_DAYS_AHEAD,
    too_early="This vial expired more than a year ago: check the date, and use another vial.",
    too_late=f"Check the expiry date: it is more than {_span(VIAL_EXPIRY_DAYS_AHEAD)} ahead.",
)

# The API's (Django Ninja) time of something that happened, with its UTC offset (ISO 8601): a
# value out of ENTRY_DATES is answered 422 with the message.
EntryDatetime = Annotated[AwareDatetime, AfterValidator(ENTRY_DATES.check)]
