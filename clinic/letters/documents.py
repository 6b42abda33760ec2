"""A progress letter as a PDF, drawn in the background from the letter as it was signed
(clinic.core.documents). Clinical staff who may see the patient ask for it and download it;
asking, the status page and each download are audited as a look at the letter."""

from __future__ import annotations

from django.urls import reverse

from clinic.audit.choices import AuditEventType
from clinic.core.dates import show_date
from clinic.core.documents import DocumentKind, register_document_kind
from clinic.core.exceptions import ClinicError
from clinic.core.services import request_document
from clinic.letters.models import ProgressLetter
from clinic.letters.permissions import can_read_letters
from clinic.patients.permissions import can_view_patient

PROGRESS_LETTER = "letters.progress"


def _letter_of(document) -> ProgressLetter | None:
    return (
        ProgressLetter.objects.select_related("patient", "location", "signed_by", "sent_by")
        .filter(public_id=document.parameters.get("letter"))
        .first()
    )


def _may_view(user, document) -> bool:
    if not can_read_letters(user):
        return False
    letter = _letter_of(document)
    return letter is not None and can_view_patient(user, letter.patient)


def request_letter_pdf(viewer, *, letter: ProgressLetter):
    return request_document(
        actor=viewer,
        kind=PROGRESS_LETTER,
        # No patient's name in the title or the file's name: the letter itself names them.
        title=f"Progress letter {letter.number}, {letter.location.name}, {show_date(letter.signed_at, letter.location.zone)}",
        parameters={"letter": str(letter.public_id)},
        location=letter.location,
        patient_id=letter.patient_id,
        audit_details={"export": "progress_letter", "format": "pdf", "number": letter.number},
    )


def _context(document) -> dict:
    viewer = document.requested_by
    letter = _letter_of(document)
    if letter is None or not (
        can_read_letters(viewer) and can_view_patient(viewer, letter.patient)
    ):
        raise ClinicError("That letter is no longer one you can see.")
    return {"letter": letter, "content": letter.content}


def _page(document) -> str:
    return reverse("letters:detail", args=[document.parameters["letter"]])


def register() -> None:
    register_document_kind(
        DocumentKind(
            code=PROGRESS_LETTER,
            label="progress letter",
            template="letters/pdf/letter.html",
            context=_context,
            may_request=can_read_letters,
            may_view=_may_view,
            audit_event=AuditEventType.LETTER_VIEWED,
            back_url=_page,
        )
    )
