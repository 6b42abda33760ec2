"""The after-care sheet (per route, the clinic's phone, printable, audited when opened) and the
discharge form on the page: the Aldrete items the record answers come pre-scored from it, and a
different score goes through with a written reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.choices import Route
from clinic.sessions import services
from clinic.sessions.aftercare import sheet_for
from clinic.sessions.choices import AlertStatus, SessionStatus
from clinic.sessions.models import TreatmentSession
from clinic.sessions.tests import factories
from clinic.sessions.tests.test_views import HX, act_url, detail_url, form_data, text
from conftest import client_for

pytestmark = pytest.mark.django_db


def ago(minutes: float):
    return timezone.now() - timedelta(minutes=minutes)


def aftercare_url(session) -> str:
    return reverse("sessions:aftercare", args=[session.public_id])


def observed(clinician, nurse, patient, **reading):
    """An IV infusion that ended 70 minutes ago and a reading 3 minutes ago."""
    session = factories.dosed(clinician, nurse, patient, at=ago(110))
    services.record_infusion_event(actor=nurse, session=session, kind="complete", at=ago(70))
    services.record_reading(
        actor=nurse,
        session=session,
        values={**factories.GOOD_DURING, **reading},
        taken_at=ago(3),
    )
    for alert in session.alerts.filter(status=AlertStatus.OPEN):
        services.acknowledge_alert(actor=clinician, alert=alert, action_taken="Reviewed.")
    return TreatmentSession.objects.get(pk=session.pk)


# --- the sheet -------------------------------------------------------------------------------
@pytest.mark.parametrize("route", Route.values)
def test_every_route_says_no_driving_until_the_next_day_and_gives_the_clinics_phone(
    route, patient_alice
):
    location = patient_alice.location
    sheet = sheet_for(route=route, location=location)
    lines = [line for _, section in sheet.sections for line in section]
    assert any("until the next day, after a normal night's sleep" in line for line in lines)
    assert any("machinery" in line for line in lines)
    assert any(heading.startswith("Call 911 now") for heading, _ in sheet.sections)
    assert any(location.phone in heading for heading, _ in sheet.sections)
    assert "988" in sheet.crisis
    assert sheet.clinic_phone == location.phone


def test_the_sheet_differs_by_route(patient_alice):
    location = patient_alice.location
    esketamine = sheet_for(route=Route.INTRANASAL, location=location)
    iv = sheet_for(route=Route.IV, location=location)
    assert "esketamine" in esketamine.title.lower()
    assert any("drip" in line for _, lines in iv.sections for line in lines)
    assert not any("drip" in line for _, lines in esketamine.sections for line in lines)
    assert esketamine.sha256 != iv.sha256


def test_the_hash_follows_the_text_handed_over(patient_alice):
    location = patient_alice.location
    before = sheet_for(route=Route.IV, location=location).sha256
    location.phone = "555-0199"
    assert sheet_for(route=Route.IV, location=location).sha256 != before


# --- the page --------------------------------------------------------------------------------
def test_the_after_care_page_prints_the_sheet_and_is_audited(clinician, nurse, patient_alice):
    session = observed(clinician, nurse, patient_alice)
    response = client_for(nurse).get(aftercare_url(session))
    assert response.status_code == 200
    body = text(response)
    assert 'id="aftercare-sheet"' in body and "data-print" in body
    assert escape(patient_alice.location.phone) in body
    assert escape(session.escort_name) in body
    assert escape("until the next day, after a normal night's sleep") in body
    assert "Not yet recorded as handed over" in body
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.SESSION_VIEWED,
        actor=nurse,
        patient_id=patient_alice.pk,
        details__view="after-care",
    ).exists()


def test_the_sheet_says_who_handed_it_over(clinician, nurse, patient_alice):
    session = observed(clinician, nurse, patient_alice)
    assert services.discharge(
        actor=nurse,
        session=session,
        aldrete=dict.fromkeys(
            ("activity", "respiration", "circulation", "consciousness", "oxygen_saturation"), 2
        ),
        escort_present=True,
        instructions_given=True,
    ).discharged
    body = text(client_for(nurse).get(aftercare_url(session)))
    assert f"Handed to the patient and escort by {escape(nurse.full_name)}" in body


def test_front_desk_cannot_open_the_sheet(clinician, nurse, front_desk, patient_alice):
    session = observed(clinician, nurse, patient_alice)
    assert client_for(front_desk).get(aftercare_url(session)).status_code in (302, 403)


def test_another_locations_clinician_cannot_open_the_sheet(
    clinician, nurse, other_location_clinician, patient_alice
):
    session = observed(clinician, nurse, patient_alice)
    assert client_for(other_location_clinician).get(aftercare_url(session)).status_code == 404


# --- the discharge form ----------------------------------------------------------------------
def test_the_discharge_form_is_pre_scored_from_the_record(clinician, nurse, patient_alice):
    session = observed(clinician, nurse, patient_alice, spo2_pct=93, on_supplemental_oxygen=True)
    response = client_for(nurse).get(detail_url(session))
    fields = form_data(response, "form-discharge")
    assert fields["oxygen_saturation"] == "1"  # 93 % on oxygen
    assert fields["circulation"] == "2"  # 132 against 124
    assert fields.get("consciousness", "") == ""  # no ACVPU recorded: the nurse scores it
    form_html = text(response).split('id="form-discharge"', 1)[1].split("</form>", 1)[0]
    assert "From the record: 1 (SpO₂ 93 % on oxygen at " in form_html
    assert 'id="aftercare-link"' in text(response)


def test_a_contradicting_score_is_refused_then_accepted_with_a_reason(
    clinician, nurse, patient_alice
):
    session = observed(clinician, nurse, patient_alice, spo2_pct=93, on_supplemental_oxygen=True)
    typed = {
        **dict.fromkeys(
            ("activity", "respiration", "circulation", "consciousness", "oxygen_saturation"), "2"
        ),
        "escort_present": "on",
        "instructions_given": "on",
    }
    client = client_for(nurse)
    refused = client.post(act_url(session, "discharge"), typed, **HX)
    assert refused.status_code == 400
    assert escape("O₂ saturation: scored 2, but the record gives 1") in text(refused)

    why = "Oxygen off for 10 minutes: 96 % on room air at the bedside."
    done = client.post(
        act_url(session, "discharge"), {**typed, "oxygen_saturation_reason": why}, **HX
    )
    assert done.status_code == 200, text(done)
    stored = TreatmentSession.objects.get(pk=session.pk)
    assert stored.status == SessionStatus.DISCHARGED
    assert stored.aldrete_from_data["oxygen_saturation"]["reason"] == why
    assert escape(why) in text(done)
    assert stored.aftercare_given_by == nurse
