"""A refused form opens with one error summary ("There is a problem") that takes the focus and
links to each field in error, on a page sent again (registering a patient with nothing filled
in) and in a fragment htmx swaps in (a chair-side reading whose diastolic is above its
systolic); a link in it moves the focus to its field."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.patients.tests.factories import register_test_patient
from clinic.scheduling.tests.factories import make_chair
from clinic.sessions.tests.factories import dosed
from conftest import PASSWORD
from tests.e2e.conftest import sign_in
from tests.e2e.test_session import TABLET

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clinic():
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    clinician = UserFactory(role=Role.CLINICIAN, email="doc@clinic.test", credentials="MD")
    nurse = UserFactory(role=Role.NURSE, email="nurse@clinic.test", credentials="RN")
    for user in (clinician, nurse):
        user.locations.set([location])
    alice = register_test_patient(
        actor=clinician, location=location, first_name="Alice", last_name="Moreno", portal=True
    )
    make_chair(location)
    return {"clinician": clinician, "nurse": nurse, "alice": alice}


@pytest.fixture
def dosed_session(clinic):
    """Alice's IV session, dosed just now (the factory functions)."""
    return dosed(clinic["clinician"], clinic["nurse"], clinic["alice"])


def summary_links(page) -> list[str]:
    return page.locator("[data-error-summary] a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )


def test_a_refused_page_focuses_its_summary_which_links_to_the_fields(open_page, clinic):
    page = open_page()
    sign_in(page, "doc@clinic.test", PASSWORD)
    page.goto("/patients/new/")
    page.get_by_role("button", name="Save").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_have_count(1)
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    links = summary_links(page)
    assert "#id_legal_first_name" in links and "#id_legal_last_name" in links, links
    for href in links:
        field = page.locator(href)
        expect(field).to_have_count(1)
        expect(field).to_have_attribute("aria-invalid", "true")
    # The fields' own messages are not announced as alerts of their own.
    expect(page.locator(".field [role=alert]")).to_have_count(0)
    summary.get_by_role("link", name=re.compile("^Legal last name")).click()
    expect(page.locator("#id_legal_last_name")).to_be_focused()


def test_a_refused_htmx_form_focuses_the_summary_it_brings(open_page, clinic, dosed_session):
    nurse = open_page(TABLET)
    sign_in(nurse, "nurse@clinic.test", PASSWORD)
    nurse.goto(f"/sessions/{dosed_session.public_id}/")
    expect(nurse.locator("[data-error-summary]")).to_have_count(0)
    vitals = nurse.locator("#form-vitals")
    vitals.get_by_label(re.compile(r"^Systolic")).fill("90")
    vitals.get_by_label(re.compile(r"^Diastolic")).fill("100")
    vitals.get_by_role("button", name="Save vital signs").click()
    summary = nurse.locator("#form-vitals [data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("The diastolic pressure must be below the systolic.")
    diastolic = vitals.get_by_label(re.compile(r"^Diastolic"))
    diastolic_id = diastolic.get_attribute("id")
    assert summary_links(nurse) == [f"#{diastolic_id}"]
    expect(diastolic).to_have_value("100")
    summary.get_by_role("link").click()
    expect(diastolic).to_be_focused()
