from __future__ import annotations

from django import forms

from clinic.core.choices import Condition, Route
from clinic.core.models import Location
from clinic.outcomes.selectors import OutcomeFilters
from clinic.treatment.models import ProtocolTemplate


class OutcomesFilterForm(forms.Form):
    """The outcomes page's filter (read from the query string): every field optional."""

    date_from = forms.DateField(
        required=False, label="From (date)", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To (date)", widget=forms.DateInput(attrs={"type": "date"})
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
