"""In the browser: a clinician evaluates (a relative contraindication fires), signs the
decision; the patient signs consent in the portal; the clinician writes a six-session IV plan."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.evaluation.selectors import has_current_consent
from clinic.evaluation.tests.factories import answer_baseline_questionnaires
from clinic.patients.tests.factories import register_test_patient
from clinic.treatment.models import TreatmentPlanVersion
from conftest import PASSWORD
from tests.e2e.conftest import PHONE, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clinic():
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    clinician = UserFactory(role=Role.CLINICIAN, email="doc@clinic.test", full_name="Dr. Doc")
    clinician.locations.set([location])
    patient = register_test_patient(
        actor=clinician,
        location=location,
        first_name="Alice",
        last_name="Moreno",
        portal=True,
        sex="female",
    )
    return {"clinician": clinician, "patient": patient, "location": location}


def test_evaluation_decision_consent_and_a_six_session_iv_plan(open_page, clinic):
    patient = clinic["patient"]
    doc = open_page()
    sign_in(doc, "doc@clinic.test", PASSWORD)
    doc.goto(f"/patients/{patient.public_id}/?section=evaluation")
    expect(doc.get_by_text("Evaluation pending.")).to_be_visible()
    doc.get_by_role("button", name="Start the evaluation").click()
    expect(doc.get_by_role("heading", name=re.compile("Comprehensive evaluation"))).to_be_visible()
    # Every screening question asked ("no" / "none"), then the one that is not.
    for select in doc.locator(
        "form:has(input[name=action][value=save]) select:not([name$=_unit])"
    ).all():
        values = select.locator("option").evaluate_all("options => options.map(o => o.value)")
        select.select_option("false" if "false" in values else "none")
    doc.get_by_label("Hypertension").select_option("uncontrolled")
    doc.get_by_label("History of the presenting problem").fill("Depressed for three years.")
    doc.get_by_label("No known allergies").check()
    doc.get_by_label("Adequate antidepressant trials").fill("3")
    doc.get_by_label("Current medications").fill(
        "Sertraline 150 mg daily\nLorazepam 0.5 mg as needed"
    )
    doc.get_by_role("button", name="Save and re-screen").click()
    screen = doc.locator("#screen")
    expect(screen.get_by_text("Uncontrolled hypertension")).to_be_visible()
    expect(screen.get_by_text("Relative").first).to_be_visible()
    expect(screen.get_by_text("Benzodiazepines")).to_be_visible()
    doc.get_by_label("Systolic (mmHg)").fill("132")
    doc.get_by_label("Diastolic (mmHg)").fill("84")
    doc.get_by_label("Heart rate (beats/min)").fill("76")
    doc.get_by_label("SpO₂ (%)").fill("98")
    doc.get_by_role("button", name="Record baseline vital signs").click()
    expect(doc.get_by_text("BP 132/84 mmHg")).to_be_visible()
    answer_baseline_questionnaires(
        actor=clinic["clinician"], patient=patient, conditions=patient.primary_conditions
    )
    doc.reload()
    doc.get_by_label("Uncontrolled hypertension: why treatment is still suitable").fill(
        "Controlled on review; close BP monitoring."
    )
    doc.get_by_label("Suitable for ketamine treatment").check()
    doc.get_by_label("Reasoning").fill(
        "Hypertension now controlled on review; relative risk accepted with close BP monitoring."
    )
    doc.get_by_label("Your password (to sign)").fill("wrong password")
    doc.get_by_role("button", name="Sign decision").click()
    # Said in the form's error summary and again beside the field.
    expect(doc.locator("[data-error-summary]")).to_contain_text("That password is not right")
    expect(doc.get_by_label("Reasoning")).to_have_value(re.compile("Hypertension now controlled"))
    doc.get_by_label("Your password (to sign)").fill(PASSWORD)
    doc.get_by_role("button", name="Sign decision").click()
    expect(doc.get_by_text("The evaluation and decision are signed and locked.")).to_be_visible()
    expect(
        doc.get_by_role("heading", name="Decision: Suitable for ketamine treatment")
    ).to_be_visible()

    phone = open_page(PHONE)
    sign_in(phone, patient.user.email, PASSWORD)
    phone.goto("/portal/consent/")
    phone.locator("li", has_text=re.compile("nfusion")).get_by_role(
        "link", name="Read and sign"
    ).click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("nfusion")
    phone.get_by_label("Type your full legal name").fill("Alice Moreno")
    phone.get_by_label("Today's date").fill(
        timezone.localdate(timezone.now(), clinic["location"].zone).isoformat()
    )
    phone.get_by_label("I have read this document and agree to it.").check()
    phone.get_by_role("button", name="Sign consent").click()
    expect(phone.get_by_text("is signed")).to_be_visible()
    assert has_current_consent(patient, "iv")

    doc.goto(f"/patients/{patient.public_id}/?section=plan")
    doc.get_by_role("link", name="Write the plan").click()
    doc.get_by_label("Target outcomes").fill(
        "PHQ-9 response (≥ 50 % reduction) by the sixth infusion"
    )
    doc.get_by_role("button", name="Calculate the dose and dates").click()
    preview = doc.locator("#plan-preview")
    expect(preview.get_by_text("Dose: 35.0 mg")).to_be_visible()
    expect(
        preview.get_by_text("0.5 mg/kg × 70.0 kg (actual body weight) = 35.0 mg")
    ).to_be_visible()
    expect(preview.locator("ol li")).to_have_count(6)
    doc.get_by_label("Your password (to sign)").fill(PASSWORD)
    doc.get_by_role("button", name="Sign plan").click()
    expect(doc.get_by_text("The plan is signed.")).to_be_visible()
    expect(doc.get_by_text("Current plan (version 1)")).to_be_visible()
    version = TreatmentPlanVersion.objects.get()
    assert (version.route, version.dose_mg, version.induction_sessions) == ("iv", 35, 6)
