from __future__ import annotations

import pytest

from clinic.core.tests.locking import assert_locks
from clinic.treatment.locks import (
    lock_open_plan_draft,
    lock_open_plan_drafts_of,
    lock_plan,
    lock_plan_draft,
)

pytestmark = pytest.mark.django_db


def test_the_plan_helper_locks_the_plan_s_row():
    assert_locks(lambda: lock_plan(0), "treatment_treatmentplan")


def test_the_draft_helpers_lock_the_draft_s_row():
    assert_locks(lambda: lock_plan_draft(0), "treatment_treatmentplandraft")
    assert_locks(lambda: lock_open_plan_draft(0, patient_id=0), "treatment_treatmentplandraft")


def test_the_patient_s_open_drafts_are_locked_in_primary_key_order():
    assert_locks(
        lambda: lock_open_plan_drafts_of(0), "treatment_treatmentplandraft", pk_ordered=True
    )
