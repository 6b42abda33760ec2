"""Evaluation and consent: who may do what (prescribers sign; nurses read; front desk sees neither)."""

from clinic.accounts.choices import CLINICAL_ROLES, PRESCRIBER_ROLES, Role

# Clinicians evaluate and sign; nurses read evaluations and plans; front desk sees neither.
EVALUATE_ROLES = PRESCRIBER_ROLES
READ_ROLES = CLINICAL_ROLES
# Nurses and clinicians record the patient's medicines as they are at a follow-up.
MEDICINE_LIST_ROLES = CLINICAL_ROLES
# Staff who may hand a patient the clinic tablet to sign consent (and witness it).
CONSENT_WITNESS_ROLES = CLINICAL_ROLES | {Role.FRONT_DESK}


def can_evaluate(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in EVALUATE_ROLES
