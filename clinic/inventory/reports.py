"""The register's three reports, each read once for its page, its CSV and its PDF: the ledger for
a date range (and a product), the inventory as of the opening or close of a past day, and the
stock a treatment session drew. Every read goes through the scoped selectors."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from clinic.inventory import selectors
from clinic.inventory.choices import CountTiming, MovementKind
from clinic.inventory.models import Movement, Registration

# A PDF of more entries than this would run to hundreds of pages: the CSV holds any number.
LEDGER_PDF_MAX_ENTRIES = 5000


def day_bounds(day: dt.date, zone) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of `day` and of the day after, in `zone`."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min), zone)
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min), zone)
    return start, end


def registrations_for(locations) -> list[Registration]:
    """The DEA registrations of these locations (records are kept per registered location,
    21 CFR 1304.21(b))."""
    return list(
        Registration.objects.select_related("location")
        .filter(location__in=locations)
        .order_by("location__name")
    )


def ledger_report(viewer, *, start_on: dt.date, end_on: dt.date, product, safe, zone) -> dict:
    """The entries between the first moment of `start_on` and the last of `end_on` (in `zone`,
    the safe's location's zone when one safe is chosen), oldest first. For one product: the
    opening balance, each kind's net amount (corrections subtracted) and the closing balance."""
    if safe is not None:
        zone = safe.location.zone
    start, _ = day_bounds(start_on, zone)
    _, end = day_bounds(end_on, zone)
    entries = selectors.ledger(viewer, start=start, end=end, product=product, safe=safe)
    opening = closing = totals = None
    if product is not None:
        opening = selectors.opening_balance(viewer, before=start, product=product, safe=safe)
        totals = [
            (MovementKind(kind).label, total)
            for kind, total in selectors.kind_totals(entries).items()
            if total
        ]
        closing = opening + selectors.safe_change_total(entries)
    return {
        "entries": entries,
        "opening": opening,
        "closing": closing,
        "totals": totals,
        "start_on": start_on,
        "end_on": end_on,
        "product": product,
        "safe": safe,
    }


def inventory_report(viewer, *, safe, on: dt.date, timing: str) -> dict:
    """The stock as the ledger stood at the opening or close of `on`, per container and per
    product, with the initial or biennial inventory taken that day and who took it (21 CFR
    1304.11)."""
    start, end = day_bounds(on, safe.location.zone)
    as_of = start if timing == CountTiming.OPENING else end
    containers = selectors.in_stock_with_balances(
        selectors.visible_containers(viewer)
        .filter(safe=safe)
        .order_by("lot__product__name", "lot__expiry_date", "identifier"),
        as_of=as_of,
    )
    taken = selectors.last_inventory(viewer, safe=safe, before=end)
    return {
        "safe": safe,
        "as_of": as_of,
        "on": on,
        "timing_code": timing,
        "timing": dict(CountTiming.choices)[timing],
        "containers": containers,
        "totals": selectors.product_totals(viewer, safe=safe, as_of=as_of),
        "taken": taken if taken is not None and taken.counted_at >= start else None,
        "last_inventory": taken,
        "biennial_due": selectors.biennial_due(taken),
        "registration": getattr(safe.location, "dea_registration", None),
    }


def session_report(session) -> dict:
    """What a session drew: per container, drawn = administered + wasted (to 0.01 mL, or whole
    devices) and what is not yet accounted for, with every entry."""
    draws = selectors.session_draws(session)
    entries = (
        Movement.objects.filter(session=session)
        .select_related(
            "container__lot__product", "performed_by", "witness", "reverses", "reversed_by"
        )
        .order_by("occurred_at", "id")
    )
    return {
        "session": session,
        "draws": draws,
        "entries": entries,
        "reconciled": all(draw.outstanding == 0 for draw in draws),
        "registration": getattr(session.location, "dea_registration", None),
    }


def patient_address(patient) -> list[str]:
    """21 CFR 1304.22(c): the administration record names the patient and their address."""
    city = " ".join(part for part in (patient.city, patient.region, patient.postal_code) if part)
    return [part for part in (patient.address_line1, patient.address_line2, city) if part]
