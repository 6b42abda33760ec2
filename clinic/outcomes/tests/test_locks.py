from __future__ import annotations

import pytest

from clinic.core.tests.locking import assert_locks
from clinic.outcomes.locks import lock_course_patients

pytestmark = pytest.mark.django_db


def test_the_course_patients_are_locked_in_primary_key_order():
    assert_locks(lambda: lock_course_patients([3, 1, 2]), "patients_patient", pk_ordered=True)
