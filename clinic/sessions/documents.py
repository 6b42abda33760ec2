"""The esketamine REMS Patient Monitoring Form as a PDF, drawn in the background from the session
record (clinic.core.documents; the form's content is `clinic.sessions.rems_form.form_content`).

Clinical staff who may see the patient ask for it from the session's REMS form page and download
it; asking, the status page and each download are audited under the REMS form's event."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from clinic.accounts.choices import CLINICAL_ROLES
from clinic.audit.choices import AuditEventType
from clinic.core.dates import show_date
from clinic.core.documents import DocumentKind, register_document_kind
from clinic.core.exceptions import ClinicError
from clinic.core.services import request_document
from clinic.patients.permissions import can_view_patient
from clinic.sessions.models import TreatmentSession
from clinic.sessions.rems_form import form_content

REMS_FORM = "treatment_sessions.rems_form"


def _may_request(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in CLINICAL_ROLES


def _session_of(document) -> TreatmentSession | None:
    return (
        TreatmentSession.objects.select_related("patient", "location")
        .filter(public_id=document.parameters.get("session"))
        .first()
    )


def _may_view(user, document) -> bool:
    if not _may_request(user):
        return False
    session = _session_of(document)
    return session is not None and can_view_patient(user, session.patient)


def request_rems_form_pdf(viewer, *, session: TreatmentSession):
    """Ask for the session's Patient Monitoring Form as a PDF."""
    form_content(session)  # refuses a session that has no form, before anything is queued
    return request_document(
        actor=viewer,
        kind=REMS_FORM,
        # No patient's name in the title or the file's name: the form itself names them.
        title=(
            f"REMS Patient Monitoring Form, {session.location.name}, "
            f"{show_date(session.dosed_at or timezone.now(), session.location.zone)}"
        ),
        parameters={"session": str(session.public_id)},
        location=session.location,
        patient_id=session.patient_id,
        audit_details={"export": "rems_form", "format": "pdf", "session": session.public_id},
    )


def _context(document) -> dict:
    viewer = document.requested_by
    session = _session_of(document)
    if session is None or not (_may_request(viewer) and can_view_patient(viewer, session.patient)):
        raise ClinicError("That session is no longer one you can see.")
    return form_content(session)


def _page(document) -> str:
    return reverse("sessions:rems_form", args=[document.parameters["session"]])


def register() -> None:
    register_document_kind(
        DocumentKind(
            code=REMS_FORM,
            label="REMS Patient Monitoring Form",
            template="sessions/pdf/rems_form.html",
            context=_context,
            may_request=_may_request,
            may_view=_may_view,
            audit_event=AuditEventType.REMS_FORM_REQUESTED,
            back_url=_page,
        )
    )
