from __future__ import annotations

from django import forms
from django.utils import timezone

from clinic.assessments.choices import AlertAction, AssessmentContext
from clinic.assessments.instruments import INSTRUMENTS, Instrument
from clinic.core.validators import ENTRY_DATES

PATIENT_INSTRUMENTS = [
    (code, f"{i.short_name} — {i.purpose}")
    for code, i in INSTRUMENTS.items()
    if i.respondent == "patient"
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


class EnteredInErrorForm(forms.Form):
    reason = forms.CharField(label="Why is this response wrong?", max_length=300)


class TabletHandOverForm(forms.Form):
    """The patient, holding the clinic tablet, confirms who they are before answering."""

    date_of_birth = forms.DateField(
        label="Your date of birth", widget=forms.DateInput(attrs={"type": "date"})
    )
