"""Every change to the controlled-substance register: one function per thing a person does.

Each takes the acting person as `actor`, checks their role and location, validates, writes its
ledger entries under a row lock on each container touched (so that two people drawing the last
millilitres of one vial queue, and the second is refused rather than taking the stock below zero)
and records its audit event in the same transaction. Witnesses re-enter their own password first
(through the sign-in lock-out, clinic.core.reauthentication); a refused witness is audited on its
own, before the write starts, so the refusal survives.

The dispense, administer and waste functions are the ones a treatment session calls: each takes the
session's public id and may run inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.services import record_audit_event
from clinic.core.choices import Route
from clinic.core.dates import show_date
from clinic.core.exceptions import ClinicError, InvalidTransitionError, LockedOutError
from clinic.core.reauthentication import password_confirmed
from clinic.core.validators import ENTRY_DATES
from clinic.inventory.choices import (
    CountKind,
    CountTiming,
    DestructionReason,
    DiscrepancyOutcome,
    DiscrepancyStatus,
    MovementKind,
)
from clinic.inventory.locks import lock_containers, lock_discrepancy
from clinic.inventory.models import (
    MOVEMENT_EFFECTS,
    Container,
    Count,
    CountLine,
    Destruction,
    Discrepancy,
    InventoryPolicy,
    Lot,
    Movement,
    Product,
    Receipt,
    Safe,
    SupplierReturn,
    ledger_sum,
)
from clinic.inventory.permissions import (
    WITNESS_ROLES,
    ensure_can_move_for_session,
    ensure_can_move_stock,
    ensure_can_resolve,
    works_at,
)
from clinic.sessions.models import TreatmentSession

WITNESS = "witness"
ZERO = Decimal("0")
HUNDREDTH = Decimal("0.01")


def get_policy() -> InventoryPolicy:
    policy = InventoryPolicy.objects.filter(singleton=True).first()
    return policy if policy is not None else InventoryPolicy()


# --- quantities -------------------------------------------------------------------------------
def quantity_of(product: Product, *, amount_ml=None, devices=None, field: str | None = None):
    """The amount given for `product` in its counting unit: mL (to 0.01 mL) of a vial, whole
    devices of a nasal-spray kit. Raises ClinicError naming the field."""
    if product.is_device:
        field = field or "devices"
        if amount_ml not in (None, ""):
            raise ClinicError("Nasal spray is counted in whole devices, not mL.", field=field)
        try:
            number = Decimal(str(devices))
        except (InvalidOperation, ValueError):
            raise ClinicError("Enter the number of devices.", field=field) from None
        if number != number.to_integral_value() or number < 1:
            raise ClinicError("Enter a whole number of devices, at least 1.", field=field)
        return number
    field = field or "amount_ml"
    if devices not in (None, ""):
        raise ClinicError("A vial is measured in mL, not devices.", field=field)
    try:
        volume = Decimal(str(amount_ml))
    except (InvalidOperation, ValueError):
        raise ClinicError("Enter the volume in mL, e.g. 0.45.", field=field) from None
    if not volume.is_finite() or volume <= 0:
        raise ClinicError("Enter a volume above 0 mL.", field=field)
    if volume != volume.quantize(HUNDREDTH):
        raise ClinicError("Measure the volume to 0.01 mL.", field=field)
    return volume


def describe(product: Product, quantity: Decimal) -> str:
    """e.g. "0.45 mL (45.00 mg)" or "2 devices (56.00 mg)"."""
    if product.is_device:
        number = int(quantity)
        return f"{number} device{'s' if number != 1 else ''} ({product.mg_of(quantity)} mg)"
    return f"{quantity.quantize(HUNDREDTH)} mL ({product.mg_of(quantity)} mg)"


@dataclass(frozen=True)
class Balance:
    """A container's stock in the safe and what is drawn out and not yet accounted for."""

    in_safe: Decimal
    drawn: Decimal


def _balance(container: Container, *, session_id: int | None = None) -> Balance:
    """The ledger's sums for a container; `drawn` is for one session when one is named."""
    totals = Movement.objects.filter(container=container).aggregate(
        in_safe=ledger_sum("safe_change"),
        drawn=ledger_sum("drawn_change", filter=Q(session_id=session_id) if session_id else None),
    )
    return Balance(in_safe=_exact(totals["in_safe"]), drawn=_exact(totals["drawn"]))


