"""The migration that introduced the progress summaries fills them from the responses already
recorded, as the services would have kept them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from clinic.assessments.models import ProgressSummary
from clinic.core.guards import install_row_guards

BEFORE = [("assessments", "0004_suicide_screen_review_flags")]
# Forward again through every app's latest migration (0006 fills the summaries, 0008 each
# series' best score and response): going back to BEFORE unapplied other apps' migrations too,
# and the tests after this one need the whole schema.


@pytest.mark.django_db(transaction=True)
def test_the_backfill_summarises_each_series_and_marks_what_falls_due(patient_alice, patient_bob):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Response = old.get_model("assessments", "AssessmentResponse")
    now = timezone.now()
    for days_ago, total, context in (
        (30, 8, "baseline"),
        (10, 9, "follow_up"),
        (1, 15, "follow_up"),
    ):
        Response.objects.create(
            patient_id=patient_alice.pk,
            location_id=patient_alice.location_id,
            instrument_code="phq9",
            context=context,
            mode="staff_entered",
            status="completed",
            answers={},
            taken_at=now - timedelta(days=days_ago),
            total=Decimal(total),
            severity="moderate",
        )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    install_row_guards()

    alice = ProgressSummary.objects.get(patient=patient_alice, instrument_code="phq9")
    assert (alice.responses, alice.baseline_total, alice.previous_total, alice.latest_total) == (
        3,
        Decimal("8"),
        Decimal("9"),
        Decimal("15"),
    )
    assert alice.worsening and alice.required
    assert (alice.best_total, alice.responded) == (Decimal("9"), False)
    # Bob has answered nothing: his conditions' questionnaires are there to fall due.
    assert ProgressSummary.objects.filter(
        patient=patient_bob, instrument_code="phq9", required=True, responses=0
    ).exists()
