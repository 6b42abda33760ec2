"""The patient's signed consent form as a PDF (drawn by clinic.core.documents): the exact text
version they signed, their typed name, the date they wrote and when and how it was signed."""

from __future__ import annotations

from django.urls import reverse

from clinic.accounts.choices import PORTAL_ROLES
from clinic.audit.choices import AuditEventType
from clinic.core.documents import DocumentKind, register_document_kind
from clinic.core.exceptions import ClinicError
from clinic.evaluation.models import ConsentSignature
from clinic.evaluation.permissions import READ_ROLES
from clinic.patients.models import Patient
from clinic.patients.permissions import can_view_patient

CONSENT_PDF = "evaluation.consent"


def may_request(user) -> bool:
    """The patient (or a minor's guardian) asks for the signed forms from the portal; clinical
    staff from the chart."""
    return (
        user.is_authenticated
        and user.is_active
        and (user.role in PORTAL_ROLES or user.role in READ_ROLES)
    )


def may_view(user, document) -> bool:
    """Clinical staff who may see the patient."""
    patient = Patient.objects.filter(pk=document.patient_id).first()
    return patient is not None and user.role in READ_ROLES and can_view_patient(user, patient)


def still_theirs(user, document) -> bool:
    """The person who asked may still see the patient: a guardianship that ended closes the PDFs
    the guardian asked for too."""
    patient = Patient.objects.filter(pk=document.patient_id).first()
    return patient is not None and can_view_patient(user, patient)


def signature_for(user, public_id) -> ConsentSignature | None:
    """The signature with this id if the user may have its PDF: their own, or (staff) one of a
    patient they may see."""
    signature = (
        ConsentSignature.objects.select_related("document", "patient", "patient__location")
        .filter(public_id=public_id, withdrawn_at__isnull=True)
        .first()
    )
    if signature is None or not may_request(user) or not can_view_patient(user, signature.patient):
        return None
    return signature


def _context(document) -> dict:
    signature = signature_for(document.requested_by, document.parameters.get("signature"))
    if signature is None:
        raise ClinicError("This consent signature is no longer available.")
    consent = signature.document
    return {
        "signature": signature,
        "consent": consent,
        "paragraphs": [p.strip() for p in consent.body.split("\n\n") if p.strip()],
    }


def _back(document) -> str:
    if document.requested_by.role in PORTAL_ROLES:
        return reverse("patients:my_record")
    return ""


def register() -> None:
    register_document_kind(
        DocumentKind(
            code=CONSENT_PDF,
            label="signed consent form",
            template="evaluation/pdf/consent.html",
            context=_context,
            may_request=may_request,
            may_view=may_view,
            audit_event=AuditEventType.PATIENT_RECORD_EXPORTED,
            back_url=_back,
            still_theirs=still_theirs,
        )
    )
