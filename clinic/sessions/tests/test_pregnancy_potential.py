"""The pregnancy gate asks whether the patient could be pregnant: a pregnancy potential kept on the
patient's record (set from the session checklist), never the sex recorded for dosing."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError, PermissionDeniedError
from clinic.patients import services as patient_services
from clinic.patients.models import Patient
from clinic.sessions import selectors, services
from clinic.sessions.choices import Gate
from clinic.sessions.forms import ChecklistForm
from clinic.sessions.models import TreatmentSession
from clinic.sessions.tests.factories import checked_in_appointment, started_session

pytestmark = pytest.mark.django_db


def pregnancy_gate(session):
    fresh = TreatmentSession.objects.get(pk=session.pk)
    return next(g for g in selectors.checklist(fresh).gates if g.gate == Gate.PREGNANCY)


def test_cannot_be_pregnant_is_kept_on_the_record_for_the_next_session(
    clinician, nurse, patient_alice
):
    session = started_session(clinician, nurse, patient_alice)
    services.update_checklist(
        actor=nurse,
        session=session,
        changes={
            "pregnancy_potential": "not_possible",
            "pregnancy_potential_reason": "post_menopausal",
        },
    )
    patient = Patient.objects.get(pk=patient_alice.pk)
    assert patient.pregnancy_potential == "not_possible"
    assert patient.pregnancy_potential_reason == "post_menopausal"
    assert patient.pregnancy_potential_recorded_by == nurse
    event = AuditEvent.objects.filter(
        event_type=AuditEventType.PATIENT_UPDATED, patient_id=patient.pk
    ).last()
    assert event.details["pregnancy_potential"] == "not_possible"
    assert pregnancy_gate(session).reason.startswith(
        "Cannot be pregnant: Post-menopausal (recorded by Nurse Nora on "
    )

    # The next visit: no test and no question again.
    services.stop_before_dosing(actor=nurse, session=session, reason="Rebooked for Thursday.")
    appointment = checked_in_appointment(patient, booked_by=clinician)
    next_session = services.start_session(actor=nurse, appointment=appointment)
    assert pregnancy_gate(next_session).passed


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"pregnancy_potential": "not_possible"}, "pregnancy_potential_reason"),
        (
            {"pregnancy_potential": "not_possible", "pregnancy_potential_reason": "other"},
            "pregnancy_potential_note",
        ),
        ({"pregnancy_potential": "maybe"}, "pregnancy_potential"),
        (
            {"pregnancy_potential": "not_possible", "pregnancy_potential_reason": "young"},
            "pregnancy_potential_reason",
        ),
    ],
)
def test_cannot_be_pregnant_needs_a_reason(clinician, nurse, patient_alice, changes, field):
    session = started_session(clinician, nurse, patient_alice)
    with pytest.raises(ClinicError) as error:
        services.update_checklist(actor=nurse, session=session, changes=changes)
    assert error.value.field == field
    assert Patient.objects.get(pk=patient_alice.pk).pregnancy_potential == ""
    assert not pregnancy_gate(session).passed


def test_another_reason_is_given_in_words(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    services.update_checklist(
        actor=nurse,
        session=session,
        changes={
            "pregnancy_potential": "not_possible",
            "pregnancy_potential_reason": "other",
            "pregnancy_potential_note": "Bilateral oophorectomy 2019",
        },
    )
    assert pregnancy_gate(session).reason.startswith(
        "Cannot be pregnant: Bilateral oophorectomy 2019 (recorded by"
    )


def test_could_be_pregnant_needs_a_negative_test_or_a_documented_reason(
    clinician, nurse, patient_alice
):
    session = started_session(clinician, nurse, patient_alice)
    services.update_checklist(
        actor=nurse, session=session, changes={"pregnancy_potential": "possible"}
    )
    assert not pregnancy_gate(session).passed
    services.update_checklist(
        actor=nurse,
        session=session,
        changes={
            "pregnancy_test": "not_applicable",
            "pregnancy_test_note": "Serum test negative yesterday, result on file.",
        },
    )
    result = pregnancy_gate(session)
    assert result.passed
    assert result.reason == "No test: Serum test negative yesterday, result on file."
    services.update_checklist(actor=nurse, session=session, changes={"pregnancy_test": "negative"})
    assert pregnancy_gate(session).reason == "Negative test."


def test_a_positive_test_blocks_whatever_the_record_says(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    services.update_checklist(
        actor=nurse,
        session=session,
        changes={
            "pregnancy_potential": "not_possible",
            "pregnancy_potential_reason": "hysterectomy",
            "pregnancy_test": "positive",
        },
    )
    result = pregnancy_gate(session)
    assert not result.passed
    assert "not given in pregnancy" in result.reason


def test_changing_only_the_reason_keeps_the_answer(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    services.update_checklist(
        actor=nurse,
        session=session,
        changes={
            "pregnancy_potential": "not_possible",
            "pregnancy_potential_reason": "post_menopausal",
        },
    )
    services.update_checklist(
        actor=nurse, session=session, changes={"pregnancy_potential_reason": "hysterectomy"}
    )
    patient = Patient.objects.get(pk=patient_alice.pk)
    assert (patient.pregnancy_potential, patient.pregnancy_potential_reason) == (
        "not_possible",
        "hysterectomy",
    )


def test_front_desk_does_not_record_pregnancy_potential(front_desk, patient_alice):
    with pytest.raises(PermissionDeniedError):
        patient_services.record_pregnancy_potential(
            actor=front_desk, patient=patient_alice, potential="possible"
        )


def test_the_record_never_holds_cannot_without_a_reason(patient_alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        Patient.objects.filter(pk=patient_alice.pk).update(pregnancy_potential="not_possible")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"pregnancy_potential": "not_possible"}, "pregnancy_potential_reason"),
        (
            {"pregnancy_potential": "not_possible", "pregnancy_potential_reason": "other"},
            "pregnancy_potential_note",
        ),
        ({"pregnancy_potential": "perhaps"}, "pregnancy_potential"),
    ],
)
def test_the_checklist_form_says_what_is_missing(data, field):
    form = ChecklistForm(data)
    assert not form.is_valid()
    assert field in form.errors


def test_the_checklist_page_asks_the_question(clinician, nurse, patient_alice):
    from conftest import client_for

    session = started_session(clinician, nurse, patient_alice)
    page = client_for(nurse).get(f"/sessions/{session.public_id}/").content.decode()
    assert "Could the patient be pregnant?" in page
    assert "Ask whether the patient could be pregnant" in page
