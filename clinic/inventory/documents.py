"""The register's reports as PDFs, drawn in the background (clinic.core.documents): the ledger for
a date range and a product, the inventory as of a past day, and a session's controlled stock.

Each is asked for from its page (the same form, so the same checks), drawn by the task worker as
the person who asked, and downloaded by them or by clinical staff who work at its location (the
medical director sees every location). Asking, opening the status page and each download are
audited as exports of the register."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.urls import reverse

from clinic.accounts.choices import Role
from clinic.audit.choices import AuditEventType
from clinic.core.dates import show_date
from clinic.core.documents import DocumentKind, register_document_kind
from clinic.core.exceptions import ClinicError
from clinic.core.services import request_document
from clinic.inventory import reports, selectors
from clinic.inventory.choices import CountTiming
from clinic.inventory.models import Product
from clinic.inventory.permissions import can_view_register, works_at
from clinic.sessions.models import TreatmentSession

LEDGER = "inventory.ledger"
INVENTORY = "inventory.inventory"
SESSION = "inventory.session"


def may_view(user, document) -> bool:
    """Clinical staff who work at the document's location; for a ledger across every safe (no
    one location), the medical director, who sees every location."""
    if not can_view_register(user):
        return False
    if user.role == Role.MEDICAL_DIRECTOR:
        return True
    return document.location_id is not None and works_at(user, document.location_id)


def _requester(document):
    viewer = document.requested_by
    if not (viewer.is_active and can_view_register(viewer)):
        raise ClinicError("The person who asked for this report no longer sees the register.")
    return viewer


def _safe(viewer, public_id):
    if not public_id:
        return None
    safe = selectors.visible_safes(viewer).filter(public_id=public_id).first()
    if safe is None:
        raise ClinicError("That safe is no longer one you can see.")
    return safe


def _product(public_id):
    if not public_id:
        return None
    product = Product.objects.filter(public_id=public_id).first()
    if product is None:
        raise ClinicError("That product is no longer in the register.")
    return product


# --- the ledger ---------------------------------------------------------------------------
def request_ledger_pdf(viewer, *, start_on, end_on, product, safe, zone, back_query: str):
    """Ask for the ledger's PDF; a range too long for one is refused at once (the CSV holds it)."""
    report = reports.ledger_report(
        viewer, start_on=start_on, end_on=end_on, product=product, safe=safe, zone=zone
    )
    entries = report["entries"].count()
    if entries > reports.LEDGER_PDF_MAX_ENTRIES:
        raise ClinicError(
            f"These dates hold {entries:,} entries, more than one PDF holds "
            f"({reports.LEDGER_PDF_MAX_ENTRIES:,}): choose fewer days or one product, or download "
            "the CSV."
        )
    where = f"{safe.name}, {safe.location.name}" if safe else "every safe"
    what = product.name if product else "every product"
    return request_document(
        actor=viewer,
        kind=LEDGER,
        title=f"Ledger, {where}, {what}, {show_date(start_on)} to {show_date(end_on)}",
        parameters={
            "start": start_on.isoformat(),
            "end": end_on.isoformat(),
            "product": str(product.public_id) if product else "",
            "safe": str(safe.public_id) if safe else "",
            "zone": str(zone),
            "back_query": back_query,
        },
        location=safe.location if safe else None,
        audit_details={
            "export": "ledger",
            "format": "pdf",
            "start": start_on,
            "end": end_on,
            "product": product.ndc if product else "all",
        },
    )


