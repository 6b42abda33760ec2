"""In the browser, on a tablet at the chair: a whole treatment session from check-in to
the signed record, a monitor's reading reaching the open page with its alert, and an entry that
could not be sent kept on the tablet and sent again. The last three pin bugs found while writing
them (the connection warning not clearing, a kept entry not cleared when re-saved from its form,
labels leading to another form's field)."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts.choices import Role
from clinic.accounts.services import issue_device_token
from clinic.accounts.tests.factories import UserFactory
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.patients.models import VitalSigns
from clinic.patients.tests.factories import register_test_patient
from clinic.scheduling.models import Appointment, AppointmentType
from clinic.scheduling.tests.factories import make_chair
from clinic.sessions.models import InfusionEvent, SessionReading, TreatmentSession
from clinic.sessions.tests.factories import dosed, plan_for, stock_for
from conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

TABLET = {"width": 820, "height": 1180}


@pytest.fixture
def clinic():
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    clinician = UserFactory(
        role=Role.CLINICIAN, email="doc@clinic.test", full_name="Dr. Doc", credentials="MD"
    )
    nurse = UserFactory(
        role=Role.NURSE, email="nurse@clinic.test", full_name="Nurse Nora", credentials="RN"
    )
    director = UserFactory(
        role=Role.MEDICAL_DIRECTOR, email="director@clinic.test", full_name="Dr. Director"
    )
    for user in (clinician, nurse, director):
        user.locations.set([location])
    alice = register_test_patient(
        actor=clinician, location=location, first_name="Alice", last_name="Moreno", portal=True
    )
    return {
        "location": location,
        "clinician": clinician,
        "nurse": nurse,
        "director": director,
        "alice": alice,
        "chair": make_chair(location),
    }


def no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= TABLET["width"], f"{page.url} is {width}px wide at tablet width"


def live_region(page):
    return page.get_by_role("region", name="Live monitoring")


def alert_banner(page):
    return live_region(page).get_by_role("region", name="Vital-sign alerts")


def test_a_whole_session_from_check_in_to_signed_record(open_page, clinic):
    alice, clinician = clinic["alice"], clinic["clinician"]
    plan_for(clinician, alice)
    starts_at = timezone.now() - timedelta(minutes=5)
    infusion = AppointmentType.objects.get(code="iv-infusion")
    Appointment.objects.create(
        patient=alice,
        location=alice.location,
        appointment_type=infusion,
        room=clinic["chair"],
        staff=clinic["nurse"],
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=infusion.duration_minutes),
        status="booked",
        booked_by=clinician,
    )

    # --- the nurse checks Alice in from the board and works through the gates -------------
    nurse = open_page(TABLET)
    sign_in(nurse, "nurse@clinic.test", PASSWORD)
    nurse.get_by_role("navigation", name="Main").get_by_role("link", name="Sessions").click()
    expect(nurse.get_by_role("heading", name="Treatment sessions")).to_be_visible()
    nurse.get_by_role("button", name="Check in and start").click()
    expect(nurse.get_by_role("heading", name=re.compile("Alice Moreno"))).to_be_visible()
    session = TreatmentSession.objects.get(patient=alice)
    session_path = f"/sessions/{session.public_id}/"
    assert nurse.url.endswith(session_path)
    assert Appointment.objects.get(patient=alice).status == "checked_in"

    for gate in ("identity", "fasting", "escort", "pregnancy", "vitals", "blood_pressure"):
        expect(nurse.locator(f'[data-gate="{gate}"]')).to_have_class(re.compile("gate-blocked"))
    for gate in ("consent", "plan"):
        expect(nurse.locator(f'[data-gate="{gate}"]')).to_have_class(re.compile("gate-ok"))
    expect(nurse.get_by_text("The dose is worked out once every gate above is met")).to_be_visible()
    no_horizontal_overflow(nurse)

    nurse.get_by_role("checkbox", name=re.compile(r"^Identity confirmed")).check()
    nurse.get_by_label(re.compile(r"^Fasting as instructed")).select_option(label="Yes")
    nurse.get_by_label(re.compile(r"^Escort or driver")).fill("Sam Moreno")
    nurse.get_by_label(re.compile(r"^Escort confirmed")).select_option(label="Yes")
    nurse.get_by_label(re.compile(r"^Pregnancy test")).select_option(label="Negative")
    nurse.get_by_role("button", name="Save checklist").click()
    expect(nurse.get_by_role("status").filter(has_text="Checklist saved.")).to_be_visible()
    for gate in ("identity", "fasting", "escort", "pregnancy"):
        expect(nurse.locator(f'[data-gate="{gate}"]')).to_have_class(re.compile("gate-ok"))
    expect(nurse.locator('[data-gate="vitals"]')).to_have_class(re.compile("gate-blocked"))

    nurse.get_by_label(re.compile(r"^Systolic")).fill("124")
    nurse.get_by_label(re.compile(r"^Diastolic")).fill("78")
    nurse.get_by_label(re.compile(r"^Heart rate")).fill("72")
    nurse.get_by_label(re.compile(r"^SpO₂")).fill("98")
    nurse.get_by_label(re.compile(r"^Weight")).fill("70")
    nurse.get_by_role("button", name="Save vital signs").click()
    expect(nurse.get_by_role("status").filter(has_text="Vital signs saved")).to_be_visible()
    expect(nurse.locator(".gates .gate-blocked")).to_have_count(0)
    expect(nurse.locator("#dose-mg")).to_have_text("35.0 mg")
    expect(nurse.locator(".dose")).to_contain_text("mg/kg × 70.0 kg")
    expect(live_region(nurse).get_by_role("row").filter(has_text="124/78")).to_be_visible()

    # The dose is drawn from a vial received into the register (a 100 mg/mL, 5 mL vial).
    vial = stock_for(session, received_by=clinic["nurse"], witness=clinician)
    nurse.reload()
    nurse.get_by_label(re.compile(r"^Container")).fill(vial.identifier)
    nurse.get_by_role("button", name="Confirm dose and vial").click()
    expect(nurse.get_by_text("Second check, blind:")).to_be_visible()

    # --- the clinician verifies the dose (blind) on their own sign-in ------------------------
    doctor = open_page(TABLET)
    sign_in(doctor, "doc@clinic.test", PASSWORD)
    doctor.goto(session_path)
    expect(doctor.get_by_text("Confirmed by Nurse Nora")).to_be_visible()
    doctor.get_by_label(re.compile(r"^Dose you worked out")).fill("35.0")
    doctor.get_by_label(re.compile(r"^Lot number on the vial")).fill("KT-2291")
    doctor.get_by_label(re.compile(r"^Checker's password")).fill(PASSWORD)
    doctor.get_by_role("button", name="Verify dose").click()
    expect(doctor.get_by_text("Verified by Dr. Doc")).to_be_visible()

    # --- the nurse starts the infusion -------------------------------------------------------
    nurse.reload()
    expect(nurse.get_by_text("Verified by Dr. Doc")).to_be_visible()
    nurse.get_by_role("button", name="Start the infusion").click()
    expect(nurse.get_by_role("heading", name="Infusion", exact=True)).to_be_visible()
    expect(nurse.get_by_role("status").filter(has_text="infusion started")).to_be_visible()

    # The patient must be observed for 60 minutes after the end of the infusion before
    # discharge. Rather than wait, move the session's clock back 110 minutes: the dose, the
    # start of the infusion and the pre-dose reading (and its vital signs) all happened 110
    # minutes earlier. Readings entered from now on are "during" readings well after the dose;
    # the infusion's end is moved to 40 minutes after its start once it is recorded.
    shift = timedelta(minutes=110)
    session.refresh_from_db()
    TreatmentSession.objects.filter(pk=session.pk).update(dosed_at=session.dosed_at - shift)
    for event in InfusionEvent.objects.filter(session=session):
        InfusionEvent.objects.filter(pk=event.pk).update(at=event.at - shift)
    for reading in SessionReading.objects.filter(session=session).select_related("vital_signs"):
        SessionReading.objects.filter(pk=reading.pk).update(taken_at=reading.taken_at - shift)
        VitalSigns.objects.filter(pk=reading.vital_signs_id).update(
            taken_at=reading.vital_signs.taken_at - shift
        )
    nurse.reload()
    expect(live_region(nurse)).to_contain_text(re.compile(r"Since dose\s*11\d min"))

    # --- a low blood pressure raises an alert; the nurse acts and acknowledges it ------------
    nurse.get_by_label(re.compile(r"^Systolic")).fill("86")
    nurse.get_by_label(re.compile(r"^Diastolic")).fill("50")
    nurse.get_by_role("button", name="Save vital signs").click()
    alert = alert_banner(nurse)
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("Systolic 86 mmHg is below 90 (low blood pressure).")
    # Red: the clinic's danger colour (#b3261e).
    expect(alert).to_have_css("border-top-color", "rgb(179, 38, 30)")
    alert.get_by_label("Action taken").fill("Rate reduced, re-measured in 5 min")
    alert.get_by_role("button", name="Acknowledge").click()
    expect(alert_banner(nurse)).to_have_count(0)

    # --- a side effect and the end of the infusion --------------------------------------------
    # The side-effect form is reached through its own form element: its "Side effect" label
    # points at id_kind, which the infusion form's "Event" select also uses (see the report).
    side_effect = nurse.locator("#form-side_effect")
    side_effect.locator("select[name=kind]").select_option(label="Nausea or vomiting")
    side_effect.get_by_label(re.compile(r"^Severity")).select_option(label="Mild")
    side_effect.get_by_role("checkbox", name="Antiemetic given").check()
    side_effect.get_by_label(re.compile(r"^Outcome")).select_option(label="Resolved")
    side_effect.get_by_role("button", name="Record side effect").click()
    expect(nurse.get_by_role("status").filter(has_text="Side effect recorded.")).to_be_visible()
    expect(nurse.locator(".timeline")).to_contain_text("Nausea or vomiting (mild)")

    nurse.get_by_label("Event").select_option(label="Completed")
    nurse.get_by_role("button", name="Record", exact=True).click()
    expect(nurse.get_by_role("status").filter(has_text="Completed at")).to_be_visible()
    session.refresh_from_db()
    InfusionEvent.objects.filter(session=session, kind="complete").update(
        at=session.dosed_at + timedelta(minutes=40)
    )

    nurse.get_by_label(re.compile(r"^Systolic")).fill("128")
    nurse.get_by_label(re.compile(r"^Diastolic")).fill("80")
    nurse.get_by_label(re.compile(r"^Heart rate")).fill("74")
    nurse.get_by_label(re.compile(r"^SpO₂")).fill("97")
    nurse.get_by_role("button", name="Save vital signs").click()
    expect(nurse.get_by_role("status").filter(has_text="Vital signs saved")).to_be_visible()
    expect(live_region(nurse).get_by_role("row").filter(has_text="128/80")).to_be_visible()

    # --- discharge ---------------------------------------------------------------------------
    discharge = nurse.locator("#form-discharge")
    for item in ("Activity", "Respiration", "Circulation", "O₂ saturation"):
        discharge.get_by_label(re.compile(rf"^{item}")).select_option("2")
    # "Consciousness" points at id_consciousness, which the vital-signs form also uses.
    discharge.locator("select[name=consciousness]").select_option("2")
    discharge.get_by_role("checkbox", name="Escort present").check()
    discharge.get_by_role("checkbox", name=re.compile(r"^After-care sheet printed")).check()
    discharge.get_by_role("button", name="Discharge").click()
    expect(nurse.get_by_role("status").filter(has_text="Discharged.")).to_be_visible()
    expect(nurse.get_by_role("heading", name="Signatures")).to_be_visible()
    no_horizontal_overflow(nurse)

    # --- two signatures lock the record ------------------------------------------------------
    expect(nurse.get_by_label(re.compile(r"^Sign as"))).to_have_value("nurse")
    nurse.get_by_label(re.compile(r"^Signer's password")).fill(PASSWORD)
    nurse.get_by_role("button", name="Sign", exact=True).click()
    expect(nurse.get_by_role("status")).to_have_text(
        "Signed. The second signature locks the record."
    )

    doctor.reload()
    expect(doctor.get_by_label(re.compile(r"^Sign as"))).to_have_value("clinician")
    doctor.get_by_label(re.compile(r"^Signer's password")).fill(PASSWORD)
    doctor.get_by_role("button", name="Sign", exact=True).click()
    expect(doctor.get_by_role("status")).to_have_text("Signed and locked.")
    expect(doctor.get_by_text(re.compile(r"^Locked "))).to_be_visible()
    session.refresh_from_db()
    assert session.status == "signed" and session.locked_at is not None

    # --- the printable summary -----------------------------------------------------------------
    nurse.reload()
    nurse.get_by_role("link", name="Summary").click()
    expect(nurse.get_by_role("heading", name="Treatment session summary")).to_be_visible()
    summary = nurse.locator("article.session-summary")
    expect(summary).to_contain_text("35.0 mg")
    expect(summary).to_contain_text("lot KT-2291")
    expect(summary.get_by_role("listitem").filter(has_text="Systolic 86 mmHg")).to_contain_text(
        "acknowledged by Nurse Nora"
    )
    expect(summary).to_contain_text("Rate reduced, re-measured in 5 min")
    signatures = summary.get_by_role("list").last
    expect(signatures.get_by_role("listitem").filter(has_text="Nurse:")).to_contain_text(
        "Nurse Nora"
    )
    expect(
        signatures.get_by_role("listitem").filter(has_text="Supervising clinician:")
    ).to_contain_text("Dr. Doc")
    expect(summary).not_to_contain_text("not yet signed")
    no_horizontal_overflow(nurse)


@pytest.fixture
def dosed_session(clinic):
    """Alice's IV session: checklist done, pre-dose 124/78, dose confirmed, verified and started
    just now (the factory functions, run with this test's own users)."""
    return dosed(clinic["clinician"], clinic["nurse"], clinic["alice"])


def test_a_monitor_reading_appears_within_two_seconds_with_its_alert(
    open_page, live_server, clinic, dosed_session
):
    _, token = issue_device_token(
        actor=clinic["director"], name="Chair 1 monitor", location=clinic["location"]
    )
    nurse = open_page(TABLET)
    sign_in(nurse, "nurse@clinic.test", PASSWORD)
    nurse.goto(f"/sessions/{dosed_session.public_id}/")
    live = live_region(nurse)
    expect(live.get_by_role("row").filter(has_text="124/78")).to_be_visible()
    expect(alert_banner(nurse)).to_have_count(0)

    body = {
        "readings": [
            {
                "reading_id": "m-0001",
                "taken_at": timezone.now().isoformat(),
                "systolic_mmhg": 195,
                "diastolic_mmhg": 92,
                "heart_rate_bpm": 84,
                "spo2_pct": 97,
            }
        ]
    }
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/sessions/{dosed_session.public_id}/vitals",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.load(response)
    assert answer["stored"] == 1 and answer["readings"][0]["alerts"]

    row = live.get_by_role("row").filter(has_text="195/92")
    expect(row).to_be_visible(timeout=2000)
    expect(row).to_contain_text("Chair 1 monitor")
    expect(alert_banner(nurse)).to_contain_text(
        "Systolic 195 mmHg is at or above the stop level of 180.", timeout=2000
    )
    expect(nurse).to_have_title(re.compile("^⚠ ALERT"))


def test_an_entry_that_cannot_be_sent_is_kept_and_named(open_page, clinic, dosed_session):
    nurse = open_page(TABLET)
    sign_in(nurse, "nurse@clinic.test", PASSWORD)
    nurse.goto(f"/sessions/{dosed_session.public_id}/")
    live = live_region(nurse)
    expect(live.get_by_role("row").filter(has_text="124/78")).to_be_visible()
    unsaved = nurse.locator("#unsaved")
    expect(unsaved).to_be_hidden()

    nurse.context.set_offline(True)
    nurse.get_by_label(re.compile(r"^Systolic")).fill("131")
    nurse.get_by_label(re.compile(r"^Diastolic")).fill("83")
    nurse.get_by_label(re.compile(r"^Heart rate")).fill("77")
    nurse.get_by_role("button", name="Save vital signs").click()
    expect(unsaved).to_be_visible()
    expect(unsaved).to_contain_text("Not saved.")
    entry = unsaved.get_by_role("listitem")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Vital signs — no connection")
    expect(entry).to_contain_text(
        "Systolic (mmHg): 131, Diastolic (mmHg): 83, Heart rate (/min): 77"
    )
    # The form still holds what was typed.
    expect(nurse.get_by_label(re.compile(r"^Systolic"))).to_have_value("131")
    expect(nurse.get_by_label(re.compile(r"^Diastolic"))).to_have_value("83")
    expect(nurse.get_by_label(re.compile(r"^Heart rate"))).to_have_value("77")
    # The live region cannot refresh either, and says how old its readings are.
    expect(nurse.locator("#connection")).to_contain_text("Connection lost")

    nurse.context.set_offline(False)
    entry.get_by_role("button", name="Send again").click()
    expect(unsaved).to_be_hidden()
    expect(live.get_by_role("row").filter(has_text="131/83")).to_be_visible()
    # Not asserted here: "Connection lost" should now go away, but does not (a bug, pinned by
    # test_the_connection_warning_clears_when_the_network_returns below).
    assert (
        SessionReading.objects.filter(session=dosed_session, vital_signs__systolic_mmhg=131).count()
        == 1
    )


def go_offline_with_an_unsent_reading(nurse, session):
    sign_in(nurse, "nurse@clinic.test", PASSWORD)
    nurse.goto(f"/sessions/{session.public_id}/")
    expect(live_region(nurse).get_by_role("row").filter(has_text="124/78")).to_be_visible()
    nurse.context.set_offline(True)
    nurse.get_by_label(re.compile(r"^Systolic")).fill("131")
    nurse.get_by_label(re.compile(r"^Diastolic")).fill("83")
    nurse.get_by_role("button", name="Save vital signs").click()
    expect(nurse.locator("#unsaved")).to_be_visible()
    expect(nurse.locator("#connection")).to_contain_text("Connection lost")
    nurse.context.set_offline(False)


def test_the_connection_warning_clears_when_the_network_returns(open_page, clinic, dosed_session):
    nurse = open_page(TABLET)
    go_offline_with_an_unsent_reading(nurse, dosed_session)
    # The live region refreshes every second again ...
    expect(live_region(nurse)).not_to_have_attribute(
        "data-updated", nurse.locator("#live").get_attribute("data-updated"), timeout=3000
    )
    # ... so the warning that it cannot goes away.
    expect(nurse.locator("#connection")).to_be_hidden(timeout=3000)


def test_saving_a_kept_entry_from_its_own_form_clears_it(open_page, clinic, dosed_session):
    nurse = open_page(TABLET)
    go_offline_with_an_unsent_reading(nurse, dosed_session)
    # Back online, the nurse simply presses Save again on the form that still holds the values.
    nurse.get_by_role("button", name="Save vital signs").click()
    expect(nurse.get_by_role("status").filter(has_text="Vital signs saved")).to_be_visible()
    expect(live_region(nurse).get_by_role("row").filter(has_text="131/83")).to_be_visible()
    expect(nurse.locator("#unsaved")).to_be_hidden(timeout=3000)


def test_every_label_on_the_session_page_names_its_own_field(open_page, clinic, dosed_session):
    nurse = open_page(TABLET)
    sign_in(nurse, "nurse@clinic.test", PASSWORD)
    nurse.goto(f"/sessions/{dosed_session.public_id}/")
    expect(nurse.get_by_role("heading", name="Discharge")).to_be_visible()
    duplicated = nurse.evaluate(
        """() => {
            const seen = {};
            document.querySelectorAll("[id]").forEach((e) => { seen[e.id] = (seen[e.id] || 0) + 1; });
            return Object.keys(seen).filter((id) => seen[id] > 1).sort();
        }"""
    )
    assert duplicated == [], f"ids used more than once: {duplicated}"
    side_effect = nurse.locator("#form-side_effect")
    expect(side_effect.get_by_label(re.compile(r"^Side effect"))).to_have_count(1)
