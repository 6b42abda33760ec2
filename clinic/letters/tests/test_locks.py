from __future__ import annotations

import pytest

from clinic.core.tests.locking import assert_locks
from clinic.letters.locks import lock_progress_letter

pytestmark = pytest.mark.django_db


def test_the_letter_helper_locks_the_letter_s_row():
    assert_locks(lambda: lock_progress_letter(0), "letters_progressletter")
