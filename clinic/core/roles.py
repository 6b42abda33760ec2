"""The roles a person has at the clinic. They live in core, the lowest layer, so that core and the
audit trail name them by member too; `clinic.accounts.choices` is where the rest of the tree
imports them from, beside the account that carries one."""

from django.db import models


class Role(models.TextChoices):
    """What a person does at the clinic; decides what they may see and do."""

    # Administers protocols, users and the audit log; also a prescriber.
    MEDICAL_DIRECTOR = "medical_director", "Medical director"
    # Prescriber: evaluates, decides suitability, writes plans, supervises sessions.
    CLINICIAN = "clinician", "Clinician"
    # Runs sessions at the chair side: vitals, checklist, side effects.
    NURSE = "nurse", "Nurse"
    # Works the consultation queue, registers patients and books; sees no clinical notes.
    FRONT_DESK = "front_desk", "Front desk"
    # A patient using the portal: sees only their own record.
    PATIENT = "patient", "Patient"
    # A minor patient's guardian using the portal: sees the patient's appointments, documents and
    # consent forms, and their questionnaires only when the clinic allows it.
    GUARDIAN = "guardian", "Guardian"


STAFF_ROLES = frozenset({Role.MEDICAL_DIRECTOR, Role.CLINICIAN, Role.NURSE, Role.FRONT_DESK})
CLINICAL_ROLES = frozenset({Role.MEDICAL_DIRECTOR, Role.CLINICIAN, Role.NURSE})
PRESCRIBER_ROLES = frozenset({Role.MEDICAL_DIRECTOR, Role.CLINICIAN})
# Accounts that use the patient portal (never staff pages).
PORTAL_ROLES = frozenset({Role.PATIENT, Role.GUARDIAN})
