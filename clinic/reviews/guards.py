"""The reviews app's sealed rows (clinic.core.guards)."""

from clinic.core.guards import RowGuard, register_row_guard
from clinic.reviews.choices import ReviewStatus

SIGNED = "this review is signed and cannot be changed: add a signed addendum instead"


def register() -> None:
    # A signed review keeps every field; only its status may move on (signed → amended).
    register_row_guard(
        RowGuard(
            name="review_signed",
            table="reviews_followupreview",
            sealed_when=f"OLD.status <> '{ReviewStatus.IN_PROGRESS.value}'",
            mutable_columns=("status", "updated_at"),
            message=SIGNED,
        )
    )
    register_row_guard(
        RowGuard(name="review_addendum", table="reviews_followupreviewaddendum", message=SIGNED)
    )
