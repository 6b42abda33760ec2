"""One table of plausible vital-sign values, and every door a value comes in by uses it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.evaluation.forms import BaselineVitalsForm
from clinic.patients.choices import VitalSignsContext
from clinic.patients.models import VitalSigns
from clinic.patients.ranges import PLAUSIBLE
from clinic.patients.tests.factories import register_test_patient
from clinic.sessions.api import ReadingIn

pytestmark = pytest.mark.django_db

INTEGER_SIGNS = [name for name in PLAUSIBLE if name not in ("temperature_c", "weight_kg")]


def vitals(patient, **values) -> VitalSigns:
    return VitalSigns(
        patient=patient,
        location=patient.location,
        context=VitalSignsContext.EVALUATION,
        taken_at=timezone.now(),
        **values,
    )


@pytest.fixture
def patient(clinician, location):
    return register_test_patient(actor=clinician, location=location)


@pytest.mark.parametrize("name", list(PLAUSIBLE))
def test_the_model_refuses_a_value_outside_the_range_with_the_tables_message(patient, name):
    plausible = PLAUSIBLE[name]
    with pytest.raises(ValidationError) as refused:
        vitals(patient, **{name: plausible.high + 1}).full_clean()
    # The message is formatted (a bare % once made Django's formatting raise ValueError).
    [message] = refused.value.message_dict[name]
    assert str(plausible.high) in message or f"{plausible.high:.0f}" in message


def test_the_spo2_message_shows_its_percent_sign(patient):
    with pytest.raises(ValidationError) as refused:
        vitals(patient, spo2_pct=40).full_clean()
    assert refused.value.message_dict["spo2_pct"] == [
        "Enter a value between 50 and 100 %; check the reading and the unit."
    ]


@pytest.mark.parametrize("name", list(PLAUSIBLE))
def test_the_database_holds_the_same_range(patient, name):
    plausible = PLAUSIBLE[name]
    vitals(patient, **{name: plausible.high}).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        vitals(patient, **{name: plausible.high + 1}).save()


@pytest.mark.parametrize("name", list(PLAUSIBLE))
def test_the_evaluation_form_offers_the_same_range(name):
    field = BaselineVitalsForm.base_fields[name]
    assert (Decimal(field.min_value), Decimal(field.max_value)) == (
        Decimal(PLAUSIBLE[name].low),
        Decimal(PLAUSIBLE[name].high),
    )


@pytest.mark.parametrize("name", INTEGER_SIGNS)
def test_the_monitor_api_accepts_the_edges_and_refuses_beyond(name):
    plausible = PLAUSIBLE[name]
    base = {"reading_id": "r1", "taken_at": timezone.now().isoformat()}
    assert getattr(ReadingIn(**base, **{name: plausible.low}), name) == plausible.low
    with pytest.raises(ValueError):
        ReadingIn(**base, **{name: plausible.high + 1})
