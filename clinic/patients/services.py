"""Every change to a patient record: one function per action, audited in the same transaction."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import phonenumbers
from django.db import connection, transaction
from django.utils import timezone

from clinic.accounts.choices import CLINICAL_ROLES, STAFF_ROLES, Role
from clinic.accounts.models import User
from clinic.accounts.services import create_account_with_invitation, send_invitation_again
from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.exceptions import ClinicError, InvalidTransitionError, PermissionDeniedError
from clinic.core.meta import present
from clinic.core.models import Location, Organisation
from clinic.core.permissions import ensure_role, refuse
from clinic.core.records import apply_changes
from clinic.core.validation import clean_without_queries, explain_refusal
from clinic.patients.ages import under_age_message
from clinic.patients.choices import (
    ALLOWED_STATUS_CHANGES,
    CourseEvent,
    NoPregnancyPotentialReason,
    PatientStatus,
    PregnancyPotential,
)
from clinic.patients.hooks import care_changed
from clinic.patients.locks import lock_guardian, lock_patient, lock_patients_with_phone
from clinic.patients.models import Guardian, Patient, PatientStatusChange, VitalSigns
from clinic.patients.permissions import (
    REGISTRATION_ROLES,
    can_change_patient_status,
    can_edit_patient,
    can_invite_patient_to_portal,
    can_manage_guardians,
    can_view_clinical_details,
    ensure_can_act_on_patient,
)
from clinic.patients.policy import get_patient_policy
from clinic.patients.rules import status_after_course_event

# Fields a person may set through the record form; everything else is set by the services.
EDITABLE_FIELDS = (
    "legal_first_name",
    "legal_last_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "pronouns",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
    "referring_provider_name",
    "referring_provider_practice",
    "referring_provider_phone",
    "referring_provider_email",
    "referring_provider_fax",
    "referring_provider_address",
    "primary_conditions",
    "other_condition",
    "height_cm",
    "weight_kg",
)
MEASUREMENT_FIELDS = frozenset({"height_cm", "weight_kg"})


def _allocate_mrn() -> str:
    """Next medical record number: the organisation's counter raised and read back in one
    statement, which holds the organisation's row lock until the transaction ends, so that two
    registrations at once never share one (house rule 3 in docs/architecture.md)."""
    quote = connection.ops.quote_name
    updated_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(Organisation._meta.db_table)} "
            f"SET {quote('last_mrn_number')} = {quote('last_mrn_number')} + 1, "
            f"{quote('updated_at')} = %s "
            f"RETURNING {quote('mrn_prefix')}, {quote('last_mrn_number')}",
            [updated_at],
        )
        rows = cursor.fetchall()
    if not rows:
        # (The database holds at most one organisation: see Organisation.singleton.)
        raise Organisation.DoesNotExist("Organisation matching query does not exist.")
    ((prefix, number),) = rows
    return f"{prefix}-{number:06d}"


def _check_fields(details: dict[str, Any]) -> None:
    unknown = set(details) - set(EDITABLE_FIELDS)
    if unknown:
        raise ClinicError(f"These fields cannot be set here: {', '.join(sorted(unknown))}.")


def _check_minimum_age(patient: Patient) -> None:
    """Registration follows the clinic's minimum age (PatientPolicy.minimum_age_years, never
    above the age of majority)."""
    if not patient.date_of_birth:
        return
    today = timezone.localdate(timezone.now(), patient.location.zone)
    if not patient.is_minor_on(today):
        return  # the minimum is at most the age of majority: an adult needs no read
    minimum = get_patient_policy().minimum_age_years
    if patient.age_on(today) < minimum:
        raise ClinicError(under_age_message(minimum), field="date_of_birth")


def create_patient_record(
    *, actor, location: Location, details: dict[str, Any], source: str
) -> Patient:
    """Create a patient inside the caller's transaction (used by registration and by converting a
    consultation request, which must commit both or neither)."""
    _check_fields(details)
    if not location.is_active:
        raise ClinicError("This location is closed; choose an open location.", field="location")
    if MEASUREMENT_FIELDS & {
        k for k, v in details.items() if v is not None
    } and not can_view_clinical_details(actor):
        raise PermissionDeniedError("Your role does not record height or weight.")
    patient = Patient(location=location, status=PatientStatus.PROSPECTIVE, **details)
    _check_minimum_age(patient)
    if patient.height_cm or patient.weight_kg:
        patient.measurements_taken_at = timezone.now()
    patient.mrn = "pending"
    # The checks that need no query; the database refuses a key to no row or a duplicate, and
    # `explain_refusal()` around the transaction says why in the same words.
    clean_without_queries(patient, exclude=["mrn"])
    patient.mrn = _allocate_mrn()
    patient.status_changed_at = timezone.now()
    patient.save()
    PatientStatusChange.objects.create(
        patient=patient,
        location=location,
        from_status="",
        to_status=patient.status,
        reason=f"Registered ({source})",
        changed_by=actor,
    )
    record_audit_event(
        actor=actor,
        event_type=AuditEventType.PATIENT_CREATED,
        target=patient,
        patient_id=patient.pk,
        location_id=location.pk,
        details={"source": source, "mrn": patient.mrn},
    )
    return patient


def register_patient(*, actor, location: Location, details: dict[str, Any]) -> Patient:
    """Register a new patient directly (a referral or a walk-in), with a new MRN."""
    ensure_role(
        actor,
        REGISTRATION_ROLES,
        action="register patients",
        event_type=AuditEventType.PATIENT_CREATED,
    )
    with explain_refusal(), transaction.atomic(durable=True):
        return create_patient_record(
            actor=actor, location=location, details=details, source="registration"
        )


def update_patient(
    *, actor, patient: Patient, changes: dict[str, Any], location: Location | None = None
) -> Patient:
    """Change a patient's details; the audit entry names the fields changed (not their values)."""
    if not can_edit_patient(actor, patient):
        refuse(
            actor,
            action="change this patient record",
            event_type=AuditEventType.PATIENT_UPDATED,
            target=patient,
            patient_id=patient.pk,
        )
    _check_fields(changes)
    with transaction.atomic(durable=True):
        locked = lock_patient(patient.pk)
        changed = apply_changes(locked, changes)
        if MEASUREMENT_FIELDS & set(changed) and not can_view_clinical_details(actor):
            raise PermissionDeniedError("Your role does not record height or weight.")
        if location is not None and location.pk != locked.location_id:
            if not location.is_active:
                raise ClinicError(
                    "This location is closed; choose an open location.", field="location"
                )
            locked.location = location
            changed.append("location")
        if not changed:
            return locked
        if MEASUREMENT_FIELDS & set(changed):
            locked.measurements_taken_at = timezone.now()
        locked.full_clean()
        locked.save()
        if "primary_conditions" in changed:
            care_changed(locked)
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.PATIENT_UPDATED,
            target=locked,
            about=locked,
            details={"fields": changed},
        )
        return locked


