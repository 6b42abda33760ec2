"""What the session page offers at each stage: decided in the selectors, the view only shows it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.scheduling.choices import AppointmentStatus
from clinic.sessions import selectors, services
from clinic.sessions.choices import SessionStatus
from clinic.sessions.tests import factories

pytestmark = pytest.mark.django_db


def test_in_preparation_the_checklist_is_judged_and_no_dose_is_offered_before_it_passes(
    clinician, nurse, patient_alice
):
    session = factories.started_session(clinician, nurse, patient_alice)
    checklist = selectors.checklist_while_preparing(session)
    assert checklist is not None and not checklist.ready_to_dose
    assert selectors.dose_to_confirm(session, checklist) == (None, None)
    assert selectors.containers_offer_open(session)
    assert selectors.aldrete_offered(session) == {}
    assert selectors.infusion_progress_while_running(session) is None
    assert selectors.minutes_since_dose(session, timezone.now()) is None
    assert not selectors.seal_is_checked(session)


def test_once_ready_the_dose_of_the_plan_s_newest_version_is_offered(
    clinician, nurse, patient_alice
):
    session = factories.ready_to_dose(clinician, nurse, patient_alice)
    checklist = selectors.checklist_while_preparing(session)
    assert checklist is not None and checklist.ready_to_dose
    dose, dose_error = selectors.dose_to_confirm(session, checklist)
    assert dose is not None and dose_error is None
    assert selectors.pump_settings_for(session) is None  # no dose confirmed yet


def test_after_the_dose_the_checklist_is_gone_and_minutes_are_counted(
    clinician, nurse, patient_alice
):
    session = factories.dosed(clinician, nurse, patient_alice)
    session.refresh_from_db()
    assert session.status == SessionStatus.IN_PROGRESS
    assert selectors.checklist_while_preparing(session) is None
    assert selectors.dose_to_confirm(session, None) == (None, None)
    assert not selectors.containers_offer_open(session)
    later = session.dosed_at + timedelta(minutes=12, seconds=59)
    assert selectors.minutes_since_dose(session, later) == 12
    assert selectors.pump_settings_for(session) is not None  # an IV dose, confirmed


def test_a_prescriber_is_offered_the_clinician_s_signature_until_it_is_given(
    clinician, nurse, patient_alice
):
    session = factories.started_session(clinician, nurse, patient_alice)
    assert selectors.sign_role_offered(clinician, session) == "clinician"
    assert selectors.sign_role_offered(nurse, session) == "nurse"


def test_the_discharge_form_starts_from_the_nurse_s_scores_or_the_record_s():
    class Item:
        score = 2

    class Session:
        aldrete_from_data = {"activity": {"reason": "Walks with help", "derived": 2}}
        escort_present = None
        instructions_given = True

        def __getattr__(self, name):
            return 1  # the nurse's last score of every item

    initial = selectors.discharge_initial(Session(), {"activity": Item(), "consciousness": Item()})
    assert initial["activity"] == 1 and initial["activity_reason"] == "Walks with help"
    assert initial["consciousness"] == 2
    assert initial["escort_present"] is False and initial["instructions_given"] is True


def test_the_board_checks_a_booked_patient_in_before_starting(clinician, nurse, patient_alice):
    version = factories.plan_for(clinician, patient_alice)
    appointment = factories.checked_in_appointment(
        patient_alice, booked_by=clinician, route=version.route
    )
    appointment.status, appointment.checked_in_at = AppointmentStatus.BOOKED, None
    appointment.save(update_fields=["status", "checked_in_at"])
    session = services.start_session_from_board(actor=nurse, appointment=appointment)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    assert session.appointment_id == appointment.pk
