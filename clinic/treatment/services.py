"""Writing and changing a patient's treatment plan: each change is a new signed version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django.db import models, transaction
from django.utils import timezone

from clinic.assessments.policy import checks_before_each_session
from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.choices import Route
from clinic.core.dates import show_date
from clinic.core.exceptions import ClinicError, InvalidTransitionError
from clinic.core.meta import concrete_field
from clinic.core.permissions import ensure_role
from clinic.core.signing import confirm_signer, content_sha256
from clinic.evaluation.choices import Decision, EvaluationStatus
from clinic.evaluation.models import Evaluation
from clinic.patients.ages import patient_today
from clinic.patients.choices import CourseEvent, Sex
from clinic.patients.hooks import course_changed
from clinic.patients.locks import lock_patient, lock_patient_row
from clinic.patients.models import Patient, VitalSigns
from clinic.patients.permissions import ensure_can_act_on_patient
from clinic.patients.services import update_status_from_course
from clinic.treatment.choices import (
    ChangeReason,
    DoseUnit,
    PlanDraftStatus,
    PlanStatus,
    WeightBasis,
)
from clinic.treatment.dose_history import doses_given_mg
from clinic.treatment.dosing import (
    InfusionRates,
    calculate_dose,
    fixed_dose_problems,
    infusion_rates,
    weight_based_problems,
)
from clinic.treatment.goals import clean_goals
from clinic.treatment.locks import (
    lock_open_plan_draft,
    lock_open_plan_drafts_of,
    lock_plan,
    lock_plan_draft,
)
from clinic.treatment.models import (
    ProtocolTemplate,
    RemsPatientEnrolment,
    RemsSettingCertification,
    TreatmentPlan,
    TreatmentPlanDraft,
    TreatmentPlanVersion,
)
from clinic.treatment.permissions import (
    PLAN_WRITE_ROLES,
    REMS_CERTIFICATION_ROLES,
    REMS_ENROLMENT_ROLES,
)
from clinic.treatment.rules import (
    age_refusals,
    propose_induction_dates,
    propose_maintenance_dates,
    rems_identifier_problem,
)

# The prescribed values a plan version's signature covers (with its plan, number and signer).
PLAN_SIGNED_FIELDS = (
    "protocol",
    "indications",
    "route",
    "dose_unit",
    "dose",
    "weight_basis",
    "weight_kg",
    "height_cm",
    "basis_weight_kg",
    "dose_mg",
    "infusion_minutes",
    "induction_sessions",
    "induction_sessions_per_week",
    "maintenance_interval_days",
    "start_date",
    "proposed_dates",
    "target_outcomes",
    "instruments",
    "dose_outside_range",
    "override_reason",
    "change_reason",
    "change_details",
)
# Added later: part of the signed content only when set, so that a version signed before these
# fields existed (all empty) hashes exactly as it did when it was signed.
PLAN_SIGNED_FIELDS_WHEN_SET = (
    "protocol_problems",
    "stock_concentration_mg_per_ml",
    "bag_volume_ml",
    "goals",
)


@dataclass(frozen=True)
class PlanDraft:
    """What the prescriber chose; computed values (dose in mg, dates) come from it."""

    protocol: ProtocolTemplate
    indications: list[str]
    dose: Decimal
    weight_basis: str
    start_date: date
    target_outcomes: str
    induction_sessions: int
    induction_sessions_per_week: int
    maintenance_interval_days: int
    infusion_minutes: int | None
    change_reason: str
    change_details: str = ""
    override_reason: str = ""
    # The patient's goals as the form gave them (clinic.treatment.goals.clean_goal's keys).
    goals: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class PlanPreview:
    dose_mg: Decimal
    working: str
    basis_weight_kg: Decimal | None
    weight_kg: Decimal | None
    height_cm: Decimal | None
    outside_range: bool
    induction_dates: list[date]
    maintenance_dates: list[date]
    # Each way the plan falls outside its protocol (a documented override covers them all).
    problems: tuple[str, ...] = ()
    # Why the weight used differs from the basis chosen (an ideal or adjusted weight above the
    # actual weight is not used).
    weight_note: str = ""
    # The pump settings (IV with a known weight, product and bag).
    pump: InfusionRates | None = None
    # The questionnaires asked before each session (instrument codes).
    instruments: tuple[str, ...] = ()


def suitable_evaluation(patient: Patient) -> Evaluation | None:
    """The latest signed evaluation, if it found the patient suitable."""
    evaluation = (
        Evaluation.objects.filter(
            patient=patient, status__in=[EvaluationStatus.COMPLETED, EvaluationStatus.AMENDED]
        )
        .order_by("-signed_at")
        .first()
    )
    return (
        evaluation if evaluation is not None and evaluation.decision == Decision.SUITABLE else None
    )


def _measurements(
    patient: Patient, evaluation: Evaluation | None
) -> tuple[Decimal | None, Decimal | None]:
    """The most recent weight and height on record (evaluation, then the patient record)."""

    latest = (
        VitalSigns.objects.filter(patient=patient, weight_kg__isnull=False)
        .order_by("-taken_at")
        .first()
    )
    weight = (
        latest.weight_kg
        if latest
        else (evaluation.weight_kg if evaluation and evaluation.weight_kg else patient.weight_kg)
    )
    height = (
        evaluation.height_cm if evaluation and evaluation.height_cm else None
    ) or patient.height_cm
    return weight, height


def plan_instruments(protocol: ProtocolTemplate, *, conditions: list[str]) -> list[str]:
    """The questionnaires a plan asks before each session: the protocol's, then every check its
    conditions call for before each dose that the protocol does not already repeat (the ASRM for
    bipolar depression, whichever protocol the plan starts from)."""
    codes = list(protocol.instruments)
    return codes + [code for code in checks_before_each_session(conditions) if code not in codes]


def _fixed_dose_limits(protocol: ProtocolTemplate, patient: Patient, on: date):
    """The allowed doses and first-session dose for this patient (older-adult values from the
    protocol's age, when it sets one)."""
    older = (
        protocol.older_adult_from_age_years is not None
        and patient.age_on(on) >= protocol.older_adult_from_age_years
    )
    if older:
        return (
            protocol.older_adult_allowed_doses_mg or protocol.allowed_doses_mg,
            protocol.older_adult_first_session_dose_mg or protocol.first_session_dose_mg,
            True,
        )
    return protocol.allowed_doses_mg, protocol.first_session_dose_mg, False


def preview_plan(*, patient: Patient, draft: PlanDraft, evaluation=None) -> PlanPreview:
    """The dose with its working, every way it falls outside the protocol (as mg/kg of the actual
    weight and, for an infusion, as a rate), the pump settings and the proposed dates, before
    anything is signed. `evaluation`: the suitable evaluation when the caller has it already."""
    protocol = draft.protocol
    evaluation = evaluation or suitable_evaluation(patient)
    weight, height = _measurements(patient, evaluation)
    weight_note, pump = "", None
    if protocol.dose_unit == DoseUnit.FIXED_MG:
        dose_mg, working, basis_weight = (
            draft.dose.quantize(Decimal("0.1")),
            f"Fixed dose {draft.dose} mg",
            None,
        )
        allowed, first, older = _fixed_dose_limits(protocol, patient, draft.start_date)
        if allowed:
            problems = fixed_dose_problems(
                dose_mg=draft.dose,
                device_mg=protocol.device_mg,
                allowed_doses_mg=allowed,
                first_session_dose_mg=first,
                doses_given_mg=doses_given_mg(patient=patient, route=protocol.route),
            )
            if older and problems:
                problems.append(
                    f"(Doses for patients aged {protocol.older_adult_from_age_years} or over.)"
                )
        elif not protocol.minimum_dose <= draft.dose <= protocol.maximum_dose:
            problems = [
                f"{draft.dose.normalize()} mg is outside the protocol's range "
                f"({protocol.minimum_dose.normalize()}–{protocol.maximum_dose.normalize()} mg)."
            ]
        else:
            problems = []
        if protocol.device_mg and not problems:
            working += f" = {(draft.dose / protocol.device_mg).normalize()} × {protocol.device_mg.normalize()} mg devices"
    else:
        if weight is None or height is None:
            raise ClinicError(
                "Record the patient's weight and height first: the dose is weight-based.",
                field="dose",
            )
        sex = patient.sex if patient.sex in {Sex.MALE, Sex.FEMALE} else None
        if draft.weight_basis in {WeightBasis.IDEAL, WeightBasis.ADJUSTED} and sex is None:
            raise ClinicError(
                "Ideal and adjusted body weight need the patient's sex recorded as male or female.",
                field="weight_basis",
            )
        try:
            dose = calculate_dose(
                weight_kg=weight,
                height_cm=height,
                sex=sex or "female",
                mg_per_kg=draft.dose,
                basis=draft.weight_basis,
            )
        except ValueError as error:
            raise ClinicError(str(error), field="dose") from error
        dose_mg, working, basis_weight = dose.mg, dose.working, dose.basis_weight_kg
        weight_note = dose.note
        infusion = protocol.route == Route.IV and bool(draft.infusion_minutes)
        problems = weight_based_problems(
            prescribed_mg_per_kg=draft.dose,
            dose_mg=dose.mg,
            actual_weight_kg=dose.actual_weight_kg,
            minimum_mg_per_kg=protocol.minimum_dose,
            maximum_mg_per_kg=protocol.maximum_dose,
            infusion_minutes=draft.infusion_minutes if infusion else None,
            minimum_infusion_minutes=protocol.minimum_infusion_minutes,
            maximum_infusion_minutes=protocol.maximum_infusion_minutes,
            maximum_mg_per_kg_per_hour=protocol.maximum_mg_per_kg_per_hour,
            maximum_bolus_mg_per_kg=protocol.maximum_bolus_mg_per_kg,
            bolus_up_to_minutes=protocol.bolus_up_to_minutes,
        )
        if infusion and protocol.stock_concentration_mg_per_ml and protocol.bag_volume_ml:
            try:
                pump = infusion_rates(
                    dose_mg=dose.mg,
                    minutes=draft.infusion_minutes,
                    weight_kg=dose.actual_weight_kg,
                    concentration_mg_per_ml=protocol.stock_concentration_mg_per_ml,
                    bag_volume_ml=protocol.bag_volume_ml,
                )
            except ValueError as error:
                raise ClinicError(str(error), field="infusion_minutes") from error
    induction = propose_induction_dates(
        draft.start_date, draft.induction_sessions, draft.induction_sessions_per_week
    )
    maintenance = propose_maintenance_dates(induction[-1], draft.maintenance_interval_days)
    # The plan's indications and the conditions on the patient's record: a mania check follows
    # the diagnosis even when the plan names another indication.
    conditions = list(dict.fromkeys([*draft.indications, *patient.primary_conditions]))
    return PlanPreview(
        dose_mg=dose_mg,
        working=working,
        basis_weight_kg=basis_weight,
        weight_kg=weight,
        height_cm=height,
        outside_range=bool(problems),
        induction_dates=induction,
        maintenance_dates=maintenance,
        problems=tuple(problems),
        weight_note=weight_note,
        pump=pump,
        instruments=tuple(plan_instruments(protocol, conditions=conditions)),
    )


def plan_version_content(version: TreatmentPlanVersion) -> dict[str, Any]:
    """Exactly what a plan version's signature covers: every prescribed value, whose plan and
    patient, the version number, the signer and the time. Decimals are taken at the precision
    the database stores, so the hash computed before saving matches the row read back later."""
    content: dict[str, Any] = {}
    for name in PLAN_SIGNED_FIELDS:
        field = concrete_field(TreatmentPlanVersion, name)
        value = getattr(version, field.attname)
        if isinstance(field, models.DecimalField) and value is not None:
            value = Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places))
        content[name] = value
    for name in PLAN_SIGNED_FIELDS_WHEN_SET:
        value = getattr(version, name)
        if value in (None, [], ""):
            continue
        if isinstance(value, Decimal):
            places = cast(
                models.DecimalField, concrete_field(TreatmentPlanVersion, name)
            ).decimal_places
            value = Decimal(value).quantize(Decimal(1).scaleb(-places))
        content[name] = value
    content.update(
        patient=str(version.plan.patient.public_id),
        plan=str(version.plan.public_id),
        number=version.number,
        signed_by=version.signed_by_id,
        signed_at=version.signed_at,
    )
    return content


