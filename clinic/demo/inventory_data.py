"""The demo clinic's controlled-substance register: stock received with a witness, today's doses
drawn from it when they are confirmed (what was drawn up beyond the dose wasted with a witness), a
count whose small difference a clinician has explained, and a lot close to expiry."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_CEILING, Decimal

from django.utils import timezone

from clinic.core.choices import Route
from clinic.core.meta import present
from clinic.inventory import services as register
from clinic.inventory.choices import CountKind, CountTiming, DiscrepancyOutcome, ProductForm
from clinic.inventory.models import Container, InventoryPolicy, Product, Registration, Safe
from clinic.inventory.selectors import session_draws, stock
from clinic.sessions.models import TreatmentSession

# The lot today's IV doses are drawn from, and what a syringe is drawn up over the dose.
DOSING_LOT = "KET-24-0917"
OVERDRAW_ML = Decimal("0.50")
SUPPLIER = {
    "supplier_name": "Demo Medical Supply (not a real distributor)",
    "supplier_address": "1 Warehouse Way, Columbus, OH 43004",
    "supplier_dea_number": "RD1234563",
}


def _products() -> dict[str, Product]:
    """Products as the US market packages them (openFDA NDC records; Spravato kits NDC
    50458-028-02 and -03). The package codes here are the demo's own."""
    ketamine_10, _ = Product.objects.get_or_create(
        ndc="42023-113-10",
        defaults={
            "name": "Ketamine HCl 10 mg/mL, 20 mL vial",
            "form": ProductForm.VIAL,
            "concentration_mg_per_ml": Decimal("10"),
            "container_volume_ml": Decimal("20"),
        },
    )
    ketamine_100, _ = Product.objects.get_or_create(
        ndc="0409-2051-05",
        defaults={
            "name": "Ketamine HCl 100 mg/mL, 5 mL vial",
            "form": ProductForm.VIAL,
            "concentration_mg_per_ml": Decimal("100"),
            "container_volume_ml": Decimal("5"),
        },
    )
    spravato, _ = Product.objects.get_or_create(
        ndc="50458-028-02",
        defaults={
            "name": "Spravato 28 mg nasal spray, 56 mg kit (2 devices)",
            "substance": "esketamine",
            "form": ProductForm.NASAL_DEVICE,
            "device_strength_mg": Decimal("28"),
            "devices_per_container": 2,
        },
    )
    return {"ketamine_10": ketamine_10, "ketamine_100": ketamine_100, "spravato": spravato}


def receive_controlled_stock(*, nurse, clinician, witness_password: str, location) -> Safe:
    """Stock the location's safe, witnessed by `clinician` with `witness_password`: today's doses
    are then drawn from it when they are confirmed."""
    InventoryPolicy.objects.get_or_create(singleton=True)
    Registration.objects.get_or_create(
        location=location,
        defaults={"registrant_name": location.organisation.name, "dea_number": "FK1234563"},
    )
    safe, _ = Safe.objects.get_or_create(location=location, name="Medication room safe")
    products = _products()
    today = timezone.localdate()
    witness = {"witness": clinician, "witness_password": witness_password}
    register.receive_stock(
        actor=nurse,
        safe=safe,
        product=products["ketamine_10"],
        lot_number=DOSING_LOT,
        expiry_date=today + timedelta(days=300),
        container_count=4,
        invoice_reference="DMS-100482",
        received_on=today - timedelta(days=20),
        **SUPPLIER,
        **witness,
    )
    # This lot expires inside the clinic's 60-day warning window.
    register.receive_stock(
        actor=nurse,
        safe=safe,
        product=products["ketamine_100"],
        lot_number="KET-23-1204",
        expiry_date=today + timedelta(days=40),
        container_count=2,
        invoice_reference="DMS-099871",
        received_on=today - timedelta(days=90),
        **SUPPLIER,
        **witness,
    )
    register.receive_stock(
        actor=nurse,
        safe=safe,
        product=products["spravato"],
        lot_number="SPR-25-0311",
        expiry_date=today + timedelta(days=200),
        container_count=3,
        invoice_reference="DMS-100517",
        received_on=today - timedelta(days=10),
        **SUPPLIER,
        **witness,
    )
    return safe


def dosing_vial(location) -> Container:
    """The 10 mg/mL vial today's IV doses are drawn from."""
    return present(
        Container.objects.filter(safe__location=location, lot__lot_number=DOSING_LOT)
        .order_by("identifier")
        .first(),
        "The demo's dosing vial",
    )


def overdraw_ml(dose_mg: Decimal) -> tuple[Decimal, Decimal]:
    """The dose's volume of 10 mg/mL, rounded up to 0.01 mL, and that plus the 0.50 mL a syringe
    is drawn up over (expelled before the infusion and wasted with a witness)."""
    dose_ml = (dose_mg / Decimal("10")).quantize(Decimal("0.01"), rounding=ROUND_CEILING)
    return dose_ml, dose_ml + OVERDRAW_ML


def reconcile_and_count(*, nurse, clinician, witness_password: str, location) -> dict:
    """Waste what today's sessions drew beyond their dose (witnessed), then today's count: one
    vial of the expiring lot is found 0.10 mL short (a drop lost on opening), explained by the
    clinician and the register adjusted."""
    safe = Safe.objects.get(location=location, name="Medication room safe")
    products = _products()
    witness = {"witness": clinician, "witness_password": witness_password}
    drawn = []
    for session in TreatmentSession.objects.filter(
        location=location, route=Route.IV, dose_confirmed_at__isnull=False, locked_at__isnull=True
    ).order_by("pk"):
        for draw in session_draws(session):
            if draw.outstanding < OVERDRAW_ML:
                continue
            register.waste(
                actor=nurse,
                container=draw.container,
                session_public_id=session.public_id,
                amount_ml=OVERDRAW_ML,
                reason="Drawn up beyond the dose; expelled before the infusion",
                **witness,
            )
            drawn.append(session)
    counted = {}
    short = None
    for row in stock(nurse, safe=safe):
        if row.in_safe <= 0:
            continue
        counted[row.pk] = row.in_safe
        if short is None and row.product == products["ketamine_100"]:
            short = row
            counted[row.pk] = row.in_safe - Decimal("0.10")
    count = register.take_count(
        actor=nurse,
        safe=safe,
        counted=counted,
        kind=CountKind.DAILY,
        timing=CountTiming.DURING,
        **witness,
    )
    discrepancy = count.lines.get(container=short).discrepancy
    register.resolve_discrepancy(
        actor=clinician,
        discrepancy=discrepancy,
        outcome=DiscrepancyOutcome.STOCK_DIFFERS,
        explanation="A drop was lost when the vial was first punctured; seen by both counters. "
        "Minor, not theft: noted, not reported.",
    )
    return {"safe": safe, "sessions": drawn, "count": count}
