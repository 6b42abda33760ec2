"""The doses a patient has already been given, for plan checks that depend on them (esketamine's
first dose and its steps). Sessions record doses but sit above treatment, so the sessions app
registers the reader here when it starts; treatment never imports it."""

from __future__ import annotations

from collections.abc import Callable
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
