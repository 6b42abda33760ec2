"""The migration that respells a session under way as "in-progress" (FHIR's word) moves the rows
both ways."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from clinic.core.guards import install_row_guards
from clinic.sessions.choices import SessionStatus
from clinic.sessions.tests.factories import dosed, ready_to_dose

BEFORE = [("treatment_sessions", "0010_minor_gate")]
RESPELLED = [("treatment_sessions", "0011_status_in_progress_hyphen")]


def stored_status(session) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status FROM treatment_sessions_treatmentsession WHERE id = %s", [session.pk]
        )
        return cursor.fetchone()[0]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # What the post_migrate receiver does after `manage.py migrate`.
    install_row_guards()


@pytest.mark.django_db(transaction=True)
def test_sessions_under_way_are_respelled_both_ways(clinician, nurse, patient_alice, patient_bob):
    running = dosed(clinician, nurse, patient_alice)
    preparing = ready_to_dose(clinician, nurse, patient_bob)
    try:
        migrate(BEFORE)
        assert (stored_status(running), stored_status(preparing)) == ("in_progress", "preparation")
        migrate(RESPELLED)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert stored_status(running) == SessionStatus.IN_PROGRESS == "in-progress"
    assert stored_status(preparing) == SessionStatus.PREPARATION
