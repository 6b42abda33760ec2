from clinic.accounts.choices import CLINICAL_ROLES, PRESCRIBER_ROLES

# Only prescribers write and sign plans; nurses read them; front desk sees no plan.
PLAN_WRITE_ROLES = PRESCRIBER_ROLES
PLAN_READ_ROLES = CLINICAL_ROLES


def can_write_plans(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in PLAN_WRITE_ROLES
