"""Writing, signing and sending progress letters to the referring provider."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.dates import show_date
from clinic.core.exceptions import ClinicError, InvalidTransitionError
from clinic.core.signing import confirm_signer, content_sha256
from clinic.letters import selectors
from clinic.letters.choices import SentVia
from clinic.letters.locks import lock_progress_letter
from clinic.letters.models import ProgressLetter
from clinic.letters.permissions import LETTER_READ_ROLES, LETTER_WRITE_ROLES
from clinic.patients.locks import lock_patient
from clinic.patients.models import Patient
from clinic.patients.permissions import ensure_can_act_on_patient

NEXT_STEPS_MAX = 4000
COMMENT_MAX = 4000


def _text(value: str, *, field: str, limit: int, required: bool, what: str) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ClinicError(f"Write {what}.", field=field)
    if len(text) > limit:
        raise ClinicError(
            f"{what[0].upper()}{what[1:]} is at most {limit} characters.", field=field
        )
    return text


def sign_progress_letter(
    *, actor, patient: Patient, next_steps: str, comment: str, password: str
) -> ProgressLetter:
    """Sign a new progress letter to the patient's referring provider: its content is read from
    the record now and kept as signed (the next letter is a new version)."""
    ensure_can_act_on_patient(
        actor,
        patient,
        roles=LETTER_WRITE_ROLES,
        action="sign progress letters",
        event_type=AuditEventType.LETTER_SIGNED,
    )
    if not patient.referring_provider_name.strip():
        raise ClinicError(
            "The patient's record names no referring provider: add them (name, practice, address, "
            "fax or e-mail) to the record first."
        )
    next_steps = _text(
        next_steps, field="next_steps", limit=NEXT_STEPS_MAX, required=True, what="the next steps"
    )
    comment = _text(comment, field="comment", limit=COMMENT_MAX, required=False, what="the comment")
    confirm_signer(actor, password, target=patient, patient_id=patient.pk)
    with transaction.atomic():
        locked = lock_patient(patient.pk)
        last = ProgressLetter.objects.filter(patient=locked).order_by("-number").first()
        content = selectors.letter_content(
            locked, signer=actor, next_steps=next_steps, comment=comment
        )
        now = timezone.now()
        letter = ProgressLetter.objects.create(
            patient=locked,
            location=locked.location,
            number=(last.number + 1) if last else 1,
            content=content,
            content_sha256=content_sha256(content),
            signed_by=actor,
            signed_at=now,
        )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.LETTER_SIGNED,
            target=letter,
            about=locked,
            details={"number": letter.number, "sha256": letter.content_sha256},
        )
    return letter


def record_letter_sent(*, actor, letter: ProgressLetter, sent_via: str) -> ProgressLetter:
    """Record that the letter was sent to the referring provider, how and to which number or
    address (read from the letter's own recipient, as signed)."""
    ensure_can_act_on_patient(
        actor,
        letter.patient,
        roles=LETTER_READ_ROLES,
        action="record a progress letter as sent",
        event_type=AuditEventType.LETTER_SENT,
    )
    if sent_via not in SentVia.values:
        raise ClinicError("Choose how the letter was sent.", field="sent_via")
    via = SentVia(sent_via)
    recipient = letter.content.get("recipient", {})
    sent_to = {
        SentVia.FAX: recipient.get("fax", ""),
        SentVia.EMAIL: recipient.get("email", ""),
        SentVia.POST: recipient.get("address", ""),
    }[via]
    if not sent_to:
        label = {SentVia.FAX: "fax number", SentVia.EMAIL: "e-mail", SentVia.POST: "address"}
        raise ClinicError(
            f"The letter names no {label[via]} for the referring provider: choose another "
            "way, or sign a new letter once the record holds it.",
            field="sent_via",
        )
    with transaction.atomic():
        locked = lock_progress_letter(letter.pk)
        if locked.sent_at is not None:
            raise InvalidTransitionError(
                f"This letter was already recorded as sent on {show_date(locked.sent_at)}."
            )
        locked.sent_via, locked.sent_to = via, sent_to[:400]
        locked.sent_by, locked.sent_at = actor, timezone.now()
        locked.save(update_fields=["sent_via", "sent_to", "sent_by", "sent_at"])
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.LETTER_SENT,
            target=locked,
            about=locked,
            details={"number": locked.number, "via": sent_via},
        )
    return locked
