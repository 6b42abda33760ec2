"""Front desk records the guardian of a 16-year-old on the chart; a nurse hands the clinic tablet
to the guardian, who signs the consent, and to the patient, who signs their assent; the chart
shows both and the consent is current."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.evaluation.models import ConsentDocument
from clinic.evaluation.selectors import has_current_consent
from clinic.patients.tests.factories import register_test_minor
from conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_add_a_guardian_to_a_16_year_old_and_both_sign_consent(open_page):
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    desk = UserFactory(role=Role.FRONT_DESK, email="desk@clinic.test", full_name="Frankie Desk")
    nurse = UserFactory(role=Role.NURSE, email="nurse@clinic.test", full_name="Nurse Nora")
    clinician = UserFactory(role=Role.CLINICIAN, email="doc@clinic.test", full_name="Dr. Doc")
    for user in (desk, nurse, clinician):
        user.locations.set([location])
    minor = register_test_minor(
        actor=clinician, location=location, age_years=16, first_name="Sam", last_name="Reyes"
    )

    page = open_page()
    sign_in(page, "desk@clinic.test", PASSWORD)
    page.goto(f"/patients/{minor.public_id}/?section=guardians")
    expect(page.get_by_text("No guardian is recorded yet")).to_be_visible()
    page.get_by_role("link", name="Add a guardian").click()
    page.get_by_label("Full legal name").fill("Dana Reyes")
    page.get_by_label("Relationship to the patient").select_option("parent")
    page.get_by_label("Phone number").fill("12")
    page.get_by_label("E-mail address").fill("dana@example.com")
    page.get_by_label("Proof of authority seen").select_option("birth_certificate")
    page.get_by_label("Proof noted").fill("Birth certificate seen at the desk.")
    page.get_by_role("button", name="Save guardian").click()
    # A wrong phone number is refused beside its field (and in the form's error summary), and
    # nothing typed is lost.
    expect(page.locator(".field-error").get_by_text("Enter a valid phone number")).to_be_visible()
    expect(page.locator("[data-error-summary]")).to_contain_text("Enter a valid phone number")
    expect(page.get_by_label("Full legal name")).to_have_value("Dana Reyes")
    page.get_by_label("Phone number").fill("(617) 555-0123")
    page.get_by_role("button", name="Save guardian").click()
    expect(page.get_by_text("Dana Reyes is recorded as a guardian.")).to_be_visible()
    expect(page.get_by_role("cell", name="+16175550123")).to_be_visible()

    tablet = open_page()
    sign_in(tablet, "nurse@clinic.test", PASSWORD)
    today = timezone.localdate(timezone.now(), location.zone).isoformat()
    document = ConsentDocument.objects.get(code="ketamine-infusion-injection")
    row = tablet.locator("li", has_text=document.title)
    for signer, name in (
        ("Dana Reyes, parent (consent)", "Dana Reyes"),
        ("The patient (their assent)", "Sam Reyes"),
    ):
        tablet.goto(f"/patients/{minor.public_id}/?section=evaluation")
        row.get_by_role("link", name="Sign on clinic tablet").click()
        expect(tablet.get_by_text("a guardian signs the consent")).to_be_visible()
        tablet.get_by_label("Who signs now").select_option(label=signer)
        tablet.get_by_label("Type your full legal name").fill(name)
        tablet.get_by_label("Today's date").fill(today)
        tablet.get_by_label("I have read this document and agree to it.").check()
        tablet.get_by_role("button", name="Sign consent").click()
        expect(tablet.get_by_text("is signed.")).to_be_visible()
    tablet.goto(f"/patients/{minor.public_id}/?section=evaluation")
    expect(tablet.get_by_text("Guardian's consent signed").first).to_be_visible()
    expect(tablet.get_by_text("Patient's assent signed").first).to_be_visible()
    assert has_current_consent(minor, "iv")
