"""In the browser: a blank evaluation shows its unanswered items (never "no rule fires"); the
clinician answers every item, records an allergy, the vital signs and measurements, and signs
"suitable" only after acknowledging the one relative contraindication that fires."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.evaluation.models import Evaluation
from clinic.evaluation.tests.factories import answer_baseline_questionnaires
from clinic.patients.tests.factories import register_test_patient
from conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_relative_contraindication_is_acknowledged_before_suitable_is_signed(open_page):
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    clinician = UserFactory(role=Role.CLINICIAN, email="doc@clinic.test", full_name="Dr. Doc")
    clinician.locations.set([location])
    patient = register_test_patient(
        actor=clinician, location=location, first_name="Alice", last_name="Moreno", sex="female"
    )
    doc = open_page()
    sign_in(doc, "doc@clinic.test", PASSWORD)
    doc.goto(f"/patients/{patient.public_id}/?section=evaluation")
    doc.get_by_role("button", name="Start the evaluation").click()
    screen = doc.locator("#screen")
    expect(screen.get_by_text("Not yet answered")).to_be_visible()
    expect(screen.get_by_text("No rule fires")).to_have_count(0)

    # Every screening question asked: "no" / "none", except uncontrolled hypertension.
    # (The height's unit stays in cm.)
    for select in doc.locator(
        "form:has(input[name=action][value=save]) select:not([name$=_unit])"
    ).all():
        values = select.locator("option").evaluate_all("options => options.map(o => o.value)")
        select.select_option("false" if "false" in values else "none")
    doc.get_by_label("Hypertension").select_option("uncontrolled")
    doc.get_by_label("History of the presenting problem").fill("Depressed for three years.")
    doc.get_by_label(re.compile("Suicide attempts")).fill("0")
    doc.get_by_label("Current medications").fill("Sertraline 150 mg daily")
    doc.get_by_label("Height", exact=True).fill("168")
    doc.get_by_label("Weight", exact=True).fill("64")
    doc.get_by_role("button", name="Save and re-screen").click()
    expect(doc.get_by_text("The evaluation is saved")).to_be_visible()
    expect(screen.get_by_text("Uncontrolled hypertension")).to_be_visible()
    # Only the baseline blood pressure, which a rule reads, is still to come.
    expect(doc.locator("#not-answered")).to_contain_text(
        "Baseline systolic blood pressure (mmHg), Baseline diastolic blood pressure (mmHg)."
    )

    allergies = doc.locator("#allergies")
    allergies.get_by_label("Substance").fill("Penicillin")
    allergies.get_by_label("Reaction").fill("hives")
    allergies.get_by_label("Severity").select_option("moderate")
    allergies.get_by_role("button", name="Add allergy").click()
    expect(doc.locator("#allergies").get_by_text("Penicillin (hives, moderate)")).to_be_visible()

    doc.get_by_label("Systolic (mmHg)").fill("132")
    doc.get_by_label("Diastolic (mmHg)").fill("84")
    doc.get_by_label("Heart rate (beats/min)").fill("76")
    doc.get_by_label("SpO₂ (%)").fill("98")
    doc.get_by_role("button", name="Record baseline vital signs").click()
    expect(doc.get_by_text("BP 132/84 mmHg")).to_be_visible()
    expect(screen.get_by_text("Not yet answered")).to_have_count(0)
    # The baseline questionnaires are answered in the assessments pages; here, through them.
    answer_baseline_questionnaires(
        actor=clinician, patient=patient, conditions=patient.primary_conditions
    )
    doc.reload()
    expect(doc.locator("#missing-for-suitable")).to_have_count(0)

    doc.get_by_label("Suitable for ketamine treatment").check()
    doc.get_by_label("Reasoning").fill("Treatment-resistant depression; benefits outweigh risks.")
    doc.get_by_label("Your password (to sign)").fill(PASSWORD)
    doc.get_by_role("button", name="Sign decision").click()
    expect(doc.get_by_text("Acknowledge each relative contraindication")).to_be_visible()
    doc.get_by_label("Uncontrolled hypertension: why treatment is still suitable").fill(
        "Amlodipine started; BP 132/84 today; BP checked every 10 minutes in sessions."
    )
    doc.get_by_label("Your password (to sign)").fill(PASSWORD)
    doc.get_by_role("button", name="Sign decision").click()
    expect(doc.get_by_text("The evaluation and decision are signed and locked.")).to_be_visible()
    expect(doc.get_by_text("Amlodipine started; BP 132/84 today")).to_be_visible()
    signed = Evaluation.objects.get()
    assert [a["code"] for a in signed.accepted_findings] == ["uncontrolled-hypertension"]

    doc.goto(f"/patients/{patient.public_id}/")
    expect(doc.get_by_text("Allergies: Penicillin (hives, moderate)")).to_be_visible()
