"""The shape of each register form; the services decide what is allowed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from clinic.accounts.choices import Role
from clinic.core.dates import show_date
from clinic.core.forms import choice_field, model_choice_field
from clinic.core.validators import BROWSE_DATES, ENTRY_DATES, VIAL_EXPIRY_DATES
from clinic.inventory.choices import (
    CountKind,
    CountTiming,
    DestructionReason,
    DiscrepancyOutcome,
)
from clinic.inventory.models import DEA_NUMBER_VALIDATOR, Product
from clinic.inventory.permissions import WITNESS_ROLES

DATE = forms.DateInput(attrs={"type": "date"})
PASSWORD = forms.PasswordInput(attrs={"autocomplete": "off"})


def witnesses_at(locations):
    """Clinical staff who work at one of these locations, and the medical director."""
    return (
        get_user_model()
        .objects.filter(is_active=True, role__in=WITNESS_ROLES)
        .filter(Q(locations__in=locations) | Q(role=Role.MEDICAL_DIRECTOR))
        .distinct()
        .order_by("full_name")
    )


class WitnessChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.signature_name


class ReceiveForm(forms.Form):
    safe: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, empty_label="Choose the safe"
    )
    product = forms.ModelChoiceField(
        queryset=Product.objects.filter(is_active=True), empty_label="Choose the product"
    )
    lot_number = forms.CharField(max_length=40)
    expiry_date = forms.DateField(widget=DATE, validators=[VIAL_EXPIRY_DATES])
    container_count = forms.IntegerField(
        label="Number of vials or kits", min_value=1, max_value=200
    )
    supplier_name = forms.CharField(max_length=200)
    supplier_address = forms.CharField(max_length=300)
    supplier_dea_number = forms.CharField(
        label="Supplier's DEA number", max_length=9, validators=[DEA_NUMBER_VALIDATOR]
    )
    invoice_reference = forms.CharField(label="Invoice or packing slip number", max_length=80)
    received_on = forms.DateField(
        label="Date received",
        widget=DATE,
        validators=[ENTRY_DATES],
        help_text="The actual day it arrived.",
    )
    note = forms.CharField(max_length=300, required=False)
    witness = WitnessChoiceField(queryset=None, empty_label="Who witnesses the receipt")
    witness_password = forms.CharField(
        label="Witness's password", widget=PASSWORD, strip=False, max_length=200
    )

    def __init__(self, *args, safes, locations, actor, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "safe").queryset = safes
        # The witness is a second person: the one receiving is not offered.
        model_choice_field(self, "witness").queryset = witnesses_at(locations).exclude(pk=actor.pk)

    def clean_expiry_date(self):
        expiry = self.cleaned_data["expiry_date"]
        if expiry < timezone.localdate():
            raise forms.ValidationError("This lot has expired: expired stock is not received.")
        return expiry


class CountForm(forms.Form):
    kind = forms.ChoiceField(choices=CountKind.choices, initial=CountKind.SHIFT)
    timing = forms.ChoiceField(choices=CountTiming.choices, initial=CountTiming.DURING)
    estimated = forms.BooleanField(
        required=False,
        label="Opened containers were estimated, not measured exactly (21 CFR 1304.11(e))",
    )
    note = forms.CharField(max_length=300, required=False)
    witness = WitnessChoiceField(queryset=None, empty_label="Who counts with you")
    witness_password = forms.CharField(
        label="Second counter's password", widget=PASSWORD, strip=False, max_length=200
    )

    def __init__(self, *args, containers, location, actor, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "witness").queryset = witnesses_at([location]).exclude(pk=actor.pk)
        self.container_fields = []
        for container in containers:
            name = f"container_{container.pk}"
            product = container.product
            self.fields[name] = forms.DecimalField(
                label=f"{container.identifier} · {product.name} · lot {container.lot.lot_number}",
                min_value=0,
                max_digits=9,
                decimal_places=0 if product.is_device else 2,
                help_text=f"Found, in {product.unit} (0 if empty or missing).",
            )
            self.container_fields.append(name)

    def counted(self) -> dict[int, Any]:
        return {
            int(name.removeprefix("container_")): self.cleaned_data[name]
            for name in self.container_fields
        }


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(choices=DiscrepancyOutcome.choices, widget=forms.RadioSelect)
    explanation = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    reportable = forms.BooleanField(
        required=False,
        label="Theft or significant loss: to be reported to DEA (Form 106)",
    )


class ContainerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return (
            f"{obj.identifier} · {obj.product.name} · lot {obj.lot.lot_number} "
            f"(exp {show_date(obj.lot.expiry_date)}) · holds {obj.in_safe} {obj.product.unit}"
        )


class DestroyForm(forms.Form):
    containers = ContainerChoiceField(queryset=None, widget=forms.CheckboxSelectMultiple)
    reason = forms.ChoiceField(choices=DestructionReason.choices)
    method = forms.CharField(
        max_length=200, help_text="How it was made non-retrievable, e.g. a chemical digester."
    )
    place = forms.CharField(max_length=200, help_text="Where it was destroyed.")
    destroyed_on = forms.DateField(label="Date destroyed", widget=DATE, validators=[ENTRY_DATES])
    note = forms.CharField(max_length=300, required=False)
    witness_1 = WitnessChoiceField(queryset=None, label="First witness")
    witness_1_password = forms.CharField(
        label="First witness's password", widget=PASSWORD, strip=False, max_length=200
    )
    witness_2 = WitnessChoiceField(queryset=None, label="Second witness")
    witness_2_password = forms.CharField(
        label="Second witness's password", widget=PASSWORD, strip=False, max_length=200
    )

    def __init__(self, *args, containers, location, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "containers").queryset = containers
        model_choice_field(self, "witness_1").queryset = witnesses_at([location])
        model_choice_field(self, "witness_2").queryset = witnesses_at([location])


class LedgerFilterForm(forms.Form):
    """The ledger's date range (inclusive, in the location's days) and product."""

    product = forms.ModelChoiceField(
        queryset=Product.objects.all(), required=False, empty_label="Every product"
    )
    safe: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Every safe"
    )
    start = forms.DateField(label="From", widget=DATE, validators=[BROWSE_DATES])
    end = forms.DateField(label="To", widget=DATE, validators=[BROWSE_DATES])

    def __init__(self, *args, safes, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "safe").queryset = safes

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The range ends before it starts.")
        return data


class InventoryForm(forms.Form):
    """An inventory as the ledger stood at the opening or the close of a past day."""

    safe: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, empty_label="Choose the safe"
    )
    on = forms.DateField(label="Date", widget=DATE, validators=[BROWSE_DATES])
    timing = forms.ChoiceField(
        choices=[
            (CountTiming.OPENING, "Opening of business"),
            (CountTiming.CLOSE, "Close of business"),
        ],
        initial=CountTiming.CLOSE,
    )

    def __init__(self, *args, safes, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "safe").queryset = safes


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label="Why this entry is wrong", max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


class SessionWasteForm(forms.Form):
    """What was drawn for a session and will not be given, wasted before a witness at the chair."""

    container = forms.ChoiceField(label="Container")
    amount = forms.DecimalField(
        label="Amount wasted",
        min_value=Decimal("0.01"),
        max_digits=9,
        decimal_places=2,
        help_text="In mL for a vial, whole devices for a nasal spray kit.",
    )
    reason = forms.CharField(
        label="Why it is wasted",
        max_length=300,
        initial="Drawn and not given: the remainder of the dose",
    )
    witness = WitnessChoiceField(
        queryset=None, required=False, empty_label="Who witnesses the waste"
    )
    witness_password = forms.CharField(
        label="Witness's password", widget=PASSWORD, strip=False, max_length=200, required=False
    )

    def __init__(self, *args, draws, actor, location, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "container").choices = [
            (
                draw.container.identifier,
                f"{draw.container.identifier} · {draw.container.product.name} · lot "
                f"{draw.container.lot.lot_number}",
            )
            for draw in draws
        ]
        self.fields["container"].error_messages["invalid_choice"] = (
            "Nothing drawn from that container for this session is left to waste."
        )
        if draws and not self.is_bound:
            first = draws[0]
            self.initial.setdefault("container", first.container.identifier)
            self.initial.setdefault(
                "amount",
                first.outstanding
                if not first.container.product.is_device
                else int(first.outstanding),
            )
        model_choice_field(self, "witness").queryset = witnesses_at([location]).exclude(pk=actor.pk)


class ReturnForm(forms.Form):
    """What is left in a container goes back to the supplier or a reverse distributor."""

    recipient = forms.CharField(
        label="Returned to",
        max_length=150,
        help_text="The supplier or reverse distributor the stock is shipped to.",
    )
    recipient_address = forms.CharField(
        label="Recipient's address",
        max_length=300,
        help_text="The address on the recipient's DEA registration.",
    )
    recipient_dea_number = forms.CharField(
        label="Recipient's DEA number", max_length=9, validators=[DEA_NUMBER_VALIDATOR]
    )
    reference = forms.CharField(
        label="Shipping reference",
        max_length=140,
        help_text="The return authorisation, tracking or shipping document number.",
    )
    witness = WitnessChoiceField(queryset=None, empty_label="Who witnesses the return")
    witness_password = forms.CharField(
        label="Witness's password", widget=PASSWORD, strip=False, max_length=200
    )

    def __init__(self, *args, location, actor, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "witness").queryset = witnesses_at([location]).exclude(pk=actor.pk)
