"""Recomputing follow-up reviews' signatures (clinic.core.integrity)."""

from __future__ import annotations

from clinic.core.dates import show_datetime
from clinic.core.integrity import SealCheck, register_seal_check
from clinic.core.signing import content_sha256
from clinic.reviews.choices import ReviewStatus
from clinic.reviews.models import FollowUpReview
from clinic.reviews.services import addendum_content, signed_content


def review_seal_problems(review: FollowUpReview) -> list[str]:
    """What no longer matches the signature of a signed review and of each of its addenda."""
    if review.status == ReviewStatus.IN_PROGRESS or not review.content_sha256:
        return []
    problems = []
    if content_sha256(signed_content(review)) != review.content_sha256:
        problems.append("The review, its facts or its decision differ from what was signed.")
    for addendum in review.addenda.all():
        expected = content_sha256(
            addendum_content(
                review_sha256=review.content_sha256,
                text=addendum.text,
                author_id=addendum.author_id,
                signed_at=addendum.signed_at,
            )
        )
        if expected != addendum.content_sha256:
            problems.append(f"The addendum of {show_datetime(addendum.signed_at)} was changed.")
    return problems


def register() -> None:
    register_seal_check(
        SealCheck(
            name="follow-up review",
            records=lambda: (
                FollowUpReview.objects.exclude(status=ReviewStatus.IN_PROGRESS)
                .select_related("patient")
                .prefetch_related("addenda")
                .order_by("pk")
            ),
            problems=review_seal_problems,
        )
    )
