from django.db import models


class OutreachChannel(models.TextChoices):
    """How the team tried to reach a patient who dropped off."""

    CALL = "call", "Phone call"
    TEXT = "text", "Text message"
    PORTAL_MESSAGE = "portal_message", "Portal message"
    EMAIL = "email", "E-mail"
    LETTER = "letter", "Letter"


class OutreachResult(models.TextChoices):
    """What came of it."""

    REBOOKED = "rebooked", "Reached: a session is booked"
    CALLING_BACK = "calling_back", "Reached: will call back"
    STOPPING = "stopping", "Reached: does not want to go on"
    VOICEMAIL = "voicemail", "Left a message"
    NO_ANSWER = "no_answer", "No answer"
    WRONG_NUMBER = "wrong_number", "Wrong number or address"
    SENT = "sent", "Sent (no answer expected yet)"
