"""The controlled-substance register: products, lots and containers in safes, and the append-only
ledger of every movement of stock.

Ketamine and esketamine are Schedule III (21 CFR 1308.13(c)). A practitioner who administers and
charges for them keeps a complete and accurate record of everything received, administered and
otherwise disposed of (21 CFR 1304.03(b), 1304.21(a)), separately for each registered location
(1304.21(b)), on the actual date of each event (1304.21(d)), for at least two years (1304.04(a)).

Balances are never stored: the stock in a container, a lot, a product or a safe is the sum of the
ledger's entries (`Movement.safe_change`), and what was drawn for a session and not yet given or
wasted is the sum of `Movement.drawn_change`. A wrong entry is corrected by a reversing entry,
never by an edit: database triggers refuse UPDATE and DELETE of ledger rows (guards.py).
"""

from __future__ import annotations

import functools
import operator
import re
import secrets
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce, Round

from clinic.core.dates import show_date, show_datetime
from clinic.core.models import TimeStampedModel
from clinic.inventory.choices import (
    CountKind,
    CountTiming,
    DestructionReason,
    DiscrepancyOutcome,
    DiscrepancyStatus,
    MovementKind,
    ProductForm,
)

_user = settings.AUTH_USER_MODEL

# How each kind of entry changes the stock in the safe and the amount drawn and not yet accounted
# for, as (safe, drawn) factors of the entry's quantity. An adjustment moves stock either way. A
# reversing entry carries the opposite signs of the entry it reverses.
MOVEMENT_EFFECTS: dict[str, tuple[tuple[int, int], ...]] = {
    MovementKind.RECEIVE: ((1, 0),),
    MovementKind.DISPENSE: ((-1, 1),),
    MovementKind.ADMINISTER: ((0, -1),),
    MovementKind.WASTE: ((0, -1),),
    MovementKind.RETURN: ((-1, 0),),
    MovementKind.DESTROY: ((-1, 0),),
    MovementKind.ADJUST: ((1, 0), (-1, 0)),
}

_SUM_FIELD: models.DecimalField = models.DecimalField(max_digits=14, decimal_places=2)

# National Drug Code as printed: 4-4-2, 5-3-2, 5-4-1 (10 digits) or the 11-digit 5-4-2 form.
NDC_VALIDATOR = RegexValidator(
    r"^(\d{4}-\d{4}-\d{2}|\d{5}-\d{3}-\d{2}|\d{5}-\d{4}-\d{1,2})$",
    "Enter the NDC as printed on the package, with its dashes (e.g. 42023-113-10).",
)


def validate_dea_number(value: str) -> None:
    """A DEA registration number as DEA issues it: two letters and seven digits, the last a check
    digit (digits 1, 3 and 5 added to twice digits 2, 4 and 6; the sum's last digit). The format
    and the check digit are DEA's own numbering scheme, not set out in a regulation; the check
    catches most mistyped numbers."""
    text = (value or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}\d{7}", text):
        raise ValidationError(
            "A DEA registration number is two letters and seven digits, e.g. AB1234563.",
            code="invalid_dea_number",
        )
    digits = [int(char) for char in text[2:]]
    total = digits[0] + digits[2] + digits[4] + 2 * (digits[1] + digits[3] + digits[5])
    if total % 10 != digits[6]:
        raise ValidationError(
            "This DEA number's check digit does not match: check it against the registration.",
            code="invalid_dea_number",
        )