def _exact(value) -> Decimal:
    return Decimal(str(value)).quantize(HUNDREDTH)


def _enter(
    container: Container,
    kind: str,
    quantity: Decimal,
    *,
    actor,
    occurred_at: dt.datetime | None = None,
    direction: int = 1,
    reverses: Movement | None = None,
    **links,
) -> Movement:
    """Write one ledger entry on a container already locked by the caller, refusing one that would
    take the stock in the safe, or what is drawn for the session, below zero."""
    effects = MOVEMENT_EFFECTS[kind]
    safe_factor, drawn_factor = effects[0] if direction > 0 else effects[-1]
    if reverses is not None:
        safe_factor, drawn_factor = -safe_factor, -drawn_factor
    safe_change, drawn_change = quantity * safe_factor, quantity * drawn_factor
    session = links.get("session")
    balance = _balance(container, session_id=session.pk if session is not None else None)
    product = container.product
    if balance.in_safe + safe_change < 0:
        raise ClinicError(
            f"Container {container.identifier} holds {describe(product, balance.in_safe)}: "
            f"{describe(product, quantity)} would take it below zero.",
            field="devices" if product.is_device else "amount_ml",
        )
    if drawn_change and balance.drawn + drawn_change < 0:
        raise ClinicError(
            f"Only {describe(product, balance.drawn)} of container {container.identifier} is "
            "drawn for this session and not yet given or wasted.",
            field="devices" if product.is_device else "amount_ml",
        )
    return Movement.objects.create(
        container=container,
        safe=container.safe,
        kind=kind,
        quantity=quantity,
        amount_mg=product.mg_of(quantity),
        safe_change=safe_change,
        drawn_change=drawn_change,
        occurred_at=occurred_at or timezone.now(),
        performed_by=actor,
        reverses=reverses,
        **links,
    )


def _details(movement: Movement, **extra) -> dict:
    return {
        "movement": str(movement.public_id),
        "container": movement.container.identifier,
        "kind": movement.kind,
        "quantity": str(movement.quantity),
        "unit": movement.container.product.unit,
        "amount_mg": str(movement.amount_mg),
        **extra,
    }


def _text(value: str | None, *, limit: int) -> str:
    return " ".join((value or "").split())[:limit]


def _required(value: str | None, *, limit: int, field: str, message: str) -> str:
    text = _text(value, limit=limit)
    if not text:
        raise ClinicError(message, field=field)
    return text


def _local_today(safe: Safe) -> dt.date:
    return timezone.localtime(timezone.now(), safe.location.zone).date()


# --- witnesses --------------------------------------------------------------------------------
def confirm_witness(
    witness, password: str, *, actor, safe: Safe, field: str = "witness", others=()
) -> None:
    """A second person, present, confirms with their own password. They must be clinical staff
    at the safe's location, not the actor (nor another witness of the same act). A wrong password
    counts towards the witness's sign-in lock-out and is audited; call this before the write's
    transaction so that the refusal survives it."""
    password_field = f"{field}_password"
    if witness is None:
        raise ClinicError("Choose the member of staff who witnesses this.", field=field)
    if witness.pk == actor.pk or any(
        other is not None and other.pk == witness.pk for other in others
    ):
        raise ClinicError("The witness must be a second person.", field=field)
    if not (
        witness.is_active and witness.role in WITNESS_ROLES and works_at(witness, safe.location_id)
    ):
        raise ClinicError(
            f"{witness.full_name} cannot witness here: a witness is clinical staff who work at "
            f"{safe.location}.",
            field=field,
        )
    try:
        confirmed = password_confirmed(witness, password, purpose=WITNESS)
    except LockedOutError as error:
        _audit_witness_refused(actor, witness, safe, reason="locked out")
        raise ClinicError(error.message, field=password_field) from None
    if not confirmed:
        _audit_witness_refused(actor, witness, safe, reason="wrong password")
        raise ClinicError(
            f"That is not {witness.full_name}'s password: the witness types their own sign-in "
            "password.",
            field=password_field,
        )


