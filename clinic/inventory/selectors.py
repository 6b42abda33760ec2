"""Reads of the register, scoped to the safes the viewer may see. Every balance is a database
aggregate over the ledger (never a stored number, never a Python loop over entries)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.accounts.choices import Role
from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.inventory.choices import CountKind, DiscrepancyStatus, MovementKind
from clinic.inventory.models import (
    Container,
    Count,
    Discrepancy,
    Lot,
    Movement,
    Product,
    Safe,
    ledger_sum,
)
from clinic.inventory.services import get_policy
from clinic.patients.permissions import staff_location_ids

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=12, decimal_places=2))


def exact(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def visible_safes(viewer) -> QuerySet[Safe]:
    safes = Safe.objects.select_related("location")
    if viewer.role == Role.MEDICAL_DIRECTOR:
        return safes
    return safes.filter(location_id__in=staff_location_ids(viewer))


def visible_containers(viewer) -> QuerySet[Container]:
    return Container.objects.select_related("lot__product", "safe__location").filter(
        safe__in=visible_safes(viewer)
    )


def _sum_until(field: str, moment: dt.datetime | None):
    """The sum of a ledger column over a container's entries (up to `moment`), as a subquery."""
    entries = Movement.objects.filter(container=OuterRef("pk"))
    if moment is not None:
        entries = entries.filter(occurred_at__lte=moment)
    total = entries.order_by().values("container").annotate(total=ledger_sum(field)).values("total")
    return Coalesce(Subquery(total, output_field=ZERO.output_field), ZERO)


def with_balances(containers: QuerySet[Container], *, as_of: dt.datetime | None = None):
    """Containers annotated with `in_safe` and `drawn` (the product's unit) from the ledger."""
    return containers.annotate(
        in_safe=_sum_until("safe_change", as_of), drawn=_sum_until("drawn_change", as_of)
    )


def in_stock_with_balances(containers: QuerySet[Container], *, as_of: dt.datetime | None = None):
    """The containers of `containers` with stock in the safe (as of `as_of`), annotated with
    `in_safe` and `drawn` as `with_balances` annotates them: one grouped SUM of the ledger with
    HAVING in_safe > 0, then only those containers read (not a subquery per container, which
    costs as many index lookups as the safe ever held containers)."""
    entries = Movement.objects.filter(container__in=containers.values("pk"))
    if as_of is not None:
        entries = entries.filter(occurred_at__lte=as_of)
    balances = {
        row["container"]: row
        for row in entries.values("container")
        .annotate(in_safe=ledger_sum("safe_change"), drawn=ledger_sum("drawn_change"))
        .filter(in_safe__gt=0)
        .order_by()
    }
    # Each container with its balance set on it (in the safe and drawn, in its counting unit).
    found: list[Any] = list(containers.filter(pk__in=list(balances)))
    for container in found:
        container.in_safe = balances[container.pk]["in_safe"]
        container.drawn = balances[container.pk]["drawn"]
    return found


def container_balance(container: Container, *, as_of: dt.datetime | None = None) -> Decimal:
    entries = Movement.objects.filter(container=container)
    if as_of is not None:
        entries = entries.filter(occurred_at__lte=as_of)
    return exact(entries.aggregate(total=ledger_sum("safe_change"))["total"])


def stock(viewer, *, safe: Safe | None = None, include_empty: bool = False):
    """Containers with stock in the viewer's safes, with their balances, by expiry."""
    containers = visible_containers(viewer)
    if safe is not None:
        containers = containers.filter(safe=safe)
    containers = with_balances(containers)
    if not include_empty:
        containers = containers.filter(Q(in_safe__gt=0) | Q(drawn__gt=0))
    return containers.order_by("safe__location__name", "safe__name", "lot__expiry_date", "pk")


@dataclass(frozen=True)
class Total:
    """A product's stock (in a safe, a location or everywhere) and its milligrams."""

    product: Product
    quantity: Decimal
    containers: int

    @property
    def amount_mg(self) -> Decimal:
        return self.product.mg_of(self.quantity)


