from __future__ import annotations

from django import forms
from django.utils import timezone

from clinic.core.choices import Condition
from clinic.core.fields import HeightField, WeightField
from clinic.core.forms import choice_field
from clinic.core.validators import ENTRY_DATES
from clinic.evaluation.choices import AllergySeverity, Decision, RuleSeverity
from clinic.evaluation.models import Evaluation
from clinic.evaluation.rules import BOOLEAN_FIELDS
from clinic.evaluation.services import EDITABLE_FIELDS
from clinic.patients.ranges import PLAUSIBLE

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class YesNoNotAsked(forms.NullBooleanSelect):
    """A screening question: not asked (the default), yes or no."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("unknown", "Not asked"), ("true", "Yes"), ("false", "No"))


# Structured allergies (Allergy rows) replace the free text, which stays on older evaluations.
FORM_FIELDS = [field for field in EDITABLE_FIELDS if field != "allergies"]


class EvaluationForm(forms.ModelForm):
    presenting_conditions = forms.MultipleChoiceField(
        choices=Condition.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Presenting conditions",
    )
    height_cm = HeightField()
    weight_kg = WeightField()

    class Meta:
        model = Evaluation
        fields = FORM_FIELDS
        widgets = {
            **{field: YesNoNotAsked() for field in BOOLEAN_FIELDS},
            "presenting_history": forms.Textarea(attrs={"rows": 3}),
            "current_medications": forms.Textarea(attrs={"rows": 4}),
            "allergies": forms.Textarea(attrs={"rows": 2}),
            "other_treatments": forms.Textarea(attrs={"rows": 2}),
            "clinical_summary": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {
            "suicide_attempts_lifetime": "Suicide attempts (lifetime; blank if not asked)",
        }

    def changes(self) -> dict:
        return {
            field: self.cleaned_data[field]
            for field in EDITABLE_FIELDS
            if field in self.cleaned_data
        }


class AllergyForm(forms.Form):
    substance = forms.CharField(label="Substance", max_length=200)
    reaction = forms.CharField(label="Reaction", max_length=300, required=False)
    severity = forms.ChoiceField(
        label="Severity", choices=AllergySeverity.choices, initial=AllergySeverity.UNKNOWN
    )


class BaselineVitalsForm(forms.Form):
    taken_at = forms.DateTimeField(
        label="Taken at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        initial=lambda: timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        validators=[ENTRY_DATES],
    )
    systolic_mmhg = forms.IntegerField(
        label="Systolic (mmHg)",
        min_value=int(PLAUSIBLE["systolic_mmhg"].low),
        max_value=int(PLAUSIBLE["systolic_mmhg"].high),
        required=False,
    )
    diastolic_mmhg = forms.IntegerField(
        label="Diastolic (mmHg)",
        min_value=int(PLAUSIBLE["diastolic_mmhg"].low),
        max_value=int(PLAUSIBLE["diastolic_mmhg"].high),
        required=False,
    )
    heart_rate_bpm = forms.IntegerField(
        label="Heart rate (beats/min)",
        min_value=int(PLAUSIBLE["heart_rate_bpm"].low),
        max_value=int(PLAUSIBLE["heart_rate_bpm"].high),
        required=False,
    )
    spo2_pct = forms.IntegerField(
        label="SpO₂ (%)",
        min_value=int(PLAUSIBLE["spo2_pct"].low),
        max_value=int(PLAUSIBLE["spo2_pct"].high),
        required=False,
    )
    respiratory_rate_per_min = forms.IntegerField(
        label="Respiratory rate (/min)",
        min_value=int(PLAUSIBLE["respiratory_rate_per_min"].low),
        max_value=int(PLAUSIBLE["respiratory_rate_per_min"].high),
        required=False,
    )
    temperature_c = forms.DecimalField(
        label="Temperature (°C)",
        min_value=PLAUSIBLE["temperature_c"].low,
        max_value=PLAUSIBLE["temperature_c"].high,
        decimal_places=1,
        required=False,
    )
    weight_kg = WeightField()

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        systolic, diastolic = cleaned.get("systolic_mmhg"), cleaned.get("diastolic_mmhg")
        if systolic is not None and diastolic is not None and systolic <= diastolic:
            self.add_error(
                "diastolic_mmhg",
                "The diastolic pressure must be lower than the systolic; check the reading.",
            )
        return cleaned

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "taken_at" and v is not None}


ACKNOWLEDGE_PREFIX = "acknowledge_"


class SignEvaluationForm(forms.Form):
    """The decision, with a note field for each relative contraindication the screen shows."""

    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect)
    reasoning = forms.CharField(
        label="Reasoning", widget=forms.Textarea(attrs={"rows": 4}), max_length=10000
    )
    override_absolute = forms.BooleanField(
        label="I have weighed the absolute contraindication and still judge treatment suitable (explain above).",
        required=False,
    )
    password = forms.CharField(
        label="Your password (to sign)",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        strip=False,
    )

    def __init__(self, *args, findings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.acknowledged = []
        for finding in findings:
            if finding.severity == RuleSeverity.ABSOLUTE:
                continue
            name = f"{ACKNOWLEDGE_PREFIX}{finding.code}"
            self.fields[name] = forms.CharField(
                label=f"{finding.label}: why treatment is still suitable",
                widget=forms.Textarea(attrs={"rows": 2}),
                max_length=2000,
                required=False,
            )
            self.acknowledged.append(self[name])

    def acknowledgements(self) -> dict[str, str]:
        return {
            name.removeprefix(ACKNOWLEDGE_PREFIX): value
            for name, value in self.cleaned_data.items()
            if name.startswith(ACKNOWLEDGE_PREFIX) and value
        }


class AddendumForm(forms.Form):
    text = forms.CharField(
        label="Addendum", widget=forms.Textarea(attrs={"rows": 3}), max_length=10000
    )
    password = forms.CharField(
        label="Your password (to sign)",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        strip=False,
    )


class ConsentSignForm(forms.Form):
    """A signature on a consent document. On the clinic tablet for a minor, who signs is chosen
    first: the patient (their assent) or one of their current guardians (consent)."""

    signer = forms.ChoiceField(label="Who signs now", required=False, choices=[])
    typed_full_name = forms.CharField(label="Type your full legal name", max_length=200)
    signed_on = forms.DateField(label="Today's date", widget=DATE_INPUT, validators=[ENTRY_DATES])
    agree = forms.BooleanField(
        label="I have read this document and agree to it.",
        error_messages={"required": "Tick the box to confirm you have read and agree."},
    )

    def __init__(self, *args, guardians=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.guardians = {str(g.public_id): g for g in guardians}
        if self.guardians:
            signer = choice_field(self, "signer")
            signer.required = True
            signer.choices = [
                ("patient", "The patient (their assent)"),
                *(
                    (key, f"{g.full_name}, {g.get_relationship_display().lower()} (consent)")
                    for key, g in self.guardians.items()
                ),
            ]
        else:
            del self.fields["signer"]

    def chosen_guardian(self):
        """The guardian signing (None: the patient)."""
        return self.guardians.get(self.cleaned_data.get("signer") or "")


class MedicineListForm(forms.Form):
    """The patient's medicines as they are now, one a line with strength and frequency."""

    medicines = forms.CharField(
        label="Current medicines (one a line, with strength and how often)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=(
            "E.g. “oxycodone 10 mg twice daily”, “fentanyl 25 mcg/hr patch”. Opioids are "
            "converted to a daily MME when the strength and the doses a day can be read."
        ),
    )
    no_medicines = forms.BooleanField(label="Takes no medicines", required=False)