def record_measurements(
    *,
    actor,
    patient: Patient,
    height_cm=None,
    weight_kg=None,
    measured_at,
    patient_is_locked: bool = False,
) -> Patient:
    """Inside the caller's transaction (the caller has checked that the actor may record
    measurements for this patient): height and weight measured elsewhere, e.g. in the
    evaluation, become the patient's when they are newer than those on record. A caller that
    already holds the patient's row lock passes the row it read under it
    (`patient_is_locked`)."""
    locked = patient if patient_is_locked else lock_patient(patient.pk)
    if locked.measurements_taken_at is not None and measured_at <= locked.measurements_taken_at:
        return locked
    changes = {
        field: value
        for field, value in (("height_cm", height_cm), ("weight_kg", weight_kg))
        if value is not None
    }
    changed = apply_changes(locked, changes)
    if not changed:
        return locked
    locked.measurements_taken_at = measured_at
    # Keys and uniqueness are the database's (the caller explains a refusal: explain_refusal).
    clean_without_queries(locked)
    locked.save()
    record_audit_event(
        actor=actor,
        event_type=AuditEventType.PATIENT_UPDATED,
        target=locked,
        about=locked,
        details={"fields": changed, "measured_in": "evaluation"},
    )
    return locked


def record_pregnancy_potential(
    *, actor, patient: Patient, potential: str, reason: str = "", note: str = ""
) -> Patient:
    """Record whether the patient could be pregnant ("cannot" with its reason), as asked by a
    member of the care team before dosing. The pre-dose pregnancy gate reads this, never the sex
    recorded for dose calculations: screening follows anatomy and pregnancy potential (Fricke et
    al., INAHTA). Runs inside the caller's transaction when there is one (the session checklist)."""
    ensure_can_act_on_patient(
        actor,
        patient,
        roles=CLINICAL_ROLES,
        action="record whether a patient could be pregnant",
        event_type=AuditEventType.PATIENT_UPDATED,
    )
    if potential not in PregnancyPotential.values:
        raise ClinicError(
            "Choose whether the patient could be pregnant.", field="pregnancy_potential"
        )
    reason, note = (reason or "").strip(), (note or "").strip()[:200]
    if potential == PregnancyPotential.NOT_POSSIBLE:
        if reason not in NoPregnancyPotentialReason.values:
            raise ClinicError(
                "Say why the patient cannot be pregnant.", field="pregnancy_potential_reason"
            )
        if reason == NoPregnancyPotentialReason.OTHER and not note:
            raise ClinicError(
                "Describe the reason the patient cannot be pregnant.",
                field="pregnancy_potential_note",
            )
    else:
        # "Could be pregnant" and "not asked" carry no reason.
        reason = note = ""
    with transaction.atomic():
        locked = lock_patient(patient.pk)
        values = {
            "pregnancy_potential": potential,
            "pregnancy_potential_reason": reason,
            "pregnancy_potential_note": note,
        }
        if all(getattr(locked, name) == value for name, value in values.items()):
            return locked
        for name, value in values.items():
            setattr(locked, name, value)
        locked.pregnancy_potential_recorded_by = actor
        locked.pregnancy_potential_recorded_at = timezone.now()
        locked.save(
            update_fields=[
                *values,
                "pregnancy_potential_recorded_by",
                "pregnancy_potential_recorded_at",
                "updated_at",
            ]
        )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.PATIENT_UPDATED,
            target=locked,
            about=locked,
            details={"fields": sorted(values), **values},
        )
        return locked