def product_totals(
    viewer, *, safe: Safe | None = None, as_of: dt.datetime | None = None
) -> list[Total]:
    """Each product's stock in the safe: one grouped aggregate over the ledger."""
    entries = Movement.objects.filter(safe__in=visible_safes(viewer))
    if safe is not None:
        entries = entries.filter(safe=safe)
    if as_of is not None:
        entries = entries.filter(occurred_at__lte=as_of)
    rows = (
        entries.values("container__lot__product")
        .annotate(quantity=ledger_sum("safe_change"))
        .order_by("container__lot__product")
    )
    products = Product.objects.in_bulk([row["container__lot__product"] for row in rows])
    containers = _containers_in_stock(viewer, safe=safe, as_of=as_of)
    return [
        Total(
            product=products[row["container__lot__product"]],
            quantity=exact(row["quantity"]),
            containers=containers.get(row["container__lot__product"], 0),
        )
        for row in rows
        if row["quantity"]
    ]


def _containers_in_stock(viewer, *, safe, as_of) -> dict[int, int]:
    containers = visible_containers(viewer)
    if safe is not None:
        containers = containers.filter(safe=safe)
    # One grouped SUM of the ledger per container in stock (HAVING in_safe > 0), counted by product.
    entries = Movement.objects.filter(container__in=containers.values("pk"))
    if as_of is not None:
        entries = entries.filter(occurred_at__lte=as_of)
    counted: dict[int, int] = {}
    for product in (
        entries.values("container", "container__lot__product")
        .annotate(in_safe=ledger_sum("safe_change"))
        .filter(in_safe__gt=0)
        .order_by()
        .values_list("container__lot__product", flat=True)
    ):
        counted[product] = counted.get(product, 0) + 1
    return counted


def lot_totals(viewer, *, safe: Safe | None = None):
    """Each lot's stock in the viewer's safes (one grouped aggregate)."""
    entries = Movement.objects.filter(safe__in=visible_safes(viewer))
    if safe is not None:
        entries = entries.filter(safe=safe)
    rows = (
        entries.values("container__lot")
        .annotate(quantity=ledger_sum("safe_change"))
        .filter(quantity__gt=0)
        .order_by()
    )
    lots = Lot.objects.select_related("product").in_bulk([row["container__lot"] for row in rows])
    return sorted(
        ((lots[row["container__lot"]], exact(row["quantity"])) for row in rows),
        key=lambda pair: (pair[0].expiry_date, pair[0].lot_number),
    )


def expiring_lots(viewer, *, today: dt.date | None = None, within_days: int | None = None):
    """Lots with stock that expire within the clinic's warning window (or have expired)."""
    today = today or timezone.localdate()
    within_days = within_days if within_days is not None else get_policy().expiry_warning_days
    limit = today + dt.timedelta(days=within_days)
    return [
        (lot, quantity, (lot.expiry_date - today).days)
        for lot, quantity in lot_totals(viewer)
        if lot.expiry_date <= limit
    ]


def ledger(
    viewer,
    *,
    start: dt.datetime,
    end: dt.datetime,
    product: Product | None = None,
    safe: Safe | None = None,
) -> QuerySet[Movement]:
    """The ledger's entries between two moments, oldest first, for one product or all."""
    entries = Movement.objects.select_related(
        "container__lot__product",
        "safe__location",
        "performed_by",
        "witness",
        "session__patient",
        "receipt",
        "destruction",
        "count",
        "reverses",
        "reversed_by",
    ).filter(safe__in=visible_safes(viewer), occurred_at__gte=start, occurred_at__lt=end)
    if product is not None:
        entries = entries.filter(container__lot__product=product)
    if safe is not None:
        entries = entries.filter(safe=safe)
    return entries.order_by("occurred_at", "id")


def opening_balance(viewer, *, before: dt.datetime, product: Product, safe: Safe | None = None):
    """A product's stock just before a moment: the ledger page's opening line."""
    entries = Movement.objects.filter(
        safe__in=visible_safes(viewer), occurred_at__lt=before, container__lot__product=product
    )
    if safe is not None:
        entries = entries.filter(safe=safe)
    return exact(entries.aggregate(total=ledger_sum("safe_change"))["total"])


def safe_change_total(entries: QuerySet[Movement]) -> Decimal:
    """The net change to the safe's stock over these entries."""
    return exact(entries.order_by().aggregate(total=ledger_sum("safe_change"))["total"])


