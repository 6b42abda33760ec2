"""Row locks on conversations, reply templates and notices, held until the transaction ends."""

from __future__ import annotations

from django.db import connection

from clinic.messaging.choices import NoticeStatus
from clinic.messaging.models import Conversation, Notice, ReplyTemplate


def lock_conversation(conversation_id: int) -> Conversation:
    """The conversation's row, locked (DoesNotExist if there is none)."""
    return Conversation.objects.select_for_update().get(pk=conversation_id)


def lock_reply_template(template_id: int) -> ReplyTemplate:
    """The reply template's row, locked (DoesNotExist if there is none)."""
    return ReplyTemplate.objects.select_for_update().get(pk=template_id)


def lock_notice_to_send(notice_id: int) -> Notice | None:
    """The notice, locked and read with its message and conversation, while it still waits to
    be sent; None once it does not, or (PostgreSQL) while another worker holds it."""
    rows = Notice.objects.filter(
        pk=notice_id, status__in=[NoticeStatus.PENDING, NoticeStatus.RETRYING]
    )
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True)
    elif connection.features.has_select_for_update:
        rows = rows.select_for_update()
    return rows.select_related("message__conversation").first()
