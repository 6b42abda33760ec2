"""The demo clinic's day reads in order whatever time it is loaded: today's chairs inside working
hours, nothing in the future, a patient's identity confirmed before the dose is drawn."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from clinic.demo.data import BOSTON_TIME_ZONE, build_demo_clinic, demo_clinic_day
from clinic.scheduling.models import Appointment
from clinic.sessions.models import TreatmentSession

BOSTON = ZoneInfo(BOSTON_TIME_ZONE)


def boston(*args) -> datetime:
    return datetime(*args, tzinfo=BOSTON)


@pytest.mark.parametrize(
    ("loaded_at", "story_at"),
    [
        # Wednesday 2 December 2026.
        (boston(2026, 12, 2, 14, 0), boston(2026, 12, 2, 14, 0)),
        (boston(2026, 12, 2, 12, 0), boston(2026, 12, 2, 12, 0)),
        (boston(2026, 12, 2, 11, 0), boston(2026, 12, 1, 16, 30)),
        (boston(2026, 12, 2, 20, 15), boston(2026, 12, 2, 16, 30)),
        (boston(2026, 12, 2, 3, 0), boston(2026, 12, 1, 16, 30)),
        # Monday morning and Saturday noon: the Friday before.
        (boston(2026, 11, 30, 8, 0), boston(2026, 11, 27, 16, 30)),
        (boston(2026, 12, 5, 12, 0), boston(2026, 12, 4, 16, 30)),
    ],
)
def test_the_story_is_told_at_a_past_moment_inside_the_clinic_day(loaded_at, story_at):
    told_at = demo_clinic_day(loaded_at.astimezone(ZoneInfo("UTC")), BOSTON)
    assert told_at == story_at
    assert told_at <= loaded_at


@pytest.mark.django_db
@pytest.mark.parametrize("loaded_at", [boston(2026, 12, 2, 3, 0), boston(2026, 12, 2, 14, 0)])
def test_the_demo_day_is_coherent_whenever_it_is_loaded(loaded_at, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: loaded_at)
    story_at = build_demo_clinic()["story_at"]
    day = story_at.date()

    def local(moment: datetime) -> datetime:
        return timezone.localtime(moment, BOSTON)

    chairs = Appointment.objects.filter(starts_at__date__gte=day, starts_at__lte=loaded_at)
    assert chairs.count() == 3  # two at the IV chairs, one esketamine (discharged)
    for appointment in chairs:
        starts = local(appointment.starts_at)
        assert starts.date() == day and time(9) <= starts.time() <= time(17)
        assert appointment.checked_in_at <= appointment.starts_at <= loaded_at
    # Every booking (today's chairs and the plans' first sessions) inside the staff's hours.
    for appointment in Appointment.objects.all():
        assert time(8) <= local(appointment.starts_at).time() < time(18)
    for session in TreatmentSession.objects.filter(dose_confirmed_at__isnull=False):
        in_order(session, day, loaded_at)


def in_order(session, day, loaded_at) -> None:
    def local(moment: datetime) -> datetime:
        return timezone.localtime(moment, BOSTON)

    checked_in = present_time(session.appointment.checked_in_at)
    steps = [
        checked_in,
        present_time(session.identity_confirmed_at),
        present_time(session.dose_confirmed_at),
        present_time(session.dose_verified_at),
        present_time(session.dosed_at),
    ]
    assert steps == sorted(steps), steps
    assert all(local(step).date() == day and local(step).time() >= time(9) for step in steps)
    readings = list(session.readings.values_list("taken_at", flat=True))
    assert readings and all(checked_in < taken <= loaded_at for taken in readings)
    alerts = list(session.alerts.values_list("raised_at", "acknowledged_at"))
    assert all(raised <= acknowledged <= loaded_at for raised, acknowledged in alerts)
    if session.discharged_at is not None:
        assert readings[-1] <= session.discharged_at <= loaded_at


def present_time(moment: datetime | None) -> datetime:
    assert moment is not None
    return moment