def change_patient_status(
    *, actor, patient: Patient, to_status: str, reason: str, in_caller_transaction: bool = False
) -> Patient:
    """Move a patient to the next stage of care; refused if the step is not one care allows.
    `in_caller_transaction`: part of a larger signed act (a follow-up review ending treatment),
    which commits or fails with it."""
    if to_status not in PatientStatus.values:
        raise ClinicError("Choose one of the listed statuses.", field="to_status")
    if not can_change_patient_status(actor, patient, to_status):
        refuse(
            actor,
            action="make this status change",
            event_type=AuditEventType.PATIENT_STATUS_CHANGED,
            target=patient,
            patient_id=patient.pk,
        )
    reason = reason.strip()
    with transaction.atomic(durable=not in_caller_transaction):
        locked = lock_patient(patient.pk)
        if to_status not in ALLOWED_STATUS_CHANGES[locked.status]:
            raise InvalidTransitionError(
                f"A patient who is “{locked.get_status_display()}” cannot move to "
                f"“{PatientStatus(to_status).label}”.",
                field="to_status",
            )
        if to_status == PatientStatus.DISCHARGED and not reason:
            raise ClinicError("Say why the patient is discharged.", field="reason")
        from_status = _move_status(actor, locked, to_status, reason=reason)
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.PATIENT_STATUS_CHANGED,
            target=locked,
            about=locked,
            details={"from": from_status, "to": to_status},
        )
        return locked


def _move_status(
    actor, locked: Patient, to_status: str, *, reason: str, course_event: str = ""
) -> str:
    """Write the locked patient's new status and its history row (by hand, or following
    `course_event`), and tell the apps above; returns the status it had."""
    from_status = locked.status
    locked.status = to_status
    locked.status_changed_at = timezone.now()
    locked.save(update_fields=["status", "status_changed_at", "updated_at"])
    PatientStatusChange.objects.create(
        patient=locked,
        location_id=locked.location_id,
        from_status=from_status,
        to_status=to_status,
        reason=reason[:500],
        course_event=course_event,
        changed_by=actor,
    )
    care_changed(locked)
    return from_status


