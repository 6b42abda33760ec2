"""Documents drawn in the background (PDF reports, letters): a registry of kinds, who may
download one, and HTML turned into PDF.

Core owns the machinery; the app that owns a document's data registers its kind from its
`AppConfig.ready()` (as apps register chart sections), so core never imports it:

    register_document_kind(DocumentKind(code="inventory.ledger", template=..., context=..., ...))

A view validates what was asked and calls `clinic.core.services.request_document()`, which stores
a queued `GeneratedDocument`, audits the request and, once the transaction commits, enqueues
`clinic.core.tasks.render_document`. The task worker reads the data again through the kind's
`context` (as the person who asked, so it shows only what they may see), renders the kind's
template and stores the PDF with its SHA-256. Meanwhile the person waits on `/documents/<id>/`,
which polls with HTMX until the PDF is ready, then offers the download. See docs/architecture.md.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from clinic.audit.choices import AuditEventType
from clinic.core.exceptions import ClinicError


@dataclass(frozen=True)
class DocumentKind:
    """One kind of document an app offers.

    - `code`: stored on each document, e.g. "inventory.ledger" (the app's label first).
    - `template`: the print template; it extends "core/pdf/base.html".
    - `context(document) -> dict`: the template's data, read again from `document.parameters`
      as `document.requested_by`. Raise ClinicError (with a message for the person who asked)
      when it can no longer be drawn: the document is then marked failed with that message.
    - `may_request(user) -> bool`: whether someone may ask for this kind at all (their role).
      The person who asked downloads it while this still holds.
    - `may_view(user, document) -> bool`: who else may download it (staff who may see the report).
    - `still_theirs(user, document) -> bool` (optional): for the person who asked, what else must
      still hold (a guardian asked for a patient's form: only while the guardianship lasts).
    - `audit_event`: the event its request, its status page and its downloads are audited under.
    - `back_url(document) -> str`: where the status page's "back" link leads (the report's page).
    """

    code: str
    label: str
    template: str
    context: Callable[[Any], dict[str, Any]]
    may_request: Callable[[Any], bool]
    may_view: Callable[[Any, Any], bool]
    audit_event: AuditEventType
    back_url: Callable[[Any], str] | None = None
    still_theirs: Callable[[Any, Any], bool] | None = None


_KINDS: dict[str, DocumentKind] = {}


def register_document_kind(kind: DocumentKind) -> None:
    existing = _KINDS.get(kind.code)
    if existing is not None and existing != kind:
        raise ImproperlyConfigured(f"Two document kinds are registered as {kind.code!r}.")
    _KINDS[kind.code] = kind


def document_kind(code: str) -> DocumentKind | None:
    return _KINDS.get(code)


def registered_document_kind(code: str) -> DocumentKind:
    """The kind of a document already let through `may_download` (which refuses unknown kinds)."""
    kind = _KINDS.get(code)
    if kind is None:
        raise LookupError(f"No document kind {code!r} is registered.")
    return kind


def may_download(user, document) -> bool:
    """The person who asked (while their role still lets them ask for it), or someone the kind
    lets see the report."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    kind = document_kind(document.kind)
    if kind is None:
        return False
    if document.requested_by_id == user.pk:
        return kind.may_request(user) and (
            kind.still_theirs is None or kind.still_theirs(user, document)
        )
    return kind.may_view(user, document)


def document_zone(location) -> zoneinfo.ZoneInfo:
    """A document's times are shown in its location's zone (the clinic's default without one)."""
    if location is not None:
        return location.zone
    return zoneinfo.ZoneInfo(settings.CLINIC_DEFAULT_TIME_ZONE)


# --- HTML to PDF ---------------------------------------------------------------------------
# The print styles, kept out of the templates (which the content security policy's checks read as
# pages a browser could be sent).
PRINT_CSS = (Path(__file__).parent / "templates" / "core" / "pdf" / "document.css").read_text()
PDF_UNAVAILABLE = (
    "PDFs cannot be made on this server: the libraries WeasyPrint draws with (Pango, HarfBuzz) "
    "are not installed. The clinic's administrator installs them (see the README's set-up)."
)


def html_to_pdf(html: str) -> bytes:
    """The PDF WeasyPrint draws from `html` (print CSS, @page rules for page numbers). Nothing is
    fetched while drawing but data: URIs, so a value that reached a template can never make the
    worker read a file or call an address."""
    try:
        # Imported here, not at the top: importing WeasyPrint loads Pango, which a server
        # without it (or a management command that draws no PDF) should not need.
        import weasyprint  # noqa: PLC0415
        from weasyprint.urls import URLFetcher  # noqa: PLC0415
    except (ImportError, OSError):
        raise ClinicError(PDF_UNAVAILABLE) from None
    fetcher = URLFetcher(allowed_protocols={"data"})
    document = weasyprint.HTML(string=html, url_fetcher=fetcher, media_type="print")
    return document.write_pdf(stylesheets=[weasyprint.CSS(string=PRINT_CSS, url_fetcher=fetcher)])
