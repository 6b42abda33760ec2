"""Questionnaire data made through the services, as real use makes it."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from clinic.assessments.services import record_staff_response

PHQ9_LINK_IDS = [f"phq9_{n}" for n in range(1, 10)]


def phq9_answers(total: int, *, item9: int = 0) -> dict[str, int]:
    """PHQ-9 answers adding up to `total` (item 9 as given), filled from item 1 onwards."""
    answers = dict.fromkeys(PHQ9_LINK_IDS, 0)
    answers["phq9_9"] = item9
    remaining = total - item9
    for link_id in PHQ9_LINK_IDS[:8]:
        answers[link_id] = min(3, remaining)
        remaining -= answers[link_id]
    if remaining:
        raise ValueError(f"A PHQ-9 total of {total} is not possible with item 9 = {item9}.")
    return answers


def record_phq9(
    *, actor, patient, total: int, days_ago: int = 0, item9: int = 0, context: str = "follow_up"
):
    response, _alerts = record_staff_response(
        actor=actor,
        patient=patient,
        instrument_code="phq9",
        answers=phq9_answers(total, item9=item9),
        taken_at=timezone.now() - timedelta(days=days_ago),
        context=context,
    )
    return response
