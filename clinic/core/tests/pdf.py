"""The text of a PDF that WeasyPrint drew, for tests, read back with pypdf.

A hand-written reader once did this and failed now and then: compressed stream bytes can contain
`endstream`, which only a reader that honours each stream's /Length gets right."""

from __future__ import annotations

import io

from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    """The text drawn on every page, in page order, with each run of white space as one space."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
