"""Row locks on accounts, held until the transaction ends (one row each: no order to keep)."""

from __future__ import annotations

from clinic.accounts.models import User


def lock_user(user_id: int) -> User:
    """The person's account row, locked (DoesNotExist if there is none)."""
    return User.objects.select_for_update().get(pk=user_id)


def lock_user_row(user_id: int) -> None:
    """Only the lock on the person's row (nothing read): a booking holds it while it checks the
    person's diary, so two bookings for one clinician take turns."""
    User.objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True).first()