def _check_age_rules(patient: Patient, *, route: str, start_date) -> None:
    """Esketamine is never planned under 18, and a minor's plan needs a current guardian
    (treatment.rules.age_refusals). Ages on the plan's first day and today, the younger."""
    today = patient_today(patient)
    on = min(today, start_date) if start_date else today
    age = patient.age_on(on)
    minor = patient.is_minor_on(on)
    has_guardian = minor and patient.guardians.filter(ended_at__isnull=True).exists()
    refusals = age_refusals(age_years=age, route=route, is_minor=minor, has_guardian=has_guardian)
    if refusals:
        raise ClinicError(" ".join(refusals))


def sign_plan_version(
    *,
    actor,
    patient: Patient,
    draft: PlanDraft,
    password: str,
    from_draft: TreatmentPlanDraft | None = None,
) -> TreatmentPlanVersion:
    """Write (or change) the patient's plan as a new signed version. Needs a signed evaluation that
    found the patient suitable; a dose outside the protocol's range needs a documented override.
    `from_draft`: the drafted version the prescriber opened the form from (it is then marked
    signed, naming this version), whatever they changed in it before signing."""
    ensure_can_act_on_patient(
        actor,
        patient,
        roles=PLAN_WRITE_ROLES,
        action="write treatment plans",
        event_type=AuditEventType.PLAN_VERSION_SIGNED,
    )
    evaluation = suitable_evaluation(patient)
    if evaluation is None:
        raise ClinicError("A plan needs a signed evaluation that found the patient suitable.")
    if draft.change_reason not in ChangeReason.values:
        raise ClinicError("Choose why this plan version is written.", field="change_reason")
    if not draft.target_outcomes.strip():
        raise ClinicError("Write the target outcomes.", field="target_outcomes")
    if draft.protocol.route == Route.IV and not draft.infusion_minutes:
        raise ClinicError("An IV plan needs an infusion duration.", field="infusion_minutes")
    try:
        goals = clean_goals(list(draft.goals))
    except ValueError as error:
        raise ClinicError(str(error), field="goals") from error
    _check_age_rules(patient, route=draft.protocol.route, start_date=draft.start_date)
    preview = preview_plan(patient=patient, draft=draft, evaluation=evaluation)
    if preview.outside_range and not draft.override_reason.strip():
        raise ClinicError(
            " ".join(preview.problems) + " Document why to override the protocol.",
            field="override_reason",
        )
    confirm_signer(actor, password, target=patient, patient_id=patient.pk)
    with transaction.atomic(durable=True):
        lock_patient(patient.pk)
        plan = TreatmentPlan.objects.filter(patient=patient, status=PlanStatus.ACTIVE).first()
        if plan is None:
            if draft.change_reason != ChangeReason.INITIAL:
                raise ClinicError(
                    "The first version of a plan has the reason “First plan”.",
                    field="change_reason",
                )
            plan = TreatmentPlan.objects.create(
                patient=patient, location_id=patient.location_id, evaluation=evaluation
            )
            number = 1
        else:
            number = plan.versions.count() + 1
        signed_at = timezone.now()
        fields: dict[str, Any] = {
            "protocol": draft.protocol,
            "indications": list(draft.indications),
            "route": draft.protocol.route,
            "dose_unit": draft.protocol.dose_unit,
            "dose": draft.dose,
            "weight_basis": draft.weight_basis
            if draft.protocol.dose_unit == DoseUnit.MG_PER_KG
            else "",
            "weight_kg": preview.weight_kg,
            "height_cm": preview.height_cm,
            "basis_weight_kg": preview.basis_weight_kg,
            "dose_mg": preview.dose_mg,
            "infusion_minutes": draft.infusion_minutes,
            "induction_sessions": draft.induction_sessions,
            "induction_sessions_per_week": draft.induction_sessions_per_week,
            "maintenance_interval_days": draft.maintenance_interval_days,
            "start_date": draft.start_date,
            "proposed_dates": [
                d.isoformat() for d in preview.induction_dates + preview.maintenance_dates
            ],
            "target_outcomes": draft.target_outcomes.strip(),
            "instruments": list(preview.instruments),
            "dose_outside_range": preview.outside_range,
            "override_reason": draft.override_reason.strip() if preview.outside_range else "",
            "change_reason": draft.change_reason,
            "change_details": draft.change_details.strip(),
            "protocol_problems": list(preview.problems) or None,
            "stock_concentration_mg_per_ml": preview.pump.concentration_mg_per_ml
            if preview.pump
            else None,
            "bag_volume_ml": preview.pump.bag_volume_ml if preview.pump else None,
            "goals": goals or None,
        }
        version = TreatmentPlanVersion(
            plan=plan,
            location_id=patient.location_id,
            number=number,
            signed_by=actor,
            signed_at=signed_at,
            **fields,
        )
        version.content_sha256 = content_sha256(plan_version_content(version))
        version.full_clean()
        version.save()
        if from_draft is not None:
            opened = lock_open_plan_draft(from_draft.pk, patient_id=patient.pk)
            if opened is not None:
                opened.status, opened.signed_version = PlanDraftStatus.SIGNED, version
                opened.save(update_fields=["status", "signed_version", "updated_at"])
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.PLAN_VERSION_SIGNED,
            target=version,
            about=patient,
            details={
                "version": number,
                "route": version.route,
                "dose_mg": str(version.dose_mg),
                "outside_range": version.dose_outside_range,
                "protocol_problems": list(preview.problems),
                "goals": len(goals),
                **({"from_draft": str(from_draft.public_id)} if from_draft else {}),
            },
        )
        course_changed(patient.pk)
        maintenance = version.change_reason == ChangeReason.MAINTENANCE
        update_status_from_course(
            actor=actor,
            patient_id=patient.pk,
            event=CourseEvent.MAINTENANCE_STARTED if maintenance else CourseEvent.PLAN_SIGNED,
            reason=f"plan version {number} was signed"
            + (" (moving to maintenance)" if maintenance else ""),
        )
        return version


