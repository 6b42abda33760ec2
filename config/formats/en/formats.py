"""The product's one date format and one time format, in the clinic's locale (US English).

Every page, e-mail, SMS text and PDF shows dates and times through these names
(`|date:"DATE_FORMAT"`, `django.utils.formats.date_format(value, "TIME_FORMAT")`), so a date reads
the same everywhere: "Dec 2, 2026", "4:05 PM", "Dec 2, 2026, 4:05 PM EST". The 12-hour clock is
the US convention the clinic's staff and patients read. Full date-times carry the zone because a
viewer may read a record kept at a location in another zone; a time on its own is read beside its
date or its location. The two variants with a reason of their own (the weekday on calendars and
appointments, the live monitor's seconds) are in `clinic/core/dates.py`. A value a machine reads
(`<input type=date>`, `datetime=` attributes, URLs, CSV, filenames) stays ISO 8601.

Django reads this module because settings.FORMAT_MODULE_PATH names its package; the names are
Django's own (django/conf/locale/en/formats.py lists them).
"""

DATE_FORMAT = "M j, Y"
TIME_FORMAT = "g:i A"
DATETIME_FORMAT = "M j, Y, g:i A T"
# The month of a version ("published December 2026"): a date without its day.
YEAR_MONTH_FORMAT = "F Y"
# Django's short names mean the same as the full ones here: one format, whatever name is asked for.
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
MONTH_DAY_FORMAT = "M j"
