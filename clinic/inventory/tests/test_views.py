"""The register's pages: each job's form, its refusals shown beside the field, CSV exports, and
every look at the ledger audited."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.inventory import selectors, services
from clinic.inventory.choices import CountKind, CountTiming, DiscrepancyStatus
from clinic.inventory.models import Discrepancy, Movement, Receipt
from clinic.inventory.tests.factories import VialFactory, receive, registration
from conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def viewed(page: str) -> bool:
    return AuditEvent.objects.filter(
        event_type=AuditEventType.STOCK_REGISTER_VIEWED, details__page=page
    ).exists()


def test_the_stock_page_shows_each_container_balance_and_is_audited(nurse, vial):
    page = client_for(nurse).get(reverse("inventory:stock"))
    assert page.status_code == 200
    text = page.content.decode()
    assert vial.identifier in text and "5.00 mL" in text
    assert viewed("stock")


@pytest.mark.parametrize(
    "url_name", ["inventory:stock", "inventory:ledger", "inventory:inventory", "inventory:receive"]
)
def test_front_desk_never_sees_the_register(front_desk, url_name):
    assert client_for(front_desk).get(reverse(url_name)).status_code == 403


def test_a_clinician_reads_the_register_but_does_not_receive(clinician):
    client = client_for(clinician)
    assert client.get(reverse("inventory:stock")).status_code == 200
    assert client.get(reverse("inventory:receive")).status_code == 403


def receive_form(safe, witness, **changes):
    data = {
        "safe": safe.pk,
        "product": VialFactory().pk,
        "lot_number": "kt-7781",
        "expiry_date": (timezone.localdate() + timedelta(days=300)).isoformat(),
        "container_count": "2",
        "supplier_name": "Henry Schein",
        "supplier_address": "135 Duryea Road, Melville, NY",
        "supplier_dea_number": "RH0123454",
        "invoice_reference": "INV-77",
        "received_on": timezone.localdate().isoformat(),
        "witness": witness.pk,
        "witness_password": PASSWORD,
    }
    data.update(changes)
    return data


def test_receiving_through_the_form_leads_to_the_labels(nurse, clinician, safe):
    response = client_for(nurse).post(reverse("inventory:receive"), receive_form(safe, clinician))
    receipt = Receipt.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("inventory:receipt_labels", args=[receipt.public_id])
    assert receipt.lot.lot_number == "KT-7781"
    labels = client_for(nurse).get(response["Location"])
    text = labels.content.decode()
    assert labels.status_code == 200 and "<svg" in text
    for container in receipt.containers.all():
        assert container.identifier in text
    assert AuditEvent.objects.filter(event_type=AuditEventType.STOCK_LABEL_PRINTED).count() == 2


def test_a_wrong_witness_password_is_shown_beside_the_field(nurse, clinician, safe):
    response = client_for(nurse).post(
        reverse("inventory:receive"), receive_form(safe, clinician, witness_password="nope")
    )
    assert response.status_code == 400
    assert "password" in response.context["form"].errors["witness_password"][0]
    assert not Receipt.objects.exists()


def test_a_bad_dea_number_and_a_past_expiry_are_refused_by_the_form(nurse, clinician, safe):
    response = client_for(nurse).post(
        reverse("inventory:receive"),
        receive_form(
            safe,
            clinician,
            supplier_dea_number="12345",
            expiry_date=(timezone.localdate() - timedelta(days=2)).isoformat(),
        ),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "DEA" in errors["supplier_dea_number"][0]
    assert "expired" in errors["expiry_date"][0]


def test_the_container_page_is_where_its_qr_code_leads(nurse, vial):
    page = client_for(nurse).get(reverse("inventory:container", args=[vial.public_id]))
    assert page.status_code == 200 and "Received" in page.content.decode()
    assert viewed("container")


def test_a_container_elsewhere_is_not_found(other_location_clinician, vial):
    client = client_for(other_location_clinician)
    assert client.get(reverse("inventory:container", args=[vial.public_id])).status_code == 404


def test_a_count_through_the_form_opens_a_discrepancy_that_a_clinician_resolves(
    nurse, clinician, safe, vial
):
    response = client_for(nurse).post(
        reverse("inventory:count", args=[safe.public_id]),
        {
            f"container_{vial.pk}": "4.80",
            "kind": CountKind.SHIFT,
            "timing": CountTiming.DURING,
            "witness": clinician.pk,
            "witness_password": PASSWORD,
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "inventory:discrepancies"
    )
    discrepancy = Discrepancy.objects.get()
    listing = client_for(clinician).get(reverse("inventory:discrepancies"))
    assert vial.identifier in listing.content.decode()
    url = reverse("inventory:discrepancy", args=[discrepancy.public_id])
    refused = client_for(clinician).post(url, {"outcome": "stock_differs", "explanation": ""})
    assert refused.status_code == 400
    done = client_for(clinician).post(
        url,
        {
            "outcome": "stock_differs",
            "explanation": "Vial cracked in the safe; 0.2 mL lost.",
            "reportable": "on",
        },
    )
    assert done.status_code == 302
    discrepancy.refresh_from_db()
    assert discrepancy.status == DiscrepancyStatus.RESOLVED and discrepancy.reportable
    registration(safe.location)
    form_106 = client_for(clinician).get(url).content.decode()
    assert "Form 106" in form_106 and "0.20 mL" in form_106 and "FT1234563" in form_106
    assert selectors.container_balance(vial) == Decimal("4.80")


def test_a_nurse_sees_a_discrepancy_but_cannot_resolve_it(nurse, clinician, safe, vial):
    services.take_count(
        actor=nurse,
        safe=safe,
        counted={vial.pk: "4"},
        kind=CountKind.SHIFT,
        timing=CountTiming.DURING,
        witness=clinician,
        witness_password=PASSWORD,
    )
    url = reverse("inventory:discrepancy", args=[Discrepancy.objects.get().public_id])
    assert client_for(nurse).get(url).status_code == 200
    assert (
        client_for(nurse).post(url, {"outcome": "count_error", "explanation": "x"}).status_code
        == 403
    )


def test_destroying_through_the_form_prints_the_form_41_record(
    nurse, clinician, medical_director, safe, vial
):
    registration(safe.location)
    response = client_for(nurse).post(
        reverse("inventory:destroy", args=[safe.public_id]),
        {
            "containers": [vial.pk],
            "reason": "expired",
            "method": "Chemical digester",
            "place": "Medication room",
            "destroyed_on": timezone.localdate().isoformat(),
            "witness_1": clinician.pk,
            "witness_1_password": PASSWORD,
            "witness_2": medical_director.pk,
            "witness_2_password": PASSWORD,
        },
    )
    assert response.status_code == 302
    record = client_for(nurse).get(response["Location"]).content.decode()
    assert "Form 41" in record and "0409-2051-05" in record and "KT-2291" in record
    assert selectors.container_balance(vial) == 0


def test_the_ledger_for_a_range_and_a_product_with_its_csv_export(nurse, clinician, vial, session):
    services.dispense(
        actor=nurse, container=vial, session_public_id=session.public_id, amount_ml="0.40"
    )
    today = timezone.localdate()
    query = {
        "product": vial.lot.product.pk,
        "start": (today - timedelta(days=1)).isoformat(),
        "end": today.isoformat(),
    }
    page = client_for(nurse).get(reverse("inventory:ledger"), query)
    text = page.content.decode()
    assert page.status_code == 200 and "Drawn for a session" in text and "Opening balance" in text
    # Opened today: nothing before the range, 5 mL received, 0.40 mL drawn out of the safe.
    assert "Opening balance: <strong>0.00 mL" in text
    assert "Closing balance: <strong>4.60 mL" in text
    assert viewed("ledger")
    fragment = client_for(nurse).get(reverse("inventory:ledger"), query, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode()
    export = client_for(nurse).get(reverse("inventory:ledger"), {**query, "format": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][0] == "occurred_at" and len(rows) == 3
    assert rows[2][16] == session.patient.display_name
    assert AuditEvent.objects.filter(event_type=AuditEventType.STOCK_REGISTER_EXPORTED).exists()


def test_a_ledger_range_that_ends_before_it_starts_is_refused(nurse):
    today = timezone.localdate()
    page = client_for(nurse).get(
        reverse("inventory:ledger"),
        {"start": today.isoformat(), "end": (today - timedelta(days=3)).isoformat()},
    )
    assert page.status_code == 400


def test_the_inventory_as_of_a_past_day_and_who_took_it(nurse, clinician, safe, vial, session):
    services.take_count(
        actor=nurse,
        safe=safe,
        counted={vial.pk: "5"},
        kind=CountKind.BIENNIAL,
        timing=CountTiming.CLOSE,
        witness=clinician,
        witness_password=PASSWORD,
    )
    today = timezone.localdate()
    client = client_for(nurse)
    yesterday = client.get(
        reverse("inventory:inventory"),
        {"safe": safe.pk, "on": (today - timedelta(days=1)).isoformat(), "timing": "close"},
    ).content.decode()
    assert vial.identifier not in yesterday and "zero inventory" in yesterday
    now = client.get(
        reverse("inventory:inventory"),
        {"safe": safe.pk, "on": today.isoformat(), "timing": "close"},
    ).content.decode()
    assert vial.identifier in now and "Biennial inventory" in now and "Nurse Nora" in now
    export = client.get(
        reverse("inventory:inventory"),
        {"safe": safe.pk, "on": today.isoformat(), "timing": "close", "format": "csv"},
    )
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[1][7] == vial.identifier and rows[1][8] == "5.00"
    assert viewed("inventory")


def test_a_wrong_entry_is_corrected_from_its_container_page(nurse, vial, session):
    entry = services.dispense(
        actor=nurse, container=vial, session_public_id=session.public_id, amount_ml="1"
    )
    url = reverse("inventory:reverse", args=[entry.public_id])
    assert client_for(nurse).post(url, {"reason": ""}).status_code == 400
    assert client_for(nurse).post(url, {"reason": "Drawn from the wrong vial"}).status_code == 302
    assert Movement.objects.filter(reverses=entry).exists()
    assert selectors.container_balance(vial) == Decimal("5.00")


def test_stock_entered_late_counts_from_the_day_it_arrived(nurse, clinician, safe):
    today = timezone.localdate()
    container = receive(
        nurse, clinician, safe, received_on=today - timedelta(days=5)
    ).containers.get()
    client = client_for(nurse)

    def inventory_on(day):
        return client.get(
            reverse("inventory:inventory"),
            {"safe": safe.pk, "on": day.isoformat(), "timing": "close"},
        ).content.decode()

    assert container.identifier in inventory_on(today - timedelta(days=3))
    assert container.identifier not in inventory_on(today - timedelta(days=6))


def test_the_director_sets_up_safes_in_the_admin_and_it_is_audited(medical_director, location):
    response = client_for(medical_director).post(
        "/admin/inventory/safe/add/", {"location": location.pk, "name": "Safe B", "is_active": "on"}
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(event_type=AuditEventType.INVENTORY_SETTINGS_CHANGED).exists()


def test_the_audit_log_finds_the_register_as_one_area(medical_director, nurse, vial):
    client_for(nurse).get(reverse("inventory:stock"))
    page = client_for(medical_director).get(reverse("audit:log"), {"group": "inventory"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Controlled stock received" in text and "Controlled-substance register viewed" in text


def test_the_receiver_is_not_offered_as_their_own_witness(nurse, clinician, safe):
    form = client_for(nurse).get(reverse("inventory:receive")).context["form"]
    witnesses = list(form.fields["witness"].queryset)
    assert clinician in witnesses and nurse not in witnesses


def test_the_session_report_shows_drawn_equals_given_plus_wasted(
    nurse, clinician, vial, session, other_location_clinician
):
    services.dispense(
        actor=nurse, container=vial, session_public_id=session.public_id, amount_ml="0.50"
    )
    url = reverse("inventory:session", args=[session.public_id])
    assert "Not reconciled" in client_for(nurse).get(url).content.decode()
    services.administer(
        actor=nurse, container=vial, session_public_id=session.public_id, amount_ml="0.50"
    )
    page = client_for(clinician).get(url).content.decode()
    assert "Reconciled" in page and "0.50 mL (50.00 mg)" in page
    assert client_for(other_location_clinician).get(url).status_code == 404
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.STOCK_REGISTER_VIEWED, patient_id=session.patient_id
    ).exists()
