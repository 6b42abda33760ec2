"""Row locks on follow-up reviews, held until the transaction ends."""

from __future__ import annotations

from clinic.reviews.models import FollowUpReview


def lock_review(review_id: int) -> FollowUpReview:
    """The review's row, locked (DoesNotExist if there is none)."""
    return FollowUpReview.objects.select_for_update().get(pk=review_id)
