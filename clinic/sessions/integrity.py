"""Recomputing a locked session record's signatures (clinic.core.integrity)."""

from __future__ import annotations

from clinic.core.integrity import SealCheck, register_seal_check
from clinic.core.signing import content_sha256
from clinic.sessions.models import TreatmentSession
from clinic.sessions.services import session_addendum_content, session_content


def session_seal_problems(session: TreatmentSession, *, all_readings=None) -> list[str]:
    """What differs from the signatures of a signed session: the record and its entries (under
    the lock and under each signature), and each addendum. The page passes the readings it has
    already read."""
    if not session.content_sha256 and not session.signatures.exists():
        return []
    problems = []
    digest = content_sha256(session_content(session, all_readings=all_readings))
    if session.locked_at is not None and digest != session.content_sha256:
        problems.append("The session record or its entries differ from what was signed.")
    for signature in session.signatures.all():
        if signature.content_sha256 != digest:
            problems.append(
                f"The record differs from what the {signature.get_role_display().lower()} signed."
            )
    for addendum in session.addenda.all():
        expected = content_sha256(
            session_addendum_content(session, addendum.text, addendum.author_id)
        )
        if expected != addendum.content_sha256:
            problems.append("An addendum was changed after it was signed.")
    return problems


def register() -> None:
    register_seal_check(
        SealCheck(
            name="treatment session",
            records=lambda: (
                TreatmentSession.objects.filter(signatures__isnull=False).distinct().order_by("pk")
            ),
            problems=session_seal_problems,
        )
    )
