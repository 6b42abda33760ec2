"""The controlled-substance register's panel on the dashboard: open discrepancies, expired and
expiring lots in stock, safes due a count; each list bounded, a fixed number of queries whatever
the register's size, and never shown to front desk or patients."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.inventory import services
from clinic.inventory.choices import CountKind, CountTiming, MovementKind
from clinic.inventory.dashboard import PANEL_ROWS, register_panel
from clinic.inventory.models import Container, InventoryPolicy, Lot, Movement, Receipt
from clinic.inventory.tests.factories import SafeFactory, VialFactory, receive
from conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def safe(location):
    return SafeFactory(location=location, name="Main safe")


def count(nurse, clinician, safe, counted: dict) -> None:
    services.take_count(
        actor=nurse,
        safe=safe,
        counted=counted,
        kind=CountKind.DAILY,
        timing=CountTiming.CLOSE,
        witness=clinician,
        witness_password=PASSWORD,
    )


def bulk_lots(nurse, clinician, safe, *, lots: int, expiry, prefix: str) -> list[Container]:
    """Volume only: `lots` lots of one full vial each, received in bulk rows (receiving through
    the service is tested in clinic/inventory); `expiry` may be in the past, as for stock that
    expired in the safe."""
    product = VialFactory()
    created = Lot.objects.bulk_create(
        Lot(product=product, lot_number=f"{prefix}-{n:03d}", expiry_date=expiry)
        for n in range(lots)
    )
    receipts = Receipt.objects.bulk_create(
        Receipt(
            safe=safe,
            lot=lot,
            container_count=1,
            supplier_name="Henry Schein",
            supplier_address="135 Duryea Road, Melville, NY 11747",
            supplier_dea_number="RH0123454",
            invoice_reference=f"INV-{lot.lot_number}",
            received_on=timezone.localdate() - timedelta(days=400),
            received_by=nurse,
            witness=clinician,
        )
        for lot in created
    )
    containers = Container.objects.bulk_create(
        Container(lot=receipt.lot, safe=safe, receipt=receipt) for receipt in receipts
    )
    Movement.objects.bulk_create(
        Movement(
            container=container,
            safe=safe,
            kind=MovementKind.RECEIVE,
            quantity=Decimal("5.00"),
            amount_mg=Decimal("500.00"),
            safe_change=Decimal("5.00"),
            drawn_change=Decimal("0"),
            occurred_at=timezone.now() - timedelta(days=400),
            performed_by=nurse,
            witness=clinician,
            receipt=container.receipt,
        )
        for container in containers
    )
    return containers


def panel_of(page: str) -> str:
    assert 'id="register-panel"' in page
    return page.split('id="register-panel"')[1].split("</section>")[0]


def test_the_panel_lists_each_open_discrepancy_and_links_to_it(
    medical_director, nurse, clinician, safe
):
    (vial,) = receive(nurse, clinician, safe).containers.all()
    count(nurse, clinician, safe, {vial.pk: "4.80"})
    discrepancy = safe.discrepancies.get()
    page = client_for(medical_director).get(reverse("dashboard:home")).content.decode()
    panel = panel_of(page)
    assert "Open count discrepancies" in panel and "stays open until" in panel
    assert vial.identifier in panel and "Main safe" in panel and "-0.20 mL" in panel
    assert reverse("inventory:discrepancy", args=[discrepancy.public_id]) in panel
    assert "open 0" in panel  # its age
    # The look is audited like the register's own pages.
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.STOCK_REGISTER_VIEWED, details__page="dashboard"
    ).exists()


def test_expired_and_expiring_lots_with_stock_are_listed_and_empty_ones_are_not(
    clinician, nurse, safe
):
    today = timezone.localdate()
    bulk_lots(nurse, clinician, safe, lots=1, expiry=today - timedelta(days=3), prefix="OLD")
    bulk_lots(nurse, clinician, safe, lots=1, expiry=today + timedelta(days=20), prefix="SOON")
    bulk_lots(nurse, clinician, safe, lots=1, expiry=today + timedelta(days=300), prefix="LATER")
    # An expired lot with nothing left in it is not listed.
    (empty,) = bulk_lots(
        nurse, clinician, safe, lots=1, expiry=today - timedelta(days=9), prefix="USED"
    )
    services.destroy_stock(
        actor=nurse,
        safe=safe,
        containers=[empty],
        reason="expired",
        method="Chemical digester",
        place="Main safe room",
        destroyed_on=today,
        witness_1=nurse,
        witness_1_password=PASSWORD,
        witness_2=clinician,
        witness_2_password=PASSWORD,
    )
    panel = panel_of(client_for(clinician).get(reverse("dashboard:home")).content.decode())
    assert "OLD-000" in panel and "expired" in panel and "5.00 mL in stock" in panel
    assert "SOON-000" in panel and "in 20 days" in panel
    assert "LATER-000" not in panel and "USED-000" not in panel
    assert "within 60 days" in panel


def test_the_expiry_window_is_the_clinic_policy(clinician, nurse, safe):
    today = timezone.localdate()
    bulk_lots(nurse, clinician, safe, lots=1, expiry=today + timedelta(days=100), prefix="MID")
    assert register_panel(clinician)["expiring"].total == 0
    InventoryPolicy.objects.create(expiry_warning_days=120)
    panel = register_panel(clinician)
    assert panel["expiring"].total == 1 and panel["expiry_warning_days"] == 120


def test_a_safe_not_counted_within_a_day_is_listed(clinician, nurse, safe, location):
    SafeFactory(location=location, name="Night safe")
    (vial,) = receive(nurse, clinician, safe).containers.all()
    count(nurse, clinician, safe, {vial.pk: "5.00"})
    panel = register_panel(clinician)
    assert [item.name for item in panel["uncounted"].rows] == ["Night safe"]
    assert (
        register_panel(clinician, now=timezone.now() + timedelta(hours=25))["uncounted"].total == 2
    )
    page = panel_of(client_for(clinician).get(reverse("dashboard:home")).content.decode())
    assert "Night safe" in page and "Never counted" in page


def test_each_list_shows_a_few_rows_and_says_how_many_more(clinician, nurse, safe):
    today = timezone.localdate()
    containers = bulk_lots(
        nurse, clinician, safe, lots=PANEL_ROWS + 7, expiry=today + timedelta(days=10), prefix="KT"
    )
    count(nurse, clinician, safe, {container.pk: "4.90" for container in containers})
    page = panel_of(client_for(clinician).get(reverse("dashboard:home")).content.decode())
    assert page.count("Open the discrepancy") == PANEL_ROWS
    assert f'{reverse("inventory:discrepancies")}">and 7 more</a>' in page
    assert page.count('<span class="badge">Expiring</span>') == PANEL_ROWS
    assert f'{reverse("inventory:stock")}">and 7 more expiring</a>' in page
    assert f'<span class="stat-value">{PANEL_ROWS + 7}</span>' in page


def dashboard_queries(user) -> int:
    client = client_for(user)
    client.get("/patients/")  # the session's first request stamps its activity time
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("dashboard:home")).status_code == 200
    return len(queries)


def test_the_panel_runs_a_fixed_number_of_queries_however_big_the_register(
    clinician, nurse, safe, location
):
    today = timezone.localdate()
    small = bulk_lots(nurse, clinician, safe, lots=1, expiry=today + timedelta(days=10), prefix="A")
    (expired,) = bulk_lots(
        nurse, clinician, safe, lots=1, expiry=today - timedelta(days=10), prefix="B"
    )
    count(nurse, clinician, safe, {small[0].pk: "4.00", expired.pk: "5.00"})
    SafeFactory(location=location, name="Spare safe")
    few = dashboard_queries(clinician)

    many = bulk_lots(nurse, clinician, safe, lots=60, expiry=today + timedelta(days=10), prefix="C")
    bulk_lots(nurse, clinician, safe, lots=60, expiry=today - timedelta(days=10), prefix="D")
    for n in range(12):
        SafeFactory(location=location, name=f"Room {n} safe")
    in_stock = {container.pk: "5.00" for container in Container.objects.filter(safe=safe)}
    count(nurse, clinician, safe, {**in_stock, **{container.pk: "4.50" for container in many}})
    panel = register_panel(clinician)
    assert panel["discrepancies"].total == 61 and panel["expiring"].total == 61
    assert panel["expired"].total == 61 and panel["uncounted"].total == 13
    assert dashboard_queries(clinician) == few


def test_staff_elsewhere_see_only_their_own_safes(other_location_clinician, clinician, nurse, safe):
    (vial,) = receive(nurse, clinician, safe).containers.all()
    count(nurse, clinician, safe, {vial.pk: "4.00"})
    panel = register_panel(other_location_clinician)
    assert panel["discrepancies"].total == 0 and panel["uncounted"].total == 0
    assert register_panel(clinician)["discrepancies"].total == 1


def test_front_desk_and_patients_never_see_the_panel(
    front_desk, patient_alice, clinician, nurse, safe
):
    (vial,) = receive(nurse, clinician, safe).containers.all()
    count(nurse, clinician, safe, {vial.pk: "4.00"})
    page = client_for(front_desk).get(reverse("dashboard:home"))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="register-panel"' not in text and "Controlled-substance register" not in text
    assert vial.identifier not in text
    assert register_panel(front_desk) is None and register_panel(patient_alice.user) is None
    refused = client_for(patient_alice.user).get(reverse("dashboard:home"))
    assert refused.status_code == 403 and 'id="register-panel"' not in refused.content.decode()
    assert not AuditEvent.objects.filter(
        event_type=AuditEventType.STOCK_REGISTER_VIEWED, details__page="dashboard"
    ).exists()
