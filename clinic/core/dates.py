"""Dates and times as people read them, in Python: the same formats the templates use.

The product has one date format and one time format (config/formats/en/formats.py); text built in
Python (e-mails, SMS texts, messages, refusals, charts) goes through these functions rather than
`strftime`, so it reads as the pages do. An aware datetime is shown in the current zone (the
viewer's location in a request, the clinic's outside one) unless a zone is given.
"""

from datetime import date, datetime, time, tzinfo

from django.utils import formats, timezone

# A calendar day, a booking or an appointment notice names its weekday: "Wed, Dec 2, 2026".
WEEKDAY_DATE_FORMAT = "D, M j, Y"
# The live monitor's "Updated" stamp has seconds: its feed refreshes every few seconds, and a stamp
# that stops moving is how staff see at a glance that it has stalled.
TIME_WITH_SECONDS_FORMAT = "g:i:s A"


def _local(value: date | datetime, zone: tzinfo | None) -> date | datetime:
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value, zone)
    return value


def show_date(value: date | datetime, zone: tzinfo | None = None) -> str:
    """ "Dec 2, 2026"."""
    return formats.date_format(_local(value, zone), "DATE_FORMAT")


def show_time(value: datetime | time, zone: tzinfo | None = None) -> str:
    """ "4:05 PM"."""
    if isinstance(value, time):
        return formats.time_format(value, "TIME_FORMAT")
    return formats.date_format(_local(value, zone), "TIME_FORMAT")


def show_datetime(value: datetime, zone: tzinfo | None = None) -> str:
    """ "Dec 2, 2026, 4:05 PM EST"."""
    return formats.date_format(_local(value, zone), "DATETIME_FORMAT")


def show_weekday_date(value: date | datetime, zone: tzinfo | None = None) -> str:
    """ "Wed, Dec 2, 2026"."""
    return formats.date_format(_local(value, zone), WEEKDAY_DATE_FORMAT)


def show_time_with_seconds(value: datetime, zone: tzinfo | None = None) -> str:
    """ "4:05:09 PM"."""
    return formats.date_format(_local(value, zone), TIME_WITH_SECONDS_FORMAT)
