from __future__ import annotations

from django import forms

from clinic.core.choices import Condition, Route
from clinic.core.models import Location
from clinic.core.validators import BROWSE_DATES
from clinic.outcomes.choices import OutreachChannel, OutreachResult
from clinic.outcomes.models import OUTREACH_NOTE_MAX_CHARS
from clinic.outcomes.selectors import OutcomeFilters
from clinic.treatment.models import ProtocolTemplate


class OutcomesFilterForm(forms.Form):
    """The outcomes page's filter (read from the query string): every field optional."""

    # The dates browsed elsewhere (the calendar, the audit log): the programme's years, and no
    # date so far out that the day after it cannot be worked out.
    date_from = forms.DateField(
        required=False,
        label="From (date)",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[BROWSE_DATES],
    )
    date_to = forms.DateField(
        required=False,
        label="To (date)",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[BROWSE_DATES],
    )
    location = forms.ModelChoiceField(
        queryset=Location.objects.order_by("name"), required=False, empty_label="All locations"
    )
    condition = forms.ChoiceField(
        choices=[("", "All conditions"), *Condition.choices], required=False
    )
    route = forms.ChoiceField(choices=[("", "All routes"), *Route.choices], required=False)
    protocol = forms.ModelChoiceField(
        queryset=ProtocolTemplate.objects.order_by("name"),
        required=False,
        empty_label="All protocols",
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be on or after the start date.")
        return data

    def filters(self) -> OutcomeFilters:
        data = self.cleaned_data
        return OutcomeFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            location=data.get("location"),
            condition=data.get("condition") or "",
            route=data.get("route") or "",
            protocol=data.get("protocol"),
        )


class OutreachForm(forms.Form):
    channel = forms.ChoiceField(
        label="How",
        choices=[("", "Choose…"), *OutreachChannel.choices],
        error_messages={
            "required": "Choose how you tried to reach the patient.",
            "invalid_choice": "Choose how you tried to reach the patient.",
        },
    )
    result = forms.ChoiceField(
        label="What came of it",
        choices=[("", "Choose…"), *OutreachResult.choices],
        error_messages={
            "required": "Choose what came of it.",
            "invalid_choice": "Choose what came of it.",
        },
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=OUTREACH_NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": OUTREACH_NOTE_MAX_CHARS}),
        help_text="For the team: when to try again, what the patient said. No clinical detail.",
        error_messages={"max_length": f"Keep the note under {OUTREACH_NOTE_MAX_CHARS} characters."},
    )
