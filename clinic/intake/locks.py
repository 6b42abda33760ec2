"""Row locks on consultation requests, held until the transaction ends."""

from __future__ import annotations

from clinic.intake.models import ConsultationRequest


def lock_consultation_request(request_id: int) -> ConsultationRequest:
    """The request's row, locked: two people working the queue take turns on one request."""
    return ConsultationRequest.objects.select_for_update().get(pk=request_id)
