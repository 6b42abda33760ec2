from django.db import models


class TargetKind(models.TextChoices):
    """What a configuration change changes: one kind per configurable table."""

    # A treatment protocol template (treatment.ProtocolTemplate): dose ranges, infusion limits,
    # schedule, intervals between doses.
    PROTOCOL_TEMPLATE = "protocol", "Treatment protocol"
    # The vital-sign limits of one route (monitoring.MonitoringProtocol).
    MONITORING_PROTOCOL = "monitoring", "Monitoring limits"
    # The clinic's one row of scheduling settings (scheduling.SchedulingPolicy).
    SCHEDULING_POLICY = "scheduling", "Scheduling policy"
    # Measurement-based care settings (assessments.AssessmentPolicy).
    ASSESSMENT_POLICY = "assessments", "Questionnaire policy"
    # Which questionnaires a condition's patients answer (assessments.InstrumentAssignment): one
    # row per condition, the default set while none is saved.
    INSTRUMENT_ASSIGNMENT = "instruments", "Questionnaire sets"
    # Messaging settings (messaging.MessagingPolicy).
    MESSAGING_POLICY = "messaging", "Messaging policy"
    # Controlled-substance register settings (inventory.InventoryPolicy).
    INVENTORY_POLICY = "inventory", "Register policy"
    # Registration and guardian settings (patients.PatientPolicy).
    PATIENT_POLICY = "patients", "Registration and guardian policy"
    # When follow-up reviews fall due (reviews.ReviewPolicy).
    REVIEW_POLICY = "reviews", "Follow-up review policy"


class ChangeStatus(models.TextChoices):
    """Where a configuration change stands: draft → reviewed → published, or discarded."""

    # Saved by a medical director; nothing live has changed.
    DRAFT = "draft", "Draft"
    # Checked by a second medical director (or, in a clinic with one, by the author with an
    # attestation); ready to publish.
    REVIEWED = "reviewed", "Reviewed"
    # Applied to the live row: what the clinic now works to.
    PUBLISHED = "published", "Published"
    # Abandoned before publishing; kept for the history.
    DISCARDED = "discarded", "Discarded"


# A change still waiting to be published (several may wait for one row: the first published
# makes the others stale).
OPEN_STATUSES = (ChangeStatus.DRAFT, ChangeStatus.REVIEWED)


class DocumentKind(models.TextChoices):
    """The versioned texts the director writes: a new version is a draft until published."""

    # An informed-consent document (evaluation.ConsentDocument): publishing a new version asks
    # every patient treated by its routes to sign it again.
    CONSENT = "consent", "Consent document"
    # A page of the patient education library (evaluation.EducationPage).
    EDUCATION = "education", "Education page"