DEA_NUMBER_VALIDATOR = validate_dea_number
# Crockford's base 32: no I, L, O or U, so a label read aloud or typed is not misread.
_IDENTIFIER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_container_identifier() -> str:
    """Eight characters in two groups (e.g. K7QX-3M9P): short enough to read off a label, random
    enough (40 bits) that one is not guessed from another."""
    code = "".join(secrets.choice(_IDENTIFIER_ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


class InventoryPolicy(TimeStampedModel):
    """The clinic's register settings, edited by the medical director (one row)."""

    # Lots expiring within this many days are flagged on the stock page [UNVERIFIED: clinic
    # policy; no federal rule sets a warning window].
    expiry_warning_days = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(1), MaxValueValidator(730)]
    )
    # A second person witnesses each waste with their password. Clinic and state policy, not
    # federal law: DEA's wastage guidance asks only that wastage be recorded and destroyed
    # (79 FR 53520, 53521); states such as North Carolina (10A NCAC 26E .0407) require a witness.
    waste_witness_required = models.BooleanField(default=True)
    # Treatment sessions draw their doses from the register: the nurse picks the container at
    # dose confirmation and the lot and expiry come from it (21 CFR 1304.22(c): each unit
    # dispensed, its date and who dispensed it). Off only while a clinic's stock is not yet entered.
    sessions_draw_from_register = models.BooleanField(
        "Sessions draw their doses from the register", default=True
    )
    singleton = models.BooleanField(default=True, unique=True, editable=False)

    class Meta:
        verbose_name_plural = "inventory policy"

    def __str__(self) -> str:
        return "Controlled-substance register settings"


class Registration(TimeStampedModel):
    """A location's DEA registration: records are kept per registered location (21 CFR
    1304.21(b)), and DEA Forms 41 and 106 name the registrant and its number."""

    location = models.OneToOneField(
        "core.Location", on_delete=models.PROTECT, related_name="dea_registration"
    )
    registrant_name = models.CharField(max_length=200)
    dea_number = models.CharField(
        "DEA registration number", max_length=9, validators=[DEA_NUMBER_VALIDATOR]
    )
    expires_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.registrant_name} ({self.dea_number})"


class Safe(TimeStampedModel):
    """A locked cabinet at a location where controlled substances are stored (21 CFR 1301.75(b))."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="safes")
    name = models.CharField(max_length=80)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["location", "name"]
        constraints = [
            models.UniqueConstraint(fields=["location", "name"], name="safe_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.location})"


class Product(TimeStampedModel):
    """A controlled product as packaged: a vial of a given strength and volume, or a kit of nasal
    spray devices of a given strength."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=120, help_text="e.g. Ketamine HCl 100 mg/mL, 5 mL vial")
    substance = models.CharField(max_length=60, default="ketamine")
    ndc = models.CharField("NDC", max_length=13, unique=True, validators=[NDC_VALIDATOR])
    form = models.CharField(max_length=14, choices=ProductForm.choices)
    # Vials.
    concentration_mg_per_ml = models.DecimalField(
        max_digits=7, decimal_places=2, null=True, blank=True
    )
    container_volume_ml = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    # Nasal devices: Spravato is 28 mg per device, in kits of 2 (56 mg) or 3 (84 mg) (US
    # prescribing information, section 3; NDC 50458-028-02 and -03).
    device_strength_mg = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    devices_per_container = models.PositiveSmallIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="product_vial_or_device",
                condition=(
                    models.Q(
                        form=ProductForm.VIAL,
                        concentration_mg_per_ml__gt=0,
                        container_volume_ml__gt=0,
                        device_strength_mg__isnull=True,
                        devices_per_container__isnull=True,
                    )
                    | models.Q(
                        form=ProductForm.NASAL_DEVICE,
                        device_strength_mg__gt=0,
                        devices_per_container__gt=0,
                        concentration_mg_per_ml__isnull=True,
                        container_volume_ml__isnull=True,
                    )
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (NDC {self.ndc})"

    @property
    def is_device(self) -> bool:
        return self.form == ProductForm.NASAL_DEVICE

    @property
    def unit(self) -> str:
        """The unit every quantity of this product is counted in."""
        return "devices" if self.is_device else "mL"

    def _required(self, name: str) -> Any:
        """A field the product's form requires (the check constraints above hold it set)."""
        value = getattr(self, name)
        if value is None:
            raise ValueError(f"{self} has no {name.replace('_', ' ')}.")
        return value

    @property
    def full_container_quantity(self) -> Decimal:
        """A full container in the counting unit (mL of a vial, devices of a kit)."""
        if self.is_device:
            return Decimal(self._required("devices_per_container"))
        return self._required("container_volume_ml")

    @property
    def mg_per_unit(self) -> Decimal:
        """Milligrams in one counting unit: a device's strength, or a vial's mg per mL."""
        return self._required("device_strength_mg" if self.is_device else "concentration_mg_per_ml")

    def mg_of(self, quantity: Decimal) -> Decimal:
        """The milligrams in `quantity` of this product (mL or devices), to 0.01 mg."""
        return (Decimal(quantity) * self.mg_per_unit).quantize(Decimal("0.01"))

    @property
    def strength_label(self) -> str:
        if self.is_device:
            return f"{self._required('device_strength_mg').normalize():f} mg per device"
        return f"{self._required('concentration_mg_per_ml').normalize():f} mg/mL"

    @property
    def package_label(self) -> str:
        if self.is_device:
            return f"kit of {self.devices_per_container} devices"
        return f"{self._required('container_volume_ml').normalize():f} mL vial"


class Lot(models.Model):
    """A manufacturer's lot (batch) of a product and its expiry date."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="lots")
    lot_number = models.CharField(max_length=40)
    expiry_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["expiry_date", "lot_number"]
        constraints = [
            models.UniqueConstraint(fields=["product", "lot_number"], name="lot_unique_per_product")
        ]

    def __str__(self) -> str:
        return f"{self.product.name} lot {self.lot_number} (exp {show_date(self.expiry_date)})"


class Receipt(models.Model):
    """Stock received into a safe: what 21 CFR 1304.22(c) asks of a receipt record (substance,
    form and strength, units per container, number of containers, date received, supplier's name,
    address and DEA number). A Schedule III receipt is documented by the invoice or packing slip
    (no DEA Form 222), whose reference is kept here."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    safe = models.ForeignKey(Safe, on_delete=models.PROTECT, related_name="receipts")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="receipts")
    container_count = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    supplier_name = models.CharField(max_length=200)
    supplier_address = models.CharField(max_length=300)
    supplier_dea_number = models.CharField(
        max_length=9, validators=[DEA_NUMBER_VALIDATOR], help_text="The supplier's registration."
    )
    invoice_reference = models.CharField(max_length=80)
    # The actual date received (21 CFR 1304.21(d)), which may be before the entry was made.
    received_on = models.DateField()
    received_by = models.ForeignKey(_user, on_delete=models.PROTECT, related_name="+")
    witness = models.ForeignKey(_user, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(witness=models.F("received_by")),
                name="receipt_witness_is_second_person",
            )
        ]

    def __str__(self) -> str:
        return f"Receipt {self.invoice_reference} ({show_date(self.received_on)})"


