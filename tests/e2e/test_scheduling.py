"""Scheduling in the browser: front desk books a six-session induction series from the plan, one
conflict is shown and resolved, and the patient sees the appointments in the portal."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.evaluation import services as evaluation_services
from clinic.evaluation.tests.factories import complete_evaluation
from clinic.patients.tests.factories import register_test_patient
from clinic.scheduling import services as scheduling
from clinic.scheduling.models import Appointment, AppointmentType
from clinic.scheduling.tests.factories import make_chair
from clinic.treatment import services as treatment
from clinic.treatment.models import ProtocolTemplate
from conftest import PASSWORD, on_duty_all_week
from tests.e2e.conftest import PHONE, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def next_monday() -> date:
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday())


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
    on_duty_all_week(nurse, location)  # her bookings are not warned of missing working hours
    chair = make_chair(location)
    alice = register_test_patient(
        actor=clinician, location=location, first_name="Alice", last_name="Moreno", portal=True
    )
    bob = register_test_patient(
        actor=clinician, location=location, first_name="Bob", last_name="Lindqvist"
    )
    evaluation = complete_evaluation(clinician, alice)
    evaluation_services.sign_evaluation(
        actor=clinician,
        evaluation=evaluation,
        decision="suitable",
        reasoning="Suitable.",
        password=PASSWORD,
    )
    protocol = ProtocolTemplate.objects.get(name="IV ketamine — treatment-resistant depression")
    version = treatment.sign_plan_version(
        actor=clinician,
        patient=alice,
        password=PASSWORD,
        draft=treatment.PlanDraft(
            protocol=protocol,
            indications=["trd"],
            dose=Decimal("0.5"),
            weight_basis="actual",
            start_date=next_monday(),
            target_outcomes="Response by session 6",
            induction_sessions=6,
            induction_sessions_per_week=3,
            maintenance_interval_days=28,
            infusion_minutes=40,
            change_reason="initial",
        ),
    )
    # Bob already has the chair at 09:00 on the day of Alice's second session.
    second = date.fromisoformat(version.proposed_dates[1])
    scheduling.book_appointment(
        actor=desk,
        patient=bob,
        appointment_type=AppointmentType.objects.get(code="iv-infusion"),
        starts_at=scheduling.local_start(second, time(9), location),
        room=chair,
        staff=nurse,
    )
    return {"alice": alice}


def test_front_desk_books_the_series_and_the_patient_sees_it(open_page, clinic):
    alice = clinic["alice"]
    desk = open_page()
    sign_in(desk, "desk@clinic.test", PASSWORD)
    desk.goto(f"/patients/{alice.public_id}/?section=appointments")
    desk.get_by_role("link", name="Book the plan's series").click()
    desk.get_by_label("Room or chair").select_option(label="Chair 1")
    desk.get_by_label("Nurse").select_option(label="Nurse Nora")
    desk.get_by_role("button", name="Check availability").click()
    slots = desk.locator("#series-slots tbody tr")
    expect(slots).to_have_count(6)
    expect(slots.nth(1)).to_contain_text("Chair 1 is booked")
    expect(slots.nth(0)).to_contain_text("Free")
    # One click on the nearest free time puts it in the second session's row (the row alone is
    # swapped); then the series is booked at the times the rows hold.
    slots.nth(1).locator("button[name=choose]").first.click()
    expect(slots.nth(1)).to_contain_text("instead of the proposed")
    expect(slots.nth(1)).to_contain_text("Free")
    expect(slots).to_have_count(6)
    desk.get_by_role("button", name="Book the series (6 sessions)").click()
    expect(desk.get_by_text("Booked 6 sessions of the induction phase.")).to_be_visible()
    booked = Appointment.objects.filter(patient=alice).order_by("starts_at")
    assert booked.count() == 6 and [a.series_number for a in booked] == [1, 2, 3, 4, 5, 6]

    phone = open_page(PHONE)
    sign_in(phone, alice.user.email, PASSWORD)
    phone.get_by_role("link", name="Appointments", exact=True).click()
    expect(phone.locator(".appointment-list > li")).to_have_count(6)
    expect(phone.get_by_text(re.compile("IV ketamine infusion")).first).to_be_visible()
