"""In the browser: a clinician writes an IV plan and sees what the nurse programs into the pump;
a one-minute push is shown as outside the protocol and is not signed without a reason."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.patients.tests.factories import register_test_patient
from clinic.treatment.models import TreatmentPlanVersion
from clinic.treatment.tests.test_services import suitable
from conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_clinician_writes_an_iv_plan_and_sees_the_pump_settings(open_page):
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    clinician = UserFactory(role=Role.CLINICIAN, email="doc@clinic.test", full_name="Dr. Doc")
    clinician.locations.set([location])
    patient = register_test_patient(
        actor=clinician, location=location, first_name="Alice", last_name="Moreno", sex="female"
    )
    suitable(clinician, patient)

    doc = open_page()
    sign_in(doc, "doc@clinic.test", PASSWORD)
    doc.goto(f"/patients/{patient.public_id}/?section=plan")
    doc.get_by_role("link", name="Write the plan").click()
    doc.get_by_label("Target outcomes").fill("PHQ-9 response by the sixth infusion")
    doc.get_by_label("Infusion duration (minutes, IV)").fill("1")
    doc.get_by_label("Dose (mg/kg, or mg for a fixed dose)").fill("0.75")
    doc.get_by_role("button", name="Calculate the dose and dates").click()
    problems = doc.locator("#protocol-problems")
    expect(problems).to_contain_text("shorter than the protocol's 40 min")
    expect(problems).to_contain_text("45.00 mg/kg/h")
    doc.get_by_label("Your password (to sign)").fill(PASSWORD)
    doc.get_by_role("button", name="Sign plan").click()
    # Said beside the field and in the form's error summary.
    expect(
        doc.locator(".field-error").get_by_text("Document why to override the protocol.")
    ).to_be_visible()
    expect(doc.locator("[data-error-summary]")).to_contain_text(
        "Document why to override the protocol."
    )
    assert not TreatmentPlanVersion.objects.exists()

    doc.get_by_label("Infusion duration (minutes, IV)").fill("40")
    doc.get_by_label("Dose (mg/kg, or mg for a fixed dose)").fill("0.5")
    doc.get_by_role("button", name="Calculate the dose and dates").click()
    pump = doc.locator("#plan-preview #pump-settings")
    expect(pump).to_contain_text("ketamine 50 mg/mL")
    expect(pump).to_contain_text("0.7 mL")
    expect(pump).to_contain_text("151.1 mL/h")
    expect(pump).to_contain_text("52.5 mg/h")
    expect(doc.locator("#protocol-problems")).to_have_count(0)
    doc.get_by_label("Your password (to sign)").fill(PASSWORD)
    doc.get_by_role("button", name="Sign plan").click()
    expect(doc.get_by_text("The plan is signed.")).to_be_visible()
    expect(doc.locator("#pump-settings")).to_contain_text("151.1 mL/h")
