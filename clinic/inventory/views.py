"""Thin adapters from HTTP to the register's services and selectors. Every page that shows the
ledger or a balance is audited (selectors.record_register_viewed)."""

from __future__ import annotations

import csv
import datetime as dt
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.exceptions import PermissionDeniedError
from clinic.core.forms import form_status, posted_data, refusal_shown_on
from clinic.core.permissions import role_required
from clinic.inventory import documents as register_documents
from clinic.inventory import reports, selectors, services
from clinic.inventory.chairside import ChairsideRegister
from clinic.inventory.choices import CountTiming, DiscrepancyOutcome, MovementKind
from clinic.inventory.forms import (
    CountForm,
    DestroyForm,
    InventoryForm,
    LedgerFilterForm,
    ReceiveForm,
    ResolveForm,
    ReturnForm,
    ReverseForm,
    SessionWasteForm,
)
from clinic.inventory.models import Destruction, Movement, Receipt
from clinic.inventory.permissions import RESOLVER_ROLES, STOCK_ROLES, VIEWER_ROLES, works_at
from clinic.sessions.models import TreatmentSession

VIEWERS = tuple(VIEWER_ROLES)
MOVERS = tuple(STOCK_ROLES)


def _safe_or_404(request, public_id):
    safe = selectors.visible_safes(request.user).filter(public_id=public_id).first()
    if safe is None:
        raise Http404("We could not find that safe.")
    return safe


def _container_or_404(request, public_id):
    container = selectors.visible_containers(request.user).filter(public_id=public_id).first()
    if container is None:
        raise Http404("We could not find that container.")
    return container


def _csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        # A cell starting with =, +, - or @ is a formula to a spreadsheet: quote it as text.
        writer.writerow(
            [
                f"'{cell}"
                if str(cell)[:1] in {"=", "+", "-", "@"} and not _is_number(cell)
                else cell
                for cell in row
            ]
        )
    return response


def _is_number(cell) -> bool:
    try:
        float(str(cell))
    except ValueError:
        return False
    return True


def _audit_export(request, *, what: str, safe=None, **details) -> None:
    record_audit_event(
        actor=request.user,
        event_type=AuditEventType.STOCK_REGISTER_EXPORTED,
        target=safe,
        location_id=safe.location_id if safe is not None else None,
        details={"export": what, **{key: str(value) for key, value in details.items()}},
    )


# --- stock ----------------------------------------------------------------------------------
@role_required(*VIEWERS)
def stock(request):
    """Every container in stock with its balance, each product's totals per safe, lots expiring
    within the clinic's window and open discrepancies."""
    viewer = request.user
    safes = list(selectors.visible_safes(viewer).filter(is_active=True))
    rows = list(selectors.stock(viewer))
    by_safe = [
        {
            "safe": safe,
            "containers": [row for row in rows if row.safe_id == safe.pk],
            "totals": selectors.product_totals(viewer, safe=safe),
            "can_move": works_at(viewer, safe.location_id) and viewer.role in STOCK_ROLES,
        }
        for safe in safes
    ]
    policy = services.get_policy()
    selectors.record_register_viewed(viewer, what="stock")
    return render(
        request,
        "inventory/stock.html",
        {
            "by_safe": by_safe,
            "expiring": selectors.expiring_lots(viewer, within_days=policy.expiry_warning_days),
            "policy": policy,
            "open_discrepancies": selectors.open_discrepancies(viewer).count(),
            "can_move": viewer.role in STOCK_ROLES,
        },
    )