def update_status_from_course(
    *, actor, patient_id: int, event: CourseEvent, reason: str
) -> Patient | None:
    """Move the patient's status on to follow an event of their care (the rule:
    clinic.patients.rules.status_after_course_event); returns the patient if it changed.

    Called by the service that records the event (start or sign an evaluation, sign a plan
    version, give a session's dose, end a plan), inside that service's transaction and after its
    own permission check: the status follows what was done, so it needs no permission of its own
    beyond being staff. The patient's row is locked last, after the caller's own rows (the order
    the session, evaluation and plan steps keep). A discharged patient is not made active again by
    a late event: the rule keeps them discharged (see its docstring). The change is written to the
    status history with the event, and audited with the acting user and the reason."""
    ensure_role(
        actor,
        STAFF_ROLES,
        action="change a patient's status",
        event_type=AuditEventType.PATIENT_STATUS_FOLLOWED_CARE,
        patient_id=patient_id,
    )
    with transaction.atomic():
        locked = lock_patient(patient_id)
        to_status = status_after_course_event(locked.status, event)
        if to_status == locked.status:
            return None
        from_status = _move_status(actor, locked, to_status, reason=reason, course_event=event)
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.PATIENT_STATUS_FOLLOWED_CARE,
            target=locked,
            about=locked,
            details={"from": from_status, "to": to_status, "event": event, "reason": reason},
        )
        return locked


def invite_patient_to_portal(*, actor, patient: Patient) -> Patient:
    """Give a patient a portal account and e-mail them a link to choose their password; for an
    account whose password was never chosen, send a new link (the earlier one stops working)."""
    if not can_invite_patient_to_portal(actor, patient):
        refuse(
            actor,
            action="invite patients to the portal",
            event_type=AuditEventType.PORTAL_INVITED,
            target=patient,
            patient_id=patient.pk,
        )
    if not patient.email:
        raise ClinicError(
            "Add the patient's e-mail address first: the invitation is sent there.", field="email"
        )
    with transaction.atomic(durable=True):
        locked = lock_patient(patient.pk)
        if locked.user_id is not None:
            account = present(locked.user, "The patient's portal account")
            if account.has_usable_password():
                raise ClinicError(
                    "This patient already uses the portal (a password has been chosen); "
                    "a forgotten password is reset from the sign-in page."
                )
            send_invitation_again(account, contact_location_id=locked.location_id)
            record_audit_event(
                actor=actor,
                event_type=AuditEventType.PORTAL_INVITED,
                target=locked,
                about=locked,
                details={"sent_again": True},
            )
            return locked
        user = create_account_with_invitation(
            actor=actor,
            email=locked.email,
            full_name=locked.display_name,
            role=Role.PATIENT,
            locations=[],
            patient_id=locked.pk,
            contact_location_id=locked.location_id,
        )
        locked.user = user
        locked.save(update_fields=["user", "updated_at"])
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.PORTAL_INVITED,
            target=locked,
            about=locked,
        )
        return locked


VITAL_SIGN_FIELDS = (
    "systolic_mmhg",
    "diastolic_mmhg",
    "heart_rate_bpm",
    "respiratory_rate_per_min",
    "spo2_pct",
    "temperature_c",
    "consciousness",
    "on_supplemental_oxygen",
    "weight_kg",
)


def build_vital_signs(
    *, actor, patient: Patient, context: str, taken_at, values: dict[str, Any]
) -> VitalSigns:
    """One set of vital signs, checked and not yet saved (for `create_vital_signs`, and for a
    monitor's batch, which inserts many at once and audits them in one entry)."""
    unknown = set(values) - set(VITAL_SIGN_FIELDS)
    if unknown:
        raise ClinicError(f"Unknown vital signs: {', '.join(sorted(unknown))}.")
    if not any(values.get(field) not in (None, "", False) for field in VITAL_SIGN_FIELDS):
        raise ClinicError("Enter at least one reading.")
    if taken_at > timezone.now() + timedelta(minutes=5):
        raise ClinicError("The time of the reading cannot be in the future.", field="taken_at")
    vitals = VitalSigns(
        patient=patient,
        location_id=patient.location_id,
        context=context,
        taken_at=taken_at,
        recorded_by=actor,
        **values,
    )
    # Field validators and clean() say what is wrong in words; the database constraints remain
    # the backstop (the patient, the location and the person are rows the caller holds).
    clean_without_queries(vitals, validate_constraints=False)
    return vitals


