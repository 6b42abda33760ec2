"""What the apps above sessions want to know about a treatment session, without sessions importing
them: they register a callback here from their `AppConfig.ready()`, and the session services call
it inside their own transaction.

- `session_locked(session)`: both signatures are on the session record, so it counts as given or
  not done for good (the reviews app then sees whether an induction series has ended)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clinic.sessions.models import TreatmentSession

_session_locked: list[Callable[[TreatmentSession], None]] = []


def on_session_locked(
    callback: Callable[[TreatmentSession], None],
) -> Callable[[TreatmentSession], None]:
    if callback not in _session_locked:
        _session_locked.append(callback)
    return callback


def session_locked(session: TreatmentSession) -> None:
    for callback in _session_locked:
        callback(session)
