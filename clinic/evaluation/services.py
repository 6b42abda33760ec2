"""Evaluating a patient, signing the suitability decision, addenda, and informed consent."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from clinic.accounts.choices import Role
from clinic.audit.choices import AuditEventType
from clinic.audit.services import audited_together, record_audit_event
from clinic.core.dates import show_date
from clinic.core.exceptions import ClinicError, InvalidTransitionError, NotFoundError
from clinic.core.permissions import ensure_role
from clinic.core.records import apply_changes
from clinic.core.signing import confirm_signer, content_sha256
from clinic.core.validation import explain_refusal
from clinic.evaluation.choices import (
    AllergySeverity,
    ConsentChannel,
    ConsentSigner,
    Decision,
    EvaluationStatus,
    RuleSetStatus,
    RuleSeverity,
)
from clinic.evaluation.locks import lock_evaluation, lock_open_evaluation_of, lock_version
from clinic.evaluation.models import (
    Allergy,
    ConsentDocument,
    ConsentSignature,
    ContraindicationRuleSet,
    EducationPage,
    EducationPageOpened,
    Evaluation,
    EvaluationAddendum,
    MedicineList,
)
from clinic.evaluation.opioids import daily_mme
from clinic.evaluation.permissions import (
    CONSENT_WITNESS_ROLES,
    EVALUATE_ROLES,
    MEDICINE_LIST_ROLES,
)
from clinic.evaluation.rules import validate_rule
from clinic.evaluation.selectors import missing_for_suitable, run_screen
from clinic.patients.choices import CourseEvent, VitalSignsContext
from clinic.patients.hooks import course_changed
from clinic.patients.models import Guardian, Patient
from clinic.patients.permissions import ensure_can_act_on_patient
from clinic.patients.services import (
    create_vital_signs,
    record_measurements,
    update_status_from_course,
)

# What a person edits on the evaluation form; signing fields are set only by sign_evaluation.
HISTORY_FIELDS = (
    "presenting_conditions",
    "presenting_history",
    "psychosis",
    "mania",
    "suicide_attempts_lifetime",
    "suicide_attempt_past_year",
    "substance_use_disorder",
    "ketamine_misuse_history",
    "recent_nonprescribed_psychoactive_use",
    "cardiovascular_disease",
    "hypertension",
    "significant_arrhythmia",
    "aneurysm_or_avm",
    "intracerebral_haemorrhage",
    "raised_intracranial_pressure",
    "raised_intraocular_pressure",
    "liver_disease",
    "seizure_disorder",
    "pregnant",
    "breastfeeding",
    "sleep_apnoea",
    "ketamine_hypersensitivity",
    "current_medications",
    "allergies",
    "adequate_antidepressant_trials",
    "prior_ect",
    "prior_tms",
    "prior_ketamine_or_esketamine",
    "other_treatments",
    "height_cm",
    "weight_kg",
    "clinical_summary",
)
# Also edited on the form, but added after evaluations were first signed: the signed content
# holds them only when ticked, so the content of older signatures is unchanged.
EXPLICIT_NONE_FIELDS = ("no_current_medications", "no_known_allergies")
EDITABLE_FIELDS = HISTORY_FIELDS + EXPLICIT_NONE_FIELDS


def _ensure_evaluator(actor, patient: Patient, action: str, event_type) -> None:
    ensure_can_act_on_patient(
        actor, patient, roles=EVALUATE_ROLES, action=action, event_type=event_type
    )


def _lock(evaluation: Evaluation, *, with_patient: bool = False) -> Evaluation:
    """The evaluation row, locked for this transaction, read with its patient in one statement;
    `with_patient` locks the patient's row too (before the patient's measurements change)."""
    locked = lock_evaluation(evaluation.pk, with_patient=with_patient)
    if locked.is_locked:
        raise InvalidTransitionError(
            "This evaluation is signed and locked; add an addendum instead."
        )
    return locked


def start_evaluation(*, actor, patient: Patient) -> Evaluation:
    """Open a comprehensive evaluation, pre-filled with the conditions and measurements on record."""
    _ensure_evaluator(actor, patient, "evaluate patients", AuditEventType.EVALUATION_STARTED)
    with transaction.atomic(durable=True):
        open_one = lock_open_evaluation_of(patient.pk)
        if open_one is not None:
            return open_one
        evaluation = Evaluation.objects.create(
            patient=patient,
            location_id=patient.location_id,
            clinician=actor,
            presenting_conditions=list(patient.primary_conditions),
            height_cm=patient.height_cm,
            weight_kg=patient.weight_kg,
        )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.EVALUATION_STARTED,
            target=evaluation,
            about=patient,
        )
        update_status_from_course(
            actor=actor,
            patient_id=patient.pk,
            event=CourseEvent.EVALUATION_STARTED,
            reason="the evaluation was started",
        )
        return evaluation


def update_evaluation(*, actor, evaluation: Evaluation, changes: dict[str, Any]) -> Evaluation:
    """Save the history as recorded so far; the audit entry names the fields changed."""
    _ensure_evaluator(
        actor, evaluation.patient, "change evaluations", AuditEventType.EVALUATION_UPDATED
    )
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ClinicError(f"These fields cannot be set here: {', '.join(sorted(unknown))}.")
    with explain_refusal(), transaction.atomic(durable=True):
        locked = _lock(evaluation)
        changed = apply_changes(locked, changes)
        if not changed:
            return locked
        locked.full_clean()
        locked.save()
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.EVALUATION_UPDATED,
            target=locked,
            about=locked,
            details={"fields": changed},
        )
        if {"height_cm", "weight_kg"} & set(changed):
            # The evaluation's measurements are the chart's and the plan's (dosing reads them).
            record_measurements(
                actor=actor,
                patient=locked.patient,
                height_cm=locked.height_cm,
                weight_kg=locked.weight_kg,
                measured_at=timezone.now(),
            )
        return locked


def record_baseline_vitals(
    *, actor, evaluation: Evaluation, values: dict[str, Any], taken_at
) -> Evaluation:
    """Record the baseline vital signs of the evaluation (one vital-signs table for every context)."""
    _ensure_evaluator(
        actor,
        evaluation.patient,
        "record baseline vital signs",
        AuditEventType.VITAL_SIGNS_RECORDED,
    )
    weighed = values.get("weight_kg") not in (None, "")
    with explain_refusal(), transaction.atomic(durable=True), audited_together():
        locked = _lock(evaluation, with_patient=weighed)
        vitals = create_vital_signs(
            actor=actor,
            patient=locked.patient,
            context=VitalSignsContext.EVALUATION,
            taken_at=taken_at,
            values=values,
        )
        locked.baseline_vitals = vitals
        if vitals.weight_kg:
            locked.weight_kg = vitals.weight_kg
        locked.save(update_fields=["baseline_vitals", "weight_kg", "updated_at"])
        if vitals.weight_kg:
            record_measurements(
                actor=actor,
                patient=locked.patient,
                weight_kg=vitals.weight_kg,
                measured_at=vitals.taken_at,
                patient_is_locked=True,
            )
        return locked


def add_allergy(
    *, actor, evaluation: Evaluation, substance: str, reaction: str = "", severity: str
) -> Allergy:
    """Record an allergy in an evaluation being written (it is signed with the evaluation)."""
    _ensure_evaluator(
        actor, evaluation.patient, "record allergies", AuditEventType.EVALUATION_UPDATED
    )
    substance, reaction = " ".join(substance.split()), reaction.strip()
    if not substance:
        raise ClinicError("Name the substance the patient is allergic to.", field="substance")
    if severity not in AllergySeverity.values:
        raise ClinicError("Choose how severe the reaction is.", field="severity")
    with transaction.atomic(durable=True):
        locked = _lock(evaluation)
        allergy = Allergy(
            evaluation=locked,
            patient_id=locked.patient_id,
            location_id=locked.location_id,
            substance=substance,
            reaction=reaction,
            severity=severity,
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        allergy.full_clean()
        allergy.save()
        if locked.no_known_allergies:
            # An allergy just recorded contradicts "no known allergies".
            locked.no_known_allergies = False
            locked.save(update_fields=["no_known_allergies", "updated_at"])
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.EVALUATION_UPDATED,
            target=locked,
            about=locked,
            details={"fields": ["allergy added"]},
        )
        return allergy


def remove_allergy(*, actor, evaluation: Evaluation, allergy_id: int) -> None:
    """Take back an allergy recorded by mistake, while the evaluation is unsigned."""
    _ensure_evaluator(
        actor, evaluation.patient, "record allergies", AuditEventType.EVALUATION_UPDATED
    )
    with transaction.atomic(durable=True):
        locked = _lock(evaluation)
        allergy = Allergy.objects.filter(evaluation=locked, pk=allergy_id).first()
        if allergy is None:
            raise NotFoundError("That allergy is not on this evaluation.")
        allergy.delete()
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.EVALUATION_UPDATED,
            target=locked,
            about=locked,
            details={"fields": ["allergy removed"]},
        )


def signed_content(evaluation: Evaluation) -> dict[str, Any]:
    """Exactly what a signature covers: the history, baseline, screen and decision."""
    content = {field: getattr(evaluation, field) for field in HISTORY_FIELDS}
    vitals = evaluation.baseline_vitals
    content["baseline_vitals"] = (
        {
            "taken_at": vitals.taken_at,
            "systolic_mmhg": vitals.systolic_mmhg,
            "diastolic_mmhg": vitals.diastolic_mmhg,
            "heart_rate_bpm": vitals.heart_rate_bpm,
            "spo2_pct": vitals.spo2_pct,
            "weight_kg": vitals.weight_kg,
        }
        if vitals
        else None
    )
    content.update(
        patient=str(evaluation.patient.public_id),
        decision=evaluation.decision,
        decision_reasoning=evaluation.decision_reasoning,
        rule_set_version=evaluation.rule_set.version if evaluation.rule_set else None,
        screen_findings=evaluation.screen_findings,
        interaction_findings=evaluation.interaction_findings,
        # The signer's id, not their e-mail: an address can change, the signature must not.
        signed_by=evaluation.signed_by_id,
        signed_at=evaluation.signed_at,
    )
    # Keys added after the first signatures: present only when they hold something, so that a
    # record signed before them hashes as it did.
    for field in EXPLICIT_NONE_FIELDS:
        if getattr(evaluation, field):
            content[field] = True
    allergies = [
        {"substance": a.substance, "reaction": a.reaction, "severity": a.severity}
        for a in Allergy.objects.filter(evaluation_id=evaluation.pk).order_by("substance", "id")
    ]
    if allergies:
        content["allergy_list"] = allergies
    if evaluation.accepted_findings:
        content["accepted_findings"] = evaluation.accepted_findings
    return content


def addendum_content(
    *, evaluation_sha256: str, text: str, author_id: int, signed_at
) -> dict[str, Any]:
    """What an addendum's signature covers: its text, its author and time, and the signature of
    the evaluation it corrects."""
    return {
        "evaluation_sha256": evaluation_sha256,
        "text": text,
        "author": author_id,
        "signed_at": signed_at,
    }


def consent_document_content(document: ConsentDocument) -> dict[str, Any]:
    """The consent text a patient saw, as its signature's document_sha256 covers it."""
    return {"title": document.title, "version": document.version, "body": document.body}


