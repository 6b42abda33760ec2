"""Every change to conversations: one function per action, audited in the same transaction.

Written once. Each page that writes a message carries a submit key it chose; the key is unique
per author, so a message sent twice (a retry after a lost answer, a double tap) is written once
and the second send finds the first.

Notices after commit. A team reply records its "a reply is waiting" notices (e-mail, and a text
where the patient said yes) in the reply's transaction; each is queued as a background task only
when that transaction commits, and `clinic.messaging.notices` sends it once, retrying later if the
mail server or SMS provider is down.
"""

from __future__ import annotations

import uuid
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.accounts.choices import PORTAL_ROLES, Role
from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.exceptions import ClinicError, NotFoundError
from clinic.core.permissions import ensure_role, refuse
from clinic.messaging.choices import ConversationStatus, NoticeChannel, Topic
from clinic.messaging.locks import lock_conversation, lock_reply_template
from clinic.messaging.models import (
    MESSAGE_MAX_CHARACTERS,
    Conversation,
    Message,
    Notice,
    ReplyTemplate,
)
from clinic.messaging.permissions import (
    can_be_assigned,
    can_manage_conversation,
    can_read_conversation,
    can_reply,
    speaks_for_patient,
)
from clinic.messaging.tasks import send_notice
from clinic.patients.models import Patient
from clinic.patients.selectors import portal_guardians


def clean_body(body: str) -> str:
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise ClinicError("Write your message before sending it.", field="body")
    if len(text) > MESSAGE_MAX_CHARACTERS:
        raise ClinicError(
            f"A message holds at most {MESSAGE_MAX_CHARACTERS} characters; this one has "
            f"{len(text)}. Shorten it or send it in two parts.",
            field="body",
        )
    return text


def _audit_write(actor, message: Message, conversation: Conversation) -> None:
    record_audit_event(
        actor=actor,
        event_type=AuditEventType.MESSAGE_WRITTEN,
        target=message,
        about=conversation,
        # The words stay out of the audit trail (minimum necessary): its length is enough.
        details={
            "conversation": str(conversation.public_id),
            "topic": conversation.topic,
            "characters": len(message.body),
        },
    )


def _already_sent(actor, submit_key: uuid.UUID) -> Message | None:
    return (
        Message.objects.filter(author=actor, submit_key=submit_key)
        .select_related("conversation")
        .first()
    )


def start_conversation(
    *, actor, patient: Patient, topic: str, body: str, submit_key: uuid.UUID
) -> Message:
    """The patient (or their guardian) writes to the care team about `topic`: a new
    conversation with its first message. Sent again with the same key, the message already
    written is returned."""
    if not speaks_for_patient(actor, patient):
        refuse(
            actor,
            action="start a conversation for this patient",
            event_type=AuditEventType.MESSAGE_WRITTEN,
            target=patient,
            patient_id=patient.pk,
        )
    if topic not in Topic.values:
        raise ClinicError("Choose what your message is about.", field="topic")
    text = clean_body(body)
    existing = _already_sent(actor, submit_key)
    if existing is not None:
        return existing
    try:
        with transaction.atomic(durable=True):
            now = timezone.now()
            conversation = Conversation.objects.create(
                patient=patient,
                location_id=patient.location_id,
                topic=topic,
                last_message_at=now,
                waiting_since=now,
            )
            message = Message.objects.create(
                conversation=conversation,
                author=actor,
                from_patient=True,
                body=text,
                created_at=now,
                submit_key=submit_key,
            )
            _audit_write(actor, message, conversation)
    except IntegrityError:
        existing = _already_sent(actor, submit_key)
        if existing is None:
            raise
        return existing
    return message


def write_message(
    *, actor, conversation: Conversation, body: str, submit_key: uuid.UUID
) -> Message:
    """A message in an existing conversation, by the patient's side (the patient or a guardian)
    or by the team. A team message answers the patient (the conversation no longer waits) and
    queues the notices; a message from the patient's side makes it wait again (and reopens it if
    it was done)."""
    if not can_reply(actor, conversation):
        if actor.role in PORTAL_ROLES:
            raise NotFoundError("We could not find that conversation.")
        refuse(
            actor,
            action="reply in this conversation",
            event_type=AuditEventType.MESSAGE_WRITTEN,
            target=conversation,
            patient_id=conversation.patient_id,
        )
    text = clean_body(body)
    existing = _already_sent(actor, submit_key)
    if existing is not None:
        if existing.conversation_id != conversation.pk:
            raise ClinicError("This message was already sent in another conversation.")
        return existing
    # "From the patient" is the patient's side: the patient or their guardian (the author says
    # which).
    from_patient = actor.role in PORTAL_ROLES
    try:
        with transaction.atomic(durable=True):
            locked = lock_conversation(conversation.pk)
            now = timezone.now()
            message = Message.objects.create(
                conversation=locked,
                author=actor,
                from_patient=from_patient,
                body=text,
                created_at=now,
                submit_key=submit_key,
            )
            locked.last_message_at = now
            if from_patient:
                locked.waiting_since = locked.waiting_since or now
                locked.status = ConversationStatus.OPEN
            else:
                locked.waiting_since = None
                # Whoever answers first takes it, unless it is someone else's already.
                locked.assigned_to_id = locked.assigned_to_id or actor.pk
                # The team has read everything the patient wrote before answering it.
                locked.messages.filter(from_patient=True, read_at=None).update(read_at=now)
            locked.save()
            _audit_write(actor, message, locked)
            if not from_patient:
                _queue_notices(message, locked.patient)
    except IntegrityError:
        existing = _already_sent(actor, submit_key)
        if existing is None:
            raise
        return existing
    return message


