"""Forms of the chair-side page. They check types and ranges and say what is wrong; the services
decide what is allowed."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone

from clinic.assessments.instruments import get_instrument
from clinic.core.fields import WeightField
from clinic.core.forms import choice_field
from clinic.core.validators import VIAL_EXPIRY_DATES
from clinic.monitoring.discharge import ITEMS as ALDRETE_ITEMS
from clinic.patients.choices import Consciousness, NoPregnancyPotentialReason, PregnancyPotential
from clinic.sessions.choices import (
    OVERRIDABLE_GATES,
    DissociationMoment,
    Gate,
    InfusionEventKind,
    Intervention,
    Outcome,
    PregnancyTest,
    Severity,
    SideEffectKind,
    SignatureRole,
)

YES_NO = [("", "—"), ("yes", "Yes"), ("no", "No")]


def _yes_no(value: str):
    return {"yes": True, "no": False}.get(value)


class TimeOfDayField(forms.TimeField):
    """A time today at the session's location (chair-side entries are typed as hh:mm)."""

    widget = forms.TimeInput(attrs={"type": "time", "step": 60})


def at_time(session, value):
    """Today's date at the session's location with the time typed, or None (now)."""
    if value is None:
        return None
    zone = session.location.zone
    today = timezone.localtime(timezone.now(), zone).date()
    return timezone.make_aware(datetime.combine(today, value), zone)


