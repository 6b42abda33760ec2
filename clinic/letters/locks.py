"""Row locks on progress letters, held until the transaction ends."""

from __future__ import annotations

from clinic.letters.models import ProgressLetter


def lock_progress_letter(letter_id: int) -> ProgressLetter:
    """The letter's row, locked (DoesNotExist if there is none)."""
    return ProgressLetter.objects.select_for_update().get(pk=letter_id)
