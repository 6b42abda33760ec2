"""Reads of evaluations, the active screening rules and consent status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Q

from clinic.assessments.choices import ResponseStatus
from clinic.assessments.instruments import INSTRUMENTS
from clinic.assessments.models import AssessmentResponse
from clinic.assessments.policy import instruments_for_conditions
from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.meta import present
from clinic.evaluation.choices import ConsentSigner, EducationPhase, EvaluationStatus, RuleSetStatus
from clinic.evaluation.hooks import treatment_routes
from clinic.evaluation.models import (
    Allergy,
    ConsentDocument,
    ConsentSignature,
    ContraindicationRuleSet,
    EducationPage,
    EducationPageOpened,
    Evaluation,
    MedicationInteraction,
    MedicineList,
)
from clinic.evaluation.opioids import DailyMme, daily_mme
from clinic.evaluation.rules import (
    SCREENABLE_FIELDS,
    Finding,
    InteractionSpec,
    RuleSpec,
    find_interactions,
    not_answered,
    screen,
)
from clinic.patients.ages import patient_is_minor_today, patient_today


def active_rule_set() -> ContraindicationRuleSet | None:
    return ContraindicationRuleSet.objects.filter(status=RuleSetStatus.ACTIVE).first()


def rule_specs(rule_set: ContraindicationRuleSet) -> list[RuleSpec]:
    return [
        RuleSpec(r.code, r.label, r.severity, r.field, r.operator, r.value, r.advice, r.source)
        for r in rule_set.rules.all()
    ]


def interaction_specs() -> list[InteractionSpec]:
    return [
        InteractionSpec(i.name, tuple(i.match_terms), i.kind, i.effect, i.source)
        for i in MedicationInteraction.objects.filter(is_active=True)
    ]


def screening_history(evaluation: Evaluation) -> dict:
    """The values the rules read: the evaluation's history and its baseline measurements."""
    history = {
        field: getattr(evaluation, field)
        for field in SCREENABLE_FIELDS
        if hasattr(evaluation, field)
    }
    vitals = evaluation.baseline_vitals
    history["baseline_systolic_mmhg"] = vitals.systolic_mmhg if vitals else None
    history["baseline_diastolic_mmhg"] = vitals.diastolic_mmhg if vitals else None
    history["bmi"] = bmi(evaluation)
    history["age_years"] = _age_at_screening(evaluation)
    return history


def _age_at_screening(evaluation: Evaluation) -> int | None:
    patient = evaluation.patient
    return patient.age_on(patient_today(patient)) if patient.date_of_birth else None


def bmi(evaluation: Evaluation):

    if not evaluation.height_cm or not evaluation.weight_kg:
        return None
    metres = evaluation.height_cm / Decimal(100)
    return (evaluation.weight_kg / (metres * metres)).quantize(Decimal("0.1"))


def run_screen(
    evaluation: Evaluation,
) -> tuple[ContraindicationRuleSet | None, list[Finding], list[dict]]:
    """The screen as it stands: a signed evaluation shows what was screened when it was signed."""
    if evaluation.is_locked:
        findings = [Finding(**f) for f in evaluation.screen_findings]
        return evaluation.rule_set, findings, list(evaluation.interaction_findings)
    rule_set = active_rule_set()
    findings = screen(screening_history(evaluation), rule_specs(rule_set)) if rule_set else []
    return (
        rule_set,
        findings,
        find_interactions(evaluation.current_medications, interaction_specs()),
    )


def unanswered_items(evaluation: Evaluation, rule_set: ContraindicationRuleSet | None) -> list[str]:
    """What a rule of `rule_set` reads that is not answered yet (labels): while any is left the
    screen is not clean, whatever fires. A signed evaluation shows its frozen screen instead."""
    if evaluation.is_locked or rule_set is None:
        return []
    fields = not_answered(screening_history(evaluation), rule_specs(rule_set))
    return [SCREENABLE_FIELDS.get(field, field) for field in fields]


def baseline_questionnaires_missing(evaluation: Evaluation) -> list[str]:
    """The questionnaires the presenting conditions call for that the patient has no completed
    (scored) response to yet, by short name."""

    codes = instruments_for_conditions(list(evaluation.presenting_conditions or []))
    answered = set(
        AssessmentResponse.objects.filter(
            patient_id=evaluation.patient_id,
            status=ResponseStatus.COMPLETED,
            instrument_code__in=codes,
        ).values_list("instrument_code", flat=True)
    )
    return [INSTRUMENTS[code].short_name for code in codes if code not in answered]


