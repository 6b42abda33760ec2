from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from django import forms
from django.http import QueryDict
from django.utils import timezone

from clinic.accounts.choices import Role
from clinic.accounts.models import User
from clinic.core.forms import label_choices_with, model_choice_field
from clinic.core.validators import BOOKING_DATES
from clinic.scheduling.booking_checks import OVERRIDE_REASON_MAX_CHARS
from clinic.scheduling.choices import AppointmentKind, CancelReason
from clinic.scheduling.models import AppointmentType, Room

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")


def override_reason_field(label: str, help_text: str) -> forms.CharField:
    """The reason a booking or a move goes ahead despite its warnings (kept with it)."""
    return forms.CharField(
        required=False,
        max_length=OVERRIDE_REASON_MAX_CHARS,
        label=label,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BookingForm(forms.Form):
    appointment_type = forms.ModelChoiceField(
        queryset=AppointmentType.objects.filter(is_active=True), label="What"
    )
    day = forms.DateField(label="Date", widget=DATE, validators=[BOOKING_DATES])
    at = forms.TimeField(label="Start time", widget=TIME)
    room = forms.ModelChoiceField(
        queryset=Room.objects.none(), required=False, label="Room or chair"
    )
    staff = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="With")
    override_reason = override_reason_field(
        "Reason to book despite a warning",
        "Only when the booking warns you (for example, a session the plan does not include): "
        "say who asked for it and why.",
    )

    def __init__(self, *args, location, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "room").queryset = Room.objects.filter(
            location=location, is_active=True
        )
        label_choices_with(model_choice_field(self, "room"), lambda room: room.name)
        model_choice_field(self, "staff").queryset = User.objects.filter(
            is_active=True,
            locations=location,
            role__in=[Role.CLINICIAN, Role.NURSE, Role.FRONT_DESK, Role.MEDICAL_DIRECTOR],
        ).order_by("role", "full_name")
        label_choices_with(
            model_choice_field(self, "staff"),
            lambda user: f"{user.full_name} ({user.get_role_display()})",
        )


class SeriesForm(forms.Form):
    appointment_type = forms.ModelChoiceField(
        queryset=AppointmentType.objects.filter(is_active=True, kind=AppointmentKind.TREATMENT),
        label="Session type",
    )
    at = forms.TimeField(label="Start time each day", widget=TIME, initial="09:00")
    room = forms.ModelChoiceField(queryset=Room.objects.none(), label="Room or chair")
    staff = forms.ModelChoiceField(queryset=User.objects.none(), label="Nurse")
    override_reason = override_reason_field(
        "Reason to book despite a warning",
        "Only when booking the series warns you (for example, a nurse with no working hours on "
        "record): say who arranged it and why.",
    )

    def __init__(self, *args, location, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "room").queryset = Room.objects.filter(
            location=location, is_active=True
        )
        label_choices_with(model_choice_field(self, "room"), lambda room: room.name)
        model_choice_field(self, "staff").queryset = User.objects.filter(
            is_active=True, locations=location, role=Role.NURSE
        ).order_by("full_name")
        label_choices_with(model_choice_field(self, "staff"), lambda user: user.full_name)


# Each session's row carries the time chosen for it, and a suggested free time's button the
# session's number and that time ("3@2027-03-10T10:30:00-05:00"), posted with the whole form.
SESSION_FIELD = "session-{number}"
CHOOSE_FIELD = "choose"


def _aware(value: str | None) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return parsed if timezone.is_aware(parsed) else None


def series_starts(data: QueryDict, proposed: list[datetime]) -> list[datetime]:
    """The time each session of a series is to be booked at: the one its row carries, else (a
    first look, or a value that cannot be read) the plan's proposed time. Whatever is posted is
    checked again by the booking, so a forged time is refused there like any other."""
    return [
        _aware(data.get(SESSION_FIELD.format(number=number))) or proposed_at
        for number, proposed_at in enumerate(proposed, start=1)
    ]


def series_choice(data: QueryDict, sessions: int) -> tuple[int, datetime] | None:
    """The session and the suggested free time its button put in its place, if one was clicked."""
    number, _, at = (data.get(CHOOSE_FIELD) or "").partition("@")
    starts_at = _aware(at)
    if not number.isdigit() or not 1 <= int(number) <= sessions or starts_at is None:
        return None
    return int(number), starts_at


