"""Follow-up reviews: prescribers write and sign them; nurses read them; front desk and patients
never see them."""

from clinic.accounts.choices import CLINICAL_ROLES, PRESCRIBER_ROLES

REVIEW_WRITE_ROLES = PRESCRIBER_ROLES
REVIEW_READ_ROLES = CLINICAL_ROLES


def can_write_reviews(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in REVIEW_WRITE_ROLES
