"""What the apps above patients want to know about a patient's care, without patients importing
them: they register a callback here from their `AppConfig.ready()`, and the patient services call
it inside their own transaction.

- `care_changed(patient)`: the patient's status or conditions changed (the assessments app then
  updates which questionnaires fall due for them).
- `course_changed(patient_id)`: an evaluation was signed, a plan version signed or a plan ended,
  a dose given, or a questionnaire completed or entered in error (the outcomes app then
  recomputes the patient's course summary).
- `session_changed(session_id)`: a session's side effects or its discharge were recorded (the
  outcomes app then rewrites the session's figures row)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clinic.patients.models import Patient

_care_changed: list[Callable[[Patient], None]] = []


def on_care_changed(callback: Callable[[Patient], None]) -> Callable[[Patient], None]:
    if callback not in _care_changed:
        _care_changed.append(callback)
    return callback


def care_changed(patient: Patient) -> None:
    for callback in _care_changed:
        callback(patient)


_course_changed: list[Callable[[int], None]] = []


def on_course_changed(callback: Callable[[int], None]) -> Callable[[int], None]:
    if callback not in _course_changed:
        _course_changed.append(callback)
    return callback


def course_changed(patient_id: int) -> None:
    for callback in _course_changed:
        callback(patient_id)


_session_changed: list[Callable[[int], None]] = []


def on_session_changed(callback: Callable[[int], None]) -> Callable[[int], None]:
    if callback not in _session_changed:
        _session_changed.append(callback)
    return callback


def session_changed(session_id: int) -> None:
    for callback in _session_changed:
        callback(session_id)