class Container(models.Model):
    """One vial or one kit of devices, with its own label. Its contents are what the ledger says."""

    # In the label's QR code and in addresses: not guessable from another container's.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Printed on the label for people to read and type.
    identifier = models.CharField(max_length=9, unique=True, default=new_container_identifier)
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="containers")
    safe = models.ForeignKey(Safe, on_delete=models.PROTECT, related_name="containers")
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="containers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["lot__expiry_date", "identifier"]

    def __str__(self) -> str:
        return f"{self.identifier} · {self.lot}"

    @property
    def product(self) -> Product:
        return self.lot.product


class SupplierReturn(models.Model):
    """Stock sent back to the supplier or a reverse distributor: a distribution, recorded with the
    recipient's name, address and DEA registration number and the date (21 CFR 1304.22(a)(2)(iv),
    applied to practitioners by 1304.22(c)), and the shipping document's reference. Its ledger
    entry is `movement`."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    movement = models.OneToOneField(
        "Movement", on_delete=models.PROTECT, related_name="supplier_return"
    )
    recipient_name = models.CharField(max_length=150)
    recipient_address = models.CharField(max_length=300)
    recipient_dea_number = models.CharField(
        "recipient's DEA number", max_length=9, validators=[DEA_NUMBER_VALIDATOR]
    )
    reference = models.CharField(max_length=140)
    shipped_on = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-shipped_on", "-id"]

    def __str__(self) -> str:
        return f"Return to {self.recipient_name} ({self.reference})"


class Destruction(models.Model):
    """Inventory destroyed: what DEA Form 41 asks (21 CFR 1304.21(e), 1317.95(d)): the date, the
    method and place of destruction, and two authorised employees who witnessed it. The items
    (NDC, lot, strength, form, full packages and partial counts) are its ledger entries."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    safe = models.ForeignKey(Safe, on_delete=models.PROTECT, related_name="destructions")
    reason = models.CharField(max_length=10, choices=DestructionReason.choices)
    method = models.CharField(
        max_length=200, help_text="How it was made non-retrievable (e.g. a chemical digester)."
    )
    place = models.CharField(max_length=200, help_text="Where it was destroyed.")
    destroyed_on = models.DateField()
    performed_by = models.ForeignKey(_user, on_delete=models.PROTECT, related_name="+")
    witness_1 = models.ForeignKey(_user, on_delete=models.PROTECT, related_name="+")
    witness_2 = models.ForeignKey(_user, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-destroyed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(witness_1=models.F("witness_2")),
                name="destruction_two_different_witnesses",
            )
        ]

    def __str__(self) -> str:
        return f"Destruction {show_date(self.destroyed_on)} ({self.get_reason_display()})"


