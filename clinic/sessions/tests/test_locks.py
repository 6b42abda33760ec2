from __future__ import annotations

import uuid

import pytest
from django.db import connection

from clinic.core.tests.locking import assert_locks
from clinic.sessions.locks import (
    lock_monitoring_alert,
    lock_session,
    lock_session_for_reading,
    lock_sessions_for_reading_by_public_id,
)
from clinic.sessions.models import MonitoringAlert, TreatmentSession

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "helper",
    [
        lambda: lock_session(0),
        lambda: lock_session_for_reading(0),
        lambda: lock_sessions_for_reading_by_public_id(uuid.uuid4(), 0),
    ],
)
def test_each_session_helper_locks_only_the_session_s_row(helper):
    table = TreatmentSession._meta.db_table
    sql = assert_locks(helper, table)
    if connection.vendor == "postgresql":
        assert sql.endswith(f"FOR UPDATE OF {connection.ops.quote_name(table)}")


def test_the_alert_helper_locks_the_alert_s_row():
    assert_locks(lambda: lock_monitoring_alert(0), MonitoringAlert._meta.db_table)
