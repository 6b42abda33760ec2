"""A patient in maintenance is asked by the daily job whether they have side effects: on a phone
they see the check first on their portal home, answer "nothing to report", and the check is
answered; axe-core finds no WCAG 2.x A/AA violation on the pages."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.assessments.choices import SideEffectCheckAnswer
from clinic.assessments.models import SideEffectCheck
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.patients.models import Patient
from clinic.patients.tests.factories import register_test_patient
from clinic.sessions.tests.factories import plan_for
from clinic.treatment.side_effect_checks import send_side_effect_checks
from tests.e2e.accessibility import axe_violations
from tests.e2e.conftest import PHONE, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PATIENT_PASSWORD = "correct-horse-battery-staple"


def test_a_patient_in_maintenance_answers_the_side_effect_check_on_a_phone(open_page):
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    clinician = UserFactory(role=Role.CLINICIAN, email="doc@clinic.test", full_name="Dr. Doc")
    clinician.locations.set([location])
    patient = register_test_patient(
        actor=clinician, location=location, first_name="Alice", last_name="Moreno", portal=True
    )
    plan_for(clinician, patient)
    Patient.objects.filter(pk=patient.pk).update(status="maintenance")
    asked, _again = send_side_effect_checks(timezone.localdate())
    assert asked == 1

    phone = open_page(PHONE)
    sign_in(phone, patient.user.email, PATIENT_PASSWORD)
    expect(
        phone.get_by_role("heading", name="Your care team asks: how have you been?")
    ).to_be_visible()
    assert axe_violations(phone) == []
    phone.get_by_role("link", name="Answer the check").click()
    expect(phone.get_by_role("button", name="No, nothing to report")).to_be_visible()
    assert axe_violations(phone) == []
    phone.get_by_role("button", name="No, nothing to report").click()
    expect(
        phone.get_by_text("your care team will see that you have nothing to report")
    ).to_be_visible()
    check = SideEffectCheck.objects.get(patient=patient)
    assert check.answer == SideEffectCheckAnswer.NOTHING
    expect(phone.get_by_role("button", name="No, nothing to report")).to_have_count(0)
