from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection

from clinic.core.tests.locking import assert_locks, lock_statements
from clinic.scheduling.locks import (
    lock_appointment,
    lock_appointment_with_type_and_patient,
    lock_booked_appointment_in_band,
    lock_booking_resources,
    lock_check_in,
    lock_expired_waitlist_offers,
    lock_follow_up,
    lock_open_follow_up_calls_of,
    lock_open_reviews_due,
    lock_patient_for_waitlist,
    lock_waitlist_entry,
    lock_waitlist_offer,
)

pytestmark = pytest.mark.django_db


def test_a_booking_locks_the_patient_the_room_and_the_clinician_in_that_order():
    statements = lock_statements(lambda: lock_booking_resources(0, 0, 0))
    tables = ["patients_patient", "scheduling_room", "accounts_user"]
    assert len(statements) == len(tables)
    for sql, table in zip(statements, tables, strict=True):
        assert f"FROM {connection.ops.quote_name(table)}" in sql
        if connection.features.has_select_for_update:
            assert "FOR UPDATE" in sql
    assert lock_statements(lambda: lock_booking_resources(0, None, None)) == statements[:1]


@pytest.mark.parametrize(
    ("helper", "table"),
    [
        (lock_appointment, "scheduling_appointment"),
        (lock_appointment_with_type_and_patient, "scheduling_appointment"),
        (lock_follow_up, "scheduling_followup"),
        (lock_check_in, "scheduling_previsitcheckin"),
    ],
)
def test_each_one_row_helper_locks_its_row(helper, table):
    assert_locks(lambda: helper(0), table)


def test_the_appointment_with_its_type_and_patient_locks_only_the_appointment():
    sql = assert_locks(lambda: lock_appointment_with_type_and_patient(0), "scheduling_appointment")
    if connection.vendor == "postgresql":
        assert 'FOR UPDATE OF "scheduling_appointment"' in sql


def test_the_reminder_job_s_lock_skips_an_appointment_another_job_holds():
    moment = datetime(2030, 1, 1, tzinfo=UTC)
    sql = assert_locks(
        lambda: lock_booked_appointment_in_band(0, starts_after=moment, starts_until=moment),
        "scheduling_appointment",
    )
    if connection.features.has_select_for_update_skip_locked:
        assert "SKIP LOCKED" in sql


@pytest.mark.parametrize("helper", [lock_open_follow_up_calls_of, lock_open_reviews_due])
def test_the_open_follow_ups_are_locked_in_primary_key_order(helper):
    assert_locks(lambda: helper(0), "scheduling_followup", pk_ordered=True)


@pytest.mark.parametrize(
    ("helper", "table"),
    [
        (lock_waitlist_entry, "scheduling_waitlistentry"),
        (lock_waitlist_offer, "scheduling_waitlistoffer"),
    ],
)
def test_each_waitlist_helper_locks_only_its_own_row(helper, table):
    sql = assert_locks(lambda: helper(0), table)
    if connection.vendor == "postgresql":
        assert f"FOR UPDATE OF {connection.ops.quote_name(table)}" in sql


def test_the_waitlist_job_s_lock_skips_an_offer_another_run_holds():
    moment = datetime(2030, 1, 1, tzinfo=UTC)
    statements = lock_statements(lambda: lock_expired_waitlist_offers(0, now=moment))
    assert len(statements) == 1 and "scheduling_waitlistoffer" in statements[0]
    if connection.features.has_select_for_update_skip_locked:
        assert "SKIP LOCKED" in statements[0]


def test_putting_a_patient_on_the_waitlist_locks_the_patient_s_row():
    assert_locks(lambda: lock_patient_for_waitlist(0), "patients_patient")
