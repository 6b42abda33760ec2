"""The esketamine REMS Patient Monitoring Form's submission, recorded after the clinic sent the
form to the REMS (`clinic.sessions.rems_form` fills the form in and tracks what is due)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from clinic.accounts.choices import CLINICAL_ROLES
from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.dates import show_date
from clinic.core.exceptions import ClinicError
from clinic.patients.permissions import ensure_can_act_on_patient
from clinic.sessions import rules
from clinic.sessions.models import RemsFormSubmission, TreatmentSession
from clinic.sessions.rems_form import FORM_STATUSES, FORM_VERSION, session_owes_form


def record_rems_submission(
    *, actor, session: TreatmentSession, submitted_on, confirmation_number: str
) -> RemsFormSubmission:
    """Record that the session's Patient Monitoring Form was submitted to the REMS."""
    ensure_can_act_on_patient(
        actor,
        session.patient,
        roles=CLINICAL_ROLES,
        action="record a REMS form submission",
        event_type=AuditEventType.REMS_FORM_SUBMITTED,
    )
    if not session_owes_form(session):
        raise ClinicError("Only an esketamine session given at a US location has a REMS form.")
    if session.status not in FORM_STATUSES:
        raise ClinicError("The form is submitted after the session: discharge the patient first.")
    number = " ".join((confirmation_number or "").split())
    if not number:
        raise ClinicError(
            "Enter the confirmation number the REMS gave.", field="confirmation_number"
        )
    if len(number) > 60:
        raise ClinicError(
            "The confirmation number is at most 60 characters.", field="confirmation_number"
        )
    zone = session.location.zone
    treated_on = timezone.localtime(session.dosed_at, zone).date()
    today = timezone.localdate(timezone.now(), zone)
    if submitted_on is None:
        raise ClinicError("Enter the date the form was submitted.", field="submitted_on")
    if submitted_on < treated_on or submitted_on > today:
        raise ClinicError(
            f"The form was submitted between the treatment ({show_date(treated_on)}) and today.",
            field="submitted_on",
        )
    with transaction.atomic():
        submission = RemsFormSubmission.objects.create(
            session=session,
            form_version=FORM_VERSION,
            submitted_on=submitted_on,
            confirmation_number=number,
            submitted_by=actor,
            recorded_at=timezone.now(),
        )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.REMS_FORM_SUBMITTED,
            target=session,
            about=session,
            details={
                "submitted_on": submitted_on.isoformat(),
                "confirmation_number": number,
                "late": submitted_on > treated_on + timedelta(days=rules.REMS_FORM_DAYS),
            },
        )
    return submission
