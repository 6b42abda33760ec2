"""The migration that respells a review being written as "in-progress" (FHIR's word) moves the
rows both ways, and the constraints and the row guard that name the value follow it."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from clinic.core.guards import install_row_guards
from clinic.reviews.choices import ReviewStatus
from clinic.reviews.tests.factories import induction_course, signed_review, written_review

BEFORE = [("reviews", "0001_initial")]
RESPELLED = [("reviews", "0002_status_in_progress_hyphen")]


def stored_status(review) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT status FROM reviews_followupreview WHERE id = %s", [review.pk])
        return cursor.fetchone()[0]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # What the post_migrate receiver does after `manage.py migrate`.
    install_row_guards()


def refused(sql, params) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError:
        return True
    return False


@pytest.mark.django_db(transaction=True)
def test_open_reviews_are_respelled_both_ways_and_stay_guarded(clinician, nurse, patient_alice):
    induction_course(clinician, nurse, patient_alice)
    signed = signed_review(clinician, patient_alice)
    open_one = written_review(clinician, patient_alice)
    try:
        migrate(BEFORE)
        assert (stored_status(open_one), stored_status(signed)) == ("in_progress", "signed")
        migrate(RESPELLED)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert stored_status(open_one) == ReviewStatus.IN_PROGRESS == "in-progress"
    assert stored_status(signed) == ReviewStatus.SIGNED
    # The guard seals the signed review and leaves the one being written alone.
    assert refused("UPDATE reviews_followupreview SET assessment = 'x' WHERE id = %s", [signed.pk])
    assert not refused(
        "UPDATE reviews_followupreview SET assessment = 'draft' WHERE id = %s", [open_one.pk]
    )
    # Still one review being written per patient: the signed one cannot be reopened beside it.
    assert refused(
        "UPDATE reviews_followupreview SET status = %s WHERE id = %s",
        [ReviewStatus.IN_PROGRESS.value, signed.pk],
    )
