"""Flags are shown in words on every page, never as their codes."""

from __future__ import annotations

import pytest
from django.utils import timezone

from clinic.assessments import services
from clinic.assessments.choices import FLAG_LABELS, flag_label
from clinic.assessments.instruments import INSTRUMENTS
from conftest import client_for

pytestmark = pytest.mark.django_db


def test_every_flag_an_instrument_raises_has_words():
    # Each instrument's worst answers raise the flags it can raise.
    raised = set()
    for instrument in INSTRUMENTS.values():
        for pick in (max, min):
            answers = {item.link_id: pick(item.values) for item in instrument.items}
            try:
                raised |= set(instrument.score(answers).flags)
            except (ValueError, KeyError):
                continue
    assert raised, "the worst answers raise some flags"
    assert raised <= set(FLAG_LABELS), raised - set(FLAG_LABELS)


def test_a_flag_on_a_response_is_shown_in_words(clinician, patient_alice):
    answers = {f"phq9_{n}": 1 for n in range(1, 10)}
    response, _alerts = services.record_staff_response(
        actor=clinician,
        patient=patient_alice,
        instrument_code="phq9",
        answers=answers,
        taken_at=timezone.now(),
        context="check_in",
    )
    assert "self_harm_risk" in response.flags
    client = client_for(clinician)
    detail = client.get(f"/assessments/responses/{response.public_id}/").content.decode()
    chart = client.get(f"/patients/{patient_alice.public_id}/").content.decode()
    for page in (detail, chart):
        assert flag_label("self_harm_risk") in page
        assert "self_harm_risk" not in page
