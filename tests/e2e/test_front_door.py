"""The foundation's promises, as a person sees them in the browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.intake.models import ConsultationRequest
from clinic.patients.models import Patient
from clinic.patients.tests.factories import register_test_patient
from conftest import PASSWORD
from tests.e2e.conftest import PHONE, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clinic():
    organisation = OrganisationFactory()
    location = LocationFactory(
        organisation=organisation, name="Boston", time_zone="America/New_York"
    )
    front_desk = UserFactory(
        role=Role.FRONT_DESK, email="desk@clinic.test", full_name="Frankie Desk"
    )
    front_desk.locations.set([location])
    clinician = UserFactory(role=Role.CLINICIAN, email="doc@clinic.test", full_name="Dr. Doc")
    clinician.locations.set([location])
    return {"location": location, "front_desk": front_desk, "clinician": clinician}


def fill_consultation_form(page):
    page.get_by_label("First name").fill("Jamie")
    page.get_by_label("Last name").fill("Okonkwo")
    page.get_by_label("Date of birth").fill("1988-04-12")
    page.get_by_label(re.compile(r"^E-mail address")).fill("jamie@example.com")
    page.get_by_label(re.compile(r"^Phone number")).fill("(617) 555-0123")
    page.get_by_label("Phone call").check()
    page.get_by_label("Evenings (5–8)").check()
    page.get_by_label("Treatment-resistant depression").check()
    page.get_by_label("Post-traumatic stress disorder (PTSD)").check()
    page.get_by_label("Treatments you have tried").fill("Sertraline, bupropion, two years of CBT.")


def test_a_visitor_requests_a_consultation_on_a_phone(open_page, clinic):
    page = open_page(PHONE)
    page.goto("/")
    page.get_by_role("link", name="Request a consultation").first.click()
    expect(page.get_by_role("heading", name="Request a consultation")).to_be_visible()
    fill_consultation_form(page)
    # Forgetting consent is explained beside the field (and in the form's error summary), and
    # nothing typed is lost.
    page.get_by_role("button", name="Send my request").click()
    expect(page.locator(".field-error").get_by_text("Please agree to be contacted")).to_be_visible()
    expect(page.locator("[data-error-summary]")).to_contain_text("Please agree to be contacted")
    expect(page.get_by_label("Last name")).to_have_value("Okonkwo")
    expect(page.get_by_label("Treatments you have tried")).to_have_value(
        "Sertraline, bupropion, two years of CBT."
    )
    page.get_by_label(re.compile("I agree that the clinic may contact me")).check()
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", name=re.compile("Thank you, Jamie"))).to_be_visible()
    request = ConsultationRequest.objects.get()
    assert request.conditions == ["trd", "ptsd"] and request.preferred_contact_times == ["evening"]


def test_front_desk_converts_a_request_into_a_patient(open_page, clinic):
    page = open_page(PHONE)
    page.goto("/consultation/")
    fill_consultation_form(page)
    page.get_by_label(re.compile("I agree that the clinic may contact me")).check()
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", name=re.compile("Thank you"))).to_be_visible()

    desk = open_page()
    sign_in(desk, "desk@clinic.test", PASSWORD)
    desk.get_by_role("link", name="Consultations").click()
    desk.get_by_role("link", name="Jamie Okonkwo").click()
    expect(desk.get_by_text("Sertraline, bupropion, two years of CBT.")).to_be_visible()
    desk.get_by_label("Mark as").select_option("contacted")
    desk.get_by_label("Note about this step (optional)").fill(
        "Spoke with Jamie; wants an evaluation."
    )
    desk.get_by_role("button", name="Update status").click()
    expect(desk.get_by_text("Spoke with Jamie; wants an evaluation.")).to_be_visible()
    desk.get_by_role("link", name="Convert to patient").click()
    expect(desk.get_by_label("Legal last name")).to_have_value("Okonkwo")
    expect(desk.get_by_role("textbox", name="Phone", exact=True)).to_have_value("(617) 555-0123")
    desk.get_by_label("Sex").select_option("female")
    desk.get_by_role("button", name="Save").click()
    expect(desk.get_by_role("heading", name=re.compile("Jamie Okonkwo"))).to_be_visible()
    patient = Patient.objects.get()
    expect(desk.get_by_text(patient.mrn).first).to_be_visible()
    assert ConsultationRequest.objects.get().status == "converted"
    # The chart's first-contact tab loads in place (HTMX) and shows where the patient came from.
    desk.get_by_role("link", name="First contact").click()
    expect(desk.get_by_text("Spoke with Jamie; wants an evaluation.")).to_be_visible()
    assert "section=consultation" in desk.url


def test_a_patient_cannot_open_another_patients_chart(open_page, clinic):
    alice = register_test_patient(
        actor=clinic["clinician"],
        location=clinic["location"],
        first_name="Alice",
        last_name="Moreno",
        portal=True,
    )
    bob = register_test_patient(
        actor=clinic["clinician"],
        location=clinic["location"],
        first_name="Bob",
        last_name="Lindqvist",
        portal=True,
    )
    page = open_page(PHONE)
    sign_in(page, bob.user.email, PASSWORD)
    expect(page.get_by_role("heading", name="Hello Bob")).to_be_visible()
    response = page.goto(f"/patients/{alice.public_id}/")
    assert response.status == 403
    expect(page.get_by_text("Alice")).to_have_count(0)
    response = page.goto(f"/api/v1/patients/{alice.public_id}")
    assert response.status == 404
    page.goto("/patients/me/")
    # The patient's own page, not the staff chart: no record number.
    expect(page.get_by_role("heading", name="Hello Bob")).to_be_visible()
    expect(page.get_by_text(bob.mrn)).to_have_count(0)
