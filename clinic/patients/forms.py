from __future__ import annotations

from django import forms
from django.utils import timezone

from clinic.core.choices import Condition
from clinic.core.fields import HeightField, WeightField
from clinic.core.forms import choice_field, model_choice_field
from clinic.core.models import Location
from clinic.core.phone import for_display
from clinic.core.validators import age_in_years, validate_birth_date
from clinic.patients.ages import under_age_message
from clinic.patients.choices import GuardianAuthorityProof, GuardianRelationship, PatientStatus
from clinic.patients.models import Patient
from clinic.patients.policy import get_patient_policy
from clinic.patients.services import EDITABLE_FIELDS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PatientForm(forms.ModelForm):
    """The patient record form. Height and weight may be typed in either unit system; they are
    stored in cm and kg, and the form shows the converted value before anything is saved."""

    home_location = forms.ModelChoiceField(queryset=Location.objects.none(), empty_label=None)
    primary_conditions = forms.MultipleChoiceField(
        choices=Condition.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Primary condition(s)",
    )
    height_cm = HeightField()
    weight_kg = WeightField()

    class Meta:
        model = Patient
        fields = [
            f for f in EDITABLE_FIELDS if f not in {"height_cm", "weight_kg", "primary_conditions"}
        ]
        widgets = {
            "date_of_birth": DATE_INPUT,
            "referring_provider_address": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"legal_first_name": "Legal first name", "legal_last_name": "Legal last name"}
        help_texts = {"preferred_name": "The name the patient likes to be called, if different."}

    def __init__(self, *args, locations, show_measurements: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.show_measurements = show_measurements
        model_choice_field(self, "home_location").queryset = locations
        for name in (
            "phone",
            "emergency_contact_phone",
            "referring_provider_phone",
            "referring_provider_fax",
        ):
            self.fields[name].widget.input_type = "tel"
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"
        # Stored in E.164; shown in the box as people write it (saved back as E.164).
        for name in ("phone", "emergency_contact_phone", "referring_provider_phone"):
            if self.initial.get(name):
                self.initial[name] = for_display(self.initial[name])
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})
        if self.instance.pk:
            self.fields["home_location"].initial = self.instance.location_id
            self.fields["primary_conditions"].initial = self.instance.primary_conditions
            self.fields["height_cm"].initial = self.instance.height_cm
            self.fields["weight_kg"].initial = self.instance.weight_kg
        if not show_measurements:
            for name in ("height_cm", "weight_kg"):
                del self.fields[name]

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        validate_birth_date(value, today=today)
        if not self.instance.pk:
            # Registration follows the clinic's minimum age (the service checks it again).
            minimum = get_patient_policy().minimum_age_years
            if age_in_years(value, today) < minimum:
                raise forms.ValidationError(under_age_message(minimum), code="under_age")
        return value

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if "other" in cleaned.get("primary_conditions", []) and not cleaned.get("other_condition"):
            self.add_error("other_condition", "Describe the other condition.")
        return cleaned

    def patient_details(self) -> dict:
        """The cleaned values as the service takes them."""
        fields = [
            f
            for f in EDITABLE_FIELDS
            if self.show_measurements or f not in {"height_cm", "weight_kg"}
        ]
        return {
            field: self.cleaned_data.get(field) for field in fields if field in self.cleaned_data
        }


class PatientStatusForm(forms.Form):
    to_status = forms.ChoiceField(label="New status", choices=PatientStatus.choices)
    reason = forms.CharField(label="Reason", max_length=500, required=False, widget=forms.TextInput)

    def __init__(self, *args, current_status: str, allowed: frozenset[str], **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "to_status").choices = [
            (v, label) for v, label in PatientStatus.choices if v in allowed
        ]


class DuplicateCheckForm(forms.Form):
    """What the registration form has typed so far, read by the live duplicate check; anything
    else (a half-typed date, a name too long) checks nothing."""

    legal_first_name = forms.CharField(max_length=100)
    legal_last_name = forms.CharField(max_length=100)
    date_of_birth = forms.DateField()


class PatientSearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "All statuses"), *PatientStatus.choices]
    )


class GuardianForm(forms.Form):
    """A minor's legal representative, as the front desk records them from the proof seen."""

    full_name = forms.CharField(label="Full legal name", max_length=150)
    relationship = forms.ChoiceField(
        label="Relationship to the patient", choices=GuardianRelationship.choices
    )
    phone = forms.CharField(
        label="Phone number",
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text="Checked and stored with its country code.",
    )
    email = forms.EmailField(
        label="E-mail address",
        required=False,
        help_text="Needed for a portal account.",
    )
    authority_proof = forms.ChoiceField(
        label="Proof of authority seen", choices=GuardianAuthorityProof.choices
    )
    authority_proof_note = forms.CharField(
        label="Proof noted",
        max_length=300,
        help_text="What was seen and by whom, e.g. “court order 2025-FC-118 seen, copy scanned”.",
    )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if (
            cleaned.get("authority_proof") == "other_document"
            and not (cleaned.get("authority_proof_note") or "").strip()
        ):
            self.add_error("authority_proof_note", "Describe the document that was seen.")
        return cleaned


class EndGuardianshipForm(forms.Form):
    reason = forms.CharField(
        label="Why the guardianship ends",
        max_length=300,
        help_text="E.g. “custody changed by court order”, “recorded in error”.",
    )
