"""The versioned texts of the evaluation app the director writes from the configuration pages:
consent documents and education pages. Each has a stable code and numbered versions; one version
is active, a new one is a draft until the evaluation app's own service publishes it (retiring the
one it replaces; for consent, every patient treated by its routes signs the new version)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from clinic.audit.choices import AuditEventType
from clinic.configuration.choices import DocumentKind
from clinic.core.exceptions import NotFoundError
from clinic.evaluation import services as evaluation_services
from clinic.evaluation.models import ConsentDocument, EducationPage


@dataclass(frozen=True)
class VersionedText:
    kind: DocumentKind
    model: type[ConsentDocument] | type[EducationPage]
    publish: Callable[..., Any]
    # What publishing it does, said on the page before the button.
    on_publish: str
    published_event: AuditEventType

    @property
    def label(self) -> str:
        return self.kind.label


def _publish_consent(*, actor, version: Any) -> Any:
    return evaluation_services.publish_consent_document(actor=actor, document=version)


def _publish_education(*, actor, version: Any) -> Any:
    return evaluation_services.publish_education_page(actor=actor, page=version)


DOCUMENTS: dict[DocumentKind, VersionedText] = {
    DocumentKind.CONSENT: VersionedText(
        kind=DocumentKind.CONSENT,
        model=ConsentDocument,
        publish=_publish_consent,
        on_publish="Publishing retires the current version: every patient treated by these "
        "routes is asked to sign the new version before their next dose.",
        published_event=AuditEventType.CONSENT_DOCUMENT_PUBLISHED,
    ),
    DocumentKind.EDUCATION: VersionedText(
        kind=DocumentKind.EDUCATION,
        model=EducationPage,
        publish=_publish_education,
        on_publish="Publishing retires the current version: patients read the new one from "
        "then on; every opening of the old one stays on their record.",
        published_event=AuditEventType.EDUCATION_PAGE_PUBLISHED,
    ),
}


def document_for(kind: str) -> VersionedText:
    if kind not in DocumentKind.values:
        raise NotFoundError("There is no such document.")
    return DOCUMENTS[DocumentKind(kind)]
