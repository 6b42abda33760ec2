from __future__ import annotations

import pytest

from clinic.core.tests.locking import assert_locks
from clinic.intake.locks import lock_consultation_request

pytestmark = pytest.mark.django_db


def test_the_request_helper_locks_the_request_s_row():
    assert_locks(lambda: lock_consultation_request(0), "intake_consultationrequest")
