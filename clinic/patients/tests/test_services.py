from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError, InvalidTransitionError, PermissionDeniedError
from clinic.core.models import Location, Organisation
from clinic.core.validation import clean_without_queries
from clinic.patients import services
from clinic.patients.models import Patient, VitalSigns
from clinic.patients.tests.factories import patient_details, register_test_patient
from conftest import client_for, service_statements


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
    assert updated.phone == "+16175550111"
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


def test_the_portal_invitation_is_sent_again_until_a_password_is_chosen(
    front_desk, clinician, location, django_capture_on_commit_callbacks, mailoutbox
):
    patient = register_test_patient(actor=clinician, location=location, email="pat@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        patient = services.invite_patient_to_portal(actor=front_desk, patient=patient)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.invite_patient_to_portal(actor=front_desk, patient=patient)
    assert again.user_id == patient.user_id and len(mailoutbox) == 2
    first_link, second_link = (m.body.split("\n\n")[2].strip() for m in mailoutbox)
    assert first_link != second_link
    entries = AuditEvent.objects.filter(
        event_type=AuditEventType.PORTAL_INVITED, target_id=str(patient.pk)
    )
    assert [e.details.get("sent_again", False) for e in entries.order_by("id")] == [False, True]
    chart = client_for(front_desk).get(reverse("patients:chart", args=[patient.public_id]))
    assert "Send the portal invitation again" in chart.content.decode()
    user = patient.user
    user.set_password("chosen-by-the-patient-2026")
    user.save()
    with pytest.raises(ClinicError, match="already uses the portal"):
        services.invite_patient_to_portal(actor=front_desk, patient=patient)
    assert len(mailoutbox) == 2


def test_a_patient_without_email_cannot_be_invited(front_desk, clinician, location):
    patient = register_test_patient(actor=clinician, location=location, email="")
    with pytest.raises(ClinicError, match="e-mail address first"):
        services.invite_patient_to_portal(actor=front_desk, patient=patient)


def test_the_bmi_is_computed_from_height_and_weight(clinician, location):
    patient = register_test_patient(
        actor=clinician, location=location, height_cm=Decimal("175.0"), weight_kg=Decimal("70.0")
    )
    assert patient.bmi == Decimal("22.9")


# --- checks made without a query: the same messages -------------------------------------------
def unformatted(error: ValidationError) -> dict:
    """Each field's messages as Django holds them (text, code, values), not formatted: the SpO₂
    range's message has a bare "%" that Django cannot format (forms and the API check the range
    first, so no one is shown it)."""
    return {
        field: [(e.message, e.code, e.params) for e in errors]
        for field, errors in error.error_dict.items()
    }


def old_check(details: dict, location) -> dict:
    """What registration said before its checks left `full_clean()`: the record as built, and
    Django's own check of it (with its queries), the MRN aside."""
    patient = Patient(location=location, status="prospective", **details)
    if patient.height_cm or patient.weight_kg:
        patient.measurements_taken_at = timezone.now()
    patient.mrn = "pending"
    with pytest.raises(ValidationError) as said:
        patient.full_clean(exclude=["mrn"])
    return said.value.message_dict


@pytest.mark.parametrize(
    "changes",
    [
        {"height_cm": Decimal("300.0")},
        {"height_cm": Decimal("49.9")},
        {"weight_kg": Decimal("900")},
        {"weight_kg": Decimal("19.9")},
        {"height_cm": Decimal("12345.6")},
        {"phone": "call me"},
        {"email": "not an address"},
        {"sex": "robot"},
        {"legal_last_name": ""},
        {"date_of_birth": None},
    ],
)
def test_registration_refuses_with_the_messages_it_gave_before(clinician, location, changes):
    details = patient_details(**changes)
    expected = old_check(details, location)
    with pytest.raises(ValidationError) as said:
        services.register_patient(actor=clinician, location=location, details=details)
    assert said.value.message_dict == expected
    assert Patient.objects.count() == 0


@pytest.mark.parametrize(
    "values",
    [
        {"status": "lost"},
        {"height_cm": Decimal("251.0")},
        {"weight_kg": Decimal("351.0")},
        {"pregnancy_potential": "not_possible"},
        {
            "pregnancy_potential": "not_possible",
            "pregnancy_potential_reason": "other",
            "pregnancy_potential_note": "",
        },
    ],
)
def test_each_check_constraint_of_the_record_gives_django_s_message_without_a_query(
    location, values, django_assert_num_queries
):
    patient = Patient(location=location, mrn="KC-1", **{**patient_details(), **values})
    with pytest.raises(ValidationError) as django_own:
        patient.full_clean()
    with django_assert_num_queries(0), pytest.raises(ValidationError) as without:
        clean_without_queries(patient)
    assert without.value.message_dict == django_own.value.message_dict


@pytest.mark.parametrize(
    "values",
    [
        {"systolic_mmhg": 301},
        {"diastolic_mmhg": 19},
        {"heart_rate_bpm": 251},
        {"respiratory_rate_per_min": 1},
        {"spo2_pct": 49},
        {"temperature_c": Decimal("45.1")},
        {"weight_kg": Decimal("19.9")},
        {"systolic_mmhg": 80, "diastolic_mmhg": 90},
        {},
    ],
)
def test_vital_signs_are_refused_with_the_messages_they_gave_before(
    clinician, patient_alice, values
):
    """Before: `full_clean(validate_constraints=False)`, with a query for each key and for the
    public id."""
    now = timezone.now()
    built = VitalSigns(
        patient=patient_alice,
        location_id=patient_alice.location_id,
        context="evaluation",
        taken_at=now,
        recorded_by=clinician,
        **values,
    )
    try:
        built.full_clean(validate_constraints=False)
    except ValidationError as error:
        expected = unformatted(error)
    else:
        expected = None
    if not values:
        with pytest.raises(ClinicError, match="at least one"):
            services.create_vital_signs(
                actor=clinician,
                patient=patient_alice,
                context="evaluation",
                taken_at=now,
                values={},
            )
        return
    with pytest.raises(ValidationError) as said:
        services.create_vital_signs(
            actor=clinician,
            patient=patient_alice,
            context="evaluation",
            taken_at=now,
            values=values,
        )
    assert unformatted(said.value) == expected


def test_a_duplicate_mrn_is_refused_with_a_message_not_a_database_error(clinician, location):
    first = services.register_patient(actor=clinician, location=location, details=patient_details())
    # A counter set back (say, a restore from an older copy) would hand out that MRN again.
    Organisation.objects.update(last_mrn_number=0)
    with pytest.raises(ValidationError) as said:
        services.register_patient(actor=clinician, location=location, details=patient_details())
    assert said.value.message_dict == {"mrn": ["Patient with this MRN already exists."]}
    assert list(Patient.objects.values_list("mrn", flat=True)) == [first.mrn]


def test_a_duplicate_public_id_is_refused_as_the_check_before_the_write_refused_it(
    clinician, location, monkeypatch
):
    first = services.register_patient(actor=clinician, location=location, details=patient_details())
    monkeypatch.setattr(
        Patient._meta.get_field("public_id"), "_get_default", lambda: first.public_id
    )
    details = patient_details()
    expected = old_check(details, location)
    with pytest.raises(ValidationError) as said:
        services.register_patient(actor=clinician, location=location, details=details)
    assert (
        said.value.message_dict
        == expected
        == {"public_id": ["Patient with this Public id already exists."]}
    )


@pytest.mark.django_db(transaction=True)
def test_a_home_location_that_is_no_row_is_refused_as_before(clinician, location):
    """A key is checked by the database when the transaction commits; the refusal is explained
    with the message of the check made before the write."""
    gone = Location(pk=location.pk + 1000, name="Closed", time_zone="America/New_York")
    details = patient_details()
    expected = old_check(details, gone)
    assert expected == {"location": [f"location instance with id {gone.pk} is not a valid choice."]}
    with pytest.raises(ValidationError) as said:
        services.register_patient(actor=clinician, location=gone, details=details)
    assert said.value.message_dict == expected
    assert Patient.objects.count() == 0


# --- statements ----------------------------------------------------------------------------
# Registering: the MRN counter raised and read (one UPDATE … RETURNING), the patient and its first
# status change, then the audit row (the chain's head read, the row inserted).
REGISTRATION_STATEMENTS = 5


def test_registering_a_patient_takes_a_fixed_few_statements(
    clinician, location, django_assert_num_queries
):
    services.register_patient(actor=clinician, location=location, details=patient_details())
    with django_assert_num_queries(service_statements(REGISTRATION_STATEMENTS)):
        services.register_patient(actor=clinician, location=location, details=patient_details())
