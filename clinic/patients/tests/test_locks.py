from __future__ import annotations

import pytest

from clinic.core.tests.locking import assert_locks
from clinic.patients.locks import (
    lock_guardian,
    lock_patient,
    lock_patient_row,
    lock_patients_with_phone,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("helper", [lock_patient, lock_patient_row])
def test_the_patient_helpers_lock_the_patient_s_row(helper):
    assert_locks(lambda: helper(0), "patients_patient")


def test_the_patients_sharing_a_phone_are_locked_in_primary_key_order():
    assert_locks(
        lambda: lock_patients_with_phone("+16175550100"), "patients_patient", pk_ordered=True
    )


def test_the_guardian_helper_locks_the_guardianship_s_row():
    assert_locks(lambda: lock_guardian(0), "patients_guardian")
