from __future__ import annotations

import pytest

from clinic.accounts.locks import lock_user, lock_user_row
from clinic.core.tests.locking import assert_locks

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("helper", [lock_user, lock_user_row])
def test_each_helper_locks_the_person_s_row(helper):
    assert_locks(lambda: helper(0), "accounts_user")
