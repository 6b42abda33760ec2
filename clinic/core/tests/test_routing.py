"""The replica router's decisions: only a read inside `reporting_reads()`, outside a transaction,
before the block writes, and while the replica is up and caught up, goes to the replica."""

from __future__ import annotations

import logging

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction

from clinic.audit.models import AuditEvent
from clinic.core import routing
from clinic.core.models import Location
from clinic.core.routing import REPLICA, ReportingReadsRouter, reporting_reads

pytestmark = pytest.mark.replica

router = ReportingReadsRouter()


@pytest.fixture
def caught_up_replica(monkeypatch):
    """A replica alias that answers as caught up (these tests decide routes; none reads)."""
    if REPLICA not in connections.settings:
        monkeypatch.setitem(connections.settings, REPLICA, connections.settings[DEFAULT_DB_ALIAS])
    monkeypatch.setattr(routing, "replica_lag_seconds", lambda: 0.0)


def test_reads_go_to_the_primary_unless_asked_for_a_report(caught_up_replica):
    assert router.db_for_read(Location) == DEFAULT_DB_ALIAS
    with reporting_reads():
        assert router.db_for_read(Location) == REPLICA
    assert router.db_for_read(Location) == DEFAULT_DB_ALIAS


def test_a_write_goes_to_the_primary_and_keeps_the_blocks_later_reads_there(caught_up_replica):
    with reporting_reads():
        assert router.db_for_read(Location) == REPLICA
        assert router.db_for_write(Location) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Location) == DEFAULT_DB_ALIAS
    with reporting_reads():
        # A new block starts on the replica again.
        assert router.db_for_read(Location) == REPLICA


def test_the_audit_row_of_the_look_itself_does_not_move_the_reads(caught_up_replica):
    with reporting_reads():
        assert router.db_for_write(AuditEvent) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Location) == REPLICA


def test_a_block_inside_another_is_part_of_it(caught_up_replica):
    with reporting_reads():
        router.db_for_write(Location)
        with reporting_reads():
            assert router.db_for_read(Location) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Location) == DEFAULT_DB_ALIAS


@reporting_reads()
def _read_as_a_report() -> str:
    return router.db_for_read(Location)


def test_it_is_also_a_decorator(caught_up_replica):
    assert _read_as_a_report() == REPLICA
    assert router.db_for_read(Location) == DEFAULT_DB_ALIAS


@pytest.mark.django_db(transaction=True)
def test_a_read_inside_a_transaction_goes_to_the_primary(caught_up_replica):
    with reporting_reads():
        with transaction.atomic():
            assert router.db_for_read(Location) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Location) == REPLICA
        # Entering the block inside a transaction changes nothing either.
        with transaction.atomic(), reporting_reads():
            assert router.db_for_read(Location) == DEFAULT_DB_ALIAS


def test_a_test_case_transaction_counts_as_a_transaction(db, caught_up_replica):
    # A TestCase's rows sit in its open transaction, which a replica (or a second connection)
    # never sees: reports inside one read from the primary.
    with reporting_reads():
        assert router.db_for_read(Location) == DEFAULT_DB_ALIAS


def test_without_a_replica_every_read_goes_to_the_primary(monkeypatch):
    if REPLICA in connections.settings:
        monkeypatch.delitem(connections.settings, REPLICA)
    with reporting_reads():
        assert router.db_for_read(Location) == DEFAULT_DB_ALIAS


@pytest.mark.parametrize(
    "lag_seconds, alias",
    [(0.0, REPLICA), (4.9, REPLICA), (5.1, DEFAULT_DB_ALIAS), (None, DEFAULT_DB_ALIAS)],
)
def test_a_replica_behind_or_cut_off_is_not_read(
    caught_up_replica, monkeypatch, settings, caplog, lag_seconds, alias
):
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 5
    asked = []

    def lag():
        asked.append(1)
        return lag_seconds

    monkeypatch.setattr(routing, "replica_lag_seconds", lag)
    with caplog.at_level(logging.WARNING, logger="clinic.core.routing"), reporting_reads():
        assert router.db_for_read(Location) == alias
        assert router.db_for_read(Location) == alias
    # Asked once per block, not per query.
    assert len(asked) == 1
    assert bool(caplog.records) == (alias == DEFAULT_DB_ALIAS)


def test_a_replica_that_cannot_be_reached_costs_the_report_nothing_but_speed(
    caught_up_replica, monkeypatch
):
    def unreachable():
        raise OperationalError("connection refused")

    monkeypatch.setattr(routing, "replica_lag_seconds", unreachable)
    monkeypatch.setattr(connections[REPLICA], "close", lambda: None)
    with reporting_reads():
        assert router.db_for_read(Location) == DEFAULT_DB_ALIAS


def test_migrations_never_run_on_the_replica():
    assert router.allow_migrate(REPLICA, "patients") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "patients") is None


def test_rows_from_either_database_may_refer_to_each_other():
    from_replica, from_primary = Location(), Location()
    from_replica._state.db, from_primary._state.db = REPLICA, DEFAULT_DB_ALIAS
    assert router.allow_relation(from_replica, from_primary) is True
    elsewhere = Location()
    elsewhere._state.db = "archive"
    assert router.allow_relation(from_replica, elsewhere) is None


def test_the_settings_add_the_alias_and_the_router_only_with_a_replica(settings):
    if REPLICA in settings.DATABASES:
        assert settings.DATABASE_ROUTERS == ["clinic.core.routing.ReportingReadsRouter"]
        assert settings.DATABASES[REPLICA]["TEST"]["MIRROR"] == DEFAULT_DB_ALIAS
    else:
        assert settings.DATABASE_ROUTERS == []