# What a drafted version may set (the plan form's fields); anything else is refused.
DRAFT_FIELDS = frozenset(
    {
        "dose",
        "infusion_minutes",
        "induction_sessions",
        "induction_sessions_per_week",
        "maintenance_interval_days",
        "start_date",
        "change_details",
    }
)


def draft_values_from_version(version: TreatmentPlanVersion) -> dict[str, Any]:
    """The plan form's values as `version` prescribes them (the start of a next version)."""
    return {
        "protocol": version.protocol_id,
        "indications": list(version.indications),
        "dose": str(version.dose.normalize()),
        "weight_basis": version.weight_basis or "actual",
        "infusion_minutes": version.infusion_minutes,
        "induction_sessions": version.induction_sessions,
        "induction_sessions_per_week": version.induction_sessions_per_week,
        "maintenance_interval_days": version.maintenance_interval_days,
        "start_date": version.start_date.isoformat(),
        "target_outcomes": version.target_outcomes,
        "change_reason": ChangeReason.RESPONSE,
        "change_details": "",
        "goals": list(version.goals or []),
    }


def open_plan_draft(
    *, actor, patient: Patient, change_reason: str, changes: dict[str, Any], origin: str
) -> TreatmentPlanDraft:
    """Draft the next version of the patient's active plan: the current version's values with
    `changes` (DRAFT_FIELDS) and `change_reason`, for a prescriber to check and sign on the plan
    page. Nothing is prescribed until then. An older open draft is set aside. Runs inside the
    caller's transaction when there is one (a review signed with its decision)."""
    ensure_can_act_on_patient(
        actor,
        patient,
        roles=PLAN_WRITE_ROLES,
        action="draft treatment plans",
        event_type=AuditEventType.PLAN_DRAFT_OPENED,
    )
    if change_reason not in ChangeReason.values or change_reason == ChangeReason.INITIAL:
        raise ClinicError("Choose why the plan changes.", field="change_reason")
    unknown = sorted(set(changes) - DRAFT_FIELDS)
    if unknown:
        raise ClinicError(f"A drafted plan version cannot set {', '.join(unknown)}.")
    origin = origin.strip()[:200]
    if not origin:
        raise ClinicError("Say what the draft comes from.", field="origin")
    with transaction.atomic():
        lock_patient(patient.pk)
        current = (
            TreatmentPlanVersion.objects.filter(
                plan__patient=patient, plan__status=PlanStatus.ACTIVE
            )
            .select_related("plan")
            .order_by("-number")
            .first()
        )
        if current is None:
            raise ClinicError("The patient has no active plan to change: write the plan first.")
        values = draft_values_from_version(current)
        for name, value in changes.items():
            if value is None and name != "infusion_minutes":
                continue
            if isinstance(value, Decimal):
                value = str(value.normalize())
            elif isinstance(value, date):
                value = value.isoformat()
            values[name] = value
        values["change_reason"] = change_reason
        for older in lock_open_plan_drafts_of(patient.pk):
            older.status = PlanDraftStatus.SET_ASIDE
            older.save(update_fields=["status", "updated_at"])
            record_audit_event(
                actor=actor,
                event_type=AuditEventType.PLAN_DRAFT_SET_ASIDE,
                target=older,
                about=patient,
                details={"replaced": True},
            )
        draft = TreatmentPlanDraft.objects.create(
            patient=patient,
            location_id=patient.location_id,
            based_on=current,
            values=values,
            origin=origin,
            created_by=actor,
        )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.PLAN_DRAFT_OPENED,
            target=draft,
            about=patient,
            details={
                "based_on_version": current.number,
                "change_reason": change_reason,
                "changes": sorted(changes),
            },
        )
        return draft