def missing_for_suitable(
    evaluation: Evaluation, rule_set: ContraindicationRuleSet | None
) -> list[str]:
    """Everything the record must hold before a "suitable" decision can be signed, named."""
    missing = []
    if not evaluation.presenting_conditions:
        missing.append("presenting conditions")
    if not evaluation.presenting_history.strip():
        missing.append("history of the presenting problem")
    unanswered = unanswered_items(evaluation, rule_set)
    if unanswered:
        missing.append(f"not yet answered: {', '.join(unanswered)}")
    if not evaluation.current_medications.strip() and not evaluation.no_current_medications:
        missing.append("current medicines (or tick “takes no medicines”)")
    has_allergies = evaluation.allergy_set.exists()
    if not has_allergies and not evaluation.no_known_allergies:
        missing.append("allergies (or tick “no known allergies”)")
    if has_allergies and evaluation.no_known_allergies:
        missing.append("allergies: “no known allergies” is ticked but allergies are listed")
    vitals = evaluation.baseline_vitals
    for attribute, label in (
        ("systolic_mmhg", "baseline blood pressure"),
        ("heart_rate_bpm", "baseline heart rate"),
        ("spo2_pct", "baseline SpO₂"),
    ):
        if vitals is None or getattr(vitals, attribute) is None:
            missing.append(label)
    if not evaluation.weight_kg:
        missing.append("weight")
    if not evaluation.height_cm:
        missing.append("height")
    questionnaires = baseline_questionnaires_missing(evaluation)
    if questionnaires:
        missing.append(f"baseline questionnaires: {', '.join(questionnaires)}")
    return missing


def evaluation_allergies(evaluation: Evaluation) -> list:
    return list(evaluation.allergy_set.all())


def patient_allergies(patient) -> dict:
    """The allergies on record for a patient, for banners: the structured allergies of every
    evaluation not entered in error (each substance once), and the free text of older
    evaluations; `none_known` when the latest evaluation says no known allergies."""

    rows = (
        Allergy.objects.filter(patient=patient)
        .exclude(evaluation__status=EvaluationStatus.ENTERED_IN_ERROR)
        .order_by("substance", "-recorded_at")
    )
    seen, items = set(), []
    for row in rows:
        key = row.substance.strip().lower()
        if key not in seen:
            seen.add(key)
            items.append(row.as_text)
    latest = (
        Evaluation.objects.filter(patient=patient)
        .exclude(status=EvaluationStatus.ENTERED_IN_ERROR)
        .order_by("-created_at", "-id")
        .values("allergies", "no_known_allergies")
        .first()
    )
    if latest and latest["allergies"].strip():
        items.append(latest["allergies"].strip())
    return {
        "items": items,
        "none_known": bool(latest and latest["no_known_allergies"] and not items),
    }


def latest_evaluation(patient) -> Evaluation | None:
    return (
        Evaluation.objects.filter(patient=patient)
        .exclude(status=EvaluationStatus.ENTERED_IN_ERROR)
        .select_related("clinician", "signed_by", "baseline_vitals", "rule_set")
        .order_by("-created_at")
        .first()
    )


def active_consent_documents() -> list[ConsentDocument]:
    return list(ConsentDocument.objects.filter(status=RuleSetStatus.ACTIVE).order_by("title"))


def _is_minor_today(patient) -> bool:
    return patient_is_minor_today(patient)


def consent_status(patient) -> list[dict]:
    """For each active consent document: the patient's signature on this version, or what they
    signed before (an older version needs signing again). For a minor, also the guardian's
    signature on this version (`guardian_signature`; `needs_guardian` says it is needed) — the
    patient's own signature is then their assent."""
    signatures = list(
        ConsentSignature.objects.filter(patient=patient, withdrawn_at__isnull=True).select_related(
            "document", "witnessed_by", "guardian"
        )
    )
    minor = _is_minor_today(patient)
    rows = []
    # Only the documents the plan's routes need are asked for (every one while there is no plan
    # yet: the clinician may still choose any route); one already signed is still listed.
    routes = treatment_routes(patient)
    for document in active_consent_documents():
        own = [s for s in signatures if s.signed_as == ConsentSigner.PATIENT]
        by_guardian = [s for s in signatures if s.signed_as == ConsentSigner.GUARDIAN]
        current = next((s for s in own if s.document_id == document.pk), None)
        guardian_current = next((s for s in by_guardian if s.document_id == document.pk), None)
        if routes is not None and not routes & set(document.routes) and current is None:
            continue
        older = next(
            (
                s
                for s in own + by_guardian
                if s.document.code == document.code and s.document_id != document.pk
            ),
            None,
        )
        rows.append(
            {
                "document": document,
                "signature": current,
                "guardian_signature": guardian_current,
                "needs_guardian": minor,
                "complete": current is not None and (not minor or guardian_current is not None),
                "older": older,
            }
        )
    return rows