class CancelForm(forms.Form):
    reason = forms.ChoiceField(choices=CancelReason.choices, label="Reason")
    details = forms.CharField(required=False, max_length=300, label="Details")


class MoveForm(forms.Form):
    day = forms.DateField(label="New date", widget=DATE, validators=[BOOKING_DATES])
    at = forms.TimeField(label="New start time", widget=TIME)
    override_reason = override_reason_field(
        "Reason to move despite a warning",
        "Only when the move warns you: say who asked for it and why.",
    )


class PatientRequestForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[
            ("reschedule", "Please move this appointment"),
            ("cancel", "Please cancel this appointment"),
        ],
        widget=forms.RadioSelect,
        label="Request",
    )
    note = forms.CharField(
        required=False,
        max_length=500,
        label="Anything we should know (e.g. times that suit you)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


YES_NO = [("yes", "Yes"), ("no", "No")]


class CheckInForm(forms.Form):
    fasting = forms.ChoiceField(
        label="Have you followed the fasting instructions for this visit?",
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    ride = forms.ChoiceField(
        label="Have you arranged for an adult to take you home?",
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    medication_changed = forms.ChoiceField(
        label="Have any of your medicines changed since your last visit?",
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    medication_change_details = forms.CharField(
        label="If yes, which medicine and how?", required=False, max_length=500
    )


class SlotSearchForm(forms.Form):
    """A free cell of the day grid (its room, day and time) and who to book into it."""

    room = forms.UUIDField(widget=forms.HiddenInput)
    day = forms.DateField(widget=forms.HiddenInput, validators=[BOOKING_DATES])
    at = forms.TimeField(widget=forms.HiddenInput)
    staff = forms.UUIDField(widget=forms.HiddenInput, required=False)
    q = forms.CharField(
        label="Patient's name, MRN or date of birth",
        required=False,
        max_length=100,
    )


@dataclass(frozen=True)
class RebookChoice:
    """A suggested free time as a button: the form's own fields, posted again with this time."""

    starts_at: datetime
    fields: list[tuple[str, str]]


# Fields never posted again: the CSRF token comes fresh with each button's form.
_NOT_REPOSTED = frozenset({"csrfmiddlewaretoken"})


def rebook_choices(
    data: QueryDict,
    alternatives: list[datetime],
    *,
    zone: tzinfo,
    day_field: str = "day",
    at_field: str = "at",
) -> list[RebookChoice]:
    """One button per suggested time, carrying what was posted with the day and time replaced, so
    that a click books (or moves) at that time in one step, through the same checks."""
    kept = [
        (name, value)
        for name in data
        if name not in _NOT_REPOSTED | {day_field, at_field}
        for value in data.getlist(name)
    ]
    choices = []
    for starts_at in alternatives:
        local = timezone.localtime(starts_at, zone)
        choices.append(
            RebookChoice(
                starts_at,
                [
                    *kept,
                    (day_field, local.date().isoformat()),
                    (at_field, local.strftime("%H:%M")),
                ],
            )
        )
    return choices


class DeclineRequestForm(forms.Form):
    appointment = forms.UUIDField(widget=forms.HiddenInput)
    reply = forms.CharField(
        label="Note to the patient",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RequestActionForm(forms.Form):
    appointment = forms.UUIDField(widget=forms.HiddenInput)


class WaitlistForm(forms.Form):
    appointment_type = forms.ModelChoiceField(
        queryset=AppointmentType.objects.filter(is_active=True), label="Waiting for"
    )
    earliest_on = forms.DateField(label="Earliest date", widget=DATE, validators=[BOOKING_DATES])
    latest_on = forms.DateField(label="Latest date", widget=DATE, validators=[BOOKING_DATES])
    preferred_times = forms.CharField(
        label="Preferred times",
        required=False,
        max_length=300,
        help_text="For example: mornings, not Fridays.",
    )


class WaitlistEntryActionForm(forms.Form):
    entry = forms.UUIDField(widget=forms.HiddenInput)


class OfferAnswerForm(forms.Form):
    action = forms.ChoiceField(choices=[("accept", "Book it"), ("decline", "No, thanks")])
