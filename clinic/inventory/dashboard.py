"""The register's panel on the staff dashboard: open count discrepancies, lots already expired and
lots expiring within the clinic's window that still hold stock, and safes not counted within a
day, for staff who may read the register and scoped to their safes.

A fixed number of queries whatever the register's size. The discrepancies and the safes are each
one query cut to PANEL_ROWS rows, whose rows carry the length of the whole list (a window count
over the same rows), so "and N more" costs nothing extra; the expired and the expiring lots are
one query of the containers in stock, each balance a database sum of the container's entries, as
everywhere in the register.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet, Window
from django.utils import timezone

from clinic.inventory.permissions import can_view_register
from clinic.inventory.selectors import (
    open_discrepancies,
    record_register_viewed,
    visible_containers,
    visible_safes,
    with_balances,
)
from clinic.inventory.services import get_policy

# Rows shown in each of the panel's lists; the rest are counted and left to the register's pages.
PANEL_ROWS = 5
# Each safe in use is counted at least daily [UNVERIFIED: clinic policy (CountKind.DAILY); federal
# rules ask only the initial and biennial inventories, 21 CFR 1304.11(b), (c)]. A safe whose last
# count of any kind is older than this, or that was never counted, is listed.
COUNT_INTERVAL = dt.timedelta(days=1)


@dataclass(frozen=True)
class PanelList:
    """The first rows of a list and the length of the whole list."""

    rows: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def _first_rows(queryset: QuerySet) -> PanelList:
    rows = list(queryset.annotate(list_length=Window(Count("pk")))[:PANEL_ROWS])
    return PanelList(rows=rows, total=rows[0].list_length if rows else 0)


def _expired_and_expiring(viewer, *, today: dt.date, until: dt.date) -> tuple[PanelList, PanelList]:
    """Lots with stock in the viewer's safes that have expired, and that expire by `until`. One
    query: the containers of those lots that hold stock, each container's balance a sum of its
    entries (through the ledger's per-container index); their lots are then added up here, a
    loop over what is in the safes, never over the ledger."""
    containers = (
        with_balances(visible_containers(viewer).filter(lot__expiry_date__lte=until))
        .filter(in_safe__gt=0)
        .order_by("lot__expiry_date", "lot__lot_number", "lot_id")
    )
    lots: dict[int, Any] = {}  # each Lot with its stock and days left set here
    for container in containers:
        if container.lot_id not in lots:
            lot = lots[container.lot_id] = container.lot
            lot.in_stock = Decimal("0")
            lot.days_left = (lot.expiry_date - today).days
        lots[container.lot_id].in_stock += container.in_safe

    def listed(expired: bool) -> PanelList:
        chosen = [lot for lot in lots.values() if (lot.days_left < 0) == expired]
        return PanelList(rows=chosen[:PANEL_ROWS], total=len(chosen))

    return listed(True), listed(False)


def register_panel(viewer, *, now: dt.datetime | None = None) -> dict | None:
    """What the dashboard shows of the register, or None for a role that may not read it. The look
    is audited like any other look at the register's balances."""
    if not can_view_register(viewer):
        return None
    now = now or timezone.now()
    today = timezone.localdate(now)
    policy = get_policy()
    discrepancies = _first_rows(open_discrepancies(viewer))
    expired, expiring = _expired_and_expiring(
        viewer, today=today, until=today + dt.timedelta(days=policy.expiry_warning_days)
    )
    uncounted = _first_rows(
        visible_safes(viewer)
        .filter(is_active=True)
        .annotate(last_counted_at=Max("counts__counted_at"))
        .filter(Q(last_counted_at__isnull=True) | Q(last_counted_at__lt=now - COUNT_INTERVAL))
        .order_by(F("last_counted_at").asc(nulls_first=True), "location__name", "name", "pk")
    )
    record_register_viewed(
        viewer,
        what="dashboard",
        discrepancies=discrepancies.total,
        expired=expired.total,
        expiring=expiring.total,
        uncounted=uncounted.total,
    )
    return {
        "discrepancies": discrepancies,
        "expired": expired,
        "expiring": expiring,
        "uncounted": uncounted,
        "expiry_warning_days": policy.expiry_warning_days,
        "count_interval_hours": int(COUNT_INTERVAL.total_seconds() // 3600),
        "now": now,
    }
