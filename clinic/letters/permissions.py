from clinic.accounts.choices import CLINICAL_ROLES, PRESCRIBER_ROLES

# A clinician (prescriber) writes and signs a letter; clinical staff read it and may send it.
LETTER_WRITE_ROLES = PRESCRIBER_ROLES
LETTER_READ_ROLES = CLINICAL_ROLES


def can_write_letters(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in LETTER_WRITE_ROLES


def can_read_letters(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in LETTER_READ_ROLES