def set_plan_draft_aside(*, actor, draft: TreatmentPlanDraft) -> TreatmentPlanDraft:
    """A prescriber decides not to sign a drafted version."""
    ensure_can_act_on_patient(
        actor,
        draft.patient,
        roles=PLAN_WRITE_ROLES,
        action="set drafted plans aside",
        event_type=AuditEventType.PLAN_DRAFT_SET_ASIDE,
    )
    with transaction.atomic(durable=True):
        locked = lock_plan_draft(draft.pk)
        if locked.status != PlanDraftStatus.OPEN:
            raise InvalidTransitionError("This draft is no longer open.")
        locked.status = PlanDraftStatus.SET_ASIDE
        locked.save(update_fields=["status", "updated_at"])
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.PLAN_DRAFT_SET_ASIDE,
            target=locked,
            about=locked,
        )
        return locked


def end_plan(
    *,
    actor,
    plan: TreatmentPlan,
    status: str,
    reason: str,
    in_caller_transaction: bool = False,
    discharge: bool = True,
) -> TreatmentPlan:
    """Close a plan as completed or stopped, with the reason; the course of care ends with it,
    so the patient is discharged (clinic.patients.rules). `in_caller_transaction`: part of a
    larger action that commits or fails as one (a follow-up review ending treatment, which
    discharges the patient itself with its own reason: `discharge=False`)."""
    ensure_role(
        actor,
        PLAN_WRITE_ROLES,
        action="end treatment plans",
        event_type=AuditEventType.PLAN_ENDED,
        target=plan,
        patient_id=plan.patient_id,
    )
    if status not in {PlanStatus.COMPLETED, PlanStatus.STOPPED}:
        raise ClinicError("Choose completed or stopped.", field="status")
    if not reason.strip():
        raise ClinicError("Say why the plan ends.", field="reason")
    with transaction.atomic(durable=not in_caller_transaction):
        # The patient before the plan, the order sign_plan_version keeps.
        lock_patient_row(plan.patient_id)
        locked = lock_plan(plan.pk)
        if locked.status != PlanStatus.ACTIVE:
            raise InvalidTransitionError("This plan has already ended.")
        locked.status = status
        locked.ended_at = timezone.now()
        locked.end_reason = reason.strip()[:300]
        locked.save()
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.PLAN_ENDED,
            target=locked,
            about=locked,
            details={"status": status},
        )
        course_changed(locked.patient_id)
        if discharge:
            update_status_from_course(
                actor=actor,
                patient_id=locked.patient_id,
                event=CourseEvent.COURSE_ENDED,
                reason=f"the treatment plan was {PlanStatus(status).label.lower()}",
            )
        return locked


