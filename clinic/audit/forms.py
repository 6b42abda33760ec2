from django import forms

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.selectors import EVENT_GROUPS
from clinic.core.validators import BROWSE_DATES


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label="Who (e-mail)", required=False, max_length=254)
    mrn = forms.CharField(label="Patient MRN", required=False, max_length=20)
    group = forms.ChoiceField(
        label="Area",
        required=False,
        choices=[("", "All areas")] + [(k, v[0]) for k, v in EVENT_GROUPS.items()],
    )
    event_type = forms.TypedChoiceField(
        label="Event",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "All events"), *AuditEventType.choices],
    )
    outcome = forms.ChoiceField(
        label="Outcome", required=False, choices=[("", "Any outcome"), *AuditOutcome.choices]
    )
    date_from = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[BROWSE_DATES],
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[BROWSE_DATES],
    )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if (
            cleaned.get("date_from")
            and cleaned.get("date_to")
            and cleaned["date_from"] > cleaned["date_to"]
        ):
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned
