"""On the tablet at the chair: the pump settings and the plan's rate offered before the start, the
header's status following the live region, "Completed" refused two minutes into a 40-minute
infusion and "Stopped" recording the dose given; an entry kept offline named with the form's
labels and the clinic's time, and charted at the time it was taken once sent again."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.core.dates import show_time
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.patients.tests.factories import register_test_patient
from clinic.scheduling.tests.factories import make_chair
from clinic.sessions.models import SessionReading, TreatmentSession
from clinic.sessions.tests.factories import confirm_and_verify, dosed, ready_to_dose
from conftest import PASSWORD
from tests.e2e.conftest import sign_in
from tests.e2e.test_session import TABLET, live_region

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clinic():
    """The Boston clinic (New York time), a clinician, a nurse and Alice (as test_session.py)."""
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    clinician = UserFactory(
        role=Role.CLINICIAN, email="doc@clinic.test", full_name="Dr. Doc", credentials="MD"
    )
    nurse = UserFactory(
        role=Role.NURSE, email="nurse@clinic.test", full_name="Nurse Nora", credentials="RN"
    )
    for user in (clinician, nurse):
        user.locations.set([location])
    alice = register_test_patient(
        actor=clinician, location=location, first_name="Alice", last_name="Moreno", portal=True
    )
    make_chair(location)
    return {"location": location, "clinician": clinician, "nurse": nurse, "alice": alice}


def verified(clinic) -> TreatmentSession:
    """Alice's IV session with the dose confirmed (nurse) and verified (clinician), not started."""
    session = ready_to_dose(clinic["clinician"], clinic["nurse"], clinic["alice"])
    confirm_and_verify(clinic["clinician"], clinic["nurse"], session)
    return session


def test_the_pump_settings_an_early_completed_refused_and_the_dose_given_when_stopped(
    open_page, clinic
):
    session = verified(clinic)
    nurse = open_page(TABLET)
    sign_in(nurse, "nurse@clinic.test", PASSWORD)
    nurse.goto(f"/sessions/{session.public_id}/")
    # 70 kg × 0.5 mg/kg = 35.0 mg: 0.7 mL of 50 mg/mL into 100 mL, 151.1 mL/h = 52.5 mg/h.
    pump = nurse.locator("#pump-settings")
    expect(pump).to_contain_text("0.7 mL")
    expect(pump).to_contain_text("151.1 mL/h")
    expect(nurse.get_by_label("Rate (mg/h)")).to_have_value("52.5")
    expect(nurse.locator("#session-status")).to_have_text("Preparing")

    nurse.get_by_role("button", name="Start the infusion").click()
    expect(nurse.get_by_role("heading", name="Infusion", exact=True)).to_be_visible()
    # The header follows the live region: no reload.
    expect(nurse.locator("#session-status")).to_have_text("Dosed, monitoring", timeout=3000)
    expect(nurse.locator("#pump-settings")).to_contain_text("151.1 mL/h")
    expect(live_region(nurse).locator("#infusion-progress")).to_contain_text("of 35.0 mg")

    # Two minutes in, "Completed" is refused and says what to record instead.
    TreatmentSession.objects.filter(pk=session.pk).update(
        dosed_at=timezone.now() - timedelta(minutes=2)
    )
    session.infusion_events.update(at=timezone.now() - timedelta(minutes=2))
    nurse.get_by_label("Event").select_option(label="Completed")
    nurse.get_by_role("button", name="Record", exact=True).click()
    refused = nurse.locator("#refused")
    expect(refused).to_contain_text("Not complete")
    expect(refused).to_contain_text("record “Stopped”")
    assert not session.infusion_events.filter(kind="complete").exists()

    nurse.get_by_label("Event").select_option(label="Stopped")
    nurse.locator("#id_infusion_reason").fill("Patient asked to stop")
    nurse.get_by_role("button", name="Record", exact=True).click()
    expect(nurse.get_by_role("status").filter(has_text="Stopped at")).to_be_visible()
    given = nurse.locator("#dose-given")
    expect(given).to_contain_text(re.compile(r"Dose given: \d+\.\d mg"))
    expect(given).to_contain_text("Stopped early: 52.5 mg/h × 2")
    recorded = TreatmentSession.objects.get(pk=session.pk)
    assert Decimal("1.5") <= recorded.dose_given_mg <= Decimal("2.5")


def test_an_offline_reading_is_named_in_words_and_charted_when_it_was_taken(
    browser, live_server, clinic
):
    session = dosed(clinic["clinician"], clinic["nurse"], clinic["alice"])
    # The tablet's own zone is Berlin; the clinic is in New York: times are said in the clinic's.
    context = browser.new_context(
        viewport=TABLET, base_url=live_server.url, timezone_id="Europe/Berlin"
    )
    context.set_default_timeout(10_000)
    try:
        nurse = context.new_page()
        sign_in(nurse, "nurse@clinic.test", PASSWORD)
        nurse.goto(f"/sessions/{session.public_id}/")
        expect(live_region(nurse).get_by_role("row").filter(has_text="124/78")).to_be_visible()

        context.set_offline(True)
        typed = timezone.now()
        nurse.get_by_label(re.compile(r"^Systolic")).fill("131")
        nurse.get_by_label(re.compile(r"^Diastolic")).fill("83")
        nurse.get_by_label("Consciousness (ACVPU)").select_option(label="Alert")
        nurse.get_by_role("button", name="Save vital signs").click()
        entry = nurse.locator("#unsaved").get_by_role("listitem")
        expect(entry).to_have_count(1)
        expect(entry).to_contain_text("Systolic (mmHg): 131, Diastolic (mmHg): 83")
        expect(entry).to_contain_text("Consciousness (ACVPU): Alert")
        expect(entry).not_to_contain_text("systolic_mmhg")
        new_york = timezone.localtime(typed, clinic["location"].zone)
        shown = entry.inner_text()
        taken = re.search(r"taken (\d{1,2}:\d\d [AP]M)", shown)
        assert taken, shown
        assert taken.group(1) in {show_time(new_york), show_time(new_york + timedelta(minutes=1))}

        time.sleep(2)  # the entry waits on the tablet; sent again later ...
        context.set_offline(False)
        resent = timezone.now()
        entry.get_by_role("button", name="Send again").click()
        expect(nurse.locator("#unsaved")).to_be_hidden()
        expect(live_region(nurse).get_by_role("row").filter(has_text="131/83")).to_be_visible()
        reading = SessionReading.objects.get(session=session, vital_signs__systolic_mmhg=131)
        # ... and is charted at the moment it was typed, not when it reached the server.
        assert typed - timedelta(seconds=1) <= reading.taken_at < resent
    finally:
        context.close()