class EnteredAtField(forms.DateTimeField):
    """When the entry was made on the tablet (set by the page's script, ISO 8601 with its offset).
    An entry kept on the tablet while the network was down and sent again later keeps the time
    it was typed in, not the time it reached the server; the service still refuses a time in the
    future or beyond its backdate window (services._common._when)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Time on the tablet")
        kwargs.setdefault(
            "error_messages",
            {"invalid": "The tablet sent a time that could not be read: type the time instead."},
        )
        super().__init__(**kwargs)


def entry_time(session, form, field: str):
    """The time of an entry: the time typed (hh:mm, today at the session's location), else the
    time the tablet took it (an entry sent again after a network failure), else None (now)."""
    typed = form.cleaned_data.get(field)
    if typed is not None:
        return at_time(session, typed)
    return form.cleaned_data.get("entered_at")


class VersionedForm(forms.Form):
    """A form that acts on the session as the page showed it: it carries the session's version,
    and the service refuses it if someone changed the session since."""

    # Not required: a post without it (a page from before versions) still meets every other
    # check of the service, including the refusal to replace a standing confirmation.
    version = forms.IntegerField(
        required=False,
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**31 - 1,
        error_messages=dict.fromkeys(
            ("invalid", "min_value", "max_value"),
            "This page is out of date: reload the session and try again.",
        ),
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        # A hidden field shows no errors of its own: say it above the form.
        for message in self.errors.pop("version", []):
            self.add_error(None, message)
        return data


class ChecklistForm(forms.Form):
    identity_confirmed = forms.BooleanField(
        required=False, label="Identity confirmed (name and date of birth, wristband)"
    )
    fasting_confirmed = forms.ChoiceField(
        choices=YES_NO, required=False, label="Fasting as instructed"
    )
    escort_name = forms.CharField(max_length=120, required=False, label="Escort or driver")
    escort_phone = forms.CharField(max_length=40, required=False, label="Escort's phone")
    escort_confirmed = forms.ChoiceField(
        choices=YES_NO, required=False, label="Escort confirmed to take the patient home"
    )
    # Asked of every patient, whatever the sex recorded for dosing; kept on the patient's record
    # for the next sessions.
    pregnancy_potential = forms.ChoiceField(
        choices=PregnancyPotential.choices, required=False, label="Could the patient be pregnant?"
    )
    pregnancy_potential_reason = forms.ChoiceField(
        choices=[("", "—"), *NoPregnancyPotentialReason.choices],
        required=False,
        label="Why not",
    )
    pregnancy_potential_note = forms.CharField(
        max_length=200, required=False, label="Reason, in words"
    )
    pregnancy_test = forms.ChoiceField(
        choices=PregnancyTest.choices, required=False, label="Pregnancy test"
    )
    pregnancy_test_note = forms.CharField(
        max_length=200, required=False, label="Why no test / note"
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("pregnancy_potential") == PregnancyPotential.NOT_POSSIBLE:
            if not data.get("pregnancy_potential_reason"):
                self.add_error(
                    "pregnancy_potential_reason", "Say why the patient cannot be pregnant."
                )
            elif data.get(
                "pregnancy_potential_reason"
            ) == NoPregnancyPotentialReason.OTHER and not data.get("pregnancy_potential_note"):
                self.add_error(
                    "pregnancy_potential_note",
                    "Describe the reason the patient cannot be pregnant.",
                )
        return data

    def changes(self) -> dict:
        data = self.cleaned_data
        return {
            "identity_confirmed": data["identity_confirmed"],
            "fasting_confirmed": _yes_no(data["fasting_confirmed"]),
            "escort_name": data["escort_name"],
            "escort_phone": data["escort_phone"],
            "escort_confirmed": _yes_no(data["escort_confirmed"]),
            "pregnancy_potential": data["pregnancy_potential"],
            "pregnancy_potential_reason": data["pregnancy_potential_reason"],
            "pregnancy_potential_note": data["pregnancy_potential_note"],
            "pregnancy_test": data["pregnancy_test"],
            "pregnancy_test_note": data["pregnancy_test_note"],
        }


class VitalsForm(forms.Form):
    systolic_mmhg = forms.IntegerField(
        min_value=40, max_value=300, required=False, label="Systolic (mmHg)"
    )
    diastolic_mmhg = forms.IntegerField(
        min_value=20, max_value=200, required=False, label="Diastolic (mmHg)"
    )
    heart_rate_bpm = forms.IntegerField(
        min_value=20, max_value=250, required=False, label="Heart rate (/min)"
    )
    respiratory_rate_per_min = forms.IntegerField(
        min_value=2, max_value=70, required=False, label="Resp. rate (/min)"
    )
    spo2_pct = forms.IntegerField(min_value=50, max_value=100, required=False, label="SpO₂ (%)")
    temperature_c = forms.DecimalField(
        min_value=Decimal("30.0"),
        max_value=Decimal("45.0"),
        decimal_places=1,
        required=False,
        label="Temp. (°C)",
    )
    consciousness = forms.ChoiceField(
        choices=[("", "—"), *Consciousness.choices], required=False, label="Consciousness (ACVPU)"
    )
    on_supplemental_oxygen = forms.BooleanField(required=False, label="On oxygen")
    weight_kg = WeightField()
    taken_at = TimeOfDayField(required=False, label="Taken at", help_text="Blank: now.")
    entered_at = EnteredAtField()

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if bool(data.get("systolic_mmhg")) != bool(data.get("diastolic_mmhg")) and not self.errors:
            raise forms.ValidationError("Enter both the systolic and the diastolic pressure.")
        values = [
            data.get(name)
            for name in self.fields
            if name not in ("taken_at", "entered_at", "on_supplemental_oxygen")
        ]
        if not self.errors and all(v in (None, "") for v in values):
            raise forms.ValidationError("Enter at least one reading.")
        if (
            data.get("systolic_mmhg")
            and data.get("diastolic_mmhg")
            and data["diastolic_mmhg"] >= data["systolic_mmhg"]
        ):
            self.add_error("diastolic_mmhg", "The diastolic pressure must be below the systolic.")
        return data

    def values(self) -> dict:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("taken_at", "entered_at") and value not in (None, "", False)
        }


class OverrideForm(forms.Form):
    gate = forms.ChoiceField(choices=[(g, Gate(g).label) for g in sorted(OVERRIDABLE_GATES)])
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label="Reason for the override"
    )


class StopForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label="Why no dose is given"
    )


class ConfirmDoseForm(VersionedForm):
    """The dose and what it is drawn from. With the controlled-stock register in use
    (`containers` given), the nurse chooses or scans a container and the lot and expiry come from
    it; without it, the lot and expiry are typed as read off the vial."""

    expected_dose_mg = forms.DecimalField(widget=forms.HiddenInput, decimal_places=1)
    vial_lot = forms.CharField(max_length=40, label="Vial lot number")
    vial_expiry = forms.DateField(
        label="Vial expiry",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[VIAL_EXPIRY_DATES],
    )

    def __init__(self, *args, containers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.containers = containers
        if containers is None:
            return
        del self.fields["vial_lot"], self.fields["vial_expiry"]
        # A text field with the containers in stock as suggestions: a scanner types the label's
        # QR code (the container's address) or its identifier; the service finds the container.
        self.fields["container"] = forms.CharField(
            max_length=300,
            label="Container (choose or scan its label)",
            widget=forms.TextInput(
                attrs={
                    "list": "containers-in-stock",
                    "autocomplete": "off",
                    "autocapitalize": "characters",
                }
            ),
            error_messages={"required": "Choose or scan the container you draw the dose from."},
        )
        self.fields["drawn_ml"] = forms.DecimalField(
            required=False,
            min_value=Decimal("0.01"),
            max_value=Decimal("100"),
            decimal_places=2,
            label="Volume drawn up (mL)",
            help_text="Blank: exactly the dose's volume. Vials only.",
        )
        self.order_fields(["container", "drawn_ml"])


class WithdrawForm(VersionedForm):
    """Nothing to fill in: withdrawing the nurse's confirmation of the dose."""


def _second_person_email(label: str) -> forms.EmailField:
    """The e-mail of the person stepping up to a tablet someone else is signed in to. The browser
    must not offer the signed-in person's saved sign-in here (autocomplete off)."""
    return forms.EmailField(
        required=False,
        max_length=254,
        label=label,
        help_text="Blank: the person signed in to this tablet.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )


def _second_person_password(label: str) -> forms.CharField:
    return forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}), label=label, max_length=128
    )