def sign_evaluation(
    *,
    actor,
    evaluation: Evaluation,
    decision: str,
    reasoning: str,
    password: str,
    override_absolute: bool = False,
    acknowledgements: dict[str, str] | None = None,
) -> Evaluation:
    """Sign the evaluation with a suitability decision. Re-authenticates the clinician, freezes
    the screen with its rule-set version, hashes the content, and locks the record.

    "Suitable" needs a complete record (every item a rule reads answered, medicines, allergies,
    baseline vital signs and measurements, the baseline questionnaires) and a note on each
    relative contraindication that fires (`acknowledgements`: rule code → note); the notes are
    signed with the decision as its accepted findings."""
    _ensure_evaluator(
        actor, evaluation.patient, "sign suitability decisions", AuditEventType.EVALUATION_SIGNED
    )
    if decision not in Decision.values:
        raise ClinicError("Choose a decision.", field="decision")
    reasoning = reasoning.strip()
    if not reasoning:
        raise ClinicError("Write the reasoning behind the decision.", field="reasoning")
    confirm_signer(actor, password, target=evaluation, patient_id=evaluation.patient_id)
    with transaction.atomic(durable=True):
        locked = _lock(evaluation)
        rule_set, findings, interactions = run_screen(locked)
        if rule_set is None:
            raise ClinicError(
                "No screening rules are active; ask the medical director to publish a rule set."
            )
        absolute = [f for f in findings if f.severity == RuleSeverity.ABSOLUTE]
        accepted: list[dict[str, str]] = []
        if decision == Decision.SUITABLE:
            missing = missing_for_suitable(locked, rule_set)
            if missing:
                raise ClinicError(
                    "Before signing “suitable”, the evaluation needs: " + "; ".join(missing) + "."
                )
            if absolute and not override_absolute:
                raise ClinicError(
                    f"The screen found an absolute contraindication ({absolute[0].label}). To decide “suitable” anyway, "
                    "confirm the override and explain in the reasoning why it does not apply.",
                    field="override_absolute",
                )
            notes = {code: (note or "").strip() for code, note in (acknowledgements or {}).items()}
            unacknowledged = [
                f.label
                for f in findings
                if f.severity != RuleSeverity.ABSOLUTE and not notes.get(f.code)
            ]
            if unacknowledged:
                raise ClinicError(
                    "Acknowledge each relative contraindication with a note on why treatment is "
                    f"still suitable: {', '.join(unacknowledged)}.",
                    field="acknowledgements",
                )
            accepted = [
                {
                    "code": f.code,
                    "label": f.label,
                    "severity": f.severity,
                    # An overridden absolute finding is explained by the reasoning if not by a note.
                    "note": notes.get(f.code) or reasoning,
                }
                for f in findings
            ]
        locked.decision = decision
        locked.decision_reasoning = reasoning
        locked.rule_set = rule_set
        locked.screen_findings = [f.as_dict() for f in findings]
        locked.accepted_findings = accepted
        locked.interaction_findings = interactions
        locked.signed_by = actor
        locked.signed_at = timezone.now()
        locked.status = EvaluationStatus.COMPLETED
        locked.content_sha256 = content_sha256(signed_content(locked))
        locked.full_clean()
        locked.save()
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.EVALUATION_SIGNED,
            target=locked,
            about=locked,
            details={
                "decision": decision,
                "rule_set_version": rule_set.version,
                "findings": [f.code for f in findings],
                "absolute_overridden": bool(absolute and decision == Decision.SUITABLE),
                "accepted_findings": [a["code"] for a in accepted],
                "sha256": locked.content_sha256,
            },
        )
        course_changed(locked.patient_id)
        update_status_from_course(
            actor=actor,
            patient_id=locked.patient_id,
            event=CourseEvent.EVALUATION_SIGNED,
            reason="the evaluation was signed",
        )
        return locked


