"""In the browser: the everyday shortcuts at the desk and the chair. Registering a patient warns,
as the name and birth date are typed, of a record already on file (with a link to it), and takes
the height and weight in feet, inches and pounds, showing the metric value that is stored."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.assessments.tests.factories import record_phq9
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.patients.models import Patient
from clinic.patients.tests.factories import register_test_patient
from conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_registration_warns_of_a_duplicate_and_takes_imperial_measurements(open_page):
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    clinician = UserFactory(role=Role.CLINICIAN, email="doc@clinic.test", full_name="Dr. Doc")
    clinician.locations.set([location])
    alice = register_test_patient(
        actor=clinician,
        location=location,
        first_name="Alice",
        last_name="Moreno",
        date_of_birth=date(1985, 3, 14),
    )
    page = open_page()
    sign_in(page, "doc@clinic.test", PASSWORD)
    page.goto("/patients/")
    page.get_by_role("link", name="Register a patient").click()

    page.get_by_label("Legal first name").fill("Alice")
    page.get_by_label("Legal last name").fill("moreno")
    page.get_by_label("Date of birth").fill("1985-03-14")
    warning = page.locator("#possible-duplicates")
    expect(warning).to_contain_text("already on record")
    expect(warning.get_by_role("link", name="This is the same person")).to_have_attribute(
        "href", f"/patients/{alice.public_id}/"
    )
    # A different person after all: another family name clears the warning.
    page.get_by_label("Legal last name").fill("Morales")
    expect(warning).to_be_empty()

    page.get_by_label("Sex").select_option("female")
    page.get_by_role("textbox", name="Phone", exact=True).fill("(617) 555-0123")
    page.get_by_label("Unit of height").select_option("ft_in")
    page.get_by_label("Height", exact=True).fill("5")
    page.get_by_label("Inches (with feet)").fill("10")
    expect(page.locator("#id_height_cm_converted")).to_have_text("= 177.8 cm")
    page.get_by_label("Unit of weight").select_option("lb")
    page.get_by_label("Weight", exact=True).fill("900")
    expect(page.locator("#id_weight_kg_converted")).to_have_text("= 408.2 kg")
    page.get_by_role("button", name="Save").click()
    # Refused in the unit typed; everything typed is still there.
    expect(page.get_by_text("900 lb is 408.2 kg").first).to_be_visible()
    expect(page.get_by_label("Inches (with feet)")).to_have_value("10")
    page.get_by_label("Weight", exact=True).fill("182")
    expect(page.locator("#id_weight_kg_converted")).to_have_text("= 82.6 kg")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("is registered as")).to_be_visible()
    expect(page.get_by_text("177.8 cm")).to_be_visible()
    expect(page.get_by_text("82.6 kg")).to_be_visible()
    patient = Patient.objects.get(legal_last_name="Morales")
    assert (str(patient.height_cm), str(patient.weight_kg)) == ("177.8", "82.6")


def test_a_nurse_records_calls_on_a_safety_alert_that_a_clinician_then_resolves(open_page):
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    clinician = UserFactory(role=Role.CLINICIAN, email="doc@clinic.test", full_name="Dr. Doc")
    nurse = UserFactory(role=Role.NURSE, email="nurse@clinic.test", full_name="Nina Nurse")
    clinician.locations.set([location])
    nurse.locations.set([location])
    alice = register_test_patient(
        actor=clinician, location=location, first_name="Alice", last_name="Moreno"
    )
    record_phq9(actor=clinician, patient=alice, total=14, item9=2)

    page = open_page()
    sign_in(page, "nurse@clinic.test", PASSWORD)
    page.get_by_role("link", name="Dashboard").click()
    page.locator("#safety-alerts").get_by_role("link", name="Record a contact attempt").click()
    expect(page.get_by_text("A clinician must review and resolve this alert.")).to_be_visible()
    expect(page.get_by_role("button", name="Resolve alert")).to_have_count(0)
    # Reached, but no note: refused beside the field.
    page.get_by_label("Reached").check()
    page.get_by_role("button", name="Record attempt").click()
    expect(page.get_by_text("Write what the patient said").first).to_be_visible()
    page.get_by_label("Called – no answer").check()
    page.get_by_label("Note").fill("Mobile rang out.")
    page.get_by_role("button", name="Record attempt").click()
    expect(page.get_by_text("The alert stays open until a clinician resolves it.")).to_be_visible()
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("Called – no answer")
    expect(timeline).to_contain_text("Nina Nurse")
    expect(timeline).to_contain_text("Mobile rang out.")


def test_the_front_desk_asked_to_phone_the_patient_records_the_call(open_page):
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    clinician = UserFactory(role=Role.CLINICIAN, email="doc@clinic.test", full_name="Dr. Doc")
    desk = UserFactory(role=Role.FRONT_DESK, email="desk@clinic.test", full_name="Fran Desk")
    clinician.locations.set([location])
    desk.locations.set([location])
    alice = register_test_patient(
        actor=clinician, location=location, first_name="Alice", last_name="Moreno"
    )
    record_phq9(actor=clinician, patient=alice, total=14, item9=2)

    page = open_page()
    sign_in(page, "desk@clinic.test", PASSWORD)
    page.get_by_role("link", name="Dashboard").click()
    panel = page.locator("#alerts-to-contact")
    expect(panel).to_contain_text("1 urgent")
    expect(panel).not_to_contain_text("PHQ-9")
    panel.get_by_role("link", name="Record a contact attempt for Alice Moreno").click()
    expect(page.get_by_role("heading", name="Call Alice Moreno")).to_be_visible()
    expect(page.get_by_text("A clinician must review and resolve this alert.")).to_be_visible()
    expect(page.get_by_role("button", name="Resolve alert")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("PHQ-9")
    page.get_by_label("Left voicemail").check()
    page.get_by_label("Note").fill("Asked her to call the clinic back.")
    page.get_by_role("button", name="Record attempt").click()
    expect(page.get_by_text("The alert stays open until a clinician resolves it.")).to_be_visible()
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("Left voicemail")
    expect(timeline).to_contain_text("Fran Desk")
    expect(timeline).to_contain_text("Asked her to call the clinic back.")


def test_a_new_urgent_alert_appears_on_the_sessions_board_without_a_reload(open_page):
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    clinician = UserFactory(role=Role.CLINICIAN, email="doc@clinic.test", full_name="Dr. Doc")
    nurse = UserFactory(role=Role.NURSE, email="nurse@clinic.test", full_name="Nina Nurse")
    clinician.locations.set([location])
    nurse.locations.set([location])
    alice = register_test_patient(
        actor=clinician, location=location, first_name="Alice", last_name="Moreno"
    )
    page = open_page()
    page.clock.install()
    sign_in(page, "nurse@clinic.test", PASSWORD)
    page.get_by_role("link", name="Sessions").click()
    watch = page.locator("#urgent-alert-watch")
    expect(watch).to_have_attribute("aria-live", "assertive")
    page.clock.run_for(30_000)
    expect(watch.get_by_text("New urgent safety alert")).to_have_count(0)

    alert = record_phq9(actor=clinician, patient=alice, total=14, item9=2).alerts.get()
    page.clock.run_for(30_000)
    banner = watch.get_by_role("link", name="Alice Moreno")
    expect(banner).to_be_visible()
    expect(watch).to_contain_text("New urgent safety alert for Alice Moreno")
    banner.click()
    expect(page).to_have_url(re.compile(f"/assessments/alerts/{alert.public_id}/$"))
    expect(page.get_by_text("A clinician must review and resolve this alert.")).to_be_visible()
