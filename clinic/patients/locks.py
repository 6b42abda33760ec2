"""Row locks on patients and guardians, held until the transaction ends.

The patient's row is the lock every app takes before deciding something about one patient
(a booking, a dose, a plan version, a review, a letter, a score series): two such decisions for
one patient take turns, and the second sees what the first wrote.
"""

from __future__ import annotations

from clinic.patients.models import Guardian, Patient


def lock_patient(patient_id: int) -> Patient:
    """The patient's row, locked and read (DoesNotExist if there is none)."""
    return Patient.objects.select_for_update().get(pk=patient_id)


def lock_patient_row(patient_id: int) -> None:
    """Only the lock on the patient's row, for a caller that reads nothing from it."""
    Patient.objects.select_for_update().filter(pk=patient_id).values_list("pk", flat=True).first()


def lock_patients_with_phone(phone_e164: str) -> list[Patient]:
    """Every patient with this phone number, locked in primary-key order."""
    return list(Patient.objects.select_for_update().filter(phone=phone_e164).order_by("pk"))


def lock_guardian(guardian_id: int) -> Guardian:
    """The guardianship's row, locked (DoesNotExist if there is none)."""
    return Guardian.objects.select_for_update().get(pk=guardian_id)
