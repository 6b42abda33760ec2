"""Products, safes and stock received through the service, for the register's tests."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from clinic.inventory import services
from clinic.inventory.choices import ProductForm
from clinic.inventory.models import Product, Registration, Safe
from conftest import PASSWORD


class SafeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Safe

    name = factory.Sequence(lambda n: f"Safe {n}")


class VialFactory(factory.django.DjangoModelFactory):
    """Ketamine 100 mg/mL in a 5 mL multi-dose vial (e.g. NDC 0409-2051; openFDA NDC records)."""

    class Meta:
        model = Product
        django_get_or_create = ("ndc",)

    name = "Ketamine HCl 100 mg/mL, 5 mL vial"
    ndc = "0409-2051-05"
    form = ProductForm.VIAL
    concentration_mg_per_ml = Decimal("100")
    container_volume_ml = Decimal("5")


class SprayKitFactory(factory.django.DjangoModelFactory):
    """Spravato 56 mg kit: two 28 mg devices (NDC 50458-028-02)."""

    class Meta:
        model = Product
        django_get_or_create = ("ndc",)

    name = "Spravato 28 mg nasal spray, kit of 2"
    substance = "esketamine"
    ndc = "50458-028-02"
    form = ProductForm.NASAL_DEVICE
    device_strength_mg = Decimal("28")
    devices_per_container = 2


def registration(location):
    return Registration.objects.get_or_create(
        location=location,
        defaults={"registrant_name": "Test Ketamine Clinic", "dea_number": "FT1234563"},
    )[0]


def receive(actor, witness, safe, *, product=None, containers: int = 1, lot="KT-2291", **changes):
    """Receive stock through the service (witnessed with the test password)."""
    values = {
        "product": product or VialFactory(),
        "lot_number": lot,
        "expiry_date": timezone.localdate() + timedelta(days=400),
        "container_count": containers,
        "supplier_name": "Henry Schein",
        "supplier_address": "135 Duryea Road, Melville, NY 11747",
        "supplier_dea_number": "RH0123454",
        "invoice_reference": "INV-1001",
        "received_on": timezone.localdate(),
        "witness": witness,
        "witness_password": PASSWORD,
    }
    values.update(changes)
    return services.receive_stock(actor=actor, safe=safe, **values)
