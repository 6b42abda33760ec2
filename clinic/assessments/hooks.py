"""What the apps above assessments want to know, without assessments importing them: they register
a callback here from their `AppConfig.ready()`, and the assessment services call it inside their
own transaction.

- `urgent_alert_raised(alert)`: a patient's answers raised an urgent safety alert (the reviews app
  then makes a follow-up review fall due).
- `beside_scores(viewer, patient)`: HTML shown above the score charts on the chart (the treatment
  app shows progress toward the plan's goals there)."""

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


_beside_scores: list[Callable[..., str]] = []


def on_beside_scores(callback: Callable[..., str]) -> Callable[..., str]:
    if callback not in _beside_scores:
        _beside_scores.append(callback)
    return callback


def beside_scores(viewer, patient) -> list[str]:
    """Each registered app's HTML for beside the scores (empty ones left out)."""
    return [html for callback in _beside_scores if (html := callback(viewer, patient))]