def add_evaluation_addendum(
    *, actor, evaluation: Evaluation, text: str, password: str
) -> EvaluationAddendum:
    """Correct or add to a signed evaluation without changing it: a signed addendum."""
    _ensure_evaluator(actor, evaluation.patient, "add addenda", AuditEventType.EVALUATION_ADDENDUM)
    text = text.strip()
    if not text:
        raise ClinicError("Write the addendum.", field="text")
    confirm_signer(actor, password, target=evaluation, patient_id=evaluation.patient_id)
    with transaction.atomic(durable=True):
        locked = lock_evaluation(evaluation.pk)
        if not locked.is_locked:
            raise InvalidTransitionError("The evaluation is not signed yet: edit it directly.")
        signed_at = timezone.now()
        addendum = EvaluationAddendum.objects.create(
            evaluation=locked,
            location_id=locked.location_id,
            text=text,
            author=actor,
            signed_at=signed_at,
            content_sha256=content_sha256(
                addendum_content(
                    evaluation_sha256=locked.content_sha256,
                    text=text,
                    author_id=actor.pk,
                    signed_at=signed_at,
                )
            ),
        )
        if locked.status == EvaluationStatus.COMPLETED:
            locked.status = EvaluationStatus.AMENDED
            locked.save(update_fields=["status", "updated_at"])
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.EVALUATION_ADDENDUM,
            target=addendum,
            about=locked,
        )
        return addendum