def kind_totals(entries: QuerySet[Movement]) -> dict[str, Decimal]:
    """Net quantity of each kind of entry (reversals subtracted), in one grouped query."""
    rows = entries.order_by().values("kind", "reverses").annotate(total=ledger_sum("quantity"))
    totals: dict[str, Decimal] = dict.fromkeys(MovementKind.values, Decimal("0"))
    for row in rows:
        sign = -1 if row["reverses"] is not None else 1
        totals[row["kind"]] += sign * exact(row["total"])
    return totals


def open_discrepancies(viewer) -> QuerySet[Discrepancy]:
    return (
        Discrepancy.objects.select_related(
            "container__lot__product", "safe__location", "line__count__counted_by"
        )
        .filter(safe__in=visible_safes(viewer), status=DiscrepancyStatus.OPEN)
        .order_by("opened_at")
    )


def discrepancies(viewer) -> QuerySet[Discrepancy]:
    return Discrepancy.objects.select_related(
        "container__lot__product",
        "safe__location",
        "line__count__counted_by",
        "line__count__witness",
        "resolved_by",
    ).filter(safe__in=visible_safes(viewer))


def last_inventory(viewer, *, safe: Safe, before: dt.datetime | None = None) -> Count | None:
    """The safe's latest initial or biennial inventory (21 CFR 1304.11(b), (c))."""
    counts = Count.objects.select_related("counted_by", "witness").filter(
        safe=safe, kind__in=[CountKind.INITIAL, CountKind.BIENNIAL]
    )
    if before is not None:
        counts = counts.filter(counted_at__lte=before)
    return counts.order_by("-counted_at").first()


def biennial_due(count: Count | None) -> dt.date | None:
    """The next biennial inventory falls due within two years of the last (21 U.S.C. 827(a);
    21 CFR 1304.11(c))."""
    if count is None:
        return None
    taken = count.counted_at.date()
    try:
        return taken.replace(year=taken.year + 2)
    except ValueError:  # 29 February
        return taken.replace(year=taken.year + 2, day=28)


def record_register_viewed(viewer, *, what: str, safe: Safe | None = None, **details) -> None:
    """Every look at the ledger, its balances or its reports is audited."""
    record_audit_event(
        actor=viewer,
        event_type=AuditEventType.STOCK_REGISTER_VIEWED,
        target=safe,
        location_id=safe.location_id if safe is not None else None,
        details={"page": what, **{key: str(value) for key, value in details.items()}},
    )


@dataclass(frozen=True)
class SessionDraw:
    """What one container gave a session: drawn = administered + wasted + still held, to the
    0.01 mL (or whole device)."""

    container: Container
    drawn: Decimal
    administered: Decimal
    wasted: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.drawn - self.administered - self.wasted

    @property
    def administered_mg(self) -> Decimal:
        return self.container.product.mg_of(self.administered)

    @property
    def wasted_mg(self) -> Decimal:
        return self.container.product.mg_of(self.wasted)


def session_draws(session) -> list[SessionDraw]:
    """Each container drawn for a session with its net amounts (corrections subtracted), from one
    grouped query: the session report's reconciliation, and what a session's signing checks."""
    rows = (
        Movement.objects.filter(session=session)
        .values("container", "kind", "reverses")
        .annotate(total=ledger_sum("quantity"))
        .order_by()
    )
    amounts: dict[int, dict[str, Decimal]] = {}
    for row in rows:
        sign = -1 if row["reverses"] is not None else 1
        per_kind = amounts.setdefault(row["container"], {})
        per_kind[row["kind"]] = per_kind.get(row["kind"], Decimal("0")) + sign * exact(row["total"])
    containers = Container.objects.select_related("lot__product").in_bulk(list(amounts))
    zero = Decimal("0.00")
    return [
        SessionDraw(
            container=containers[pk],
            drawn=per_kind.get(MovementKind.DISPENSE, zero),
            administered=per_kind.get(MovementKind.ADMINISTER, zero),
            wasted=per_kind.get(MovementKind.WASTE, zero),
        )
        for pk, per_kind in sorted(amounts.items())
    ]


def session_is_reconciled(session) -> bool:
    """Everything drawn for the session is accounted for as given or wasted."""
    return all(draw.outstanding == 0 for draw in session_draws(session))
