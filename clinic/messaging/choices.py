from django.db import models

from clinic.accounts.choices import CLINICAL_ROLES, Role


class Topic(models.TextChoices):
    """What a conversation is about: decides who in the team reads it."""

    # Booking, moving or cancelling a visit: front desk and clinical staff.
    APPOINTMENTS = "appointments", "Appointments"
    # A side effect or symptom between visits: clinical staff only.
    SIDE_EFFECTS = "side_effects", "Side effects"
    # Medicines, doses, interactions: clinical staff only.
    MEDICINES = "medicines", "Medicines"
    # A bill, a payment, insurance: front desk and clinical staff.
    BILLING = "billing", "Billing question"
    # Anything else: clinical staff, since it may hold clinical content.
    OTHER = "other", "Something else"


# Front desk sees no clinical content (clinic.accounts' roles): only these topics reach them.
FRONT_DESK_TOPICS = frozenset({Topic.APPOINTMENTS, Topic.BILLING})
CLINICAL_TOPICS = frozenset(Topic.values) - FRONT_DESK_TOPICS


def topics_for_role(role: str) -> frozenset[str]:
    """The topics a member of staff with this role reads."""
    if role in CLINICAL_ROLES:
        return frozenset(Topic.values)
    if role == Role.FRONT_DESK:
        return FRONT_DESK_TOPICS
    return frozenset()


class ConversationStatus(models.TextChoices):
    # Open: the patient or the team may still write.
    OPEN = "open", "Open"
    # Done: the team marked it answered; a new message from the patient opens it again.
    DONE = "done", "Done"


class NoticeChannel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "Text message"


class NoticeStatus(models.TextChoices):
    # Waiting for the background worker.
    PENDING = "pending", "Waiting to be sent"
    # Handed to the mail server or SMS provider.
    SENT = "sent", "Sent"
    # The last try failed; it is tried again later (`send_message_notices`).
    RETRYING = "retrying", "Failed, will retry"
    # Every try failed: staff see it and reach the patient another way.
    FAILED = "failed", "Not delivered"
