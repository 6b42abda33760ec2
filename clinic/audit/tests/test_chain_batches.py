"""Audit events written together: one lock of the chain and one read of its head for all of them,
each row still sealed to the one before it, so the trail verifies as if written one by one."""

import pytest
from django.db import connection, transaction

from clinic.audit.chain import verify_chain
from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.audit.services import audited_together, record_audit_event
from tests.integration.test_tamper_evidence import triggers_lifted


def chart_viewed(actor, patient_id=None):
    return record_audit_event(
        actor=actor, event_type=AuditEventType.PATIENT_CHART_VIEWED, patient_id=patient_id
    )


def chain_statements() -> int:
    """The chain's head read (and, on PostgreSQL, its lock), then one insert."""
    return 3 if connection.vendor == "postgresql" else 2


def test_events_written_together_are_numbered_and_sealed_in_order(clinician):
    with transaction.atomic():
        chart_viewed(clinician)
    with transaction.atomic(), audited_together():
        events = [chart_viewed(clinician, patient_id=n) for n in range(5)]
        # Held until the block ends.
        assert all(event.pk is None for event in events)
    with transaction.atomic():
        chart_viewed(clinician)
    assert all(event.pk is not None for event in events)
    positions = [e.chain_position for e in events]
    assert positions == list(range(positions[0], positions[0] + 5))
    stored = list(
        AuditEvent.objects.filter(pk__in=[e.pk for e in events]).order_by("chain_position")
    )
    assert [e.patient_id for e in stored] == list(range(5))
    report = verify_chain()
    assert report.intact and report.rows_checked == AuditEvent.objects.count()


def test_the_chain_is_locked_and_read_once_for_the_whole_batch(
    clinician, django_assert_num_queries
):
    # The transaction is a savepoint inside the test's own: SAVEPOINT and RELEASE around it.
    with (
        django_assert_num_queries(2 + chain_statements()),
        transaction.atomic(),
        audited_together(),
    ):
        for n in range(20):
            chart_viewed(clinician, patient_id=n)


def test_a_changed_row_of_a_batch_breaks_the_chain_there(clinician):
    with transaction.atomic(), audited_together():
        events = [chart_viewed(clinician, patient_id=n) for n in range(3)]
    with triggers_lifted(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET patient_id = 99 WHERE id = %s", [events[1].pk])
    problems = verify_chain().problems
    assert [p.chain_position for p in problems][:1] == [events[1].chain_position]


def test_nothing_is_written_when_the_block_fails(clinician):
    before = AuditEvent.objects.count()
    with pytest.raises(ValueError), transaction.atomic(), audited_together():
        chart_viewed(clinician)
        raise ValueError("the action failed")
    assert AuditEvent.objects.count() == before
    # The next event takes the next place in the chain.
    with transaction.atomic():
        chart_viewed(clinician)
    assert verify_chain().intact


def test_a_block_inside_another_writes_with_the_outer_one(clinician):
    with transaction.atomic(), audited_together():
        first = chart_viewed(clinician)
        with audited_together():
            second = chart_viewed(clinician)
        assert second.pk is None
    assert second.chain_position == first.chain_position + 1


@pytest.mark.django_db(transaction=True)
def test_a_batch_outside_a_transaction_is_refused(clinician):
    with pytest.raises(RuntimeError, match="inside the transaction"), audited_together():
        pass
