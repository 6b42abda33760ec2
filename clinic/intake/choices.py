from django.db import models


class ConsultationStatus(models.TextChoices):
    """Where a consultation request stands in the front desk's queue."""

    # Submitted on the public site; nobody has called back yet.
    NEW = "new", "New"
    # Staff reached the person (or left a message) and noted it.
    CONTACTED = "contacted", "Contacted"
    # A comprehensive evaluation is booked.
    EVALUATION_BOOKED = "evaluation_booked", "Evaluation booked"
    # A patient record was created from the request.
    CONVERTED = "converted", "Converted to patient"
    # Closed without registering (with the reason recorded).
    DECLINED = "declined", "Declined"


OPEN_STATUSES = frozenset(
    {ConsultationStatus.NEW, ConsultationStatus.CONTACTED, ConsultationStatus.EVALUATION_BOOKED}
)

# The queue's steps: converting and declining are their own actions (they need more than a note).
ALLOWED_QUEUE_STEPS: dict[str, frozenset[str]] = {
    ConsultationStatus.NEW: frozenset(
        {ConsultationStatus.CONTACTED, ConsultationStatus.EVALUATION_BOOKED}
    ),
    ConsultationStatus.CONTACTED: frozenset(
        {ConsultationStatus.EVALUATION_BOOKED, ConsultationStatus.NEW}
    ),
    ConsultationStatus.EVALUATION_BOOKED: frozenset({ConsultationStatus.CONTACTED}),
    ConsultationStatus.CONVERTED: frozenset(),
    ConsultationStatus.DECLINED: frozenset({ConsultationStatus.CONTACTED}),
}


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "E-mail"


class ContactTime(models.TextChoices):
    MORNING = "morning", "Mornings (8–12)"
    AFTERNOON = "afternoon", "Afternoons (12–5)"
    EVENING = "evening", "Evenings (5–8)"
    ANY = "any", "Any time"


class DeclineReason(models.TextChoices):
    NOT_SUITABLE = "not_suitable", "Not suitable for ketamine treatment"
    CHOSE_OTHER_CARE = "chose_other_care", "Chose other care"
    UNREACHABLE = "unreachable", "Could not be reached"
    COST = "cost", "Cost or insurance"
    DUPLICATE = "duplicate", "Duplicate request"
    SPAM = "spam", "Spam or not a real request"
    OTHER = "other", "Other"
