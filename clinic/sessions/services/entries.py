"""What happens during the session: side effects and what was done, medication given, and the
dissociation rating."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction

from clinic.assessments import services as assessment_services
from clinic.assessments.choices import AssessmentContext
from clinic.assessments.permissions import RESULT_ROLES
from clinic.audit.choices import AuditEventType
from clinic.core.exceptions import (
    ClinicError,
    InvalidTransitionError,
)
from clinic.patients.hooks import session_changed
from clinic.sessions.choices import (
    DissociationMoment,
    Intervention,
    Outcome,
    SessionStatus,
    Severity,
    SideEffectKind,
)
from clinic.sessions.models import (
    DissociationRating,
    MedicationAdministration,
    SideEffect,
    TreatmentSession,
)
from clinic.sessions.services._common import (
    _audit,
    _check,
    _lock,
    _save,
    _text,
    _when,
)


def record_side_effect(
    *,
    actor,
    session: TreatmentSession,
    kind: str,
    severity: str,
    onset_at: datetime | None,
    interventions: list[str],
    outcome: str,
    details: str = "",
    intervention_details: str = "",
) -> SideEffect:
    _check(actor, session, AuditEventType.SESSION_SIDE_EFFECT, action="record side effects")
    if kind not in SideEffectKind.values:
        raise ClinicError("Choose the side effect.", field="kind")
    if severity not in Severity.values:
        raise ClinicError("Choose how severe it is.", field="severity")
    if outcome not in Outcome.values:
        raise ClinicError("Choose the outcome.", field="outcome")
    interventions = list(dict.fromkeys(interventions or []))
    if not interventions or any(i not in Intervention.values for i in interventions):
        raise ClinicError("Choose what was done (or “None needed”).", field="interventions")
    if Intervention.NONE in interventions and len(interventions) > 1:
        raise ClinicError(
            "“None needed” cannot go with another intervention.", field="interventions"
        )
    details, intervention_details = (
        _text(details, limit=300),
        _text(intervention_details, limit=300),
    )
    if kind == SideEffectKind.OTHER and not details:
        raise ClinicError("Describe the side effect.", field="details")
    if Intervention.OTHER in interventions and not intervention_details:
        raise ClinicError("Describe what was done.", field="intervention_details")
    with transaction.atomic(durable=True):
        locked = _lock(session, statuses=(SessionStatus.PREPARATION, SessionStatus.IN_PROGRESS))
        onset_at = _when(locked, onset_at, field="onset_at", label="onset time")
        effect = SideEffect.objects.create(
            session=locked,
            kind=kind,
            details=details,
            severity=severity,
            onset_at=onset_at,
            interventions=interventions,
            intervention_details=intervention_details,
            outcome=outcome,
            recorded_by=actor,
        )
        session_changed(locked.pk)  # the side effects per 100 sessions the outcomes page counts
        _audit(
            actor,
            AuditEventType.SESSION_SIDE_EFFECT,
            locked,
            {"kind": kind, "severity": severity},
            target=effect,
        )
        return effect


def record_medication(
    *,
    actor,
    session: TreatmentSession,
    medication: str,
    dose_amount,
    dose_unit: str,
    route: str,
    reason: str,
    given_at: datetime | None = None,
    side_effect: SideEffect | None = None,
) -> MedicationAdministration:
    _check(
        actor, session, AuditEventType.SESSION_MEDICATION_GIVEN, action="record medication given"
    )
    medication, dose_unit, route = (
        _text(medication, limit=120),
        _text(dose_unit, limit=10),
        _text(route, limit=20),
    )
    reason = _text(reason, limit=300)
    for value, field, message in (
        (medication, "medication", "Name the medication."),
        (dose_unit, "dose_unit", "Give the unit (mg, mcg, mL …)."),
        (route, "route", "Give the route (IV, PO, SL …)."),
        (reason, "reason", "Say why it was given."),
    ):
        if not value:
            raise ClinicError(message, field=field)
    try:
        amount = Decimal(str(dose_amount))
    except (InvalidOperation, ValueError):
        raise ClinicError("Enter the dose as a number.", field="dose_amount") from None
    if not amount.is_finite() or amount <= 0 or amount >= 100000:
        raise ClinicError("Enter a dose above 0 and below 100,000.", field="dose_amount")
    with transaction.atomic(durable=True):
        locked = _lock(session, statuses=(SessionStatus.PREPARATION, SessionStatus.IN_PROGRESS))
        if side_effect is not None and side_effect.session_id != locked.pk:
            raise ClinicError("That side effect belongs to another session.", field="side_effect")
        given_at = _when(locked, given_at, field="given_at", label="time given")
        administration = MedicationAdministration.objects.create(
            session=locked,
            medication=medication,
            dose_amount=amount.quantize(Decimal("0.01")),
            dose_unit=dose_unit,
            route=route,
            given_at=given_at,
            reason=reason,
            side_effect=side_effect,
            given_by=actor,
        )
        _audit(
            actor,
            AuditEventType.SESSION_MEDICATION_GIVEN,
            locked,
            {"medication": medication, "dose": f"{amount} {dose_unit}"},
            target=administration,
        )
        return administration


def rate_dissociation(
    *,
    actor,
    session: TreatmentSession,
    answers: dict[str, int | None],
    moment: str = "",
    taken_at=None,
) -> DissociationRating:
    """A CADSS-6 rating after dosing, at a stated moment (at its height, before discharge …):
    scored by the measurement app and kept as a row of its own, so a session holds every rating
    with its time (in the same transaction)."""

    _check(actor, session, AuditEventType.SESSION_DISSOCIATION_RATED, action="rate dissociation")
    _check(
        actor,
        session,
        AuditEventType.RESPONSE_ENTERED_BY_STAFF,
        roles=RESULT_ROLES,
        action="enter questionnaire answers",
    )
    state = TreatmentSession.objects.values("status", "locked_at").get(pk=session.pk)
    if state["locked_at"] is None and state["status"] != SessionStatus.IN_PROGRESS:
        raise InvalidTransitionError("Dissociation is rated after dosing, before discharge.")
    with transaction.atomic(durable=True):
        locked = _lock(session, statuses=(SessionStatus.IN_PROGRESS,))
        if moment not in DissociationMoment.values:
            raise ClinicError(
                "Say when this rating is taken (at its height, before discharge …).",
                field="moment",
            )
        taken_at = _when(locked, taken_at, field="taken_at", label="time of the rating")
        if locked.dosed_at is not None and taken_at < locked.dosed_at:
            raise ClinicError("A dissociation rating is taken after the dose.", field="taken_at")
        response, _ = assessment_services.create_staff_response(
            actor=actor,
            patient=locked.patient,
            instrument_code="cadss6",
            answers=answers,
            taken_at=taken_at,
            context=AssessmentContext.POST_DOSE,
        )
        rating = DissociationRating.objects.create(
            session=locked, response=response, moment=moment, taken_at=taken_at, rated_by=actor
        )
        _save(locked, [])
        _audit(
            actor,
            AuditEventType.SESSION_DISSOCIATION_RATED,
            locked,
            {"total": str(response.total), "moment": moment},
            target=rating,
        )
        return rating
