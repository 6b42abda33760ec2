"""Recomputing the evaluation app's signatures (clinic.core.integrity)."""

from __future__ import annotations

from clinic.core.dates import show_datetime
from clinic.core.integrity import SealCheck, register_seal_check
from clinic.core.signing import content_sha256
from clinic.evaluation.choices import EvaluationStatus
from clinic.evaluation.models import ConsentSignature, Evaluation
from clinic.evaluation.services import addendum_content, consent_document_content, signed_content


def evaluation_seal_problems(evaluation: Evaluation) -> list[str]:
    """What no longer matches the signature of a signed evaluation and of each of its addenda."""
    if evaluation.status == EvaluationStatus.IN_PROGRESS or not evaluation.content_sha256:
        return []
    problems = []
    if content_sha256(signed_content(evaluation)) != evaluation.content_sha256:
        problems.append("The evaluation and decision differ from what was signed.")
    for addendum in evaluation.addenda.all():
        expected = content_sha256(
            addendum_content(
                evaluation_sha256=evaluation.content_sha256,
                text=addendum.text,
                author_id=addendum.author_id,
                signed_at=addendum.signed_at,
            )
        )
        if expected != addendum.content_sha256:
            problems.append(f"The addendum of {show_datetime(addendum.signed_at)} was changed.")
    return problems


def consent_signature_problems(signature: ConsentSignature) -> list[str]:
    """A consent signature covers one exact text: the document must still read as it did."""
    if content_sha256(consent_document_content(signature.document)) != signature.document_sha256:
        return [f"The text of “{signature.document}” differs from the text the patient signed."]
    return []


def register() -> None:
    register_seal_check(
        SealCheck(
            name="evaluation",
            records=lambda: (
                Evaluation.objects.exclude(status=EvaluationStatus.IN_PROGRESS)
                .exclude(content_sha256="")
                .select_related("patient", "baseline_vitals", "rule_set")
                .prefetch_related("addenda")
                .order_by("pk")
            ),
            problems=evaluation_seal_problems,
        )
    )
    register_seal_check(
        SealCheck(
            name="consent signature",
            records=lambda: ConsentSignature.objects.select_related("document").order_by("pk"),
            problems=consent_signature_problems,
        )
    )