def _ledger_context(document) -> dict:
    viewer = _requester(document)
    parameters = document.parameters
    safe = _safe(viewer, parameters.get("safe"))
    report = reports.ledger_report(
        viewer,
        start_on=dt.date.fromisoformat(parameters["start"]),
        end_on=dt.date.fromisoformat(parameters["end"]),
        product=_product(parameters.get("product")),
        safe=safe,
        zone=zoneinfo.ZoneInfo(parameters["zone"]),
    )
    entries = list(report["entries"][: reports.LEDGER_PDF_MAX_ENTRIES + 1])
    if len(entries) > reports.LEDGER_PDF_MAX_ENTRIES:
        raise ClinicError(
            "These dates now hold more entries than one PDF holds: choose fewer days or one "
            "product, or download the CSV."
        )
    locations = (
        [safe.location_id]
        if safe
        else selectors.visible_safes(viewer).values_list("location_id", flat=True)
    )
    return {
        **report,
        "rows": [
            {
                "entry": entry,
                "patient": entry.session.patient if entry.session_id else None,
                "address": reports.patient_address(entry.session.patient)
                if entry.session_id
                else [],
            }
            for entry in entries
        ],
        "registrations": reports.registrations_for(locations),
    }


def _ledger_page(document) -> str:
    return reverse("inventory:ledger") + "?" + document.parameters.get("back_query", "")


# --- the inventory as of a day --------------------------------------------------------------
def request_inventory_pdf(viewer, *, safe, on: dt.date, timing: str, back_query: str):
    return request_document(
        actor=viewer,
        kind=INVENTORY,
        title=(
            f"Inventory, {safe.name}, {safe.location.name}, "
            f"{dict(CountTiming.choices)[timing].lower()} {show_date(on)}"
        ),
        parameters={
            "safe": str(safe.public_id),
            "on": on.isoformat(),
            "timing": timing,
            "back_query": back_query,
        },
        location=safe.location,
        audit_details={"export": "inventory", "format": "pdf", "on": on, "timing": timing},
    )


def _inventory_context(document) -> dict:
    viewer = _requester(document)
    parameters = document.parameters
    safe = _safe(viewer, parameters["safe"])
    if parameters.get("timing") not in (CountTiming.OPENING, CountTiming.CLOSE):
        raise ClinicError("Choose the opening or the close of business.")
    return reports.inventory_report(
        viewer,
        safe=safe,
        on=dt.date.fromisoformat(parameters["on"]),
        timing=parameters["timing"],
    )


def _inventory_page(document) -> str:
    return reverse("inventory:inventory") + "?" + document.parameters.get("back_query", "")


# --- a session's controlled stock --------------------------------------------------------------
def request_session_pdf(viewer, *, session: TreatmentSession):
    return request_document(
        actor=viewer,
        kind=SESSION,
        # No patient's name in the title or the file's name: the PDF itself names them.
        title=(
            f"Controlled stock for a session, {session.location.name}, "
            f"{show_date(session.created_at, session.location.zone)}"
        ),
        parameters={"session": str(session.public_id)},
        location=session.location,
        patient_id=session.patient_id,
        audit_details={"export": "session", "format": "pdf", "session": session.public_id},
    )


def _session_context(document) -> dict:
    viewer = _requester(document)
    session = (
        TreatmentSession.objects.select_related("patient", "location")
        .filter(public_id=document.parameters["session"])
        .first()
    )
    if session is None or not works_at(viewer, session.location_id):
        raise ClinicError("That session is no longer one you can see.")
    report = reports.session_report(session)
    return {**report, "address": reports.patient_address(session.patient)}


def _session_page(document) -> str:
    return reverse("inventory:session", args=[document.parameters["session"]])


def register() -> None:
    for code, label, template, context, page in (
        (LEDGER, "ledger", "inventory/pdf/ledger.html", _ledger_context, _ledger_page),
        (
            INVENTORY,
            "inventory as of a date",
            "inventory/pdf/inventory.html",
            _inventory_context,
            _inventory_page,
        ),
        (
            SESSION,
            "controlled stock for a session",
            "inventory/pdf/session.html",
            _session_context,
            _session_page,
        ),
    ):
        register_document_kind(
            DocumentKind(
                code=code,
                label=f"controlled-substance register: {label}",
                template=template,
                context=context,
                may_request=can_view_register,
                may_view=may_view,
                audit_event=AuditEventType.STOCK_REGISTER_EXPORTED,
                back_url=page,
            )
        )