# --- Esketamine REMS -----------------------------------------------------------------------
def _rems_date_problem(day: date | None, *, today: date, what: str) -> str:
    if day is None:
        return f"Enter the date of the {what}."
    if day > today:
        return f"The {what} cannot be dated after today ({show_date(today)})."
    return ""


def record_rems_certification(
    *, actor, location, certification_number: str, authorised_representative: str, certified_on
) -> RemsSettingCertification:
    """Record the location's Spravato REMS healthcare-setting certification (a re-certification,
    when the authorised representative changes, is recorded the same way and takes over)."""
    ensure_role(
        actor,
        REMS_CERTIFICATION_ROLES,
        action="record a location's REMS certification",
        event_type=AuditEventType.REMS_SETTING_CERTIFIED,
        target=location,
    )
    number = (certification_number or "").strip()
    representative = " ".join((authorised_representative or "").split())
    today = timezone.localdate(timezone.now(), location.zone)
    problem = rems_identifier_problem(number, what="certification number")
    if problem:
        raise ClinicError(problem, field="certification_number")
    if not representative:
        raise ClinicError(
            "Name the authorised representative who enrolled the setting.",
            field="authorised_representative",
        )
    if len(representative) > 150:
        raise ClinicError(
            "The representative's name is at most 150 characters.",
            field="authorised_representative",
        )
    problem = _rems_date_problem(certified_on, today=today, what="certification")
    if problem:
        raise ClinicError(problem, field="certified_on")
    with transaction.atomic():
        certification = RemsSettingCertification.objects.create(
            location=location,
            certification_number=number,
            authorised_representative=representative,
            certified_on=certified_on,
            recorded_by=actor,
        )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.REMS_SETTING_CERTIFIED,
            target=certification,
            location_id=location.pk,
            details={"certification_number": number, "certified_on": certified_on.isoformat()},
        )
    return certification


