"""The front desk's day in the browser: a free chair in the day grid is booked for a patient found
on the way; a colliding time is rebooked with one click on a suggested time; the week is seven
columns in one row; a patient's portal request to cancel is answered from the worklist, and the
freed time is offered to a patient on the waitlist, who books it in the portal."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.patients.tests.factories import register_test_patient
from clinic.scheduling import services as scheduling
from clinic.scheduling.choices import WaitlistOfferStatus
from clinic.scheduling.models import Appointment, AppointmentType, WaitlistOffer
from clinic.scheduling.tests.factories import make_chair, working_week
from conftest import PASSWORD
from tests.e2e.accessibility import axe_violations
from tests.e2e.conftest import PHONE, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def next_weekday(location) -> date:
    day = timezone.localdate(timezone.now(), location.zone) + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def clinic():
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    clinician = UserFactory(role=Role.CLINICIAN, email="doc@clinic.test", full_name="Dr. Doc")
    nurse = UserFactory(role=Role.NURSE, email="nurse@clinic.test", full_name="Nurse Nora")
    desk = UserFactory(role=Role.FRONT_DESK, email="desk@clinic.test", full_name="Frankie Desk")
    for user in (clinician, nurse, desk):
        user.locations.set([location])
    working_week(nurse, location)  # 08:00–18:00 on weekdays: the day grid's hours
    chair = make_chair(location, "Chair 1")
    make_chair(location, "Chair 2")
    alice = register_test_patient(
        actor=clinician, location=location, first_name="Alice", last_name="Moreno", portal=True
    )
    bob = register_test_patient(
        actor=clinician, location=location, first_name="Bob", last_name="Lindqvist", portal=True
    )
    day = next_weekday(location)
    bobs = scheduling.book_appointment(
        actor=desk,
        patient=bob,
        appointment_type=AppointmentType.objects.get(code="iv-infusion"),
        starts_at=scheduling.local_start(day, time(9), location),
        room=chair,
        staff=nurse,
    )
    return {"alice": alice, "bob": bob, "day": day, "bobs": bobs, "location": location}


def test_front_desk_books_a_free_chair_from_the_day_grid_and_rebooks_a_collision_in_one_click(
    open_page, clinic
):
    alice, day = clinic["alice"], clinic["day"]
    desk = open_page()
    sign_in(desk, "desk@clinic.test", PASSWORD)
    desk.goto(f"/calendar/?day={day.isoformat()}")
    grid = desk.get_by_role("table")
    expect(grid.get_by_role("columnheader", name="Chair 1")).to_be_visible()
    expect(grid.get_by_role("rowheader", name="8:00 AM")).to_be_visible()
    expect(grid.get_by_role("link", name=re.compile("Bob Lindqvist|IV ketamine"))).to_have_count(1)
    # Chair 1 is Bob's from 9 to 11: no booking link there, one at 11.
    expect(desk.get_by_role("link", name="Book Chair 1 at 9:00 AM")).to_have_count(0)
    desk.get_by_role("link", name="Book Chair 1 at 11:00 AM").click()

    expect(desk.get_by_role("heading", name=re.compile("Book for which patient"))).to_be_visible()
    desk.get_by_label("Patient's name, MRN or date of birth").fill("Alice")
    desk.get_by_role("button", name="Find").click()
    desk.get_by_role("link", name="Book Alice Moreno").click()

    expect(desk.get_by_label("Room or chair")).to_have_value(re.compile(r"\d+"))
    expect(desk.get_by_label("Start time")).to_have_value("11:00")
    desk.get_by_label("What").select_option(label="IV ketamine infusion")
    desk.get_by_label("With").select_option(label="Nurse Nora (Nurse)")
    # The front desk changes the time to one that collides with Bob's infusion.
    desk.get_by_label("Start time").fill("09:30")
    desk.get_by_role("button", name="Book", exact=True).click()
    expect(desk.get_by_text("This time collides:")).to_be_visible()
    desk.get_by_role("button", name=re.compile(r"^Book .*11:00 AM$")).first.click()
    expect(desk.get_by_text(re.compile("Booked: IV ketamine infusion"))).to_be_visible()
    booked = Appointment.objects.get(patient=alice)
    local = timezone.localtime(booked.starts_at, clinic["location"].zone)
    assert (local.date(), local.time()) == (day, time(11)) and booked.room.name == "Chair 1"

    # The week: seven day columns side by side, whatever the screen.
    desk.goto(f"/calendar/?view=week&day={day.isoformat()}")
    columns = desk.locator(".calendar-week-scroll .calendar-day")
    expect(columns).to_have_count(7)
    tops = {round(columns.nth(n).bounding_box()["y"]) for n in range(7)}
    assert len(tops) == 1
    desk.get_by_role("link", name=re.compile("IV ketamine infusion")).first.click()
    expect(desk.get_by_role("heading", name=re.compile("IV ketamine infusion"))).to_be_visible()


def test_a_cancel_request_is_answered_and_the_freed_time_goes_to_the_waitlist(open_page, clinic):
    alice, bob = clinic["alice"], clinic["bob"]
    desk = open_page()
    sign_in(desk, "desk@clinic.test", PASSWORD)
    # Alice waits for an earlier infusion.
    desk.goto(f"/patients/{alice.public_id}/?section=appointments")
    desk.get_by_role("link", name="Put on the waitlist").click()
    desk.get_by_label("Waiting for").select_option(label="IV ketamine infusion")
    desk.get_by_label("Preferred times").fill("Mornings")
    desk.get_by_role("button", name="Put on the waitlist").click()
    expect(desk.get_by_text("Alice Moreno is on the waitlist")).to_be_visible()

    # Bob asks in the portal to cancel.
    phone = open_page(PHONE)
    sign_in(phone, bob.user.email, PASSWORD)
    phone.goto("/portal/appointments/")
    phone.get_by_text("Need to change it?").click()
    phone.get_by_label("Please cancel this appointment").check()
    phone.get_by_role("button", name="Send request").click()
    expect(phone.get_by_text("Your request is sent.")).to_be_visible()

    desk.goto("/calendar/")
    desk.get_by_role("link", name="Change requests (1)").click()
    desk.get_by_role("button", name="Cancel as asked (Bob Lindqvist)").click()
    expect(desk.get_by_text("Cancelled as Bob Lindqvist asked")).to_be_visible()
    expect(desk.get_by_text("No open requests.")).to_be_visible()
    desk.get_by_role("link", name="Waitlist and offers").click()
    expect(desk.get_by_role("cell", name="Offered")).to_be_visible()

    # Alice is offered Bob's freed time and books it in the portal.
    portal = open_page(PHONE)
    sign_in(portal, alice.user.email, PASSWORD)
    portal.goto("/portal/appointments/")
    expect(portal.get_by_text("An earlier time is free for you")).to_be_visible()
    assert axe_violations(portal) == []
    portal.get_by_role("button", name="Book this time").click()
    expect(portal.get_by_text("Booked: the earlier time is yours.")).to_be_visible()
    assert axe_violations(portal) == []
    offer = WaitlistOffer.objects.get()
    assert offer.status == WaitlistOfferStatus.ACCEPTED
    assert offer.appointment.starts_at == clinic["bobs"].starts_at