def _names_match(typed: str, patient: Patient) -> bool:
    def norm(text: str) -> str:
        return " ".join(text.lower().split())

    return norm(typed) in {
        norm(patient.legal_name),
        norm(f"{patient.legal_first_name} {patient.preferred_name} {patient.legal_last_name}"),
    }


def sign_consent(
    *,
    actor,
    patient: Patient,
    document: ConsentDocument,
    typed_full_name: str,
    signed_on: date,
    channel: str,
    ip_address: str | None = None,
    guardian: Guardian | None = None,
) -> ConsentSignature:
    """The patient signs the exact active version of a consent document, in the portal or on a
    clinic tablet (then the member of staff holding it is recorded as witness). For a minor
    patient, the patient's signature is their assent and a current guardian (`guardian`) signs
    the consent beside it; both are needed before treatment (has_current_consent)."""
    if guardian is not None and (
        guardian.patient_id != patient.pk or guardian.ended_at is not None
    ):
        raise NotFoundError("We could not find that guardian.")
    if channel == ConsentChannel.PORTAL:
        actor_pk = getattr(actor, "pk", None)
        signer_pk = guardian.user_id if guardian is not None else patient.user_id
        if actor_pk is None or signer_pk != actor_pk:
            raise NotFoundError("We could not find that consent.")
        witness = None
    elif channel == ConsentChannel.TABLET:
        ensure_can_act_on_patient(
            actor,
            patient,
            roles=CONSENT_WITNESS_ROLES,
            action="witness consent",
            event_type=AuditEventType.CONSENT_SIGNED,
        )
        witness = actor
    else:
        raise ClinicError("Unknown way of signing.")
    # Read the status afresh: a new version may have been published while the patient was reading.
    document = ConsentDocument.objects.get(pk=document.pk)
    if document.status != RuleSetStatus.ACTIVE:
        raise InvalidTransitionError(
            "This version of the document is no longer current; please read the new version."
        )
    if guardian is not None:
        if " ".join(typed_full_name.lower().split()) != " ".join(
            guardian.full_name.lower().split()
        ):
            raise ClinicError(
                f"Type the guardian's full legal name as the clinic has it: {guardian.full_name}.",
                field="typed_full_name",
            )
    elif not _names_match(typed_full_name, patient):
        raise ClinicError(
            f"Type your full legal name as the clinic has it: {patient.legal_name}.",
            field="typed_full_name",
        )
    signed_as = ConsentSigner.GUARDIAN if guardian is not None else ConsentSigner.PATIENT
    today = timezone.localdate(timezone.now(), patient.location.zone)
    if signed_on != today:
        raise ClinicError(f"Write today's date ({show_date(today)}).", field="signed_on")
    with transaction.atomic(durable=True):
        if ConsentSignature.objects.filter(
            patient=patient, document=document, signed_as=signed_as, withdrawn_at__isnull=True
        ).exists():
            raise InvalidTransitionError(
                "A guardian has already signed this version."
                if guardian is not None
                else "This version is already signed."
            )
        signature = ConsentSignature.objects.create(
            patient=patient,
            location_id=patient.location_id,
            document=document,
            typed_full_name=" ".join(typed_full_name.split()),
            signed_on=signed_on,
            signed_at=timezone.now(),
            channel=channel,
            witnessed_by=witness,
            ip_address=ip_address,
            document_sha256=content_sha256(consent_document_content(document)),
            signed_as=signed_as,
            guardian=guardian,
        )
        record_audit_event(
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            event_type=AuditEventType.CONSENT_SIGNED,
            target=signature,
            about=patient,
            details={
                "document": document.code,
                "version": document.version,
                "channel": channel,
                "signed_as": signed_as,
            },
        )
        return signature