class Count(models.Model):
    """A count of one safe by two members of staff. Every container with stock is counted; the
    ledger's balance at that moment (under a lock on the safe's containers, so a count is wholly
    before or after any draw) is kept beside what was counted."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    safe = models.ForeignKey(Safe, on_delete=models.PROTECT, related_name="counts")
    kind = models.CharField(max_length=10, choices=CountKind.choices)
    timing = models.CharField(max_length=8, choices=CountTiming.choices)
    # 21 CFR 1304.11(e): an opened Schedule III container may be an estimated measure.
    estimated = models.BooleanField(default=False)
    counted_by = models.ForeignKey(_user, on_delete=models.PROTECT, related_name="+")
    witness = models.ForeignKey(_user, on_delete=models.PROTECT, related_name="+")
    counted_at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-counted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(witness=models.F("counted_by")),
                name="count_witness_is_second_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.safe} at {show_datetime(self.counted_at)}"


class CountLine(models.Model):
    count = models.ForeignKey(Count, on_delete=models.PROTECT, related_name="lines")
    container = models.ForeignKey(Container, on_delete=models.PROTECT, related_name="+")
    # In the product's counting unit (mL or devices).
    expected = models.DecimalField(max_digits=9, decimal_places=2)
    counted = models.DecimalField(max_digits=9, decimal_places=2)

    class Meta:
        ordering = ["count", "id"]
        constraints = [
            models.UniqueConstraint(fields=["count", "container"], name="count_line_unique"),
            models.CheckConstraint(condition=models.Q(counted__gte=0), name="count_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.container_id}: expected {self.expected}, counted {self.counted}"

    @property
    def difference(self) -> Decimal:
        return self.counted - self.expected


class Discrepancy(models.Model):
    """A count that differs from the ledger. It stays open (on the stock page and the director's
    dashboard) until a clinician or the medical director explains it. A real loss adjusts the
    ledger; a theft or significant loss is reported to DEA (21 CFR 1301.76(b): written notice to
    the Field Division within one business day of discovery, DEA Form 106 within 45 days)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    line = models.OneToOneField(CountLine, on_delete=models.PROTECT, related_name="discrepancy")
    safe = models.ForeignKey(Safe, on_delete=models.PROTECT, related_name="discrepancies")
    container = models.ForeignKey(Container, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=DiscrepancyStatus.choices, default=DiscrepancyStatus.OPEN
    )
    outcome = models.CharField(max_length=14, choices=DiscrepancyOutcome.choices, blank=True)
    explanation = models.TextField(blank=True)
    # A theft or significant loss (DEA Form 106); minor differences not due to theft are noted in
    # the records and not reported (DEA guidance on Form 106).
    reportable = models.BooleanField(default=False)
    resolved_by = models.ForeignKey(
        _user, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name_plural = "discrepancies"
        constraints = [
            models.CheckConstraint(
                name="discrepancy_resolution_complete",
                condition=models.Q(
                    status=DiscrepancyStatus.OPEN,
                    resolved_at__isnull=True,
                    outcome="",
                    reportable=False,
                )
                | models.Q(
                    status=DiscrepancyStatus.RESOLVED,
                    resolved_at__isnull=False,
                    resolved_by__isnull=False,
                )
                & ~models.Q(outcome="")
                & ~models.Q(explanation=""),
            ),
            # Only a real loss can be reported as one.
            models.CheckConstraint(
                name="discrepancy_reportable_only_when_stock_differs",
                condition=models.Q(reportable=False)
                | models.Q(outcome=DiscrepancyOutcome.STOCK_DIFFERS),
            ),
        ]

    def __str__(self) -> str:
        return f"Discrepancy {self.container.identifier} ({self.get_status_display()})"


def ledger_sum(field: str, **extra):
    """The sum of a ledger column, rounded to 0.01 in the database. SQLite keeps decimals as binary
    floating point, so 0.50 - 0.42 - 0.08 sums to about 1e-17 there, not 0; every quantity is
    recorded to 0.01, so rounding the sum gives the exact balance on SQLite as on PostgreSQL."""
    return Round(
        Coalesce(models.Sum(field, **extra), Value(Decimal("0")), output_field=_SUM_FIELD),
        2,
        output_field=_SUM_FIELD,
    )


def _effects_constraint() -> models.Q:
    """Each entry's changes are its quantity times its kind's factors (MOVEMENT_EFFECTS), with the
    signs turned round on a reversing entry."""
    allowed: list[models.Q] = []
    for kind, effects in MOVEMENT_EFFECTS.items():
        for safe_factor, drawn_factor in effects:
            for reversal, sign in ((False, 1), (True, -1)):
                allowed.append(
                    models.Q(
                        kind=kind,
                        reverses__isnull=not reversal,
                        safe_change=models.F("quantity") * (sign * safe_factor),
                        drawn_change=models.F("quantity") * (sign * drawn_factor),
                    )
                )
    return functools.reduce(operator.or_, allowed)


class Movement(models.Model):
    """One entry of the ledger: append-only (database triggers refuse UPDATE and DELETE).

    `quantity` is the entry's size in the product's counting unit (mL of a vial, whole devices of
    a kit), always positive, with `amount_mg` its milligrams. `safe_change` and `drawn_change`
    (same unit) are how it changes the container's stock in the safe and the amount drawn for a
    session and not yet given or wasted; balances are their sums.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    container = models.ForeignKey(Container, on_delete=models.PROTECT, related_name="movements")
    # The container's safe when the entry was made (its registered location's ledger).
    safe = models.ForeignKey(Safe, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=10, choices=MovementKind.choices)
    quantity = models.DecimalField(max_digits=9, decimal_places=2)
    amount_mg = models.DecimalField(max_digits=10, decimal_places=2)
    safe_change = models.DecimalField(max_digits=9, decimal_places=2)
    drawn_change = models.DecimalField(max_digits=9, decimal_places=2)
    # When it happened (21 CFR 1304.21(d): the actual date), and when it was written down.
    occurred_at = models.DateTimeField(db_index=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    performed_by = models.ForeignKey(_user, on_delete=models.PROTECT, related_name="+")
    witness = models.ForeignKey(
        _user, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    # What the entry belongs to (at most one of these).
    session = models.ForeignKey(
        "treatment_sessions.TreatmentSession",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    receipt = models.ForeignKey(
        Receipt, null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    destruction = models.ForeignKey(
        Destruction, null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    count = models.ForeignKey(
        Count, null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    # A reversing entry names the entry it cancels; an entry is reversed at most once.
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["container", "occurred_at"], name="movement_container_time"),
            models.Index(fields=["safe", "occurred_at"], name="movement_safe_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="movement_positive"),
            models.CheckConstraint(
                condition=models.Q(amount_mg__gt=0), name="movement_mg_positive"
            ),
            models.CheckConstraint(
                condition=_effects_constraint(), name="movement_changes_match_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(witness__isnull=True)
                | ~models.Q(witness=models.F("performed_by")),
                name="movement_witness_is_second_person",
            ),
            # The record each kind belongs to.
            models.CheckConstraint(
                name="movement_record_matches_kind",
                condition=models.Q(reverses__isnull=False)
                | models.Q(kind=MovementKind.RECEIVE, receipt__isnull=False)
                | models.Q(kind=MovementKind.DESTROY, destruction__isnull=False)
                | models.Q(
                    kind__in=[
                        MovementKind.DISPENSE,
                        MovementKind.ADMINISTER,
                        MovementKind.WASTE,
                    ],
                    session__isnull=False,
                )
                | models.Q(kind__in=[MovementKind.RETURN, MovementKind.ADJUST]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity} of {self.container.identifier}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None