def _audit_witness_refused(actor, witness, safe: Safe, *, reason: str) -> None:
    record_audit_event(
        actor=actor,
        event_type=AuditEventType.STOCK_WITNESS_FAILED,
        outcome=AuditOutcome.FAILED,
        target=safe,
        location_id=safe.location_id,
        details={"witness": witness.email, "reason": reason},
    )


# --- receiving ---------------------------------------------------------------------------------
def receive_stock(
    *,
    actor,
    safe: Safe,
    product: Product,
    lot_number: str,
    expiry_date: dt.date,
    container_count: int,
    supplier_name: str,
    supplier_address: str,
    supplier_dea_number: str,
    invoice_reference: str,
    received_on: dt.date,
    witness,
    witness_password: str,
    note: str = "",
) -> Receipt:
    """Stock arrives: a receipt record (21 CFR 1304.22(c)), one labelled container per vial or
    kit, each entered full in the ledger, witnessed by a second person."""
    event = AuditEventType.STOCK_RECEIVED
    ensure_can_move_stock(actor, safe, event_type=event, action="receive controlled stock")
    if not safe.is_active:
        raise ClinicError("This safe is no longer in use: choose another.", field="safe")
    if not product.is_active:
        raise ClinicError("This product is no longer stocked.", field="product")
    lot_number = _required(
        lot_number, limit=40, field="lot_number", message="Enter the lot number."
    ).upper()
    if expiry_date is None:
        raise ClinicError("Enter the lot's expiry date.", field="expiry_date")
    today = _local_today(safe)
    if expiry_date < today:
        raise ClinicError(
            "This lot has expired: expired stock is not received.", field="expiry_date"
        )
    if received_on is None:
        raise ClinicError("Enter the date the stock arrived.", field="received_on")
    if not ENTRY_DATES.contains(received_on, today=today):
        raise ClinicError(
            "Enter the date the stock arrived: today or within the last year, not in the future.",
            field="received_on",
        )
    if not isinstance(container_count, int) or not 1 <= container_count <= 200:
        raise ClinicError(
            "Enter how many vials or kits arrived (1 to 200).", field="container_count"
        )
    supplier_dea_number = _required(
        supplier_dea_number,
        limit=9,
        field="supplier_dea_number",
        message="Enter the supplier's DEA registration number.",
    ).upper()
    receipt = Receipt(
        safe=safe,
        container_count=container_count,
        supplier_name=_required(
            supplier_name, limit=200, field="supplier_name", message="Enter the supplier's name."
        ),
        supplier_address=_required(
            supplier_address,
            limit=300,
            field="supplier_address",
            message="Enter the supplier's address.",
        ),
        supplier_dea_number=supplier_dea_number,
        invoice_reference=_required(
            invoice_reference,
            limit=80,
            field="invoice_reference",
            message="Enter the invoice or packing slip number.",
        ),
        received_on=received_on,
        received_by=actor,
        witness=witness,
        note=_text(note, limit=300),
    )
    _validate(receipt, exclude=["lot", "safe", "received_by", "witness"])
    confirm_witness(witness, witness_password, actor=actor, safe=safe)
    # The actual date received (21 CFR 1304.21(d)); entered later, it counts from midday that day.
    occurred_at = (
        timezone.now()
        if received_on == today
        else timezone.make_aware(dt.datetime.combine(received_on, dt.time(12)), safe.location.zone)
    )
    with transaction.atomic():
        lot, _ = Lot.objects.get_or_create(
            product=product, lot_number=lot_number, defaults={"expiry_date": expiry_date}
        )
        if lot.expiry_date != expiry_date:
            raise ClinicError(
                f"Lot {lot_number} is already registered with expiry {show_date(lot.expiry_date)}: "
                "check the date on the package.",
                field="expiry_date",
            )
        receipt.lot = lot
        receipt.save()
        full = product.full_container_quantity
        for _ in range(container_count):
            container = Container.objects.create(lot=lot, safe=safe, receipt=receipt)
            container.lot = lot
            _enter(
                container,
                MovementKind.RECEIVE,
                full,
                actor=actor,
                witness=witness,
                receipt=receipt,
                occurred_at=occurred_at,
                reason=f"Invoice {receipt.invoice_reference}",
            )
        record_audit_event(
            actor=actor,
            event_type=event,
            target=receipt,
            location_id=safe.location_id,
            details={
                "product": product.ndc,
                "lot": lot.lot_number,
                "containers": container_count,
                "each": str(full),
                "unit": product.unit,
                "witness": witness.email,
            },
        )
    return receipt


