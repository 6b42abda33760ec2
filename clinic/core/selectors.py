"""Reads of core's records, scoped to the viewer."""

from __future__ import annotations

from clinic.core.documents import may_download
from clinic.core.models import GeneratedDocument


def document_for(viewer, public_id) -> GeneratedDocument | None:
    """A generated document the viewer may see and download (clinic.core.documents.may_download),
    without its bytes (the status page polls this every few seconds); None for any other."""
    document = (
        GeneratedDocument.objects.select_related("requested_by", "location")
        .defer("content")
        .filter(public_id=public_id)
        .first()
    )
    if document is None or not may_download(viewer, document):
        return None
    return document


def document_content(document: GeneratedDocument) -> bytes:
    """The stored PDF (a memoryview on PostgreSQL, bytes on SQLite)."""
    content = GeneratedDocument.objects.values_list("content", flat=True).get(pk=document.pk)
    return bytes(content) if content is not None else b""
