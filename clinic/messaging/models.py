"""Conversations between a patient and the care team, one per topic, with their messages, the
"a reply is waiting" notices sent for them, the team's reply templates and the clinic's
messaging settings."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from clinic.core.models import TimeStampedModel
from clinic.messaging.choices import ConversationStatus, NoticeChannel, NoticeStatus, Topic

MESSAGE_MAX_CHARACTERS = 4000


class Conversation(TimeStampedModel):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="conversations"
    )
    # The location whose inbox holds it: the patient's home location when it was started.
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(max_length=20, choices=Topic.choices)
    status = models.CharField(
        max_length=10, choices=ConversationStatus.choices, default=ConversationStatus.OPEN
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_conversations",
    )
    last_message_at = models.DateTimeField()
    # The first of the patient's messages the team has not answered yet; None when answered.
    waiting_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [
            models.Index(fields=["location", "status", "waiting_since"], name="conversation_inbox")
        ]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} conversation {self.public_id}"


class Message(models.Model):
    """One message, plain text (shown escaped, never as HTML)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.PROTECT, related_name="messages"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_patient = models.BooleanField()
    body = models.TextField(max_length=MESSAGE_MAX_CHARACTERS)
    created_at = models.DateTimeField()
    # When the other side first opened it: the patient, for the team's messages; anyone in the
    # team, for the patient's (the read receipt).
    read_at = models.DateTimeField(null=True, blank=True)
    # Chosen by the page that wrote it: the same key sent twice (a retry after a lost answer)
    # finds the message already written instead of writing it again.
    submit_key = models.UUIDField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["author", "submit_key"], name="message_submitted_once")
        ]

    def __str__(self) -> str:
        return f"Message {self.public_id}"


class Notice(models.Model):
    """A "a reply is waiting" e-mail or text for one message: no health details, a link only.
    One per message, channel and recipient (the patient, each guardian), so each is sent once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="notices")
    channel = models.CharField(max_length=10, choices=NoticeChannel.choices)
    recipient = models.CharField(max_length=254)
    status = models.CharField(
        max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "channel", "recipient"], name="one_notice_per_recipient"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} notice for {self.message_id}"


class ReplyTemplate(TimeStampedModel):
    """A common answer the team starts a reply from, edited in the admin."""

    title = models.CharField(max_length=80, unique=True)
    body = models.TextField(max_length=MESSAGE_MAX_CHARACTERS)
    # Offered in conversations of this topic only; blank: in every topic the viewer reads.
    topic = models.CharField(max_length=20, choices=Topic.choices, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class MessagingPolicy(TimeStampedModel):
    """The clinic's messaging settings, edited by the medical director (one row)."""

    # Shown on every message page: when messages are read [clinic policy].
    staffed_hours = models.CharField(
        max_length=200,
        default="Monday to Friday, 9 am to 5 pm",
        help_text="When the team reads messages, shown to patients on every message page.",
    )
    # A patient's message unanswered for longer is flagged in the inbox [UNVERIFIED: clinic
    # policy; no source fixes a reply time for patient portal messages].
    reply_target_hours = models.PositiveSmallIntegerField(
        default=24, validators=[MinValueValidator(1), MaxValueValidator(168)]
    )
    # The local emergency number shown beside 988, the Suicide & Crisis Lifeline's three-digit
    # number in the US (FCC designation, 47 CFR 52.200); 911 in the US and Canada.
    emergency_number = models.CharField(max_length=10, default="911")
    singleton = models.BooleanField(default=True, unique=True, editable=False)

    class Meta:
        verbose_name_plural = "messaging policy"

    def __str__(self) -> str:
        return "Messaging policy"

    @classmethod
    def current(cls) -> MessagingPolicy:
        return cls.objects.filter(singleton=True).first() or cls()