def _validate(record, *, exclude: list[str]) -> None:
    try:
        record.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ClinicError(messages[0], field=None if field == "__all__" else field) from None


# --- sessions: draw, give, waste ------------------------------------------------------------
def _session_for(container: Container, session_public_id: UUID | str) -> TreatmentSession:
    try:
        session = (
            TreatmentSession.objects.select_related("location")
            .filter(public_id=session_public_id)
            .first()
        )
    except (ValueError, TypeError, ValidationError):  # a malformed id is no session
        session = None
    if session is None:
        raise ClinicError("There is no such treatment session.")
    if session.location_id != container.safe.location_id:
        raise ClinicError(
            f"Container {container.identifier} is kept at {container.safe.location}, not at this "
            "session's location."
        )
    if session.locked_at is not None:
        raise InvalidTransitionError("This session is signed and locked.")
    return session


def _ensure_route(container: Container, session: TreatmentSession) -> None:
    is_nasal = session.route == Route.INTRANASAL
    if container.product.is_device != is_nasal:
        raise ClinicError(
            f"{container.product.name} is not for this session's route "
            f"({session.get_route_display()})."
        )


def dispense(
    *,
    actor,
    container: Container,
    session_public_id: UUID | str,
    amount_ml: Decimal | str | None = None,
    devices: int | None = None,
) -> Movement:
    """Draw from a container for a session: the amount leaves the safe and is held against the
    session until it is administered or wasted. An expired container is refused. A multi-dose
    vial keeps the rest on its balance."""
    event = AuditEventType.STOCK_DISPENSED
    ensure_can_move_for_session(
        actor, container.safe, event_type=event, action="draw controlled stock"
    )
    quantity = quantity_of(container.product, amount_ml=amount_ml, devices=devices)
    session = _session_for(container, session_public_id)
    _ensure_route(container, session)
    with transaction.atomic():
        (locked,) = lock_containers([container.pk])
        if locked.lot.expiry_date < _local_today(locked.safe):
            raise ClinicError(
                f"Lot {locked.lot.lot_number} expired on {show_date(locked.lot.expiry_date)}: "
                "use another container, and destroy this one."
            )
        movement = _enter(locked, MovementKind.DISPENSE, quantity, actor=actor, session=session)
        record_audit_event(
            actor=actor,
            event_type=event,
            target=movement,
            patient_id=session.patient_id,
            location_id=locked.safe.location_id,
            details=_details(movement, session=str(session.public_id)),
        )
    return movement


def administer(
    *,
    actor,
    container: Container,
    session_public_id: UUID | str,
    amount_ml: Decimal | str | None = None,
    devices: int | None = None,
) -> Movement:
    """Record what was given to the patient out of what was drawn from this container for the
    session (21 CFR 1304.22(c): the amount, the date and who administered it)."""
    event = AuditEventType.STOCK_ADMINISTERED
    ensure_can_move_for_session(
        actor, container.safe, event_type=event, action="record stock given"
    )
    quantity = quantity_of(container.product, amount_ml=amount_ml, devices=devices)
    session = _session_for(container, session_public_id)
    with transaction.atomic():
        (locked,) = lock_containers([container.pk])
        movement = _enter(locked, MovementKind.ADMINISTER, quantity, actor=actor, session=session)
        record_audit_event(
            actor=actor,
            event_type=event,
            target=movement,
            patient_id=session.patient_id,
            location_id=locked.safe.location_id,
            details=_details(movement, session=str(session.public_id)),
        )
    return movement


