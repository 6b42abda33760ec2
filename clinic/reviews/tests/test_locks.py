from __future__ import annotations

import pytest

from clinic.core.tests.locking import assert_locks
from clinic.reviews.locks import lock_review

pytestmark = pytest.mark.django_db


def test_the_review_helper_locks_the_review_s_row():
    assert_locks(lambda: lock_review(0), "reviews_followupreview")