class VerifyDoseForm(VersionedForm):
    """The blind second check: the checker types the dose and lot they worked out and read
    themselves (the first entry is not shown), and proves who they are for this one action."""

    dose_mg = forms.DecimalField(
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=Decimal("1000"),
        label="Dose you worked out (mg)",
    )
    vial_lot = forms.CharField(max_length=40, label="Lot number on the vial")
    verifier_email = _second_person_email("Checker's e-mail")
    password = _second_person_password("Checker's password")


class InfusionEventForm(VersionedForm):
    kind = forms.ChoiceField(choices=InfusionEventKind.choices)
    rate_mg_per_hour = forms.DecimalField(
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=Decimal("1000"),
        required=False,
        label="Rate (mg/h)",
    )
    reason = forms.CharField(max_length=300, required=False)
    at = TimeOfDayField(required=False, label="At", help_text="Blank: now.")
    entered_at = EnteredAtField()


class AcknowledgeForm(forms.Form):
    action_taken = forms.CharField(max_length=1000, label="Action taken")


class SideEffectForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "—"), *SideEffectKind.choices], label="Side effect")
    details = forms.CharField(max_length=300, required=False)
    severity = forms.ChoiceField(choices=[("", "—"), *Severity.choices])
    onset_at = TimeOfDayField(required=False, label="Onset", help_text="Blank: now.")
    interventions = forms.MultipleChoiceField(
        choices=Intervention.choices, widget=forms.CheckboxSelectMultiple, label="What was done"
    )
    intervention_details = forms.CharField(
        max_length=300, required=False, label="Details of what was done"
    )
    outcome = forms.ChoiceField(choices=[("", "—"), *Outcome.choices])
    entered_at = EnteredAtField()


class MedicationForm(forms.Form):
    medication = forms.CharField(max_length=120, help_text="e.g. ondansetron")
    dose_amount = forms.DecimalField(
        decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("99999"), label="Dose"
    )
    dose_unit = forms.CharField(max_length=10, initial="mg", label="Unit")
    route = forms.CharField(max_length=20, initial="IV", help_text="IV, PO, SL, IM …")
    reason = forms.CharField(max_length=300)
    given_at = TimeOfDayField(required=False, label="Given at", help_text="Blank: now.")
    side_effect = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, choices=[], label="For side effect"
    )
    entered_at = EnteredAtField()

    def __init__(self, *args, side_effects=(), **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "side_effect").choices = [("", "—")] + [
            (s.pk, f"{s.get_kind_display()} ({s.get_severity_display().lower()})")
            for s in side_effects
        ]


