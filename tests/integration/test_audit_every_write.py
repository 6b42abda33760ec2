"""Every write leaves exactly one audit entry per record it changes, in the same transaction."""

from __future__ import annotations

import pytest

from clinic.accounts import services as accounts
from clinic.audit.choices import AuditEventType as E
from clinic.audit.models import AuditEvent
from clinic.intake import services as intake
from clinic.intake.tests.factories import request_data, submit_test_request
from clinic.messaging.tests import factories as messaging_writes
from clinic.patients import services as patients
from clinic.patients.tests.factories import patient_details, register_test_patient


@pytest.fixture
def world(medical_director, clinician, front_desk, nurse, location):
    patient = register_test_patient(actor=clinician, location=location, email="w@example.com")
    return {
        "director": medical_director,
        "clinician": clinician,
        "front_desk": front_desk,
        "nurse": nurse,
        "location": location,
        "patient": patient,
        "request": submit_test_request(location=location),
        "portal_patient": register_test_patient(actor=clinician, location=location, portal=True),
    }


WRITES = {
    "register patient": (
        lambda w: patients.register_patient(
            actor=w["clinician"], location=w["location"], details=patient_details()
        ),
        [E.PATIENT_CREATED],
    ),
    "update patient": (
        lambda w: patients.update_patient(
            actor=w["clinician"], patient=w["patient"], changes={"pronouns": "they/them"}
        ),
        [E.PATIENT_UPDATED],
    ),
    "change status": (
        lambda w: patients.change_patient_status(
            actor=w["clinician"], patient=w["patient"], to_status="in_evaluation", reason=""
        ),
        [E.PATIENT_STATUS_CHANGED],
    ),
    "invite to portal": (
        lambda w: patients.invite_patient_to_portal(actor=w["front_desk"], patient=w["patient"]),
        [E.USER_CREATED, E.PORTAL_INVITED],
    ),
    "submit request": (
        lambda w: intake.submit_consultation_request(
            data=request_data(), location=w["location"], ip_address=None
        ),
        [E.CONSULTATION_SUBMITTED],
    ),
    "queue step": (
        lambda w: intake.record_consultation_step(
            actor=w["front_desk"], request=w["request"], to_status="contacted"
        ),
        [E.CONSULTATION_STATUS_CHANGED],
    ),
    "queue note": (
        lambda w: intake.add_consultation_note(
            actor=w["front_desk"], request=w["request"], note="Called."
        ),
        [E.CONSULTATION_NOTE_ADDED],
    ),
    "decline": (
        lambda w: intake.decline_consultation_request(
            actor=w["front_desk"], request=w["request"], reason="duplicate"
        ),
        [E.CONSULTATION_DECLINED],
    ),
    "convert": (
        lambda w: intake.convert_request_to_patient(
            actor=w["front_desk"],
            request=w["request"],
            location=w["location"],
            details=intake.patient_details_from_request(w["request"]) | {"sex": "male"},
        ),
        [E.PATIENT_CREATED, E.CONSULTATION_CONVERTED],
    ),
    "add staff": (
        lambda w: accounts.create_staff_account(
            actor=w["director"],
            email="new@clinic.test",
            full_name="New",
            role="nurse",
            locations=[w["location"]],
        ),
        [E.USER_CREATED],
    ),
    "change staff": (
        lambda w: accounts.update_staff_account(
            actor=w["director"],
            user=w["nurse"],
            full_name="Renamed",
            role="nurse",
            locations=[w["location"]],
        ),
        [E.USER_UPDATED],
    ),
    "deactivate staff": (
        lambda w: accounts.set_account_active(actor=w["director"], user=w["nurse"], active=False),
        [E.USER_DEACTIVATED],
    ),
    "patient writes": (
        lambda w: messaging_writes.patient_writes(w["portal_patient"]),
        [E.MESSAGE_WRITTEN],
    ),
    "team replies": (
        lambda w: messaging_writes.reply(
            w["front_desk"], messaging_writes.patient_writes(w["portal_patient"]).conversation
        ),
        [E.MESSAGE_WRITTEN, E.MESSAGE_WRITTEN],
    ),
    "texts opted in": (
        lambda w: patients.set_sms_preference(
            actor=w["portal_patient"].user, patient=w["portal_patient"], opted_in=True
        ),
        [E.SMS_PREFERENCE_CHANGED],
    ),
    "reset two-factor": (
        lambda w: accounts.reset_two_factor(actor=w["director"], user=w["nurse"]),
        [E.TWO_FACTOR_RESET],
    ),
}


@pytest.mark.parametrize("name", WRITES)
def test_each_write_leaves_its_audit_entries(name, world):
    action, expected = WRITES[name]
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    action(world)
    written = list(
        AuditEvent.objects.filter(id__gt=before).order_by("id").values_list("event_type", flat=True)
    )
    assert written == expected
