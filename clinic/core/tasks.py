"""Background work of core (django-tasks; the database backend's worker runs it): drawing the
documents people ask for (clinic.core.documents)."""

from __future__ import annotations

import hashlib
import logging

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from clinic.core.choices import DocumentStatus
from clinic.core.documents import document_kind, document_zone, html_to_pdf
from clinic.core.exceptions import ClinicError
from clinic.core.models import GeneratedDocument, get_organisation
from clinic.core.template_choices import template_choices

logger = logging.getLogger(__name__)

DRAWING_FAILED = (
    "The PDF could not be drawn (the error is logged for the administrator). Ask for it again; "
    "if it fails again, download the CSV and tell the clinic's administrator."
)


@task()
def render_document(*, document_id: str) -> str:
    """Draw a queued document: its kind reads the data again as the person who asked, its
    template is rendered and WeasyPrint turns it into a PDF, stored with its SHA-256. A refusal
    (ClinicError) or any other failure marks the document failed with a message for the person
    waiting; it is never left queued."""
    document = (
        GeneratedDocument.objects.select_related("requested_by", "location")
        .filter(public_id=document_id)
        .first()
    )
    if document is None or document.status != DocumentStatus.QUEUED:
        return "skipped"
    zone = document_zone(document.location)
    try:
        kind = document_kind(document.kind)
        if kind is None:
            raise ClinicError("This kind of document is no longer offered.")
        with timezone.override(zone):
            context = {
                # Rendered without a request, so without the context processors.
                **template_choices(),
                "document": document,
                "organisation": get_organisation(),
                "generated_at": timezone.localtime(timezone.now(), zone),
                **kind.context(document),
            }
            html = render_to_string(kind.template, context)
        pdf = html_to_pdf(html)
    except ClinicError as error:
        return _fail(document, error.message)
    except Exception:  # Whatever broke, the person waiting is told, and the error is logged.
        logger.exception("document.render_failed document=%s kind=%s", document.pk, document.kind)
        return _fail(document, DRAWING_FAILED)
    with transaction.atomic():
        # Only a document still queued is written: a second run of the same task changes nothing.
        GeneratedDocument.objects.filter(pk=document.pk, status=DocumentStatus.QUEUED).update(
            status=DocumentStatus.READY,
            content=pdf,
            size_bytes=len(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(),
            completed_at=timezone.now(),
        )
    logger.info("document.ready document=%s bytes=%s", document.pk, len(pdf))
    return DocumentStatus.READY


def _fail(document: GeneratedDocument, message: str) -> str:
    GeneratedDocument.objects.filter(pk=document.pk, status=DocumentStatus.QUEUED).update(
        status=DocumentStatus.FAILED,
        failure_message=message[:300],
        completed_at=timezone.now(),
    )
    logger.warning("document.failed document=%s kind=%s", document.pk, document.kind)
    return DocumentStatus.FAILED
