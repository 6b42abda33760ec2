from __future__ import annotations

import pytest
from django.db import connection

from clinic.core.tests.locking import assert_locks
from clinic.messaging.locks import lock_conversation, lock_notice_to_send, lock_reply_template

pytestmark = pytest.mark.django_db


def test_the_conversation_and_template_helpers_lock_their_rows():
    assert_locks(lambda: lock_conversation(0), "messaging_conversation")
    assert_locks(lambda: lock_reply_template(0), "messaging_replytemplate")


def test_a_notice_another_worker_is_sending_is_skipped():
    sql = assert_locks(lambda: lock_notice_to_send(0), "messaging_notice")
    if connection.features.has_select_for_update_skip_locked:
        assert "SKIP LOCKED" in sql
