"""The configuration app's refusals."""

from __future__ import annotations

from clinic.core.exceptions import ClinicError, InvalidTransitionError


class ConfigurationInvalidError(ClinicError):
    """The values break a rule of the table they would be written to (a field's range, the
    table's clean(), a check constraint). `errors` holds every field's messages."""

    def __init__(
        self, message: str, *, field: str | None = None, errors: dict | None = None
    ) -> None:
        super().__init__(message, field=field)
        self.errors = errors or {}


class StaleChangeError(InvalidTransitionError):
    """The live values changed after the draft was made: publishing it would undo that change."""
