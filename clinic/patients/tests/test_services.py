from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError, InvalidTransitionError, PermissionDeniedError
from clinic.patients import services
from clinic.patients.models import Patient
from clinic.patients.tests.factories import patient_details, register_test_patient


def test_registering_gives_consecutive_mrns_and_one_audit_entry_each(clinician, location):
    first = services.register_patient(actor=clinician, location=location, details=patient_details())
    second = services.register_patient(
        actor=clinician, location=location, details=patient_details()
    )
    assert (first.mrn, second.mrn) == ("KC-000001", "KC-000002")
    for patient in (first, second):
        assert (
            AuditEvent.objects.filter(
                event_type=AuditEventType.PATIENT_CREATED, patient_id=patient.pk
            ).count()
            == 1
        )
        assert patient.status == "prospective" and patient.status_changes.count() == 1


def test_a_nurse_cannot_register_patients(nurse, location):
    with pytest.raises(PermissionDeniedError):
        services.register_patient(actor=nurse, location=location, details=patient_details())
    assert Patient.objects.count() == 0
    assert AuditEvent.objects.filter(actor=nurse, outcome=AuditOutcome.DENIED).count() == 1


def test_front_desk_does_not_record_height_or_weight(front_desk, location):
    with pytest.raises(PermissionDeniedError, match="height or weight"):
        services.register_patient(actor=front_desk, location=location, details=patient_details())
    patient = services.register_patient(
        actor=front_desk, location=location, details=patient_details(height_cm=None, weight_kg=None)
    )
    assert patient.height_cm is None


def test_impossible_measurements_are_refused_by_the_record(clinician, location):
    with pytest.raises(ValidationError):
        services.register_patient(
            actor=clinician, location=location, details=patient_details(weight_kg=Decimal("900"))
        )


def test_updating_audits_the_names_of_changed_fields_not_their_values(clinician, location):
    patient = register_test_patient(actor=clinician, location=location)
    updated = services.update_patient(
        actor=clinician,
        patient=patient,
        changes={"phone": "(617) 555-0111", "legal_first_name": patient.legal_first_name},
    )
    assert updated.phone == "(617) 555-0111"
    event = AuditEvent.objects.filter(event_type=AuditEventType.PATIENT_UPDATED).get()
    assert event.details == {"fields": ["phone"]}
    assert "555-0111" not in str(event.details)


def test_an_update_that_changes_nothing_writes_nothing(clinician, location):
    patient = register_test_patient(actor=clinician, location=location)
    services.update_patient(actor=clinician, patient=patient, changes={"phone": patient.phone})
    assert not AuditEvent.objects.filter(event_type=AuditEventType.PATIENT_UPDATED).exists()


def test_the_course_of_care_moves_only_along_allowed_steps(clinician, location):
    patient = register_test_patient(actor=clinician, location=location)
    with pytest.raises(InvalidTransitionError, match="cannot move"):
        services.change_patient_status(
            actor=clinician, patient=patient, to_status="maintenance", reason=""
        )
    patient = services.change_patient_status(
        actor=clinician, patient=patient, to_status="in_evaluation", reason=""
    )
    patient = services.change_patient_status(
        actor=clinician, patient=patient, to_status="active", reason="Plan signed"
    )
    with pytest.raises(ClinicError, match="why the patient is discharged"):
        services.change_patient_status(
            actor=clinician, patient=patient, to_status="discharged", reason=""
        )
    patient = services.change_patient_status(
        actor=clinician, patient=patient, to_status="discharged", reason="Moved away"
    )
    assert list(patient.status_changes.values_list("to_status", flat=True)) == [
        "discharged",
        "active",
        "in_evaluation",
        "prospective",
    ]


def test_front_desk_may_only_book_a_patient_into_evaluation(front_desk, clinician, location):
    patient = register_test_patient(actor=clinician, location=location)
    patient = services.change_patient_status(
        actor=front_desk, patient=patient, to_status="in_evaluation", reason=""
    )
    with pytest.raises(PermissionDeniedError):
        services.change_patient_status(
            actor=front_desk, patient=patient, to_status="active", reason=""
        )


def test_inviting_a_patient_creates_a_portal_account_and_emails_a_link(
    front_desk, clinician, location, django_capture_on_commit_callbacks, mailoutbox
):
    patient = register_test_patient(actor=clinician, location=location, email="pat@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        patient = services.invite_patient_to_portal(actor=front_desk, patient=patient)
    assert patient.user.role == "patient" and patient.user.email == "pat@example.com"
    assert not patient.user.has_usable_password()
    assert len(mailoutbox) == 1 and "/accounts/password-reset/" in mailoutbox[0].body
    with pytest.raises(ClinicError, match="already has a portal account"):
        services.invite_patient_to_portal(actor=front_desk, patient=patient)


def test_a_patient_without_email_cannot_be_invited(front_desk, clinician, location):
    patient = register_test_patient(actor=clinician, location=location, email="")
    with pytest.raises(ClinicError, match="e-mail address first"):
        services.invite_patient_to_portal(actor=front_desk, patient=patient)


def test_the_bmi_is_computed_from_height_and_weight(clinician, location):
    patient = register_test_patient(
        actor=clinician, location=location, height_cm=Decimal("175.0"), weight_kg=Decimal("70.0")
    )
    assert patient.bmi == Decimal("22.9")
