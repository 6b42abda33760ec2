from __future__ import annotations

import pytest

from clinic.core.tests.locking import assert_locks
from clinic.interop.locks import lock_fhir_token

pytestmark = pytest.mark.django_db


def test_the_token_helper_locks_the_token_s_row():
    assert_locks(lambda: lock_fhir_token(0), "interop_fhirapitoken")