def create_vital_signs(
    *,
    actor,
    patient: Patient,
    context: str,
    taken_at,
    values: dict[str, Any],
    actor_label: str | None = None,
) -> VitalSigns:
    """Record one set of vital signs inside the caller's transaction (audited). `actor` is None
    for a monitor posting through the API; `actor_label` then names it in the audit log."""
    vitals = build_vital_signs(
        actor=actor, patient=patient, context=context, taken_at=taken_at, values=values
    )
    vitals.save()
    record_audit_event(
        actor=actor,
        event_type=AuditEventType.VITAL_SIGNS_RECORDED,
        target=vitals,
        about=patient,
        details={"context": context},
        actor_label=actor_label,
    )
    return vitals


def set_sms_preference(*, actor, patient: Patient, opted_in: bool) -> Patient:
    """The patient (on the portal) says yes or no to text messages: reminders and "a reply is
    waiting" notices. A yes needs a mobile number on the record."""
    if not (actor.role == Role.PATIENT and patient.user_id == actor.pk):
        refuse(
            actor,
            action="change this patient's text-message preference",
            event_type=AuditEventType.SMS_PREFERENCE_CHANGED,
            target=patient,
            patient_id=patient.pk,
        )
    with transaction.atomic(durable=True):
        locked = lock_patient(patient.pk)
        if opted_in and not locked.phone:
            raise ClinicError(
                "There is no phone number on your record; ask the clinic to add one first.",
                field="sms_opt_in",
            )
        if opted_in == locked.may_be_texted:
            return locked
        now = timezone.now()
        if opted_in:
            locked.sms_opted_in_at = now
        else:
            locked.sms_opted_out_at = now
        locked.save(update_fields=["sms_opted_in_at", "sms_opted_out_at", "updated_at"])
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.SMS_PREFERENCE_CHANGED,
            target=locked,
            about=locked,
            details={"opted_in": opted_in},
        )
    return locked


def record_sms_opt_out(*, phone_e164: str, source: str) -> int:
    """A text saying STOP came from this number (through the SMS provider's verified webhook):
    every patient with this mobile number stops getting texts. Returns how many records changed."""
    changed = 0
    with transaction.atomic(durable=True):
        now = timezone.now()
        for patient in lock_patients_with_phone(phone_e164):
            if not patient.may_be_texted and patient.sms_opted_out_at is not None:
                continue
            patient.sms_opted_out_at = now
            patient.save(update_fields=["sms_opted_out_at", "updated_at"])
            record_audit_event(
                actor=None,
                actor_label=source,
                event_type=AuditEventType.SMS_OPT_OUT_RECEIVED,
                target=patient,
                about=patient,
            )
            changed += 1
    return changed


# --- Guardians of minor patients ---------------------------------------------------------------
GUARDIAN_FIELDS = (
    "full_name",
    "relationship",
    "phone",
    "email",
    "authority_proof",
    "authority_proof_note",
)


def normalise_guardian_phone(value: str, *, country: str) -> str:
    """A phone number as E.164 (+15551234567), parsed and checked with the phonenumbers library
    (Google's libphonenumber metadata) in the patient's location's country unless it starts
    with +. Raises ClinicError on the phone field."""
    try:
        number = phonenumbers.parse(value or "", country or "US")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ClinicError(
            "Enter a valid phone number, e.g. (555) 123-4567, or with the country code "
            "(+44 20 7946 0958).",
            field="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _clean_guardian_details(details: dict[str, Any], *, patient: Patient) -> dict[str, Any]:
    unknown = set(details) - set(GUARDIAN_FIELDS)
    if unknown:
        raise ClinicError(f"These fields cannot be set here: {', '.join(sorted(unknown))}.")
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in details.items()}
    if "phone" in cleaned:
        cleaned["phone"] = normalise_guardian_phone(
            cleaned["phone"], country=patient.location.country
        )
    if "email" in cleaned:
        cleaned["email"] = (cleaned["email"] or "").lower()
    return cleaned


def _ensure_can_manage_guardians(actor, patient: Patient, event_type) -> None:
    if not can_manage_guardians(actor, patient):
        refuse(
            actor,
            action="record guardians",
            event_type=event_type,
            target=patient,
            patient_id=patient.pk,
        )


