"""The doses a patient has already been given, for plan checks that depend on them (esketamine's
first dose and its steps) and for the booking's warning of a dose too soon after another.
Sessions record doses but sit above treatment, so the sessions app registers the readers here
when it starts; treatment never imports it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

DosesGivenReader = Callable[..., list[Decimal]]
_readers: list[DosesGivenReader] = []


def register_doses_given_reader(reader: DosesGivenReader) -> None:
    """`reader(patient=..., route=...)` returns the doses (mg) given to the patient by that route."""
    if reader not in _readers:
        _readers.append(reader)


def doses_given_mg(*, patient, route: str) -> list[Decimal]:
    """Every dose given by `route`, in mg, from every registered reader. With no reader, none: the
    checks then treat the patient as not yet dosed, the cautious reading."""
    return [dose for reader in _readers for dose in reader(patient=patient, route=route)]


@dataclass(frozen=True)
class GivenDose:
    """A dose given (any route): when, and the appointment of its session."""

    at: datetime
    route: str
    appointment_id: int | None


DoseTimesReader = Callable[..., list[GivenDose]]
_time_readers: list[DoseTimesReader] = []


def register_dose_times_reader(reader: DoseTimesReader) -> None:
    """`reader(patient=...)` returns every dose given to the patient, by any route."""
    if reader not in _time_readers:
        _time_readers.append(reader)


def doses_given(*, patient) -> list[GivenDose]:
    """Every dose given to the patient by any route, oldest first, from every registered reader
    (none without a reader: the booking then warns only of other bookings)."""
    found = [dose for reader in _time_readers for dose in reader(patient=patient)]
    return sorted(found, key=lambda dose: dose.at)
