from __future__ import annotations

from django import forms
from django.utils import timezone

from clinic.core.choices import Condition
from clinic.core.forms import model_choice_field
from clinic.core.models import Location
from clinic.core.validators import age_in_years, validate_birth_date, validate_phone_number
from clinic.intake.choices import ConsultationStatus, ContactMethod, ContactTime, DeclineReason
from clinic.intake.services import CONSENT_TO_CONTACT_TEXT
from clinic.patients.ages import AGE_OF_MAJORITY_YEARS, under_age_message
from clinic.patients.policy import get_patient_policy


class ConsultationRequestForm(forms.Form):
    """The public consultation request. `website` is a honeypot: people never see it, bots fill it."""

    first_name = forms.CharField(
        max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    preferred_name = forms.CharField(
        max_length=100, required=False, help_text="What you like to be called, if different."
    )
    date_of_birth = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )
    email = forms.EmailField(
        label="E-mail address", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label="Phone number",
        max_length=40,
        validators=[validate_phone_number],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    preferred_contact_method = forms.ChoiceField(
        label="How should we contact you?", choices=ContactMethod.choices, widget=forms.RadioSelect
    )
    preferred_contact_times = forms.MultipleChoiceField(
        label="When is a good time?",
        choices=ContactTime.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    location = forms.ModelChoiceField(
        label="Which clinic location suits you?", queryset=Location.objects.none(), empty_label=None
    )
    conditions = forms.MultipleChoiceField(
        label="What would you like help with?",
        choices=Condition.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose all that apply.",
    )
    other_condition = forms.CharField(
        label="If other, please describe", max_length=200, required=False
    )
    treatments_tried = forms.CharField(
        label="Treatments you have tried",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example medicines, talking therapy, TMS or ECT, and how they worked for you.",
    )
    message = forms.CharField(
        label="Anything else you would like us to know",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    consent_to_contact = forms.BooleanField(
        label=CONSENT_TO_CONTACT_TEXT,
        error_messages={
            "required": "Please agree to be contacted: we cannot reply to your request otherwise."
        },
    )
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The clinic's minimum age (the medical director's setting; 18 unless minors are seen).
        self.minimum_age_years = get_patient_policy().minimum_age_years
        self.fields["date_of_birth"].help_text = (
            f"We treat patients aged {self.minimum_age_years} and over; a parent or guardian "
            "may fill this in for a young person."
            if self.minimum_age_years < AGE_OF_MAJORITY_YEARS
            else f"We treat adults aged {self.minimum_age_years} and over."
        )
        locations = Location.objects.filter(is_active=True)
        model_choice_field(self, "location").queryset = locations
        if len(locations) == 1:
            self.fields["location"].initial = locations[0].pk
            self.fields["location"].widget = forms.HiddenInput()

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        validate_birth_date(value, today=today)
        if age_in_years(value, today) < self.minimum_age_years:
            raise forms.ValidationError(under_age_message(self.minimum_age_years), code="under_age")
        return value

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if (
            "other" in cleaned.get("conditions", [])
            and not cleaned.get("other_condition", "").strip()
        ):
            self.add_error(
                "other_condition", "Please describe the condition you chose “Other” for."
            )
        return cleaned

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def request_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in {"website", "location"}}
        return data


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("open", "Open requests"), *ConsultationStatus.choices, ("all", "All")],
    )
    q = forms.CharField(label="Search", required=False, max_length=100)


class QueueStepForm(forms.Form):
    to_status = forms.ChoiceField(
        label="Mark as",
        choices=ConsultationStatus.choices,
        error_messages={"required": "Choose the step the request has reached."},
    )
    note = forms.CharField(
        label="Note about this step (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Add a note (a call, a message left)",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(label="Reason", choices=DeclineReason.choices)
    details = forms.CharField(
        label="Details", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