def record_rems_enrolment(*, actor, patient: Patient, patient_rems_id: str, enrolled_on):
    """Record the patient's Spravato REMS enrolment (the form the patient and prescriber signed
    before the first treatment); a corrected enrolment is recorded again and takes over."""
    ensure_can_act_on_patient(
        actor,
        patient,
        roles=REMS_ENROLMENT_ROLES,
        action="record a patient's REMS enrolment",
        event_type=AuditEventType.REMS_PATIENT_ENROLLED,
    )
    identifier = (patient_rems_id or "").strip()
    problem = rems_identifier_problem(identifier, what="patient REMS ID")
    if problem:
        raise ClinicError(problem, field="patient_rems_id")
    today = timezone.localdate(timezone.now(), patient.location.zone)
    problem = _rems_date_problem(enrolled_on, today=today, what="enrolment")
    if problem:
        raise ClinicError(problem, field="enrolled_on")
    with transaction.atomic():
        enrolment = RemsPatientEnrolment.objects.create(
            patient=patient,
            patient_rems_id=identifier,
            enrolled_on=enrolled_on,
            recorded_by=actor,
        )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.REMS_PATIENT_ENROLLED,
            target=enrolment,
            about=patient,
            details={"enrolled_on": enrolled_on.isoformat()},
        )
    return enrolment