def add_guardian(*, actor, patient: Patient, details: dict[str, Any]) -> Guardian:
    """Record a minor patient's legal representative, with the proof of authority the clinic
    saw. Only a patient under the age of majority has guardians (clinic.patients.ages)."""
    _ensure_can_manage_guardians(actor, patient, AuditEventType.GUARDIAN_ADDED)
    today = timezone.localdate(timezone.now(), patient.location.zone)
    if not patient.is_minor_on(today):
        raise ClinicError(
            "This patient is an adult: they consent for themselves and have no guardian here."
        )
    cleaned = _clean_guardian_details(details, patient=patient)
    with transaction.atomic(durable=True):
        lock_patient(patient.pk)
        guardian = Guardian(patient=patient, recorded_by=actor, **cleaned)
        guardian.full_clean()
        guardian.save()
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.GUARDIAN_ADDED,
            target=guardian,
            about=patient,
            details={"relationship": guardian.relationship, "proof": guardian.authority_proof},
        )
        return guardian


def update_guardian(*, actor, guardian: Guardian, changes: dict[str, Any]) -> Guardian:
    """Correct a guardian's details; the audit entry names the fields changed (not values)."""
    patient = guardian.patient
    _ensure_can_manage_guardians(actor, patient, AuditEventType.GUARDIAN_CHANGED)
    cleaned = _clean_guardian_details(changes, patient=patient)
    with transaction.atomic(durable=True):
        locked = lock_guardian(guardian.pk)
        if locked.ended_at is not None:
            raise InvalidTransitionError("This guardianship has ended; add the guardian again.")
        changed = apply_changes(locked, cleaned)
        if not changed:
            return locked
        locked.full_clean()
        locked.save()
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.GUARDIAN_CHANGED,
            target=locked,
            about=patient,
            details={"fields": changed},
        )
        return locked


def end_guardianship(*, actor, guardian: Guardian, reason: str) -> Guardian:
    """A guardian no longer represents the patient (custody changed, recorded in error). The row
    is kept; their portal account no longer opens the patient's record."""
    patient = guardian.patient
    _ensure_can_manage_guardians(actor, patient, AuditEventType.GUARDIAN_CHANGED)
    if not reason.strip():
        raise ClinicError("Say why this guardianship ends.", field="reason")
    with transaction.atomic(durable=True):
        locked = lock_guardian(guardian.pk)
        if locked.ended_at is not None:
            raise InvalidTransitionError("This guardianship has already ended.")
        locked.ended_at = timezone.now()
        locked.end_reason = reason.strip()[:300]
        locked.save(update_fields=["ended_at", "end_reason", "updated_at"])
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.GUARDIAN_CHANGED,
            target=locked,
            about=patient,
            details={"ended": True},
        )
        return locked


def invite_guardian_to_portal(*, actor, guardian: Guardian) -> Guardian:
    """Give a guardian a portal account linked to the patient (e-mailing a set-password link, as
    for patients). A guardian who already has an account (for a brother or sister) is linked to
    this patient too."""
    patient = guardian.patient
    if not can_invite_patient_to_portal(actor, patient):
        refuse(
            actor,
            action="invite guardians to the portal",
            event_type=AuditEventType.GUARDIAN_INVITED,
            target=patient,
            patient_id=patient.pk,
        )
    if not guardian.email:
        raise ClinicError(
            "Add the guardian's e-mail address first: the invitation is sent there.",
            field="email",
        )
    with transaction.atomic(durable=True):
        locked = lock_guardian(guardian.pk)
        if locked.ended_at is not None:
            raise InvalidTransitionError("This guardianship has ended.")
        if locked.user_id is not None:
            raise ClinicError("This guardian already has a portal account.")
        existing = User.objects.filter(email__iexact=locked.email).first()
        if existing is not None:
            if existing.role != Role.GUARDIAN:
                raise ClinicError(
                    "This e-mail address belongs to another kind of account (staff or a "
                    "patient's own): use the guardian's own address.",
                    field="email",
                )
            user = existing
        else:
            user = create_account_with_invitation(
                actor=actor,
                email=locked.email,
                full_name=locked.full_name,
                role=Role.GUARDIAN,
                locations=[],
                patient_id=patient.pk,
                contact_location_id=patient.location_id,
            )
        locked.user = user
        locked.save(update_fields=["user", "updated_at"])
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.GUARDIAN_INVITED,
            target=locked,
            about=patient,
            details={"existing_account": existing is not None},
        )
        return locked