def _queue_notices(message: Message, patient: Patient) -> None:
    """Inside the reply's transaction: one notice row per way the patient's side can be reached
    (the patient's e-mail, a text where they said yes, and the sign-in e-mail of each current
    guardian with a portal account), each queued to the worker once the transaction commits."""
    now = timezone.now()
    channels = []
    if patient.email:
        channels.append((NoticeChannel.EMAIL, patient.email))
    if patient.may_be_texted:
        channels.append((NoticeChannel.SMS, patient.phone))
    guardian_emails = portal_guardians(patient).values_list("user__email", flat=True)
    for email in sorted(set(guardian_emails) - {patient.email}):
        channels.append((NoticeChannel.EMAIL, email))
    for channel, recipient in channels:
        notice = Notice.objects.create(
            message=message,
            channel=channel,
            recipient=recipient,
            created_at=now,
            next_attempt_at=now,
        )
        # One task per notice (a loop: each callback binds its own id).
        transaction.on_commit(partial(send_notice.enqueue, notice_id=str(notice.public_id)))


def open_conversation(*, viewer, conversation: Conversation) -> Conversation:
    """The viewer reads the conversation: audited, and the other side's messages are marked read
    (the read receipt the writer sees)."""
    if not can_read_conversation(viewer, conversation):
        raise NotFoundError("We could not find that conversation.")
    # The viewer reads the other side's messages: the team's, for the patient's side.
    from_patient = viewer.role not in PORTAL_ROLES
    with transaction.atomic():
        conversation.messages.filter(from_patient=from_patient, read_at=None).update(
            read_at=timezone.now()
        )
        record_audit_event(
            actor=viewer,
            event_type=AuditEventType.CONVERSATION_VIEWED,
            target=conversation,
            about=conversation,
        )
    return conversation


def assign_conversation(*, actor, conversation: Conversation, assignee) -> Conversation:
    """Give the conversation to one member of the team (None: to nobody)."""
    if not can_manage_conversation(actor, conversation):
        refuse(
            actor,
            action="assign this conversation",
            event_type=AuditEventType.CONVERSATION_ASSIGNED,
            target=conversation,
            patient_id=conversation.patient_id,
        )
    if assignee is not None and not can_be_assigned(assignee, conversation):
        raise ClinicError(
            f"{assignee.full_name} does not read {conversation.get_topic_display().lower()} "
            "messages at this location; choose someone who does.",
            field="assignee",
        )
    with transaction.atomic(durable=True):
        locked = lock_conversation(conversation.pk)
        locked.assigned_to = assignee
        locked.save(update_fields=["assigned_to", "updated_at"])
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.CONVERSATION_ASSIGNED,
            target=locked,
            about=locked,
            details={"assignee": assignee.email if assignee else ""},
        )
    return locked


def set_conversation_done(*, actor, conversation: Conversation, done: bool) -> Conversation:
    """Mark the conversation done (answered, nothing more to do) or open it again."""
    if not can_manage_conversation(actor, conversation):
        refuse(
            actor,
            action="mark this conversation done",
            event_type=AuditEventType.CONVERSATION_CLOSED,
            target=conversation,
            patient_id=conversation.patient_id,
        )
    status = ConversationStatus.DONE if done else ConversationStatus.OPEN
    with transaction.atomic(durable=True):
        locked = lock_conversation(conversation.pk)
        if locked.status == status:
            return locked
        locked.status = status
        if done:
            locked.waiting_since = None
        locked.save(update_fields=["status", "waiting_since", "updated_at"])
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.CONVERSATION_CLOSED,
            target=locked,
            about=locked,
            details={"status": status},
        )
    return locked


TEMPLATE_FIELDS = ("title", "topic", "body", "is_active")


def save_reply_template(
    *,
    actor,
    template: ReplyTemplate | None,
    title: str,
    topic: str,
    body: str,
    is_active: bool = True,
) -> ReplyTemplate:
    """The medical director adds or changes one of the team's reply templates (a template is
    never deleted: one no longer wanted is switched off, and stays in the audit trail)."""
    ensure_role(
        actor,
        {Role.MEDICAL_DIRECTOR},
        action="edit the team's reply templates",
        event_type=AuditEventType.MESSAGING_SETTINGS_CHANGED,
    )
    title = (title or "").strip()
    if not title:
        raise ClinicError("Give the template a short title.", field="title")
    if topic and topic not in Topic.values:
        raise ClinicError("Choose a topic, or every topic.", field="topic")
    text = clean_body(body)
    clash = ReplyTemplate.objects.filter(title__iexact=title)
    if template is not None:
        clash = clash.exclude(pk=template.pk)
    if clash.exists():
        raise ClinicError("Another template has this title; choose another.", field="title")
    with transaction.atomic(durable=True):
        if template is None:
            saved = ReplyTemplate.objects.create(
                title=title, topic=topic, body=text, is_active=is_active
            )
            changed = list(TEMPLATE_FIELDS)
        else:
            saved = lock_reply_template(template.pk)
            new = {"title": title, "topic": topic, "body": text, "is_active": is_active}
            changed = [name for name, value in new.items() if getattr(saved, name) != value]
            if not changed:
                return saved
            for name in changed:
                setattr(saved, name, new[name])
            saved.save()
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.MESSAGING_SETTINGS_CHANGED,
            target=saved,
            details={"reply_template": saved.title, "changed": changed, "new": template is None},
        )
    return saved
