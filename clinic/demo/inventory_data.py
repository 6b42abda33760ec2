"""The demo clinic's controlled-substance register: stock received with a witness, today's dosed
sessions drawing from it (the dose given, the rest wasted with a witness), a count whose small
difference a clinician has explained, and a lot close to expiry."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_CEILING, Decimal

from django.utils import timezone

from clinic.inventory import services as register
from clinic.inventory.choices import CountKind, CountTiming, DiscrepancyOutcome, ProductForm
from clinic.inventory.models import InventoryPolicy, Product, Registration, Safe
from clinic.inventory.selectors import stock
from clinic.sessions.models import TreatmentSession

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


def add_controlled_stock(*, nurse, clinician, witness_password: str, location) -> dict:
    """Stock the location's safe and draw today's dosed IV sessions from it. `clinician` witnesses
    with `witness_password` and resolves the count's discrepancy."""
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
        lot_number="KET-24-0917",
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
    vial = next(row for row in stock(nurse, safe=safe) if row.product == products["ketamine_10"])
    drawn = []
    for session in TreatmentSession.objects.filter(
        location=location, route="iv", dosed_at__isnull=False, locked_at__isnull=True
    ).order_by("pk"):
        # The dose's volume of 10 mg/mL, rounded up to 0.01 mL, plus the 0.5 mL a syringe draws
        # over; what was not given is wasted with a witness.
        dose_ml = (session.dose_mg / products["ketamine_10"].concentration_mg_per_ml).quantize(
            Decimal("0.01"), rounding=ROUND_CEILING
        )
        register.dispense(
            actor=nurse,
            container=vial,
            session_public_id=session.public_id,
            amount_ml=dose_ml + Decimal("0.50"),
        )
        register.administer(
            actor=nurse, container=vial, session_public_id=session.public_id, amount_ml=dose_ml
        )
        register.waste(
            actor=nurse,
            container=vial,
            session_public_id=session.public_id,
            amount_ml=Decimal("0.50"),
            reason="Drawn up beyond the dose; not given",
            **witness,
        )
        drawn.append(session)
    # Today's count: one vial of the expiring lot is found 0.10 mL short (a drop lost on
    # opening), explained by the clinician and the register adjusted.
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
