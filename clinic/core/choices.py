from django.db import models


class Condition(models.TextChoices):
    """Conditions the clinic treats; shared by consultation requests and the patient record."""

    TREATMENT_RESISTANT_DEPRESSION = "trd", "Treatment-resistant depression"
    ANXIETY = "anxiety", "Anxiety disorders"
    PTSD = "ptsd", "Post-traumatic stress disorder (PTSD)"
    BIPOLAR_DEPRESSION = "bipolar_depression", "Bipolar depression"
    OCD = "ocd", "Obsessive-compulsive disorder (OCD)"
    CHRONIC_PAIN = "chronic_pain", "Chronic pain"
    NEUROPATHIC_PAIN = "neuropathic_pain", "Neuropathic pain"
    FIBROMYALGIA = "fibromyalgia", "Fibromyalgia"
    CRPS = "crps", "Complex regional pain syndrome (CRPS)"
    OTHER = "other", "Other"


def condition_labels(codes: list[str]) -> list[str]:
    labels = dict(Condition.choices)
    return [labels.get(code, code) for code in codes]


class Route(models.TextChoices):
    """How ketamine is given; consent, protocols, plans and sessions all speak of routes."""

    IV = "iv", "IV infusion"
    IM = "im", "IM injection"
    INTRANASAL = "intranasal", "Intranasal esketamine"
    ORAL = "oral", "Oral or sublingual"


class DocumentStatus(models.TextChoices):
    """Where a generated document (a PDF drawn in the background) stands."""

    # Asked for; the task worker has not drawn it yet.
    QUEUED = "queued", "Preparing"
    # Drawn and stored: it can be downloaded.
    READY = "ready", "Ready"
    # Could not be drawn; `failure_message` says why, in words a person understands.
    FAILED = "failed", "Failed"