@role_required(*MOVERS)
def receive(request):
    viewer = request.user
    safes = selectors.visible_safes(viewer).filter(is_active=True)
    locations = {safe.location_id for safe in safes}
    form = ReceiveForm(
        posted_data(request),
        safes=safes,
        locations=locations,
        actor=viewer,
        initial={"received_on": timezone.localdate(), "container_count": 1},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown_on(form):
            receipt = services.receive_stock(
                actor=viewer,
                safe=data["safe"],
                product=data["product"],
                lot_number=data["lot_number"],
                expiry_date=data["expiry_date"],
                container_count=data["container_count"],
                supplier_name=data["supplier_name"],
                supplier_address=data["supplier_address"],
                supplier_dea_number=data["supplier_dea_number"],
                invoice_reference=data["invoice_reference"],
                received_on=data["received_on"],
                witness=data["witness"],
                witness_password=data["witness_password"],
                note=data["note"],
            )
            messages.success(
                request,
                f"Received {receipt.container_count} × {data['product'].name}, lot "
                f"{receipt.lot.lot_number}. Print the labels and put one on each container.",
            )
            return redirect("inventory:receipt_labels", receipt.public_id)
    return render(request, "inventory/receive.html", {"form": form}, status=form_status(form))


def _qr_svg(request, container) -> str:
    url = request.build_absolute_uri(reverse("inventory:container", args=[container.public_id]))
    return segno.make(url, error="m").svg_inline(scale=3, title=f"Container {container.identifier}")


def _labels(request, containers, *, title: str):
    labels = [
        {"container": container, "qr_svg": _qr_svg(request, container)} for container in containers
    ]
    for container in containers:
        record_audit_event(
            actor=request.user,
            event_type=AuditEventType.STOCK_LABEL_PRINTED,
            target=container,
            location_id=container.safe.location_id,
            details={"container": container.identifier},
        )
    return render(request, "inventory/labels.html", {"labels": labels, "title": title})


@role_required(*VIEWERS)
def receipt_labels(request, public_id):
    receipt = (
        Receipt.objects.select_related("lot__product", "safe__location")
        .filter(public_id=public_id, safe__in=selectors.visible_safes(request.user))
        .first()
    )
    if receipt is None:
        raise Http404("We could not find that receipt.")
    containers = list(
        receipt.containers.select_related("lot__product", "safe__location").order_by("pk")
    )
    return _labels(request, containers, title=f"Labels for invoice {receipt.invoice_reference}")


@role_required(*VIEWERS)
def container_label(request, public_id):
    container = _container_or_404(request, public_id)
    return _labels(request, [container], title=f"Label for {container.identifier}")


@role_required(*VIEWERS)
def container_detail(request, public_id):
    """One container (where its label's QR code leads): its balance and every entry."""
    container = _container_or_404(request, public_id)
    (row,) = selectors.with_balances(
        selectors.visible_containers(request.user).filter(pk=container.pk)
    )
    entries = (
        Movement.objects.filter(container=container)
        .select_related(
            "performed_by",
            "witness",
            "session__patient",
            "receipt",
            "destruction",
            "count",
            "reverses",
            "reversed_by",
            "supplier_return",
            "container__lot__product",
        )
        .order_by("occurred_at", "id")
    )
    rows = list(entries)
    selectors.record_register_viewed(
        request.user, what="container", safe=container.safe, container=container.identifier
    )
    return render(
        request,
        "inventory/container.html",
        {
            "container": row,
            "entries": rows,
            # Returns to the supplier, with the entry that corrected one if it was wrong.
            "returns": [entry for entry in rows if entry.kind == MovementKind.RETURN],
            "can_move": request.user.role in STOCK_ROLES
            and works_at(request.user, container.safe.location_id),
        },
    )


@role_required(*MOVERS)
def return_stock(request, public_id):
    """Send what is left in a container back to the supplier or a reverse distributor, with the
    shipping reference, witnessed by a second person with their password."""
    container = _container_or_404(request, public_id)
    (row,) = selectors.with_balances(
        selectors.visible_containers(request.user).filter(pk=container.pk)
    )
    form = ReturnForm(posted_data(request), location=container.safe.location, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown_on(form):
            movement = services.return_to_supplier(
                actor=request.user,
                container=container,
                recipient=data["recipient"],
                recipient_address=data["recipient_address"],
                recipient_dea_number=data["recipient_dea_number"],
                reference=data["reference"],
                witness=data["witness"],
                witness_password=data["witness_password"],
            )
            messages.success(
                request,
                f"Container {container.identifier}: "
                f"{services.describe(container.product, movement.quantity)} returned to "
                f"{data['recipient']}.",
            )
            return redirect("inventory:container", container.public_id)
    selectors.record_register_viewed(
        request.user, what="return form", safe=container.safe, container=container.identifier
    )
    return render(
        request,
        "inventory/return.html",
        {"container": row, "form": form},
        status=form_status(form),
    )


# --- counts and discrepancies ---------------------------------------------------------------
@role_required(*MOVERS)
def count(request, public_id):
    safe = _safe_or_404(request, public_id)
    containers = [row for row in selectors.stock(request.user, safe=safe) if row.in_safe > 0]
    form = CountForm(
        posted_data(request), containers=containers, location=safe.location, actor=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown_on(form):
            taken = services.take_count(
                actor=request.user,
                safe=safe,
                counted=form.counted(),
                kind=data["kind"],
                timing=data["timing"],
                estimated=data["estimated"],
                witness=data["witness"],
                witness_password=data["witness_password"],
                note=data["note"],
            )
            opened = sum(1 for line in taken.lines.all() if line.counted != line.expected)
            if opened:
                messages.warning(
                    request,
                    f"Count saved. {opened} container{'s' if opened != 1 else ''} differ from the "
                    "register: a clinician or the medical director explains each discrepancy.",
                )
                return redirect("inventory:discrepancies")
            messages.success(request, "Count saved: everything matches the register.")
            return redirect("inventory:stock")
    # The page shows what each container should hold only after the count (a blind count).
    selectors.record_register_viewed(request.user, what="count form", safe=safe)
    return render(
        request,
        "inventory/count.html",
        {
            "safe": safe,
            "form": form,
            "container_fields": [form[name] for name in form.container_fields],
        },
        status=form_status(form),
    )


@role_required(*VIEWERS)
def discrepancies(request):
    rows = selectors.discrepancies(request.user).order_by("status", "-opened_at")[:200]
    selectors.record_register_viewed(request.user, what="discrepancies")
    return render(
        request,
        "inventory/discrepancies.html",
        {"rows": rows, "can_resolve": request.user.role in RESOLVER_ROLES},
    )


@role_required(*VIEWERS)
def discrepancy_detail(request, public_id):
    discrepancy = selectors.discrepancies(request.user).filter(public_id=public_id).first()
    if discrepancy is None:
        raise Http404("We could not find that discrepancy.")
    can_resolve = request.user.role in RESOLVER_ROLES and works_at(
        request.user, discrepancy.safe.location_id
    )
    form = ResolveForm(posted_data(request)) if can_resolve else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(
                "Only a clinician or the medical director resolves a discrepancy."
            )
        if form.is_valid():
            with refusal_shown_on(form):
                services.resolve_discrepancy(
                    actor=request.user,
                    discrepancy=discrepancy,
                    outcome=form.cleaned_data["outcome"],
                    explanation=form.cleaned_data["explanation"],
                    reportable=form.cleaned_data["reportable"],
                )
                messages.success(request, "The discrepancy is resolved.")
                return redirect("inventory:discrepancy", discrepancy.public_id)
    registration = getattr(discrepancy.safe.location, "dea_registration", None)
    selectors.record_register_viewed(
        request.user, what="discrepancy", safe=discrepancy.safe, discrepancy=discrepancy.public_id
    )
    return render(
        request,
        "inventory/discrepancy.html",
        {
            "discrepancy": discrepancy,
            "form": form,
            "registration": registration,
            "stock_differs": DiscrepancyOutcome.STOCK_DIFFERS,
            "lost": abs(discrepancy.line.difference),
            "lost_mg": discrepancy.container.product.mg_of(abs(discrepancy.line.difference)),
            "notice_due": _business_day_after(
                discrepancy.opened_at, discrepancy.safe.location.zone
            ),
            "form_106_due": timezone.localtime(
                discrepancy.opened_at, discrepancy.safe.location.zone
            ).date()
            + dt.timedelta(days=45),
        },
        status=form_status(form),
    )


def _business_day_after(moment: dt.datetime, zone) -> dt.date:
    """21 CFR 1301.76(b): written notice of a theft or significant loss to the DEA Field Division
    within one business day of discovery (weekends skipped; public holidays are not known here)."""
    day = timezone.localtime(moment, zone).date() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


# --- destruction ----------------------------------------------------------------------------
@role_required(*MOVERS)
def destroy(request, public_id):
    safe = _safe_or_404(request, public_id)
    in_stock = selectors.stock(request.user, safe=safe).filter(in_safe__gt=0)
    form = DestroyForm(
        posted_data(request),
        containers=in_stock,
        location=safe.location,
        initial={"destroyed_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown_on(form):
            destruction = services.destroy_stock(
                actor=request.user,
                safe=safe,
                containers=list(data["containers"]),
                reason=data["reason"],
                method=data["method"],
                place=data["place"],
                destroyed_on=data["destroyed_on"],
                witness_1=data["witness_1"],
                witness_1_password=data["witness_1_password"],
                witness_2=data["witness_2"],
                witness_2_password=data["witness_2_password"],
                note=data["note"],
            )
            messages.success(request, "The destruction is recorded. Print the DEA Form 41 record.")
            return redirect("inventory:destruction", destruction.public_id)
    selectors.record_register_viewed(request.user, what="destroy", safe=safe)
    return render(
        request, "inventory/destroy.html", {"safe": safe, "form": form}, status=form_status(form)
    )


@role_required(*VIEWERS)
def destruction_detail(request, public_id):
    """What DEA Form 41 asks, ready to copy onto the form or print."""
    destruction = (
        Destruction.objects.select_related(
            "safe__location", "performed_by", "witness_1", "witness_2"
        )
        .filter(public_id=public_id, safe__in=selectors.visible_safes(request.user))
        .first()
    )
    if destruction is None:
        raise Http404("We could not find that destruction record.")
    entries = list(destruction.movements.select_related("container__lot__product").order_by("pk"))
    items = [
        {
            "entry": entry,
            "product": entry.container.product,
            "lot": entry.container.lot,
            "full": entry.quantity == entry.container.product.full_container_quantity,
        }
        for entry in entries
    ]
    selectors.record_register_viewed(
        request.user, what="destruction", safe=destruction.safe, destruction=destruction.public_id
    )
    return render(
        request,
        "inventory/destruction.html",
        {
            "destruction": destruction,
            "items": items,
            "registration": getattr(destruction.safe.location, "dea_registration", None),
        },
    )


# --- ledger and inventory -----------------------------------------------------------------
# Column names are codes on purpose: the ledger's CSV is read by the register's reconciliation
# scripts and spreadsheets, which key on them; the values are the labels a person reads.
LEDGER_CSV_HEADER = [
    "occurred_at",
    "recorded_at",
    "location",
    "safe",
    "kind",
    "reversal_of",
    "product",
    "ndc",
    "lot",
    "expiry",
    "container",
    "quantity",
    "unit",
    "amount_mg",
    "safe_change",
    "drawn_change",
    "patient",
    "patient_address",
    "session",
    "performed_by",
    "witness",
    "reason",
]


def _ledger_form(request, data):
    today = timezone.localdate()
    return LedgerFilterForm(
        data,
        safes=selectors.visible_safes(request.user),
        initial={"start": today - dt.timedelta(days=30), "end": today},
    )


def _ledger_page(request, form, report=None, *, status=None):
    template = (
        "inventory/_ledger_table.html"
        if request.headers.get("HX-Request")
        else "inventory/ledger.html"
    )
    report = report or {}
    return render(
        request,
        template,
        {
            "form": form,
            "entries": report.get("entries"),
            "opening": report.get("opening"),
            "closing": report.get("closing"),
            "totals": report.get("totals"),
        },
        status=status or form_status(form),
    )


@role_required(*VIEWERS)
def ledger(request):
    """The ledger for a date range (in the location's days) and a product; CSV on request, and
    a PDF drawn in the background (ledger_pdf)."""
    viewer = request.user
    form = _ledger_form(request, request.GET or None)
    if not (form.is_bound and form.is_valid()):
        return _ledger_page(request, form)
    data = form.cleaned_data
    report = reports.ledger_report(
        viewer,
        start_on=data["start"],
        end_on=data["end"],
        product=data["product"],
        safe=data["safe"],
        zone=timezone.get_current_timezone(),
    )
    details = {
        "start": data["start"],
        "end": data["end"],
        "product": data["product"].ndc if data["product"] else "all",
    }
    if request.GET.get("format") == "csv":
        _audit_export(request, what="ledger", safe=data["safe"], **details)
        return _csv_response(
            f"ledger-{data['start']}-{data['end']}.csv",
            LEDGER_CSV_HEADER,
            (_ledger_row(entry) for entry in report["entries"].iterator(chunk_size=1000)),
        )
    selectors.record_register_viewed(viewer, what="ledger", safe=data["safe"], **details)
    return _ledger_page(request, form, report)


@require_POST
@role_required(*VIEWERS)
def ledger_pdf(request):
    """Ask for the ledger's PDF (the same range and product as the page): drawn in the
    background, then downloaded from its own page."""
    form = _ledger_form(request, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with refusal_shown_on(form):
            document = register_documents.request_ledger_pdf(
                request.user,
                start_on=data["start"],
                end_on=data["end"],
                product=data["product"],
                safe=data["safe"],
                zone=timezone.get_current_timezone(),
                back_query=_query(form),
            )
            return redirect("documents:detail", document.public_id)
    return _ledger_page(request, form, status=400)


def _query(form) -> str:
    """The page's address for these filters (the document page's way back)."""
    return urlencode({name: form.data.get(name, "") for name in form.fields})


def _ledger_row(entry: Movement) -> list:
    product = entry.container.product
    patient = entry.session.patient if entry.session else None
    return [
        entry.occurred_at.isoformat(),
        entry.recorded_at.isoformat(),
        entry.safe.location.name,
        entry.safe.name,
        entry.get_kind_display(),
        str(entry.reverses.public_id) if entry.reverses else "",
        product.name,
        product.ndc,
        entry.container.lot.lot_number,
        entry.container.lot.expiry_date.isoformat(),
        entry.container.identifier,
        entry.quantity,
        product.unit,
        entry.amount_mg,
        entry.safe_change,
        entry.drawn_change,
        patient.display_name if patient else "",
        ", ".join(reports.patient_address(patient)) if patient else "",
        str(entry.session.public_id) if entry.session else "",
        entry.performed_by.signature_name,
        entry.witness.signature_name if entry.witness else "",
        entry.reason,
    ]


def _inventory_form(request, data):
    return InventoryForm(
        data,
        safes=selectors.visible_safes(request.user),
        initial={"on": timezone.localdate(), "timing": CountTiming.CLOSE},
    )


@role_required(*VIEWERS)
def inventory(request):
    """The stock as the ledger stood at the opening or close of any past day, per container and
    per product, with the initial or biennial inventory taken that day and who took it (21 CFR
    1304.11); CSV on request, and a PDF drawn in the background (inventory_pdf)."""
    viewer = request.user
    form = _inventory_form(request, request.GET or None)
    report = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        safe = data["safe"]
        report = reports.inventory_report(viewer, safe=safe, on=data["on"], timing=data["timing"])
        details = {"on": data["on"], "timing": data["timing"]}
        if request.GET.get("format") == "csv":
            _audit_export(request, what="inventory", safe=safe, **details)
            as_of = report["as_of"]
            return _csv_response(
                f"inventory-{safe.name}-{data['on']}-{data['timing']}.csv",
                [
                    "as_of",
                    "location",
                    "safe",
                    "product",
                    "ndc",
                    "lot",
                    "expiry",
                    "container",
                    "quantity",
                    "unit",
                    "amount_mg",
                    "opened",
                ],
                (
                    [
                        as_of.isoformat(),
                        safe.location.name,
                        safe.name,
                        row.product.name,
                        row.product.ndc,
                        row.lot.lot_number,
                        row.lot.expiry_date.isoformat(),
                        row.identifier,
                        selectors.exact(row.in_safe),
                        row.product.unit,
                        row.product.mg_of(row.in_safe),
                        "yes" if row.in_safe < row.product.full_container_quantity else "no",
                    ]
                    for row in report["containers"]
                ),
            )
        selectors.record_register_viewed(viewer, what="inventory", safe=safe, **details)
    return render(
        request,
        "inventory/inventory.html",
        {"form": form, "report": report},
        status=form_status(form),
    )


@require_POST
@role_required(*VIEWERS)
def inventory_pdf(request):
    """Ask for the inventory's PDF (the same safe, day and time as the page)."""
    form = _inventory_form(request, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with refusal_shown_on(form):
            document = register_documents.request_inventory_pdf(
                request.user,
                safe=data["safe"],
                on=data["on"],
                timing=data["timing"],
                back_query=_query(form),
            )
            return redirect("documents:detail", document.public_id)
    return render(request, "inventory/inventory.html", {"form": form, "report": None}, status=400)


@role_required(*MOVERS)
def reverse_entry(request, public_id):
    entry = (
        Movement.objects.select_related("container__lot__product", "safe__location", "performed_by")
        .filter(public_id=public_id, safe__in=selectors.visible_safes(request.user))
        .first()
    )
    if entry is None:
        raise Http404("We could not find that entry.")
    form = ReverseForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            services.reverse_movement(
                actor=request.user, movement=entry, reason=form.cleaned_data["reason"]
            )
            messages.success(request, "The entry is reversed by a correcting entry.")
            return redirect("inventory:container", entry.container.public_id)
    selectors.record_register_viewed(
        request.user, what="entry", safe=entry.safe, entry=entry.public_id
    )
    return render(
        request, "inventory/reverse.html", {"entry": entry, "form": form}, status=form_status(form)
    )


def _session_or_404(request, session_public_id):
    session = (
        TreatmentSession.objects.select_related("patient", "location")
        .filter(public_id=session_public_id)
        .first()
    )
    if session is None or not works_at(request.user, session.location_id):
        raise Http404("We could not find that session.")
    return session


@role_required(*VIEWERS)
def session_report(request, session_public_id):
    """What a treatment session drew from the register: per container, drawn = administered +
    wasted (to 0.01 mL, or whole devices), and anything still unaccounted for."""
    session = _session_or_404(request, session_public_id)
    record_audit_event(
        actor=request.user,
        event_type=AuditEventType.STOCK_REGISTER_VIEWED,
        target=session,
        about=session,
        details={"page": "session"},
    )
    return render(request, "inventory/session.html", reports.session_report(session))


@require_POST
@role_required(*VIEWERS)
def session_pdf(request, session_public_id):
    """Ask for the session report's PDF."""
    session = _session_or_404(request, session_public_id)
    document = register_documents.request_session_pdf(request.user, session=session)
    return redirect("documents:detail", document.public_id)


@role_required(*VIEWERS)
@require_POST
def session_waste(request, session_public_id):
    """At the chair: what was drawn for the session and will not be given, wasted before a
    witness. Answers the session page's stock panel (HTMX) or, without scripts, the panel's page."""
    session = _session_or_404(request, session_public_id)
    register = ChairsideRegister()
    draws = [draw for draw in selectors.session_draws(session) if draw.outstanding > 0]
    form = SessionWasteForm(
        request.POST, draws=draws, actor=request.user, location=session.location
    )
    status, notice = 400, ""
    if form.is_valid():
        data = form.cleaned_data
        draw = next(draw for draw in draws if draw.container.identifier == data["container"])
        is_device = draw.container.product.is_device
        # Shown on the chair-side form, even a refusal of the person's role (403); the form
        # has one amount field for millilitres and devices.
        with refusal_shown_on(
            form, permission_too=True, fields={"amount_ml": "amount", "devices": "amount"}
        ) as refusal:
            services.waste(
                actor=request.user,
                container=draw.container,
                session_public_id=session.public_id,
                reason=data["reason"],
                amount_ml=None if is_device else data["amount"],
                devices=data["amount"] if is_device else None,
                witness=data["witness"],
                witness_password=data["witness_password"],
            )
        if isinstance(refusal.error, PermissionDeniedError):
            status = 403
        elif refusal.error is None:
            status, form = 200, None  # type: ignore[assignment]  # recorded: no form to show again
            notice = "Waste recorded." + (
                " Everything drawn for this session is accounted for."
                if not register.unreconciled(session)
                else ""
            )
    panel = register.panel(request, session, form=form, notice=notice)
    if request.headers.get("HX-Request"):
        response = HttpResponse(panel, status=status)
        response["HX-Trigger"] = "session-changed"
        return response
    if status == 200:
        messages.success(request, notice)
        return redirect("sessions:detail", session.public_id)
    return render(
        request, "inventory/session_waste.html", {"session": session, "panel": panel}, status=status
    )
