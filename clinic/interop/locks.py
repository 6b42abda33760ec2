"""Row locks on FHIR API tokens, held until the transaction ends."""

from __future__ import annotations

from clinic.interop.models import FhirApiToken


def lock_fhir_token(token_id: int) -> FhirApiToken:
    """The token's row, locked (DoesNotExist if there is none)."""
    return FhirApiToken.objects.select_for_update().get(pk=token_id)
