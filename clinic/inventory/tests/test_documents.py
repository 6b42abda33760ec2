"""The register's three reports as PDFs (clinic.inventory.documents): asked for from their pages,
drawn with the same figures, downloaded only by staff who may see them, bad input refused with a
message, every step audited."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from html import escape

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.core.choices import DocumentStatus
from clinic.core.dates import show_date
from clinic.core.models import GeneratedDocument
from clinic.core.tests.pdf import pdf_text
from clinic.inventory import reports, services
from clinic.inventory.choices import CountKind, CountTiming
from clinic.inventory.tests.factories import SafeFactory, VialFactory, receive, registration
from conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def ask(client, url, data, capture):
    """Post the request and let the task run as the worker would once the request commits."""
    with capture(execute=True):
        response = client.post(url, data)
    return response


def drawn(response, viewer) -> tuple[GeneratedDocument, str]:
    """The document a request led to, downloaded by `viewer`, and its PDF's text."""
    assert response.status_code == 302, response.content.decode()[:2000]
    document = GeneratedDocument.objects.get(public_id=response["Location"].split("/")[-2])
    assert response["Location"] == reverse("documents:detail", args=[document.public_id])
    assert document.status == DocumentStatus.READY, document.failure_message
    download = client_for(viewer).get(reverse("documents:download", args=[document.public_id]))
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")
    return document, pdf_text(download.content)


def exported(step: str, **filters) -> bool:
    return AuditEvent.objects.filter(
        event_type=AuditEventType.STOCK_REGISTER_EXPORTED, details__step=step, **filters
    ).exists()


def test_the_session_report_pdf_shows_drawn_equals_given_plus_wasted(
    nurse, clinician, vial, session, safe, django_capture_on_commit_callbacks
):
    registration(safe.location)
    for step, amount in ((services.dispense, "0.50"), (services.administer, "0.45")):
        step(actor=nurse, container=vial, session_public_id=session.public_id, amount_ml=amount)
    services.waste(
        actor=nurse,
        container=vial,
        session_public_id=session.public_id,
        amount_ml="0.05",
        reason="Left in the syringe",
        witness=clinician,
        witness_password=PASSWORD,
    )
    response = ask(
        client_for(nurse),
        reverse("inventory:session_pdf", args=[session.public_id]),
        {},
        django_capture_on_commit_callbacks,
    )
    document, text = drawn(response, nurse)
    assert session.patient.display_name not in document.title + document.filename
    assert "Drawn = administered + wasted" in text
    assert vial.identifier in text and "0.50 mL" in text
    assert "0.45 mL (45.00 mg)" in text and "0.05 mL (5.00 mg)" in text
    assert "Yes: everything drawn is given or wasted." in text
    assert session.patient.display_name in text and "Left in the syringe" in text
    assert "Test Ketamine Clinic, DEA registration FT1234563" in text
    assert "Page 1 of 1" in text and "Generated" in text
    assert exported("PDF requested", patient_id=session.patient_id, actor=nurse)
    assert exported("PDF downloaded", patient_id=session.patient_id, actor=nurse)


def test_the_ledger_pdf_for_a_range_and_a_product(
    nurse, clinician, vial, session, django_capture_on_commit_callbacks
):
    services.dispense(
        actor=nurse, container=vial, session_public_id=session.public_id, amount_ml="0.40"
    )
    today = timezone.localdate()
    query = {
        "product": vial.lot.product.pk,
        "start": (today - timedelta(days=1)).isoformat(),
        "end": today.isoformat(),
    }
    page = client_for(nurse).get(reverse("inventory:ledger"), query).content.decode()
    assert reverse("inventory:ledger_pdf") in page and "Prepare a PDF" in page
    response = ask(
        client_for(nurse),
        reverse("inventory:ledger_pdf"),
        query,
        django_capture_on_commit_callbacks,
    )
    document, text = drawn(response, nurse)
    assert document.location_id is None  # every safe: the nurse's own
    assert f"{show_date(today - timedelta(days=1))} to {show_date(today)}" in document.title
    assert "Opening balance: 0.00 mL" in text and "Closing balance: 4.60 mL" in text
    assert "Received" in text and "Drawn for a session" in text
    assert session.patient.display_name in text and "Nurse Nora" in text
    assert exported("PDF requested", details__export="ledger", details__format="pdf")
    detail = client_for(nurse).get(reverse("documents:detail", args=[document.public_id]))
    assert escape("?" + document.parameters["back_query"]) in detail.content.decode()


def test_the_inventory_pdf_as_of_a_day_and_who_took_it(
    nurse, clinician, safe, vial, django_capture_on_commit_callbacks
):
    registration(safe.location)
    services.take_count(
        actor=nurse,
        safe=safe,
        counted={vial.pk: "5"},
        kind=CountKind.BIENNIAL,
        timing=CountTiming.CLOSE,
        witness=clinician,
        witness_password=PASSWORD,
    )
    data = {"safe": safe.pk, "on": timezone.localdate().isoformat(), "timing": "close"}
    page = client_for(clinician).get(reverse("inventory:inventory"), data).content.decode()
    assert reverse("inventory:inventory_pdf") in page
    response = ask(
        client_for(clinician),
        reverse("inventory:inventory_pdf"),
        data,
        django_capture_on_commit_callbacks,
    )
    document, text = drawn(response, clinician)
    assert document.location_id == safe.location_id
    assert "Biennial inventory taken at the close of business" in text
    assert "Nurse Nora" in text and vial.identifier in text and "5.00 mL" in text
    assert "500.00" in text and "DEA registration FT1234563" in text


