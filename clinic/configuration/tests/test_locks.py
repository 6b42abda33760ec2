from __future__ import annotations

import pytest

from clinic.configuration.choices import TargetKind
from clinic.configuration.locks import lock_configuration_change, lock_configured_row
from clinic.configuration.targets import TARGETS
from clinic.core.tests.locking import assert_locks

pytestmark = pytest.mark.django_db


def test_the_change_helper_locks_the_change_s_row():
    assert_locks(lambda: lock_configuration_change(0), "configuration_configurationchange")


def test_the_row_helper_locks_a_policy_s_one_row():
    target = TARGETS[TargetKind.REVIEW_POLICY]
    assert_locks(lambda: lock_configured_row(target, "clinic"), "reviews_reviewpolicy")