class DissociationForm(forms.Form):
    moment = forms.ChoiceField(
        choices=[("", "—"), *DissociationMoment.choices], label="When is this rating taken"
    )
    taken_at = TimeOfDayField(required=False, label="Rated at", help_text="Blank: now.")
    entered_at = EnteredAtField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item in get_instrument("cadss6").items:
            self.fields[item.link_id] = forms.TypedChoiceField(
                coerce=int,
                choices=[(o.value, f"{o.value} {o.label}") for o in item.options],
                widget=forms.RadioSelect,
                label=f"{item.number}. {item.text}",
            )


ALDRETE_CHOICES = [("", "—"), (2, "2"), (1, "1"), (0, "0")]


def _aldrete_item(label: str, help_text: str) -> forms.TypedChoiceField:
    """One modified Aldrete item, scored 2, 1 or 0 (clinic.monitoring.discharge)."""
    return forms.TypedChoiceField(
        coerce=int, choices=ALDRETE_CHOICES, label=label, help_text=help_text
    )


class DischargeForm(forms.Form):
    activity = _aldrete_item("Activity", "2 moves 4 limbs · 1 moves 2 · 0 none")
    respiration = _aldrete_item("Respiration", "2 breathes deeply, coughs · 1 dyspnoea · 0 apnoea")
    circulation = _aldrete_item(
        "Circulation", "BP vs pre-dose: 2 within ±20 % · 1 ±20–50 % · 0 ≥ ±50 %"
    )
    consciousness = _aldrete_item(
        "Consciousness", "2 fully awake · 1 arousable on calling · 0 not responding"
    )
    oxygen_saturation = _aldrete_item(
        "O₂ saturation", "2 > 92 % on air · 1 needs O₂ for > 90 % · 0 < 90 % with O₂"
    )
    # Where an entry differs from what the record scores (rules.aldrete_contradictions).
    circulation_reason = forms.CharField(
        max_length=500, required=False, label="Why circulation differs from the record"
    )
    consciousness_reason = forms.CharField(
        max_length=500, required=False, label="Why consciousness differs from the record"
    )
    oxygen_saturation_reason = forms.CharField(
        max_length=500, required=False, label="Why O₂ saturation differs from the record"
    )
    escort_present = forms.BooleanField(required=False, label="Escort present")
    instructions_given = forms.BooleanField(
        required=False,
        label="After-care sheet printed and handed to the patient and escort",
    )
    override_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        label="Clinician override (only if criteria are not met)",
    )

    def aldrete(self) -> dict:
        return {name: self.cleaned_data[name] for name in ALDRETE_ITEMS}

    def aldrete_reasons(self) -> dict:
        return {
            name: self.cleaned_data.get(f"{name}_reason", "")
            for name in ALDRETE_ITEMS
            if self.cleaned_data.get(f"{name}_reason")
        }

    def show_derived(self, derived: dict) -> None:
        """Name beside each item what the record scores it (rules.derived_aldrete_at)."""
        for name, item in derived.items():
            self.fields[name].help_text = f"From the record: {item.score} ({item.basis})."


class SignForm(forms.Form):
    role = forms.ChoiceField(choices=SignatureRole.choices, label="Sign as")
    # The co-signer on the shared tablet signs with their own e-mail and password.
    signer_email = _second_person_email("Signer's e-mail")
    password = _second_person_password("Signer's password")


class AddendumForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class RemsSubmissionForm(forms.Form):
    """That the session's REMS Patient Monitoring Form was submitted (the service checks it)."""

    submitted_on = forms.DateField(
        label="Submitted on", widget=forms.DateInput(attrs={"type": "date"})
    )
    confirmation_number = forms.CharField(label="REMS confirmation number", max_length=60)
