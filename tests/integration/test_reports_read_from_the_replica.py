"""The reports read through the replica router: the outcomes page and its CSV exports, the
drop-off list, the dashboard, the audit log and the FHIR bulk export read from the `replica`
database, show what was committed on the primary, and still write their audit rows there.

The test suite runs them against a `replica` alias that mirrors the test database (SQLite or
PostgreSQL: config/settings.py). CI runs them again with DATABASE_REPLICA_URL naming a real
PostgreSQL streaming replica of the primary (.ci/replica.sh), where each test waits for the
replica to replay the primary's writes before it reads, and checks the reads really reached a
standby. The rows are committed (a transactional test): a replica never sees a transaction
that is still open, such as the one a plain database test runs inside.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.test.utils import CaptureQueriesContext

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core import routing
from clinic.core.routing import REPLICA, REPLICA_STATE_SQL
from clinic.intake.tests.factories import submit_test_request
from conftest import client_for

pytestmark = [
    pytest.mark.replica,
    pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA]),
]

REAL_REPLICA = bool(settings.DATABASE_REPLICA_URL)
REPLAY_WAIT_SECONDS = 30


def wait_for_replay() -> None:
    """On a real standby: wait until it has replayed everything the primary has written so far
    (the test database itself arrives this way, by replication of its creation)."""
    if not REAL_REPLICA:
        return
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (primary_lsn,) = cursor.fetchone()
    deadline = time.monotonic() + REPLAY_WAIT_SECONDS
    while True:
        try:
            with connections[REPLICA].cursor() as cursor:
                cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [primary_lsn])
                if cursor.fetchone()[0]:
                    return
        except OperationalError:
            # The test database has not reached the replica yet.
            connections[REPLICA].close()
        if time.monotonic() > deadline:
            pytest.fail(
                f"The replica did not replay up to {primary_lsn} in {REPLAY_WAIT_SECONDS} s"
            )
        time.sleep(0.05)


class ReplicaReads:
    """The statements a block of work sent to the replica, leaving out the router's own question
    about the replica's state."""

    def __init__(self) -> None:
        self._captured = CaptureQueriesContext(connections[REPLICA])

    def __enter__(self) -> ReplicaReads:
        wait_for_replay()
        self._captured.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._captured.__exit__(*exc)

    @property
    def statements(self) -> list[str]:
        return [q["sql"] for q in self._captured.captured_queries if q["sql"] != REPLICA_STATE_SQL]


@pytest.fixture
def without_replica(monkeypatch):
    """Run a report as a clinic without a replica does: every read on the primary."""

    def turn_off():
        monkeypatch.setattr(routing, "replica_configured", lambda: False)

    return turn_off


def test_the_replica_is_a_standby_when_one_is_named():
    wait_for_replay()
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT 1")
        if connections[REPLICA].vendor == "postgresql":
            cursor.execute("SELECT pg_is_in_recovery()")
            assert cursor.fetchone()[0] is REAL_REPLICA


def test_the_outcomes_page_and_its_exports_read_the_primarys_rows_from_the_replica(
    medical_director, location, without_replica
):
    for _ in range(3):
        submit_test_request(location=location)
    client = client_for(medical_director)
    with ReplicaReads() as reads:
        page = client.get("/outcomes/")
        exports = {
            table: client.get(f"/outcomes/export/{table}.csv").content.decode()
            for table in ("funnel", "response", "response-3-months", "rates")
        }
    assert page.status_code == 200
    assert any("intake_consultationrequest" in sql for sql in reads.statements)
    assert "\r\nConsultation,3," in exports["funnel"]
    # Each look is audited on the primary, as without a replica.
    assert AuditEvent.objects.filter(event_type=AuditEventType.OUTCOMES_VIEWED).count() == 1
    assert AuditEvent.objects.filter(event_type=AuditEventType.OUTCOMES_EXPORTED).count() == 4

    without_replica()
    with ReplicaReads() as reads:
        for table, text in exports.items():
            assert client.get(f"/outcomes/export/{table}.csv").content.decode() == text
    assert reads.statements == []


def test_the_dashboard_and_the_drop_off_list_read_from_the_replica(
    medical_director, location, patient_alice
):
    submit_test_request(location=location)
    client = client_for(medical_director)
    with ReplicaReads() as reads:
        dashboard = client.get("/dashboard/")
        drop_offs = client.get("/retention/")
    assert dashboard.status_code == 200 and drop_offs.status_code == 200
    assert "Moreno" in dashboard.content.decode()
    assert any("intake_consultationrequest" in sql for sql in reads.statements)
    assert any("patients_patient" in sql for sql in reads.statements)


def test_the_audit_log_reads_its_page_from_the_replica_and_writes_its_event_on_the_primary(
    medical_director, patient_alice
):
    client = client_for(medical_director)
    with ReplicaReads() as reads:
        page = client.get("/audit/")
    assert page.status_code == 200
    assert any("audit_auditevent" in sql for sql in reads.statements)
    assert patient_alice.mrn in page.content.decode()
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.AUDIT_LOG_VIEWED, actor=medical_director
    ).exists()


def test_the_fhir_bulk_export_reads_from_the_replica(tmp_path: Path, patient_alice, patient_bob):
    with ReplicaReads() as reads:
        call_command("export_fhir", out=str(tmp_path), no_progress=True, stdout=io.StringIO())
    patients = (tmp_path / "Patient.ndjson").read_text(encoding="utf-8").splitlines()
    assert len(patients) == 2
    assert any("patients_patient" in sql for sql in reads.statements)
    assert AuditEvent.objects.filter(event_type=AuditEventType.FHIR_EXPORTED).count() == 1


def test_a_page_that_is_not_a_report_reads_from_the_primary(clinician, patient_alice):
    with ReplicaReads() as reads:
        chart = client_for(clinician).get(f"/patients/{patient_alice.public_id}/")
    assert chart.status_code == 200
    assert reads.statements == []
