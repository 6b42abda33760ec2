from django.db import models


class AppointmentKind(models.TextChoices):
    CONSULTATION_CALL = "consultation_call", "Consultation call"
    EVALUATION = "evaluation", "Evaluation"
    TREATMENT = "treatment", "Treatment session"
    FOLLOW_UP = "follow_up", "Follow-up"
    REASSESSMENT = "reassessment", "Reassessment"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CHECKED_IN = "checked_in", "Checked in"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


# Statuses that hold a room, a nurse's chair-side place and the patient's time.
HOLDING_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)


class FollowUpKind(models.TextChoices):
    FOLLOW_UP = "follow_up", "Follow-up"
    REASSESSMENT = "reassessment", "Reassessment"
    # A clinician's follow-up review (clinic.reviews): after an induction series, at the
    # maintenance interval and after an urgent safety alert.
    REVIEW = "review", "Follow-up review"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "Due"
    BOOKED = "booked", "Booked"
    DONE = "done", "Done"


class RoomKind(models.TextChoices):
    ROOM = "room", "Treatment room"
    CHAIR = "chair", "Infusion chair"


class StaffRole(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    NURSE = "nurse", "Nurse"
    FRONT_DESK = "front_desk", "Front desk"


class CancelReason(models.TextChoices):
    PATIENT_REQUEST = "patient_request", "Patient asked"
    ILLNESS = "illness", "Patient unwell"
    CLINIC = "clinic", "Clinic rescheduled"
    PLAN_CHANGED = "plan_changed", "Plan changed"
    OTHER = "other", "Other"


class PatientRequestKind(models.TextChoices):
    # The patient asks, in the portal, that the appointment be cancelled.
    CANCEL = "cancel", "Cancel"
    # The patient asks for another time (their note says which times suit them).
    RESCHEDULE = "reschedule", "Reschedule"


class WaitlistStatus(models.TextChoices):
    # Waiting for an earlier time to come free.
    WAITING = "waiting", "Waiting"
    # An offered time was accepted and booked.
    BOOKED = "booked", "Booked from an offer"
    # Taken off the list by staff (found a time another way, no longer wanted …).
    REMOVED = "removed", "Taken off the list"
    # Closed by itself once every date it wanted had passed (the waitlist job, or the waitlist
    # page as it is read): nothing could be offered to it any more.
    EXPIRED = "expired", "Closed: its dates passed"


class WaitlistOfferStatus(models.TextChoices):
    # Offered to the patient, waiting for their answer until it expires.
    OPEN = "open", "Offered"
    # The patient accepted and the time was booked for them.
    ACCEPTED = "accepted", "Accepted and booked"
    # The patient said no; the time goes to the next patient waiting.
    DECLINED = "declined", "Declined"
    # Not answered in time; the time goes to the next patient waiting.
    EXPIRED = "expired", "Expired"
    # Accepted, but the time could no longer be booked (taken meanwhile, or it no longer fits).
    TAKEN = "taken", "Taken meanwhile"