def waste(
    *,
    actor,
    container: Container,
    session_public_id: UUID | str,
    reason: str,
    amount_ml: Decimal | str | None = None,
    devices: int | None = None,
    witness=None,
    witness_password: str = "",
) -> Movement:
    """Record what was drawn for the session and will not be given ("pharmaceutical wastage":
    recorded under 21 CFR 1304.22(c), not on a DEA Form 41; DEA disposal rule preamble, 79 FR
    53520, 53521). A second person witnesses with their password when the clinic's policy asks
    (on by default; InventoryPolicy.waste_witness_required: state and clinic policy, not federal
    law)."""
    event = AuditEventType.STOCK_WASTED
    ensure_can_move_for_session(
        actor, container.safe, event_type=event, action="record wasted stock"
    )
    quantity = quantity_of(container.product, amount_ml=amount_ml, devices=devices)
    reason = _required(reason, limit=300, field="reason", message="Say why it is wasted.")
    session = _session_for(container, session_public_id)
    if get_policy().waste_witness_required or witness is not None:
        confirm_witness(witness, witness_password, actor=actor, safe=container.safe)
    with transaction.atomic():
        (locked,) = lock_containers([container.pk])
        movement = _enter(
            locked,
            MovementKind.WASTE,
            quantity,
            actor=actor,
            session=session,
            witness=witness,
            reason=reason,
        )
        record_audit_event(
            actor=actor,
            event_type=event,
            target=movement,
            patient_id=session.patient_id,
            location_id=locked.safe.location_id,
            details=_details(
                movement,
                session=str(session.public_id),
                witness=witness.email if witness else "",
            ),
        )
    return movement


# --- returns and destruction ---------------------------------------------------------------
def return_to_supplier(
    *,
    actor,
    container: Container,
    recipient: str,
    recipient_address: str,
    recipient_dea_number: str,
    reference: str,
    witness,
    witness_password: str,
) -> Movement:
    """Send what is left in a container back to the supplier or a reverse distributor, witnessed:
    a distribution, recorded with the recipient's name, address and DEA number, the date and the
    shipping reference (21 CFR 1304.22(a)(2)(iv) and (c))."""
    event = AuditEventType.STOCK_RETURNED
    ensure_can_move_stock(actor, container.safe, event_type=event, action="return stock")
    recipient = _required(
        recipient, limit=150, field="recipient", message="Name who the stock goes back to."
    )
    recipient_address = _required(
        recipient_address,
        limit=300,
        field="recipient_address",
        message="Enter the recipient's registered address.",
    )
    recipient_dea_number = _text(recipient_dea_number, limit=9).upper()
    reference = _required(
        reference, limit=140, field="reference", message="Enter the return's shipping reference."
    )
    # The stock leaves the safe when this is recorded: the ledger's entry and the record's date
    # are both now.
    shipped_on = _local_today(container.safe)
    record = SupplierReturn(
        recipient_name=recipient,
        recipient_address=recipient_address,
        recipient_dea_number=recipient_dea_number,
        reference=reference,
        shipped_on=shipped_on,
    )
    _validate(record, exclude=["movement"])
    confirm_witness(witness, witness_password, actor=actor, safe=container.safe)
    with transaction.atomic():
        (locked,) = lock_containers([container.pk])
        remaining = _balance(locked).in_safe
        if remaining <= 0:
            raise ClinicError(f"Container {locked.identifier} is empty: nothing to return.")
        movement = _enter(
            locked,
            MovementKind.RETURN,
            remaining,
            actor=actor,
            witness=witness,
            reason=f"Returned to {recipient} (ref. {reference})"[:300],
        )
        record.movement = movement
        record.save()
        record_audit_event(
            actor=actor,
            event_type=event,
            target=movement,
            location_id=locked.safe.location_id,
            details=_details(
                movement,
                recipient=recipient,
                recipient_dea_number=recipient_dea_number,
                reference=reference,
                shipped_on=shipped_on.isoformat(),
            ),
        )
    return movement


