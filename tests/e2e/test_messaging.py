"""Messages between visits on a phone: a patient writes about an appointment, a lost connection
loses nothing and sends nothing twice, the front desk answers from its inbox with a template, the
patient reads the answer; axe-core finds no WCAG 2.x A/AA violations on the patient's pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.messaging.models import Message
from clinic.patients.tests.factories import register_test_patient
from conftest import PASSWORD
from tests.e2e.accessibility import axe_violations
from tests.e2e.conftest import PHONE, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clinic():
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    clinician = UserFactory(role=Role.CLINICIAN, email="doc@clinic.test", full_name="Dr. Doc")
    front_desk = UserFactory(role=Role.FRONT_DESK, email="desk@clinic.test", full_name="Frank Desk")
    for person in (clinician, front_desk):
        person.locations.set([location])
    patient = register_test_patient(
        actor=clinician, location=location, first_name="Alice", last_name="Moreno", portal=True
    )
    return {"front_desk": front_desk, "patient": patient}


def test_a_patient_writes_about_an_appointment_and_the_front_desk_answers(open_page, clinic):
    patient = clinic["patient"]
    page = open_page(PHONE)
    sign_in(page, patient.user.email, PASSWORD)
    page.goto("/messages/")
    expect(page.get_by_text("not monitored around the clock")).to_be_visible()
    expect(page.locator("#main").get_by_role("link", name="988")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_label("What is it about?").select_option("appointments")
    page.get_by_label("Your message").fill("Can I move Tuesday's visit to the afternoon?")
    page.get_by_role("button", name="Send message").click()
    expect(page).to_have_url(re.compile(r"/messages/[0-9a-f-]{36}/$"))
    expect(page.get_by_text("Can I move Tuesday's visit to the afternoon?")).to_be_visible()
    expect(page.get_by_text("Not read yet")).to_be_visible()
    assert axe_violations(page) == []
    conversation_url = page.url

    # The connection drops while sending: the text stays, and says it was not sent.
    page.get_by_label("Your message").fill("I could also do Wednesday.")
    page.context.set_offline(True)
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".compose-state")).to_contain_text("Not sent: no connection")
    expect(page.get_by_label("Your message")).to_have_value("I could also do Wednesday.")
    page.context.set_offline(False)
    # Even a page opened again later has it back.
    page.reload()
    expect(page.get_by_label("Your message")).to_have_value("I could also do Wednesday.")
    expect(page.get_by_text("Your unsent message was kept on this device")).to_be_visible()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Your message is sent.")).to_be_visible()
    expect(page.get_by_label("Your message")).to_have_value("")
    assert Message.objects.filter(body="I could also do Wednesday.").count() == 1

    desk = open_page(PHONE)
    sign_in(desk, "desk@clinic.test", PASSWORD)
    desk.goto("/inbox/")
    expect(desk.get_by_text("2 unread")).to_be_visible()
    desk.get_by_role("link", name="Alice Moreno").click()
    expect(desk.get_by_text("I could also do Wednesday.")).to_be_visible()
    desk.get_by_text("Start from a template").click()
    desk.get_by_role("button", name="Appointment changed").click()
    expect(desk.get_by_label("Reply")).to_have_value(re.compile("We have changed your appointment"))
    desk.get_by_role("button", name="Send reply").click()
    expect(desk.get_by_text("Your reply is sent")).to_be_visible()
    desk.get_by_role("button", name="Mark done").click()
    expect(desk.get_by_text("Marked done.")).to_be_visible()

    page.goto(conversation_url)
    expect(page.get_by_text("We have changed your appointment")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Read "))).to_have_count(2)
    assert axe_violations(page) == []
