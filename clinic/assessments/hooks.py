"""What the apps above assessments want to know, without assessments importing them: they register
a callback here from their `AppConfig.ready()`, and the assessment services call it inside their
own transaction.

- `urgent_alert_raised(alert)`: a patient's answers raised an urgent safety alert (the reviews app
  then makes a follow-up review fall due)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clinic.assessments.models import SafetyAlert

_urgent_alert_raised: list[Callable[[SafetyAlert], None]] = []


def on_urgent_alert_raised(
    callback: Callable[[SafetyAlert], None],
) -> Callable[[SafetyAlert], None]:
    if callback not in _urgent_alert_raised:
        _urgent_alert_raised.append(callback)
    return callback


def urgent_alert_raised(alert: SafetyAlert) -> None:
    for callback in _urgent_alert_raised:
        callback(alert)