def destroy_stock(
    *,
    actor,
    safe: Safe,
    containers: list[Container],
    reason: str,
    method: str,
    place: str,
    destroyed_on: dt.date,
    witness_1,
    witness_1_password: str,
    witness_2,
    witness_2_password: str,
    note: str = "",
) -> Destruction:
    """Destroy what is left in the chosen containers (expired, broken, unwanted): the DEA Form 41
    record (21 CFR 1304.21(e), 1317.95(d)) with the method, the place and two authorised
    employees who witnessed it, each confirming with their own password. The person recording
    it may be one of the two witnesses."""
    event = AuditEventType.STOCK_DESTROYED
    ensure_can_move_stock(actor, safe, event_type=event, action="destroy controlled stock")
    if not containers:
        raise ClinicError("Choose the containers destroyed.", field="containers")
    if any(container.safe_id != safe.pk for container in containers):
        raise ClinicError(
            "Every container destroyed together is from this safe.", field="containers"
        )
    if reason not in DestructionReason.values:
        raise ClinicError("Choose why the stock is destroyed.", field="reason")
    method = _required(method, limit=200, field="method", message="Say how it was destroyed.")
    place = _required(place, limit=200, field="place", message="Say where it was destroyed.")
    today = _local_today(safe)
    if destroyed_on is None or not ENTRY_DATES.contains(destroyed_on, today=today):
        raise ClinicError(
            "Enter the date of destruction: today or within the last year.", field="destroyed_on"
        )
    if witness_1 is not None and witness_2 is not None and witness_1.pk == witness_2.pk:
        raise ClinicError("Two different people witness a destruction.", field="witness_2")
    for witness, password, field in (
        (witness_1, witness_1_password, "witness_1"),
        (witness_2, witness_2_password, "witness_2"),
    ):
        if witness is not None and witness.pk == actor.pk:
            # The person destroying may witness it: they confirm with their own password too.
            _confirm_self(actor, password, safe=safe, field=field)
        else:
            confirm_witness(
                witness,
                password,
                actor=actor,
                safe=safe,
                field=field,
                others=[witness_2 if field == "witness_1" else witness_1],
            )
    occurred_at = (
        timezone.now()
        if destroyed_on == today
        else timezone.make_aware(dt.datetime.combine(destroyed_on, dt.time(12)), safe.location.zone)
    )
    with transaction.atomic():
        destruction = Destruction.objects.create(
            safe=safe,
            reason=reason,
            method=method,
            place=place,
            destroyed_on=destroyed_on,
            performed_by=actor,
            witness_1=witness_1,
            witness_2=witness_2,
            note=_text(note, limit=300),
        )
        entries = []
        for locked in lock_containers(container.pk for container in containers):
            remaining = _balance(locked).in_safe
            if remaining <= 0:
                raise ClinicError(
                    f"Container {locked.identifier} is empty: nothing to destroy.",
                    field="containers",
                )
            entries.append(
                _enter(
                    locked,
                    MovementKind.DESTROY,
                    remaining,
                    actor=actor,
                    witness=witness_2 if witness_1.pk == actor.pk else witness_1,
                    destruction=destruction,
                    occurred_at=occurred_at,
                    reason=DestructionReason(reason).label,
                )
            )
        record_audit_event(
            actor=actor,
            event_type=event,
            target=destruction,
            location_id=safe.location_id,
            details={
                "containers": [entry.container.identifier for entry in entries],
                "reason": reason,
                "witnesses": [witness_1.email, witness_2.email],
            },
        )
    return destruction


def _confirm_self(actor, password: str, *, safe: Safe, field: str) -> None:
    try:
        confirmed = password_confirmed(actor, password, purpose=WITNESS)
    except LockedOutError as error:
        _audit_witness_refused(actor, actor, safe, reason="locked out")
        raise ClinicError(error.message, field=f"{field}_password") from None
    if not confirmed:
        _audit_witness_refused(actor, actor, safe, reason="wrong password")
        raise ClinicError(
            "That is not your password: witnesses type their own sign-in password.",
            field=f"{field}_password",
        )