def _publish_draft(
    *, actor, model, pk: int, action: str, event_type, scope: set[str], check=None, details
):
    """Make a draft version the active one and retire the version it replaces (one transaction,
    the draft row locked). Used for consent documents and screening rule sets."""
    ensure_role(actor, {Role.MEDICAL_DIRECTOR}, action=action, event_type=event_type)
    with transaction.atomic():
        locked = lock_version(model, pk)
        if locked.status != RuleSetStatus.DRAFT:
            raise InvalidTransitionError("Only a draft can be published.")
        if check is not None:
            check(locked)
        model.objects.filter(
            status=RuleSetStatus.ACTIVE, **{k: getattr(locked, k) for k in scope}
        ).update(status=RuleSetStatus.RETIRED)
        locked.status = RuleSetStatus.ACTIVE
        locked.published_at = timezone.now()
        locked.published_by = actor
        locked.save()
        record_audit_event(
            actor=actor, event_type=event_type, target=locked, details=details(locked)
        )
        return locked


def publish_consent_document(*, actor, document: ConsentDocument) -> ConsentDocument:
    """Make a draft the current version; the previous version retires and patients re-sign."""
    return _publish_draft(
        actor=actor,
        model=ConsentDocument,
        pk=document.pk,
        action="publish consent documents",
        event_type=AuditEventType.CONSENT_DOCUMENT_PUBLISHED,
        scope={"code"},
        details=lambda d: {"code": d.code, "version": d.version},
    )


