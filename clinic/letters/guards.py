"""A signed progress letter's content is sealed (clinic.core.guards): only its sending is recorded
on it afterwards; a correction is a new letter."""

from clinic.core.guards import RowGuard, register_row_guard


def register() -> None:
    register_row_guard(
        RowGuard(
            name="progress_letter_signed",
            table="letters_progressletter",
            mutable_columns=("sent_via", "sent_to", "sent_by_id", "sent_at"),
            message="a signed progress letter cannot be changed: sign a new letter",
        )
    )
