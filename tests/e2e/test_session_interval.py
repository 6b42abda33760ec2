"""In the browser, on the chair-side tablet: a second session of a patient dosed earlier
today is held by the "No other dose today" gate, naming the first dose's local time, and no
override is offered for it; the pregnancy question is asked of a patient recorded as male, and
"cannot be pregnant" needs its reason."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.core.dates import show_time, show_weekday_date
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.patients.tests.factories import register_test_patient
from clinic.sessions import services
from clinic.sessions.tests.factories import GOOD_PRE_DOSE, checked_in_appointment, dosed
from conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

TABLET = {"width": 820, "height": 1180}


@pytest.fixture
def clinic():
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    clinician = UserFactory(role=Role.CLINICIAN, email="doc@clinic.test", full_name="Dr. Doc")
    nurse = UserFactory(role=Role.NURSE, email="nurse@clinic.test", full_name="Nurse Nora")
    for user in (clinician, nurse):
        user.locations.set([location])
    carl = register_test_patient(
        actor=clinician,
        location=location,
        first_name="Carl",
        last_name="Moreno",
        sex="male",
        portal=True,
    )
    return {"location": location, "clinician": clinician, "nurse": nurse, "carl": carl}


def test_a_second_session_the_same_day_is_held_and_the_pregnancy_question_is_asked(
    open_page, clinic
):
    carl, clinician, nurse = clinic["carl"], clinic["clinician"], clinic["nurse"]
    first = dosed(clinician, nurse, carl)
    appointment = checked_in_appointment(carl, booked_by=clinician)
    second = services.start_session(actor=nurse, appointment=appointment)
    services.update_checklist(
        actor=nurse,
        session=second,
        changes={
            "identity_confirmed": True,
            "fasting_confirmed": True,
            "escort_name": "Sam Moreno",
            "escort_confirmed": True,
        },
    )
    services.record_reading(actor=nurse, session=second, values=dict(GOOD_PRE_DOSE))
    first_at = timezone.localtime(first.dosed_at, clinic["location"].zone)

    page = open_page(TABLET)
    sign_in(page, nurse.email, PASSWORD)
    page.goto(f"/sessions/{second.public_id}/")
    same_day = page.locator('[data-gate="same_day"]')
    expect(same_day).to_have_class(re.compile("gate-blocked"))
    expect(same_day).to_contain_text(
        f"given {show_weekday_date(first_at)} at {show_time(first_at)}"
    )
    expect(page.locator('[data-gate="dose_interval"]')).to_have_class(re.compile("gate-ok"))

    # The sex recorded for dosing does not answer the pregnancy question.
    pregnancy = page.locator('[data-gate="pregnancy"]')
    expect(pregnancy).to_have_class(re.compile("gate-blocked"))
    expect(pregnancy).to_contain_text("Ask whether the patient could be pregnant")
    page.get_by_label("Could the patient be pregnant?").select_option(label="Cannot be pregnant")
    page.get_by_role("button", name="Save checklist").click()
    expect(page.get_by_text("Say why the patient cannot be pregnant.", exact=True)).to_be_visible()
    page.get_by_label("Could the patient be pregnant?").select_option(label="Cannot be pregnant")
    page.get_by_label("Why not", exact=True).select_option(label="No uterus (anatomy)")
    page.get_by_role("button", name="Save checklist").click()
    expect(page.locator('[data-gate="pregnancy"]')).to_have_class(re.compile("gate-ok"))
    expect(page.locator('[data-gate="pregnancy"]')).to_contain_text("No uterus (anatomy)")
    # Still held: nothing overrides a second dose on the same day.
    expect(page.locator('[data-gate="same_day"]')).to_have_class(re.compile("gate-blocked"))
    expect(page.get_by_text("The dose is worked out once every gate above is met")).to_be_visible()

    # The clinician's override offers the interval, never the same day.
    doctor = open_page(TABLET)
    sign_in(doctor, clinician.email, PASSWORD)
    doctor.goto(f"/sessions/{second.public_id}/")
    doctor.get_by_text("Clinician override of a gate").click()
    options = doctor.locator('select[name="gate"] option').all_text_contents()
    assert "Days since the last dose" in options
    assert "No other dose today" not in options
