"""Error pages (every refusal gets a page a person understands, never a bare 500), and the pages of
a generated document: "Preparing…" until it is drawn, then its download."""

import base64
import datetime as dt
import logging

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from clinic.core import selectors
from clinic.core.choices import DocumentStatus
from clinic.core.documents import document_kind, registered_document_kind
from clinic.core.services import audit_document

logger = logging.getLogger(__name__)


def bad_request(request, exception=None):
    return render(
        request,
        "core/error.html",
        {"title": "Something in the request was not valid", "status": 400},
        status=400,
    )


def permission_denied(request, exception=None):
    message = (
        str(exception)
        if exception and str(exception)
        else "Your role does not give access to this page."
    )
    return render(
        request,
        "core/error.html",
        {"title": "You do not have access to this page", "message": message, "status": 403},
        status=403,
    )


def csrf_failure(request, reason=""):
    """A form post without its security token (Django's CSRF check): most often a page left open
    past its sign-in, or the browser's back button. Nothing was saved; say so and what to do."""
    return render(
        request,
        "core/error.html",
        {
            "title": "This form could not be sent",
            "message": "Nothing was saved: the page had expired or the form did not come from "
            "this site. Go back, reload the page, and send it again.",
            "status": 403,
        },
        status=403,
    )


def page_not_found(request, exception=None):
    return render(
        request,
        "core/error.html",
        {
            "title": "We could not find that page",
            "message": "The address may be mistyped, or the record may not be one you can see.",
            "status": 404,
        },
        status=404,
    )


def server_error(request):
    context = {
        "title": "Something went wrong on our side",
        "message": "The error has been logged. Please try again; if it keeps happening, call the clinic.",
        "status": 500,
    }
    try:
        return render(request, "core/error.html", context, status=500)
    except Exception:  # The error page must answer whatever broke the request.
        # The page with the request reads the signed-in person (the menu, the start page link);
        # when that is what failed, the page is drawn as for a visitor.
        logger.exception("The error page could not use the request; drawn without it.")
    try:
        return HttpResponseServerError(render_to_string("core/error.html", context))
    except Exception:
        logger.exception("The error page could not be drawn; answered in plain text.")
        return HttpResponseServerError(
            f"{context['title']}. {context['message']}", content_type="text/plain"
        )


# --- generated documents (clinic.core.documents) -----------------------------------------------
# A document still queued this long after it was asked for is likely waiting on a task worker
# that is not running: the page says so.
SLOW_AFTER = dt.timedelta(minutes=1)


def _document_or_404(request, public_id):
    document = selectors.document_for(request.user, public_id)
    if document is None:
        raise Http404("We could not find that document.")
    return document


def _status_context(document) -> dict:
    return {
        "document": document,
        "queued": document.status == DocumentStatus.QUEUED,
        "slow": document.status == DocumentStatus.QUEUED
        and timezone.now() - document.requested_at > SLOW_AFTER,
    }


@login_required
def document(request, public_id):
    """The document's page: "Preparing…" (polling its status) until it is ready to download."""
    document = _document_or_404(request, public_id)
    kind = registered_document_kind(document.kind)
    audit_document(request.user, document, step="status page viewed")
    return render(
        request,
        "core/document.html",
        {
            **_status_context(document),
            "kind": kind,
            "back_url": kind.back_url(document) if kind.back_url else "",
        },
    )


@login_required
def document_status(request, public_id):
    """The status fragment the document's page polls (HTMX): it shows no title and no content,
    and stops polling once the document is ready or has failed."""
    document = _document_or_404(request, public_id)
    return render(request, "core/_document_status.html", _status_context(document))


@login_required
def document_download(request, public_id):
    document = _document_or_404(request, public_id)
    if not document.is_ready:
        kind = document_kind(document.kind)
        return render(
            request,
            "core/document.html",
            {**_status_context(document), "kind": kind, "not_ready": True},
            status=409,
        )
    content = selectors.document_content(document)
    audit_document(request.user, document, step="PDF downloaded", sha256=document.sha256)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    # RFC 9530: the digest of the file as sent, so a recipient can check it against the record.
    digest = base64.b64encode(bytes.fromhex(document.sha256)).decode()
    response["Repr-Digest"] = f"sha-256=:{digest}:"
    return response