# --- counts and discrepancies ----------------------------------------------------------------
def take_count(
    *,
    actor,
    safe: Safe,
    counted: Mapping[int, Decimal | str | int],
    kind: str,
    timing: str,
    witness,
    witness_password: str,
    estimated: bool = False,
    note: str = "",
) -> Count:
    """Two people count a safe. `counted` maps each container's primary key to the amount found
    (mL, or devices). Every container the ledger says holds stock must be counted. The ledger's
    balances are read under a lock on all the safe's containers, so a count is wholly before or
    after a draw, never half. Each difference opens a discrepancy. A safe with nothing in it may
    be counted too: that is a zero inventory (21 CFR 1304.11(b))."""
    event = AuditEventType.STOCK_COUNTED
    ensure_can_move_stock(actor, safe, event_type=event, action="count controlled stock")
    if kind not in CountKind.values:
        raise ClinicError("Choose what kind of count this is.", field="kind")
    if timing not in CountTiming.values:
        raise ClinicError("Say when the count was taken.", field="timing")
    if kind in (CountKind.INITIAL, CountKind.BIENNIAL) and timing == CountTiming.DURING:
        raise ClinicError(
            "An initial or biennial inventory is taken at the opening or the close of business "
            "(21 CFR 1304.11(a)).",
            field="timing",
        )
    confirm_witness(witness, witness_password, actor=actor, safe=safe)
    with transaction.atomic():
        # Lock the containers that hold stock, then read their balances again under the locks
        # (one grouped sum each time, however many empty containers the safe has held).
        in_stock = lock_containers(_safe_balances(safe))
        balances = _safe_balances(safe, only=[container.pk for container in in_stock])
        in_stock = [container for container in in_stock if balances.get(container.pk, ZERO) > 0]
        unknown = set(counted) - {container.pk for container in in_stock}
        if unknown:
            raise ClinicError("Count only the containers listed for this safe.")
        missing = [container.identifier for container in in_stock if container.pk not in counted]
        if missing:
            raise ClinicError(f"Count every container: {', '.join(missing)} not counted.")
        found: dict[int, Decimal] = {}
        for container in in_stock:
            found[container.pk] = _counted_value(container, counted[container.pk])
        now = timezone.now()
        count = Count.objects.create(
            safe=safe,
            kind=kind,
            timing=timing,
            estimated=estimated,
            counted_by=actor,
            witness=witness,
            counted_at=now,
            note=_text(note, limit=300),
        )
        opened = []
        for container in in_stock:
            line = CountLine.objects.create(
                count=count,
                container=container,
                expected=balances[container.pk],
                counted=found[container.pk],
            )
            if line.counted != line.expected:
                opened.append(
                    Discrepancy.objects.create(
                        line=line, safe=safe, container=container, opened_at=now
                    )
                )
        record_audit_event(
            actor=actor,
            event_type=event,
            target=count,
            location_id=safe.location_id,
            details={
                "kind": kind,
                "containers": len(in_stock),
                "discrepancies": [item.container.identifier for item in opened],
                "witness": witness.email,
            },
        )
    return count


def _safe_balances(safe: Safe, *, only: list[int] | None = None) -> dict[int, Decimal]:
    """The stock in each of the safe's containers that holds any, in one grouped sum."""
    entries = Movement.objects.filter(safe=safe)
    if only is not None:
        entries = entries.filter(container_id__in=only)
    rows = (
        entries.values("container")
        .annotate(in_safe=ledger_sum("safe_change"))
        .filter(in_safe__gt=0)
        .order_by()
    )
    return {row["container"]: _exact(row["in_safe"]) for row in rows}


def _counted_value(container: Container, value) -> Decimal:
    """What was found in a container: 0 or more, in mL to 0.01 or whole devices."""
    field = f"container_{container.pk}"
    unit = "devices" if container.product.is_device else "mL"
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = None
    if value in (None, "") or number is None or not number.is_finite() or number < 0:
        raise ClinicError(
            f"Enter what {container.identifier} holds, in {unit} (0 if it is empty or missing).",
            field=field,
        )
    if number == 0:
        return ZERO
    if container.product.is_device:
        return quantity_of(container.product, devices=number, field=field)
    return quantity_of(container.product, amount_ml=number, field=field)


