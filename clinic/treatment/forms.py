from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone

from clinic.assessments.instruments import INSTRUMENTS
from clinic.core.choices import Condition
from clinic.core.forms import model_choice_field
from clinic.core.models import Location
from clinic.core.validators import BOOKING_DATES
from clinic.treatment.choices import ChangeReason, WeightBasis
from clinic.treatment.goals import (
    BELOW,
    COMPARISONS,
    MAX_GOALS,
    MAX_WORDS,
    MME_LABEL,
    MME_MEASURE,
    clean_goal,
)
from clinic.treatment.models import ProtocolTemplate


class PlanForm(forms.Form):
    protocol = forms.ModelChoiceField(
        queryset=ProtocolTemplate.objects.filter(is_active=True), label="Protocol"
    )
    indications = forms.MultipleChoiceField(
        choices=Condition.choices, widget=forms.CheckboxSelectMultiple, label="Indication(s)"
    )
    dose = forms.DecimalField(
        label="Dose (mg/kg, or mg for a fixed dose)",
        max_digits=6,
        decimal_places=3,
        min_value=0.001,
    )
    weight_basis = forms.ChoiceField(
        choices=WeightBasis.choices, label="Weight basis", initial=WeightBasis.ACTUAL
    )
    infusion_minutes = forms.IntegerField(
        label="Infusion duration (minutes, IV)", min_value=1, max_value=1440, required=False
    )
    induction_sessions = forms.IntegerField(label="Induction sessions", min_value=1, max_value=30)
    induction_sessions_per_week = forms.IntegerField(
        label="Sessions per week", min_value=1, max_value=5
    )
    maintenance_interval_days = forms.IntegerField(
        label="Maintenance every (days)", min_value=1, max_value=180
    )
    start_date = forms.DateField(
        label="First session on or after",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[BOOKING_DATES],
    )
    target_outcomes = forms.CharField(
        label="Target outcomes", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    change_reason = forms.ChoiceField(choices=ChangeReason.choices, label="Why this version")
    change_details = forms.CharField(
        label="Details of the change",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    override_reason = forms.CharField(
        label="Override: why a dose outside the protocol's range",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    password = forms.CharField(
        label="Your password (to sign)",
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        strip=False,
    )


def initial_from_protocol(
    protocol: ProtocolTemplate, *, indications: list[str], reason: str
) -> dict:
    return {
        "protocol": protocol.pk,
        "indications": indications or [protocol.indication],
        "dose": protocol.default_dose.normalize(),
        "infusion_minutes": protocol.infusion_minutes,
        "induction_sessions": protocol.induction_sessions,
        "induction_sessions_per_week": protocol.induction_sessions_per_week,
        "maintenance_interval_days": protocol.maintenance_interval_days,
        "start_date": (timezone.localdate() + timedelta(days=1)).isoformat(),
        "change_reason": reason,
        "weight_basis": WeightBasis.ACTUAL,
    }


class RemsCertificationForm(forms.Form):
    """A location's Spravato REMS healthcare-setting certification (the service checks it)."""

    location = forms.ModelChoiceField(queryset=Location.objects.none(), label="Location")
    certification_number = forms.CharField(label="REMS certification number", max_length=40)
    authorised_representative = forms.CharField(label="Authorised representative", max_length=150)
    certified_on = forms.DateField(
        label="Certified on", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, locations=None, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "location").queryset = (
            locations if locations is not None else Location.objects.none()
        )


class RemsEnrolmentForm(forms.Form):
    """A patient's Spravato REMS enrolment (the service checks it)."""

    patient_rems_id = forms.CharField(label="Patient REMS ID", max_length=40)
    enrolled_on = forms.DateField(
        label="Enrolled on", widget=forms.DateInput(attrs={"type": "date"})
    )


def _measure_choices():
    return [
        ("", "Not measured (the patient's words only)"),
        *[(code, i.short_name) for code, i in INSTRUMENTS.items() if i.charted],
        (MME_MEASURE, MME_LABEL),
    ]


class GoalForm(forms.Form):
    """One treatment goal: the patient's words and, when it is measured, the target and its
    date. A row left empty is no goal."""

    words = forms.CharField(
        label="The goal in the patient's words",
        required=False,
        max_length=MAX_WORDS,
        widget=forms.TextInput(attrs={"placeholder": "e.g. back at work"}),
    )
    measure = forms.ChoiceField(label="Measured by", required=False, choices=_measure_choices)
    comparison = forms.ChoiceField(
        label="Target", required=False, choices=list(COMPARISONS.items()), initial=BELOW
    )
    value = forms.DecimalField(
        label="Value (score, MME or %)",
        required=False,
        max_digits=7,
        decimal_places=2,
        min_value=0,
    )
    target_date = forms.DateField(
        label="Target date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def has_goal(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return bool(
            data.get("words")
            or data.get("measure")
            or data.get("value") is not None
            or data.get("target_date")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.has_goal():
            return data
        if data.get("measure") and data.get("value") is None and "value" not in self.errors:
            self.add_error("value", "Give the target value.")
            return data
        if not data.get("target_date") and "target_date" not in self.errors:
            self.add_error("target_date", "Give each goal a target date.")
            return data
        if self.errors:
            return data
        try:
            data["goal"] = clean_goal(data)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
        return data


class BaseGoalFormSet(forms.BaseFormSet):
    def goals(self) -> list[dict]:
        """The goals written (valid formset only), empty rows left out."""
        return [form.cleaned_data["goal"] for form in self.forms if form.cleaned_data.get("goal")]


GoalFormSet = forms.formset_factory(
    GoalForm, formset=BaseGoalFormSet, extra=2, max_num=MAX_GOALS, validate_max=True
)


def goal_formset(data=None, *, goals=None) -> BaseGoalFormSet:
    """The plan page's goal rows: the goals so far (to keep or change) and two empty rows."""
    initial = [
        {
            "words": goal.get("words", ""),
            "measure": goal.get("measure", ""),
            "comparison": goal.get("comparison", BELOW),
            "value": goal.get("value"),
            "target_date": goal.get("target_date"),
        }
        for goal in goals or []
    ]
    formset = GoalFormSet(data, initial=initial, prefix="goal")
    assert isinstance(formset, BaseGoalFormSet)
    return formset