def test_staff_elsewhere_and_front_desk_never_get_the_pdf(
    nurse,
    clinician,
    medical_director,
    front_desk,
    other_location_clinician,
    session,
    vial,
    django_capture_on_commit_callbacks,
):
    url = reverse("inventory:session_pdf", args=[session.public_id])
    response = ask(client_for(nurse), url, {}, django_capture_on_commit_callbacks)
    document = GeneratedDocument.objects.get()
    download = reverse("documents:download", args=[document.public_id])
    assert client_for(clinician).get(download).status_code == 200  # same location, clinical
    assert client_for(medical_director).get(download).status_code == 200
    for outsider in (other_location_clinician, front_desk):
        assert client_for(outsider).get(download).status_code == 404
        assert AuditEvent.objects.filter(actor=outsider, outcome=AuditOutcome.DENIED).exists()
    assert response.status_code == 302
    # Asking is refused the same way: front desk by role, staff elsewhere by location.
    assert client_for(front_desk).post(url).status_code == 403
    assert client_for(other_location_clinician).post(url).status_code == 404
    assert GeneratedDocument.objects.count() == 1


def test_a_ledger_across_every_safe_is_for_the_requester_and_the_director(
    nurse, clinician, medical_director, vial, django_capture_on_commit_callbacks
):
    today = timezone.localdate().isoformat()
    ask(
        client_for(nurse),
        reverse("inventory:ledger_pdf"),
        {"start": today, "end": today},
        django_capture_on_commit_callbacks,
    )
    download = reverse("documents:download", args=[GeneratedDocument.objects.get().public_id])
    assert client_for(nurse).get(download).status_code == 200
    assert client_for(medical_director).get(download).status_code == 200
    # The clinician works at the same location, but a ledger of every safe the nurse sees is not
    # tied to one location.
    assert client_for(clinician).get(download).status_code == 404


@pytest.mark.parametrize(
    "changes",
    [
        {"start": "2026-02-30"},
        {"end": "9" * 400},
        {"start": "<script>"},
        {"product": "999999"},
        {"product": "x" * 10_000},
        {"safe": "not-a-safe"},
        {"end": "2000-01-01"},
    ],
)
def test_bad_ledger_input_is_refused_with_a_message(
    nurse, vial, changes, django_capture_on_commit_callbacks
):
    today = timezone.localdate().isoformat()
    response = ask(
        client_for(nurse),
        reverse("inventory:ledger_pdf"),
        {"start": today, "end": today, **changes},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not GeneratedDocument.objects.exists()


def test_bad_inventory_input_is_refused_with_a_message(nurse, safe, other_location):
    elsewhere = SafeFactory(location=other_location)
    for data in (
        {"safe": safe.pk, "on": "yesterday", "timing": "close"},
        {"safe": safe.pk, "on": timezone.localdate().isoformat(), "timing": "during"},
        {"safe": elsewhere.pk, "on": timezone.localdate().isoformat(), "timing": "close"},
        {},
    ):
        response = client_for(nurse).post(reverse("inventory:inventory_pdf"), data)
        assert response.status_code == 400 and response.context["form"].errors
    assert not GeneratedDocument.objects.exists()


def test_a_ledger_too_long_for_one_pdf_is_refused_at_once(nurse, vial, monkeypatch):
    monkeypatch.setattr(reports, "LEDGER_PDF_MAX_ENTRIES", 0)
    today = timezone.localdate().isoformat()
    response = client_for(nurse).post(
        reverse("inventory:ledger_pdf"), {"start": today, "end": today}
    )
    assert response.status_code == 400
    assert "download the CSV" in response.content.decode()
    assert not GeneratedDocument.objects.exists()


def test_a_pdf_asked_for_by_get_is_not_made(nurse, session):
    assert client_for(nurse).get(reverse("inventory:ledger_pdf")).status_code == 405
    url = reverse("inventory:session_pdf", args=[session.public_id])
    assert client_for(nurse).get(url).status_code == 405


def test_a_safe_no_longer_visible_fails_the_document_with_a_message(
    nurse, safe, vial, other_location, django_capture_on_commit_callbacks
):
    data = {"safe": safe.pk, "on": timezone.localdate().isoformat(), "timing": "close"}
    client = client_for(nurse)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("inventory:inventory_pdf"), data)
    assert response.status_code == 302
    # Before the worker draws it, the nurse moves to another location.
    nurse.locations.set([other_location])
    for callback in callbacks:
        callback()
    document = GeneratedDocument.objects.get()
    assert document.status == DocumentStatus.FAILED
    assert document.failure_message == "That safe is no longer one you can see."


def test_stock_in_another_product_is_not_in_a_products_ledger_pdf(
    nurse, clinician, safe, vial, django_capture_on_commit_callbacks
):
    other = VialFactory(
        ndc="0143-9508-10",
        name="Ketamine HCl 50 mg/mL, 10 mL vial",
        concentration_mg_per_ml=Decimal("50"),
        container_volume_ml=Decimal("10"),
    )
    receive(nurse, clinician, safe, product=other, lot="OTHER-1")
    today = timezone.localdate().isoformat()
    response = ask(
        client_for(nurse),
        reverse("inventory:ledger_pdf"),
        {"product": other.pk, "start": today, "end": today},
        django_capture_on_commit_callbacks,
    )
    _document, text = drawn(response, nurse)
    assert "OTHER-1" in text and "KT-2291" not in text