def has_current_consent(patient, route: str) -> bool:
    """True if the patient signed the active version of a consent document covering `route`;
    for a minor, the patient's assent AND a guardian's consent on that version. The gate a
    treatment session checks before dosing. (A patient has a handful of signatures: the route is
    matched in Python, the same on SQLite and PostgreSQL.)"""
    signatures = ConsentSignature.objects.filter(
        patient=patient, withdrawn_at__isnull=True, document__status=RuleSetStatus.ACTIVE
    ).values_list("document_id", "document__routes", "signed_as")
    signed: dict[int, set[str]] = {}
    for document_id, routes, signed_as in signatures:
        if route in routes:
            signed.setdefault(document_id, set()).add(signed_as)
    needed = {ConsentSigner.PATIENT}
    if signed and _is_minor_today(patient):
        needed.add(ConsentSigner.GUARDIAN)
    return any(needed <= signers for signers in signed.values())


def record_evaluation_viewed(viewer, evaluation: Evaluation) -> None:
    """The evaluation page shows the whole psychiatric, substance and medical history: every
    showing of it is audited (HIPAA §164.312(b) audit controls)."""
    record_audit_event(
        actor=viewer,
        event_type=AuditEventType.EVALUATION_VIEWED,
        target=evaluation,
        about=evaluation,
    )


def record_consent_form_viewed(viewer, patient, document: ConsentDocument, *, channel: str) -> None:
    """A consent form opened for the patient to sign (on the clinic's tablet or in the portal)
    names the patient and shows what they are asked to agree to: audited."""
    record_audit_event(
        actor=viewer,
        event_type=AuditEventType.CONSENT_FORM_VIEWED,
        target=document,
        about=patient,
        details={"channel": str(channel), "version": document.version},
    )


def education_pages_for(patient) -> list[EducationPage]:
    """The current education pages for the patient's plan: those for every route and those for
    the plan's routes (all of them while the patient has no plan yet), in the order of the course
    of treatment."""
    routes = treatment_routes(patient)
    pages = [
        page
        for page in EducationPage.objects.filter(status=RuleSetStatus.ACTIVE)
        if routes is None or not page.routes or routes & set(page.routes)
    ]
    order = list(EducationPhase.values)
    return sorted(pages, key=lambda page: (order.index(page.phase), page.title))


def education_page_for(patient, code: str) -> EducationPage | None:
    """The current version of one of the patient's education pages, or None."""
    return next((page for page in education_pages_for(patient) if page.code == code), None)


def education_pages_opened(patient, *, limit: int = 50) -> list[EducationPageOpened]:
    """Which version of which education page the patient opened, and when, newest first."""
    return list(EducationPageOpened.objects.filter(patient=patient).select_related("page")[:limit])


@dataclass(frozen=True)
class MmeEntry:
    """The daily opioid dose (MME) worked from one recorded medicine list."""

    recorded_at: datetime
    source: str
    medicines: str
    mme: DailyMme


def mme_series(patient) -> list[MmeEntry]:
    """The daily MME each time the patient's medicine list was recorded, oldest first: each
    signed evaluation's list (at its signature), then each list recorded since (two queries)."""
    entries = [
        MmeEntry(
            present(signed_at, "A signed evaluation's signing time"),
            "Evaluation",
            "" if none else text,
            daily_mme("" if none else text),
        )
        for signed_at, text, none in Evaluation.objects.filter(
            patient=patient,
            status__in=[EvaluationStatus.COMPLETED, EvaluationStatus.AMENDED],
            signed_at__isnull=False,
        )
        .filter(Q(no_current_medications=True) | ~Q(current_medications=""))
        .values_list("signed_at", "current_medications", "no_current_medications")
    ]
    entries += [
        MmeEntry(recorded_at, "Medicine list", text, daily_mme(text))
        for recorded_at, text in MedicineList.objects.filter(patient=patient).values_list(
            "recorded_at", "medicines"
        )
    ]
    return sorted(entries, key=lambda entry: entry.recorded_at)


def latest_medicines(patient) -> str:
    """The medicine list as last recorded ("" when none was)."""
    series = mme_series(patient)
    return series[-1].medicines if series else ""
