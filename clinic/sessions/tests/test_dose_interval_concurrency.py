"""Two sessions of one patient dosed at the same moment, in real concurrent transactions: the
patient's row lock makes them take turns, so the second sees the first one's dose and the
same-day gate refuses it. PostgreSQL only (SQLite serialises writers on the whole file)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.core.exceptions import ClinicError
from clinic.sessions import selectors, services
from clinic.sessions.models import TreatmentSession
from clinic.sessions.tests import factories
from clinic.sessions.tests.test_concurrency import run_together

# The doses are confirmed with the lot typed (the register off): the interval gate is what races
# here; drawing from the register is raced in clinic/inventory/tests/test_concurrency.py.
pytestmark = [
    pytest.mark.usefixtures("typed_lots"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"
    ),
]


def test_two_sessions_of_one_patient_confirming_at_once_dose_only_one(
    clinician, nurse, patient_alice, location
):
    second_nurse = UserFactory(role=Role.NURSE, email="nurse2@clinic.test", full_name="Nurse Two")
    second_nurse.locations.set([location])
    first = factories.ready_to_dose(clinician, nurse, patient_alice)
    appointment = factories.checked_in_appointment(patient_alice, booked_by=clinician)
    second = services.start_session(actor=nurse, appointment=appointment)
    factories.complete_checklist(nurse, second)
    services.record_reading(actor=nurse, session=second, values=dict(factories.GOOD_PRE_DOSE))
    sessions = [TreatmentSession.objects.get(pk=s.pk) for s in (first, second)]
    dose_mg = selectors.compute_dose(sessions[0], sessions[0].plan_version, sessions[0].weight_kg)

    def confirm(actor, session):
        def action():
            services.confirm_dose(
                actor=actor,
                session=session,
                expected_dose_mg=dose_mg.dose_mg,
                vial_lot="KT-2291",
                vial_expiry=timezone.localdate() + timedelta(days=200),
            )

        return action

    errors = run_together(confirm(nurse, sessions[0]), confirm(second_nurse, sessions[1]))

    confirmed = TreatmentSession.objects.filter(
        pk__in=[first.pk, second.pk], dose_confirmed_at__isnull=False
    ).count()
    assert confirmed == 1
    assert len(errors) == 1
    assert isinstance(errors[0], ClinicError)
    assert "No other dose today" in errors[0].message
