"""The product's one date format and one time format (config/formats/en/formats.py)."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import timezone

from clinic.core.dates import (
    show_date,
    show_datetime,
    show_time,
    show_time_with_seconds,
    show_weekday_date,
)

NEW_YORK = ZoneInfo("America/New_York")
# 21:05:09 UTC on Dec 2, 2026 is 4:05:09 PM in New York (EST).
MOMENT = datetime(2026, 12, 2, 21, 5, 9, tzinfo=UTC)


def test_python_shows_dates_and_times_in_the_one_format():
    assert show_date(date(2026, 12, 2)) == "Dec 2, 2026"
    assert show_time(MOMENT, NEW_YORK) == "4:05 PM"
    assert show_time(time(9, 0)) == "9:00 AM"
    assert show_datetime(MOMENT, NEW_YORK) == "Dec 2, 2026, 4:05 PM EST"
    assert show_weekday_date(MOMENT, NEW_YORK) == "Wed, Dec 2, 2026"
    assert show_time_with_seconds(MOMENT, NEW_YORK) == "4:05:09 PM"


def test_templates_name_the_same_formats():
    template = Template(
        '{{ m|date:"DATE_FORMAT" }}|{{ m|date:"TIME_FORMAT" }}|{{ m|date:"DATETIME_FORMAT" }}'
        "|{{ m|weekday_date }}|{{ m|time_with_seconds }}|{{ d|stored_date }}|{{ d|date }}"
    )
    with timezone.override(NEW_YORK):
        text = template.render(Context({"m": MOMENT, "d": date(2027, 3, 1)}))
    assert text == (
        "Dec 2, 2026|4:05 PM|Dec 2, 2026, 4:05 PM EST|Wed, Dec 2, 2026|4:05:09 PM|Mar 1, 2027"
        "|Mar 1, 2027"
    )


def test_a_date_kept_as_iso_text_is_shown_in_the_format():
    rendered = Template("{{ a|stored_date }}·{{ b|stored_date }}·{{ c|stored_date }}").render(
        Context({"a": "2027-03-01", "b": "", "c": "not a date"})
    )
    assert rendered == "Mar 1, 2027··not a date"
