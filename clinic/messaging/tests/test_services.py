import uuid

import pytest

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError, NotFoundError, PermissionDeniedError
from clinic.messaging import services
from clinic.messaging.choices import ConversationStatus
from clinic.messaging.models import Conversation, Message
from clinic.messaging.selectors import get_conversation, inbox, visible_conversations
from clinic.messaging.tests.factories import patient_writes, reply

pytestmark = pytest.mark.django_db


def test_a_patient_starts_a_conversation_that_waits_for_the_team(patient_alice):
    message = patient_writes(patient_alice)
    conversation = message.conversation
    assert conversation.patient == patient_alice
    assert conversation.location_id == patient_alice.location_id
    assert conversation.waiting_since == message.created_at
    event = AuditEvent.objects.get(event_type=AuditEventType.MESSAGE_WRITTEN)
    assert event.patient_id == patient_alice.pk
    # The words stay out of the audit trail.
    assert "Tuesday" not in str(event.details)


def test_the_same_submit_key_writes_the_message_once(patient_alice):
    key = uuid.uuid4()
    first = services.start_conversation(
        actor=patient_alice.user, patient=patient_alice, topic="billing", body="Hi", submit_key=key
    )
    again = services.start_conversation(
        actor=patient_alice.user, patient=patient_alice, topic="billing", body="Hi", submit_key=key
    )
    assert again.pk == first.pk
    assert Message.objects.count() == 1 and Conversation.objects.count() == 1
    reply_key = uuid.uuid4()
    for _ in range(2):
        services.write_message(
            actor=patient_alice.user,
            conversation=first.conversation,
            body="More",
            submit_key=reply_key,
        )
    assert first.conversation.messages.count() == 2


def test_a_patient_cannot_write_for_another_patient(patient_alice, patient_bob):
    with pytest.raises(PermissionDeniedError):
        services.start_conversation(
            actor=patient_bob.user,
            patient=patient_alice,
            topic="other",
            body="x",
            submit_key=uuid.uuid4(),
        )
    conversation = patient_writes(patient_alice).conversation
    with pytest.raises(NotFoundError):
        services.write_message(
            actor=patient_bob.user, conversation=conversation, body="x", submit_key=uuid.uuid4()
        )
    with pytest.raises(NotFoundError):
        get_conversation(patient_bob.user, conversation.public_id)


@pytest.mark.parametrize("body", ["", "   \n  ", "x" * 4001])
def test_an_empty_or_overlong_message_is_refused_beside_the_box(patient_alice, body):
    with pytest.raises(ClinicError) as refused:
        services.start_conversation(
            actor=patient_alice.user,
            patient=patient_alice,
            topic="other",
            body=body,
            submit_key=uuid.uuid4(),
        )
    assert refused.value.field == "body"


def test_an_unknown_topic_is_refused(patient_alice):
    with pytest.raises(ClinicError, match="what your message is about"):
        services.start_conversation(
            actor=patient_alice.user,
            patient=patient_alice,
            topic="x",
            body="Hi",
            submit_key=uuid.uuid4(),
        )


def test_front_desk_sees_appointment_and_billing_topics_only(patient_alice, front_desk, nurse):
    appointments = patient_writes(patient_alice, topic="appointments").conversation
    billing = patient_writes(patient_alice, topic="billing").conversation
    side_effect = patient_writes(patient_alice, topic="side_effects", body="Dizzy").conversation
    medicines = patient_writes(patient_alice, topic="medicines").conversation
    other = patient_writes(patient_alice, topic="other").conversation
    assert set(visible_conversations(front_desk)) == {appointments, billing}
    assert set(visible_conversations(nurse)) == {
        appointments,
        billing,
        side_effect,
        medicines,
        other,
    }
    for clinical in (side_effect, medicines, other):
        with pytest.raises(NotFoundError):
            get_conversation(front_desk, clinical.public_id)
        with pytest.raises(PermissionDeniedError):
            services.write_message(
                actor=front_desk, conversation=clinical, body="x", submit_key=uuid.uuid4()
            )


def test_staff_of_another_location_do_not_see_the_conversation(
    patient_alice, other_location_clinician
):
    conversation = patient_writes(patient_alice, topic="side_effects").conversation
    assert not visible_conversations(other_location_clinician).exists()
    with pytest.raises(NotFoundError):
        get_conversation(other_location_clinician, conversation.public_id)


def test_a_reply_answers_the_conversation_and_takes_it_and_the_patient_reads_it(
    patient_alice, front_desk
):
    conversation = patient_writes(patient_alice).conversation
    answer = reply(front_desk, conversation)
    conversation.refresh_from_db()
    assert conversation.waiting_since is None
    assert conversation.assigned_to == front_desk
    # The team read what it answered.
    assert conversation.messages.get(from_patient=True).read_at is not None
    assert answer.read_at is None
    services.open_conversation(viewer=patient_alice.user, conversation=conversation)
    answer.refresh_from_db()
    assert answer.read_at is not None
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.CONVERSATION_VIEWED, actor=patient_alice.user
    ).exists()


def test_a_new_patient_message_reopens_a_done_conversation(patient_alice, front_desk):
    conversation = patient_writes(patient_alice).conversation
    reply(front_desk, conversation)
    services.set_conversation_done(actor=front_desk, conversation=conversation, done=True)
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.DONE
    patient_writes_again = services.write_message(
        actor=patient_alice.user,
        conversation=conversation,
        body="One more",
        submit_key=uuid.uuid4(),
    )
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.OPEN
    assert conversation.waiting_since == patient_writes_again.created_at


def test_only_someone_who_reads_the_topic_can_be_assigned(
    patient_alice, front_desk, nurse, clinician
):
    side_effect = patient_writes(patient_alice, topic="side_effects").conversation
    with pytest.raises(ClinicError, match="does not read side effects"):
        services.assign_conversation(actor=clinician, conversation=side_effect, assignee=front_desk)
    services.assign_conversation(actor=clinician, conversation=side_effect, assignee=nurse)
    side_effect.refresh_from_db()
    assert side_effect.assigned_to == nurse


def test_a_patient_cannot_assign_or_close(patient_alice):
    conversation = patient_writes(patient_alice).conversation
    with pytest.raises(PermissionDeniedError):
        services.set_conversation_done(
            actor=patient_alice.user, conversation=conversation, done=True
        )
    with pytest.raises(PermissionDeniedError):
        services.assign_conversation(
            actor=patient_alice.user, conversation=conversation, assignee=None
        )


def test_the_inbox_flags_a_message_older_than_the_target(patient_alice, front_desk):
    from datetime import timedelta

    from django.utils import timezone

    from clinic.messaging.models import MessagingPolicy

    MessagingPolicy.objects.update_or_create(singleton=True, defaults={"reply_target_hours": 4})
    old = patient_writes(patient_alice).conversation
    Conversation.objects.filter(pk=old.pk).update(waiting_since=timezone.now() - timedelta(hours=5))
    fresh = patient_writes(patient_alice, topic="billing").conversation
    rows = {row.conversation.pk: row for row in inbox(front_desk, view="waiting")}
    assert rows[old.pk].overdue and not rows[fresh.pk].overdue
    # Oldest waiting first.
    assert list(rows) == [old.pk, fresh.pk]
    assert rows[old.pk].unread == 1
