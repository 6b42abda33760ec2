"""In the browser, on the nurse's tablet: the blind double check of the dose by a second
nurse who steps up to the same tablet (the first nurse stays signed in), and discharge with the
Aldrete items scored from the record, a contradiction refused until the nurse writes why, the
after-care sheet printed and recorded as handed over, and the clinician's co-signature on the
same tablet."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.patients.tests.factories import register_test_patient
from clinic.sessions import services
from clinic.sessions.choices import SessionStatus
from clinic.sessions.models import TreatmentSession
from clinic.sessions.tests.factories import dosed, ready_to_dose, stock_for
from conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

TABLET = {"width": 820, "height": 1180}


@pytest.fixture
def clinic():
    location = LocationFactory(
        organisation=OrganisationFactory(),
        name="Boston",
        time_zone="America/New_York",
        phone="617-555-0142",
    )
    clinician = UserFactory(
        role=Role.CLINICIAN, email="doc@clinic.test", full_name="Dr. Doc", credentials="MD"
    )
    nurse = UserFactory(
        role=Role.NURSE, email="nurse@clinic.test", full_name="Nurse Nora", credentials="RN"
    )
    nadia = UserFactory(
        role=Role.NURSE, email="nadia@clinic.test", full_name="Nurse Nadia", credentials="RN"
    )
    for user in (clinician, nurse, nadia):
        user.locations.set([location])
    alice = register_test_patient(
        actor=clinician, location=location, first_name="Alice", last_name="Moreno", portal=True
    )
    return {"clinician": clinician, "nurse": nurse, "nadia": nadia, "alice": alice}


def dose_panel(page):
    return page.locator("section[aria-labelledby=dose-h]")


def test_the_blind_double_check_on_one_tablet(open_page, clinic):
    session = ready_to_dose(clinic["clinician"], clinic["nurse"], clinic["alice"])
    tablet = open_page(TABLET)
    sign_in(tablet, "nurse@clinic.test", PASSWORD)
    tablet.goto(f"/sessions/{session.public_id}/")
    expect(tablet.locator("#dose-mg")).to_have_text("35.0 mg")

    vial = stock_for(session, received_by=clinic["nurse"], witness=clinic["clinician"])
    tablet.reload()
    tablet.get_by_label(re.compile(r"^Container")).fill(vial.identifier)
    tablet.get_by_role("button", name="Confirm dose and vial").click()
    expect(tablet.get_by_text("Second check, blind:")).to_be_visible()

    # Blind: the first nurse's dose, working, pump settings and lot are not on the page; what
    # the checker works from (the plan and today's weight) is.
    panel = dose_panel(tablet)
    expect(panel).not_to_contain_text("35.0 mg")
    expect(panel).not_to_contain_text("KT-2291")
    expect(tablet.locator("#blind-check-sources")).to_contain_text("0.5 mg/kg")
    expect(tablet.locator("#blind-check-sources")).to_contain_text("70.0 kg")
    expect(panel).to_contain_text("Nurse Nora stays signed in")

    # Nadia steps up to Nora's tablet. A slip in her working is refused without revealing the
    # confirmed dose.
    verify = tablet.locator("#form-verify")
    verify.get_by_label(re.compile(r"^Dose you worked out")).fill("36")
    verify.get_by_label(re.compile(r"^Lot number on the vial")).fill("KT-2291")
    verify.get_by_label(re.compile(r"^Checker's e-mail")).fill("nadia@clinic.test")
    verify.get_by_label(re.compile(r"^Checker's password")).fill(PASSWORD)
    verify.get_by_role("button", name="Verify dose").click()
    expect(tablet.locator("#refused")).to_contain_text("36 mg does not match the confirmed dose")
    expect(dose_panel(tablet)).not_to_contain_text("35.0 mg")
    assert TreatmentSession.objects.get(pk=session.pk).dose_verified_at is None

    # Her own working and the lot she read: verified as Nadia, and Nora is still signed in.
    verify = tablet.locator("#form-verify")
    verify.get_by_label(re.compile(r"^Dose you worked out")).fill("35")
    verify.get_by_label(re.compile(r"^Checker's password")).fill(PASSWORD)
    verify.get_by_role("button", name="Verify dose").click()
    expect(tablet.get_by_text("Verified by Nurse Nadia")).to_be_visible()
    expect(dose_panel(tablet)).to_contain_text("35.0 mg")
    expect(dose_panel(tablet)).to_contain_text("KT-2291")
    stored = TreatmentSession.objects.get(pk=session.pk)
    assert stored.dose_verified_by == clinic["nadia"]
    assert stored.dose_confirmed_by == clinic["nurse"]
    tablet.reload()
    expect(tablet.get_by_role("button", name="Start the infusion")).to_be_visible()
    expect(tablet.locator("body")).to_contain_text("Nurse Nora")


def test_discharge_with_the_aldrete_items_from_the_record_and_the_after_care_sheet(
    open_page, clinic
):
    nurse, clinician = clinic["nurse"], clinic["clinician"]
    now = timezone.now()
    # A 40-minute infusion that ended 70 minutes ago: the observation time is over.
    session = dosed(clinician, nurse, clinic["alice"], at=now - timedelta(minutes=110))
    services.record_infusion_event(
        actor=nurse, session=session, kind="complete", at=now - timedelta(minutes=70)
    )

    tablet = open_page(TABLET)
    sign_in(tablet, "nurse@clinic.test", PASSWORD)
    tablet.goto(f"/sessions/{session.public_id}/")

    # The latest reading: 93 % on oxygen, alert, 128/80 against 124/78 before the dose.
    vitals = tablet.locator("#form-vitals")
    vitals.get_by_label(re.compile(r"^Systolic")).fill("128")
    vitals.get_by_label(re.compile(r"^Diastolic")).fill("80")
    vitals.get_by_label(re.compile(r"^Heart rate")).fill("74")
    vitals.get_by_label(re.compile(r"^Resp")).fill("14")
    vitals.get_by_label(re.compile(r"^SpO₂")).fill("93")
    vitals.get_by_label(re.compile(r"^Consciousness")).select_option(label="Alert")
    vitals.get_by_role("checkbox", name="On oxygen").check()
    vitals.get_by_role("button", name="Save vital signs").click()
    expect(tablet.get_by_role("status").filter(has_text="Vital signs saved")).to_be_visible()
    for alert in TreatmentSession.objects.get(pk=session.pk).alerts.filter(status="open"):
        services.acknowledge_alert(actor=clinician, alert=alert, action_taken="Reviewed.")
    tablet.reload()

    # The items the record answers are scored from it, with what they were scored from.
    discharge = tablet.locator("#form-discharge")
    expect(discharge.get_by_label(re.compile(r"^O₂ saturation"))).to_have_value("1")
    expect(discharge.get_by_label(re.compile(r"^Circulation"))).to_have_value("2")
    expect(discharge.get_by_label(re.compile(r"^Consciousness"))).to_have_value("2")
    expect(discharge).to_contain_text("From the record: 1 (SpO₂ 93 % on oxygen at")

    # The after-care sheet, printed before discharge: the clinic's phone, no driving.
    with tablet.expect_popup() as opened:
        tablet.get_by_role("link", name="Print the after-care sheet").click()
    sheet = opened.value
    expect(sheet.get_by_role("heading", name="After your ketamine infusion")).to_be_visible()
    expect(sheet.locator("#aftercare-sheet")).to_contain_text("617-555-0142")
    expect(sheet.locator("#aftercare-sheet")).to_contain_text(
        "until the next day, after a normal night's sleep"
    )
    expect(sheet.locator("#aftercare-sheet")).to_contain_text("Sam Moreno")
    sheet.emulate_media(media="print")
    expect(sheet.get_by_role("button", name="Print the after-care sheet")).to_be_hidden()
    sheet.close()

    # The nurse scores O₂ saturation 2: the record says 1, so a reason is asked for.
    discharge.get_by_label(re.compile(r"^Activity")).select_option("2")
    discharge.get_by_label(re.compile(r"^Respiration")).select_option("2")
    discharge.get_by_label(re.compile(r"^O₂ saturation")).select_option("2")
    discharge.get_by_role("checkbox", name="Escort present").check()
    discharge.get_by_role("checkbox", name=re.compile(r"^After-care sheet printed")).check()
    discharge.get_by_role("button", name="Discharge").click()
    expect(tablet.locator("#refused")).to_contain_text(
        "O₂ saturation: scored 2, but the record gives 1"
    )
    assert TreatmentSession.objects.get(pk=session.pk).status == SessionStatus.IN_PROGRESS

    why = "Oxygen off for 10 minutes: 96 % on room air at the bedside."
    discharge = tablet.locator("#form-discharge")
    discharge.get_by_label("Why O₂ saturation differs from the record").fill(why)
    discharge.get_by_role("button", name="Discharge").click()
    expect(tablet.get_by_role("status").filter(has_text="Discharged.")).to_be_visible()
    signatures = tablet.locator("section[aria-labelledby=sign-h]")
    expect(signatures).to_contain_text("After-care sheet handed over by Nurse Nora")
    expect(signatures).to_contain_text(why)
    stored = TreatmentSession.objects.get(pk=session.pk)
    assert stored.aldrete_from_data["oxygen_saturation"]["reason"] == why
    assert stored.aftercare_given_by == nurse and stored.ready_for_discharge_at is not None

    # The nurse signs, then the clinician co-signs on the same tablet with their own e-mail.
    sign = tablet.locator("#form-sign")
    sign.get_by_label(re.compile(r"^Signer's password")).fill(PASSWORD)
    sign.get_by_role("button", name="Sign", exact=True).click()
    expect(tablet.get_by_role("status")).to_have_text(
        "Signed. The second signature locks the record."
    )
    sign = tablet.locator("#form-sign")
    sign.get_by_label(re.compile(r"^Sign as")).select_option(label="Supervising clinician")
    sign.get_by_label(re.compile(r"^Signer's e-mail")).fill("doc@clinic.test")
    sign.get_by_label(re.compile(r"^Signer's password")).fill(PASSWORD)
    sign.get_by_role("button", name="Sign", exact=True).click()
    expect(tablet.get_by_role("status")).to_have_text("Signed and locked.")
    stored = TreatmentSession.objects.get(pk=session.pk)
    assert {s.role: s.signed_by for s in stored.signatures.all()} == {
        "nurse": nurse,
        "clinician": clinician,
    }

    # The sheet now says who handed it over.
    tablet.goto(f"/sessions/{session.public_id}/after-care/")
    expect(tablet.locator("#aftercare-sheet")).to_contain_text(
        "Handed to the patient and escort by Nurse Nora"
    )
