"""Vital-sign alerts in the browser, on a tablet at the chair: a hypotensive reading with four
breaches makes one alert in a fixed banner that does not move the form, the saved reading is a
warning, and a clinician acknowledges it from their own screen; a stop-level alert waits for a
prescriber (the nurse records what was done) and reaches the clinician's dashboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clinic.sessions.models import MonitoringAlert
from clinic.sessions.tests.factories import dosed
from conftest import PASSWORD
from tests.e2e.conftest import sign_in
from tests.e2e.test_session import TABLET, alert_banner, clinic, no_horizontal_overflow  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def panels_top(page) -> float:
    """Where the working panels start on the page (not on the screen: the page may scroll)."""
    return page.evaluate(
        "document.getElementById('panels').getBoundingClientRect().top + window.scrollY"
    )


@pytest.fixture
def session(clinic):  # noqa: F811  (the fixture imported from test_session)
    return dosed(clinic["clinician"], clinic["nurse"], clinic["alice"])


def test_a_hypotensive_reading_makes_one_alert_a_clinician_acknowledges(
    open_page,
    clinic,  # noqa: F811
    session,
):
    nurse = open_page(TABLET)
    sign_in(nurse, "nurse@clinic.test", PASSWORD)
    nurse.goto(f"/sessions/{session.public_id}/")
    # The sound is on; the browser keeps it silent until the page is touched (autoplay policy),
    # and says so until the first tap.
    expect(nurse.get_by_role("button", name="Alert sound: on")).to_be_visible()
    expect(
        nurse.get_by_role("button", name=re.compile("^Tap here to allow the alert sound"))
    ).to_be_visible()
    form = nurse.locator("#form-vitals")
    before = panels_top(nurse)

    form.get_by_label(re.compile(r"^Systolic")).fill("78")
    form.get_by_label(re.compile(r"^Diastolic")).fill("40")
    form.get_by_label(re.compile(r"^Heart rate")).fill("45")
    form.get_by_label(re.compile(r"^Resp. rate")).fill("32")
    form.get_by_label(re.compile(r"^SpO")).fill("91")
    form.get_by_role("button", name="Save vital signs").click()

    # A warning, never a green success.
    notice = nurse.locator("#notice")
    expect(notice).to_contain_text("Alert: 4 limits breached")
    expect(notice).to_have_class(re.compile("message-warning"))
    banner = alert_banner(nurse)
    expect(banner).to_be_visible()
    expect(banner.locator("form")).to_have_count(1)
    expect(banner.get_by_role("listitem")).to_have_count(4)
    expect(banner).to_contain_text("Systolic 78 mmHg is below 90 (low blood pressure).")
    expect(banner).to_contain_text("Respiratory rate 32 /min is above 24 (fast breathing).")
    expect(banner).to_have_css("position", "fixed")
    # The banner lies over the foot of the screen: the forms moved down by the new reading's row
    # in the table, and nothing more.
    new_row = nurse.locator("#readings-table tbody tr").first.bounding_box()["height"]
    assert panels_top(nurse) - before == pytest.approx(new_row, abs=1)
    box = banner.bounding_box()
    assert abs(box["y"] + box["height"] - TABLET["height"]) <= 1
    expect(nurse).to_have_title(re.compile("^⚠ ALERT"))
    expect(nurse.locator("#sound-prompt")).to_be_hidden()
    no_horizontal_overflow(nurse)

    # The clinician acknowledges every breach in one action from their own screen.
    doctor = open_page(TABLET)
    sign_in(doctor, "doc@clinic.test", PASSWORD)
    doctor.goto(f"/sessions/{session.public_id}/")
    theirs = alert_banner(doctor)
    theirs.get_by_label("Action taken").fill("Fluids started, legs raised, infusion paused.")
    theirs.get_by_role("button", name="Acknowledge all 4").click()
    expect(alert_banner(doctor)).to_have_count(0)
    # The nurse's page follows within its next poll.
    expect(alert_banner(nurse)).to_have_count(0, timeout=3000)
    alert = MonitoringAlert.objects.get(session=session)
    assert alert.acknowledged_by == clinic["clinician"] and len(alert.breaches) == 4


def test_a_stop_level_alert_waits_for_a_prescriber_seen_on_the_dashboard(
    open_page,
    clinic,  # noqa: F811
    session,
):
    nurse = open_page(TABLET)
    sign_in(nurse, "nurse@clinic.test", PASSWORD)
    nurse.goto(f"/sessions/{session.public_id}/")
    form = nurse.locator("#form-vitals")
    form.get_by_label(re.compile(r"^Systolic")).fill("186")
    form.get_by_label(re.compile(r"^Diastolic")).fill("104")
    form.get_by_role("button", name="Save vital signs").click()
    banner = alert_banner(nurse)
    expect(banner).to_contain_text("STOP-LEVEL alert")
    expect(banner).to_contain_text("A prescriber (clinician or medical director) closes this alert")
    expect(banner.get_by_role("button", name=re.compile("^Acknowledge"))).to_have_count(0)
    banner.get_by_label("What you did").fill("Infusion stopped, re-measuring.")
    banner.get_by_role("button", name="Record what was done").click()
    expect(alert_banner(nurse)).to_contain_text("Nurse Nora: Infusion stopped, re-measuring.")

    doctor = open_page(TABLET)
    sign_in(doctor, "doc@clinic.test", PASSWORD)
    doctor.goto("/dashboard/")
    waiting = doctor.locator("#session-stop-alerts")
    expect(waiting).to_contain_text("1 waiting for a prescriber")
    expect(waiting).to_contain_text("Systolic 186 mmHg is at or above the stop level of 180.")
    waiting.get_by_role("link", name="Open the session").click()
    theirs = alert_banner(doctor)
    theirs.get_by_label("Action taken").fill("Reviewed at the chair; labetalol given.")
    theirs.get_by_role("button", name="Acknowledge all 2").click()
    expect(alert_banner(doctor)).to_have_count(0)
    expect(alert_banner(nurse)).to_have_count(0, timeout=3000)
