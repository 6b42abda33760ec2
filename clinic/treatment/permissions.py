from clinic.accounts.choices import CLINICAL_ROLES, PRESCRIBER_ROLES, Role

# Only prescribers write and sign plans; nurses read them; front desk sees no plan.
PLAN_WRITE_ROLES = PRESCRIBER_ROLES
PLAN_READ_ROLES = CLINICAL_ROLES


def can_write_plans(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in PLAN_WRITE_ROLES


# The setting's REMS certification is the medical director's (the clinic's authorised
# representative works with them); any clinician records a patient's enrolment, which the patient
# and the prescriber signed on the REMS form.
REMS_CERTIFICATION_ROLES = frozenset({Role.MEDICAL_DIRECTOR})
REMS_ENROLMENT_ROLES = CLINICAL_ROLES


def can_record_rems_certification(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in REMS_CERTIFICATION_ROLES


def can_record_rems_enrolment(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in REMS_ENROLMENT_ROLES