def _validate_rules(rule_set: ContraindicationRuleSet) -> None:
    for rule in rule_set.rules.all():
        try:
            validate_rule(rule.field, rule.operator, rule.value)
        except ValueError as error:
            raise ClinicError(f"Rule “{rule.label}”: {error}") from error


def publish_rule_set(*, actor, rule_set: ContraindicationRuleSet) -> ContraindicationRuleSet:
    """Make a draft rule set the one new decisions are screened with (every rule validated)."""
    return _publish_draft(
        actor=actor,
        model=ContraindicationRuleSet,
        pk=rule_set.pk,
        action="publish screening rules",
        event_type=AuditEventType.PROTOCOL_CHANGED,
        scope=set(),
        check=_validate_rules,
        details=lambda r: {"rule_set_version": r.version},
    )


def publish_education_page(*, actor, page: EducationPage) -> EducationPage:
    """Make a draft education page the current version (the medical director's decision, as for
    consent documents); the version it replaces retires and is kept with every opening of it."""
    return _publish_draft(
        actor=actor,
        model=EducationPage,
        pk=page.pk,
        action="publish education pages",
        event_type=AuditEventType.EDUCATION_PAGE_PUBLISHED,
        scope={"code"},
        details=lambda d: {"code": d.code, "version": d.version},
    )


def record_education_page_opened(*, actor, patient: Patient, page: EducationPage):
    """The patient opened this version of an education page: kept with the time, so the record
    shows what they were given to read (and audited as a read of their record)."""
    ensure_role(
        actor,
        {"patient"},
        action="open education pages for a patient",
        event_type=AuditEventType.EDUCATION_PAGE_OPENED,
        patient_id=patient.pk,
    )
    if patient.user_id != actor.pk:
        raise NotFoundError("We could not find that page.")
    with transaction.atomic(durable=True):
        opened = EducationPageOpened.objects.create(
            patient=patient, page=page, opened_at=timezone.now()
        )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.EDUCATION_PAGE_OPENED,
            target=page,
            about=patient,
            details={"code": page.code, "version": page.version},
        )
        return opened


MEDICINE_LIST_MAX_CHARACTERS = 5000


def record_medicine_list(
    *, actor, patient: Patient, medicines: str, no_medicines: bool = False
) -> MedicineList:
    """Record the patient's medicines as they are now (after the evaluation's list: at a
    follow-up, or when they change). The daily opioid dose in MME is worked from each list
    recorded (clinic.evaluation.opioids)."""
    ensure_can_act_on_patient(
        actor,
        patient,
        roles=MEDICINE_LIST_ROLES,
        action="record medicine lists",
        event_type=AuditEventType.MEDICINE_LIST_RECORDED,
    )
    lines = [" ".join(line.split()) for line in medicines.splitlines()]
    text = "\n".join(line for line in lines if line)
    if no_medicines and text:
        raise ClinicError(
            "Either list the medicines or tick “takes no medicines”, not both.", field="medicines"
        )
    if not no_medicines and not text:
        raise ClinicError(
            "List the medicines, one a line, or tick “takes no medicines”.", field="medicines"
        )
    if len(text) > MEDICINE_LIST_MAX_CHARACTERS:
        raise ClinicError(
            f"A medicine list is at most {MEDICINE_LIST_MAX_CHARACTERS} characters.",
            field="medicines",
        )
    with transaction.atomic(durable=True):
        record = MedicineList.objects.create(
            patient=patient,
            location_id=patient.location_id,
            medicines=text,
            no_medicines=no_medicines,
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        mme = daily_mme(text)
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.MEDICINE_LIST_RECORDED,
            target=record,
            about=patient,
            details={
                "lines": len(text.splitlines()),
                "opioids": len(mme.lines),
                "daily_mme": str(mme.total),
                "all_converted": mme.complete,
            },
        )
        return record
