"""Who may do what in scheduling: one place that services, follow-ups, views and the chart read."""

from __future__ import annotations

from clinic.accounts.choices import CLINICAL_ROLES, STAFF_ROLES, Role

# Book, move and cancel appointments, and work the follow-up list.
BOOKING_ROLES = frozenset(CLINICAL_ROLES | {Role.FRONT_DESK})
# See a patient's appointments on the chart.
APPOINTMENT_VIEWERS = BOOKING_ROLES
# Have a calendar feed of their own.
CALENDAR_FEED_ROLES = frozenset(STAFF_ROLES)
