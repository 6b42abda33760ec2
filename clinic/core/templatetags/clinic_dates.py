"""The two date variants with a reason of their own, as filters (a builtin: no {% load %} needed).

`|date` takes Django's named formats ("DATE_FORMAT", "TIME_FORMAT", "DATETIME_FORMAT"); a name of
our own would be printed as a literal format, so the variants are filters. See clinic/core/dates.py.
"""

from datetime import date

from django import template
from django.utils import formats

from clinic.core.dates import TIME_WITH_SECONDS_FORMAT, WEEKDAY_DATE_FORMAT

register = template.Library()


# expects_localtime: an aware datetime arrives in the template's current zone, as |date gets it.
@register.filter(expects_localtime=True, is_safe=False)
def weekday_date(value) -> str:
    """ "Wed, Dec 2, 2026": calendar days, bookings and appointments."""
    if value in (None, ""):
        return ""
    return formats.date_format(value, WEEKDAY_DATE_FORMAT)


@register.filter(expects_localtime=True, is_safe=False)
def time_with_seconds(value) -> str:
    """ "4:05:09 PM": the live monitor's "Updated" stamp."""
    if value in (None, ""):
        return ""
    return formats.date_format(value, TIME_WITH_SECONDS_FORMAT)


@register.filter(is_safe=False)
def stored_date(value) -> str:
    """ "2026-12-02" kept as text (a signed letter's or a review's frozen facts) as "Dec 2, 2026":
    the record keeps its ISO dates as signed; the page shows them as every other date."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return formats.date_format(value, "DATE_FORMAT")
