"""A minor's guardian, on a phone, writes to the care team from the patient's portal, and a
clinician reads who wrote it and answers; axe-core finds no WCAG 2.x A/AA violation on the
guardian's pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.messaging.models import Message
from clinic.patients.tests.factories import add_test_guardian, register_test_minor
from conftest import PASSWORD
from tests.e2e.accessibility import axe_violations
from tests.e2e.conftest import DESKTOP, PHONE, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

GUARDIAN_PASSWORD = "correct-horse-battery-staple"


def test_a_guardian_writes_and_the_clinician_answers(open_page):
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    clinician = UserFactory(role=Role.CLINICIAN, email="doc@clinic.test", full_name="Dr. Doc")
    clinician.locations.set([location])
    minor = register_test_minor(
        actor=clinician, location=location, first_name="Sam", last_name="Reyes"
    )
    guardian = add_test_guardian(
        actor=clinician, patient=minor, portal=True, full_name="Dana Reyes"
    )

    phone = open_page(PHONE)
    sign_in(phone, guardian.user.email, GUARDIAN_PASSWORD)
    phone.get_by_role("link", name="Messages").click()
    expect(phone.get_by_role("heading", name=re.compile(r"Messages to Sam Reyes"))).to_be_visible()
    assert axe_violations(phone) == []
    phone.get_by_label("What is it about?").select_option("side_effects")
    phone.get_by_label("Your message").fill("Sam had a headache the day after the session.")
    phone.get_by_role("button", name="Send message").click()
    expect(phone).to_have_url(re.compile(r"/messages/[0-9a-f-]{36}/$"))
    expect(phone.get_by_text("Sam had a headache the day after the session.")).to_be_visible()
    assert axe_violations(phone) == []

    desk = open_page(DESKTOP)
    sign_in(desk, "doc@clinic.test", PASSWORD)
    desk.goto("/inbox/")
    desk.get_by_role("link", name=re.compile("Sam Reyes")).click()
    expect(desk.get_by_text("Dana Reyes, guardian")).to_be_visible()
    desk.get_by_label("Reply").fill("Thank you: a headache is common and passes. Call us if not.")
    desk.get_by_role("button", name="Send").click()
    expect(desk.get_by_text("a headache is common and passes")).to_be_visible()

    phone.reload()
    expect(phone.get_by_text("a headache is common and passes")).to_be_visible()
    assert Message.objects.filter(author=guardian.user).count() == 1