def resolve_discrepancy(
    *,
    actor,
    discrepancy: Discrepancy,
    outcome: str,
    explanation: str,
    reportable: bool = False,
) -> Discrepancy:
    """A clinician or the medical director explains a count's difference. When the count was
    right, the ledger is adjusted to it by an adjustment entry tied to the count; a theft or
    significant loss is marked reportable (21 CFR 1301.76(b): DEA Form 106)."""
    event = AuditEventType.STOCK_DISCREPANCY_RESOLVED
    ensure_can_resolve(actor, discrepancy.safe, event_type=event)
    if outcome not in DiscrepancyOutcome.values:
        raise ClinicError("Choose what the difference was.", field="outcome")
    explanation = (explanation or "").strip()[:2000]
    if not explanation:
        raise ClinicError("Explain the difference.", field="explanation")
    if reportable and outcome != DiscrepancyOutcome.STOCK_DIFFERS:
        raise ClinicError(
            "Only stock that is really missing is reported as a loss.", field="reportable"
        )
    with transaction.atomic():
        locked = lock_discrepancy(discrepancy.pk)
        if locked.status != DiscrepancyStatus.OPEN:
            raise InvalidTransitionError("This discrepancy is already resolved.")
        adjustment = None
        if outcome == DiscrepancyOutcome.STOCK_DIFFERS:
            (container,) = lock_containers([locked.container_id])
            difference = locked.line.counted - locked.line.expected
            try:
                adjustment = _enter(
                    container,
                    MovementKind.ADJUST,
                    abs(difference),
                    actor=actor,
                    direction=1 if difference > 0 else -1,
                    count=locked.line.count,
                    reason=_text(explanation, limit=300),
                )
            except ClinicError:
                raise ClinicError(
                    f"Container {container.identifier} now holds less than the difference: count "
                    "the safe again, then resolve this against the new count.",
                    field="outcome",
                ) from None
        locked.status = DiscrepancyStatus.RESOLVED
        locked.outcome = outcome
        locked.explanation = explanation
        locked.reportable = bool(reportable)
        locked.resolved_by = actor
        locked.resolved_at = timezone.now()
        locked.save(
            update_fields=[
                "status",
                "outcome",
                "explanation",
                "reportable",
                "resolved_by",
                "resolved_at",
            ]
        )
        record_audit_event(
            actor=actor,
            event_type=event,
            target=locked,
            location_id=locked.safe.location_id,
            details={
                "container": locked.container.identifier,
                "outcome": outcome,
                "reportable": bool(reportable),
                "adjustment": str(adjustment.public_id) if adjustment else "",
            },
        )
        if adjustment is not None:
            record_audit_event(
                actor=actor,
                event_type=AuditEventType.STOCK_ADJUSTED,
                target=adjustment,
                location_id=locked.safe.location_id,
                details=_details(adjustment, count=str(locked.line.count.public_id)),
            )
    return locked


# --- corrections ----------------------------------------------------------------------------
def reverse_movement(*, actor, movement: Movement, reason: str) -> Movement:
    """Correct a wrong entry by a reversing one (the entry itself is never changed). A reversal is
    not itself reversed: enter the right movement again instead. Refused if the stock has since
    moved on so that reversing would take a balance below zero."""
    event = AuditEventType.STOCK_MOVEMENT_REVERSED
    if movement.session_id is not None and movement.kind != MovementKind.RECEIVE:
        # A session's own draw, given or wasted amount is corrected by whoever works at the chair.
        ensure_can_move_for_session(
            actor, movement.safe, event_type=event, action="correct the register"
        )
    else:
        ensure_can_move_stock(actor, movement.safe, event_type=event, action="correct the register")
    reason = _required(reason, limit=300, field="reason", message="Say why the entry is wrong.")
    if movement.reverses_id is not None:
        raise InvalidTransitionError(
            "This entry is itself a correction: enter the right movement again instead."
        )
    with transaction.atomic():
        (locked,) = lock_containers([movement.container_id])
        if Movement.objects.filter(reverses=movement).exists():
            raise InvalidTransitionError("This entry has already been reversed.")
        try:
            reversal = _enter(
                locked,
                movement.kind,
                movement.quantity,
                actor=actor,
                direction=1 if (movement.safe_change + movement.drawn_change) >= 0 else -1,
                reverses=movement,
                reason=reason,
                session=movement.session,
                count=movement.count,
            )
        except IntegrityError:
            raise InvalidTransitionError("This entry has already been reversed.") from None
        record_audit_event(
            actor=actor,
            event_type=event,
            target=reversal,
            patient_id=movement.session.patient_id if movement.session else None,
            location_id=locked.safe.location_id,
            details=_details(reversal, reverses=str(movement.public_id)),
        )
    return reversal
