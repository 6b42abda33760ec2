from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone

from clinic.assessments.choices import (
    AlertAction,
    AssessmentContext,
    ContactOutcome,
    Respondent,
    SideEffectSeverity,
)
from clinic.assessments.instruments import INSTRUMENTS, Instrument
from clinic.assessments.side_effects import SYMPTOM_CHOICES
from clinic.core.validators import ENTRY_DATES

PATIENT_INSTRUMENTS = [
    (code, f"{i.short_name} — {i.purpose}")
    for code, i in INSTRUMENTS.items()
    if i.respondent == Respondent.PATIENT
]


class SendQuestionnairesForm(forms.Form):
    instrument_codes = forms.MultipleChoiceField(
        label="Questionnaires",
        choices=PATIENT_INSTRUMENTS,
        widget=forms.CheckboxSelectMultiple,
        help_text="Pre-selected from the patient's conditions.",
    )
    context = forms.ChoiceField(
        label="Why",
        choices=[
            (v, label) for v, label in AssessmentContext.choices if v != AssessmentContext.POST_DOSE
        ],
        initial=AssessmentContext.CHECK_IN,
    )


class InstrumentAnswersForm(forms.Form):
    """All items of one instrument as radio buttons; used by patients and by staff entering paper
    answers. Blank answers are allowed here: completeness is the scoring rule's to judge, so the
    message names the missing item in the instrument's own numbering."""

    def __init__(self, *args, instrument: Instrument, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        if staff:
            self.fields["taken_at"] = forms.DateTimeField(
                label="Answered (or rated) at",
                initial=lambda: timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                widget=forms.DateTimeInput(
                    attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
                ),
                validators=[ENTRY_DATES],
            )
            self.fields["context"] = forms.ChoiceField(
                label="Why", choices=AssessmentContext.choices, initial=AssessmentContext.FOLLOW_UP
            )
        for item in instrument.items:
            self.fields[item.link_id] = forms.TypedChoiceField(
                label=f"{item.number}. {item.text}",
                required=False,
                coerce=int,
                empty_value=None,
                choices=[(option.value, option.label) for option in item.options],
                widget=forms.RadioSelect,
            )

    def answers(self) -> dict[str, int | None]:
        return {item.link_id: self.cleaned_data.get(item.link_id) for item in self.instrument.items}


class ResolveAlertForm(forms.Form):
    actions = forms.MultipleChoiceField(
        label="What was done", choices=AlertAction.choices, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label="What you found and decided",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ContactAttemptForm(forms.Form):
    # Shown beside the resolve form, which has a note of its own: the prefix keeps the ids apart.
    prefix = "contact"

    outcome = forms.ChoiceField(
        label="How did the attempt go?", choices=ContactOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the patient said, the number called, when to try again. "
        "Needed when the patient was reached.",
    )


class EnteredInErrorForm(forms.Form):
    reason = forms.CharField(label="Why is this response wrong?", max_length=300)


class TabletHandOverForm(forms.Form):
    """The patient, holding the clinic tablet, confirms who they are before answering."""

    date_of_birth = forms.DateField(
        label="Your date of birth", widget=forms.DateInput(attrs={"type": "date"})
    )


class SideEffectReportForm(forms.Form):
    """A side effect reported by the patient between visits (checked again by the service)."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    symptoms = forms.MultipleChoiceField(
        label="What are you noticing?",
        choices=SYMPTOM_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose everything that applies.",
        error_messages={"required": "Choose at least one of the listed side effects."},
    )
    started_on = forms.DateField(
        label="Since when?",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The day it started (a guess is fine).",
        error_messages={"required": "Enter the day it started.", "invalid": "Enter a date."},
    )
    severity = forms.ChoiceField(
        label="How bad is it?",
        choices=SideEffectSeverity.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how bad it is."},
    )
    still_going = forms.TypedChoiceField(
        label="Is it still going on?",
        choices=[("yes", "Yes, I still have it"), ("no", "No, it has stopped")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether it is still going on."},
    )

    def clean_started_on(self):
        started_on = self.cleaned_data["started_on"]
        today = timezone.localdate()
        # The service checks again in the clinic's zone; these are the same limits.
        if started_on > today + timedelta(days=1):
            raise forms.ValidationError("The date it started cannot be in the future.")
        if started_on < today - timedelta(days=5 * 366):
            raise forms.ValidationError("Check the year of the date it started.")
        return started_on

    description = forms.CharField(
        label="Anything else we should know? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="In your own words. Needed if you chose “Something else”.",
    )


class ReviewSideEffectReportForm(forms.Form):
    note = forms.CharField(
        label="What you found and decided",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write what you found and decided."},
    )
