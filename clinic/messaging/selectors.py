"""Reads of conversations, scoped to what the viewer may see; every read of a patient's messages
is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from clinic.accounts.choices import PORTAL_ROLES, STAFF_ROLES, Role
from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.exceptions import NotFoundError
from clinic.messaging.choices import ConversationStatus, NoticeStatus, topics_for_role
from clinic.messaging.models import Conversation, Message, MessagingPolicy, Notice, ReplyTemplate
from clinic.patients.permissions import staff_location_ids
from clinic.patients.selectors import visible_patients

INBOX_VIEWS = {
    "waiting": "Waiting for a reply",
    "unread": "Unread",
    "mine": "Assigned to me",
    "done": "Done",
    "all": "All",
}


def visible_conversations(viewer) -> QuerySet[Conversation]:
    if not (viewer.is_authenticated and viewer.is_active):
        return Conversation.objects.none()
    rows = Conversation.objects.select_related("patient", "location", "assigned_to")
    if viewer.role in PORTAL_ROLES:
        # The patient's own, or (a guardian) those of the patients they represent now.
        return rows.filter(patient__in=visible_patients(viewer))
    if viewer.role not in STAFF_ROLES:
        return Conversation.objects.none()
    rows = rows.filter(topic__in=topics_for_role(viewer.role))
    if viewer.role != Role.MEDICAL_DIRECTOR:
        rows = rows.filter(location_id__in=staff_location_ids(viewer))
    return rows


def get_conversation(viewer, public_id) -> Conversation:
    """The conversation if the viewer may read it, else NotFoundError (as if it did not exist)."""
    conversation = visible_conversations(viewer).filter(public_id=public_id).first()
    if conversation is None:
        raise NotFoundError("We could not find that conversation.")
    return conversation


def is_overdue(conversation: Conversation, *, now: datetime, target_hours: int) -> bool:
    return (
        conversation.status == ConversationStatus.OPEN
        and conversation.waiting_since is not None
        and now - conversation.waiting_since > timedelta(hours=target_hours)
    )


@dataclass(frozen=True)
class InboxRow:
    conversation: Conversation
    unread: int
    overdue: bool
    notice_failed: bool


def inbox(viewer, *, view: str = "waiting", location_id: int | None = None) -> list[InboxRow]:
    """The staff inbox: the viewer's conversations in one view (see INBOX_VIEWS), oldest waiting
    first for "waiting", newest first otherwise. Audited as a listing (patients named in it)."""
    rows = visible_conversations(viewer)
    if location_id is not None:
        rows = rows.filter(location_id=location_id)
    unread = Count("messages", filter=Q(messages__from_patient=True, messages__read_at=None))
    failed = Exists(
        Notice.objects.filter(
            message__conversation=OuterRef("pk"),
            status__in=[NoticeStatus.FAILED, NoticeStatus.RETRYING],
        )
    )
    rows = rows.annotate(unread_count=unread, notice_failed=failed)
    if view == "waiting":
        rows = rows.filter(status=ConversationStatus.OPEN, waiting_since__isnull=False).order_by(
            "waiting_since", "id"
        )
    elif view == "unread":
        rows = rows.filter(unread_count__gt=0)
    elif view == "mine":
        rows = rows.filter(assigned_to=viewer, status=ConversationStatus.OPEN)
    elif view == "done":
        rows = rows.filter(status=ConversationStatus.DONE)
    found = list(rows[:200])
    now = timezone.now()
    target = MessagingPolicy.current().reply_target_hours
    record_audit_event(
        actor=viewer,
        event_type=AuditEventType.CONVERSATIONS_LISTED,
        location_id=location_id,
        details={"view": view, "patients": sorted({c.patient_id for c in found})[:200]},
    )
    return [
        InboxRow(
            conversation=c,
            unread=c.unread_count,
            overdue=is_overdue(c, now=now, target_hours=target),
            notice_failed=c.notice_failed,
        )
        for c in found
    ]


def waiting_counts(viewer) -> dict[str, int]:
    """How many conversations wait for a reply, and how many of them are past the target."""
    rows = visible_conversations(viewer).filter(
        status=ConversationStatus.OPEN, waiting_since__isnull=False
    )
    target = MessagingPolicy.current().reply_target_hours
    cutoff = timezone.now() - timedelta(hours=target)
    return {"waiting": rows.count(), "overdue": rows.filter(waiting_since__lt=cutoff).count()}


def own_conversations(patient) -> list[Conversation]:
    unread = Count("messages", filter=Q(messages__from_patient=False, messages__read_at=None))
    return list(Conversation.objects.filter(patient=patient).annotate(unread_count=unread))


def messages_of(conversation: Conversation) -> list[Message]:
    return list(conversation.messages.select_related("author"))


def notices_of(conversation: Conversation) -> list[Notice]:
    return list(Notice.objects.filter(message__conversation=conversation).order_by("-created_at"))


def templates_for(conversation: Conversation) -> list[ReplyTemplate]:
    return list(
        ReplyTemplate.objects.filter(is_active=True).filter(
            Q(topic="") | Q(topic=conversation.topic)
        )
    )


def record_own_listing(viewer, patient, conversations: list[Conversation]) -> None:
    record_audit_event(
        actor=viewer,
        event_type=AuditEventType.CONVERSATIONS_LISTED,
        target=patient,
        about=patient,
        details={"view": "portal", "count": len(conversations)},
    )
