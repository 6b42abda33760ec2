"""The dose: confirmed by one member of staff, verified by a second, then given; and the infusion's
events (start, pause, rate change, stop)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.core.choices import Route
from clinic.core.exceptions import (
    ClinicError,
    InvalidTransitionError,
)
from clinic.core.meta import present
from clinic.core.signing import confirm_person_at_tablet
from clinic.patients.choices import CourseEvent, VitalSignsContext
from clinic.patients.hooks import course_changed
from clinic.patients.models import VitalSigns
from clinic.patients.services import update_status_from_course
from clinic.sessions import rules, selectors, stock
from clinic.sessions.choices import (
    InfusionEventKind,
    SessionStatus,
)
from clinic.sessions.models import (
    InfusionEvent,
    TreatmentSession,
)
from clinic.sessions.services._common import (
    CHANGED_SINCE_OPENED,
    _audit,
    _check,
    _dose_state,
    _ensure_current,
    _is_stale,
    _lock,
    _lock_patient,
    _save,
    _text,
    _when,
)
from clinic.treatment.selectors import current_plan_version


def _ensure_gates(session: TreatmentSession) -> None:
    # Under the session's lock (the caller holds it) and the patient's: the interval gates then
    # see any dose another session of this patient is confirming or giving at the same moment.
    _lock_patient(session)
    checklist = selectors.checklist(session)
    if not checklist.ready_to_dose:
        raise ClinicError("Not ready to dose. " + " ".join(checklist.blocking_reasons()))


def confirm_dose(
    *,
    actor,
    session: TreatmentSession,
    expected_dose_mg: Decimal,
    container: str = "",
    drawn_ml: Decimal | None = None,
    vial_lot: str = "",
    vial_expiry: date | None = None,
    expected_version: int | None = None,
) -> TreatmentSession:
    """The nurse confirms the dose worked out from the plan and today's weight, and what it is
    drawn from. With the controlled-stock register in use (clinic.sessions.stock), the nurse picks
    or scans the `container` and the dose (or `drawn_ml`, if more is drawn up) is drawn from it in
    the same transaction, the lot and expiry coming from the container; without it, the lot and
    expiry are typed as read off the vial. `expected_dose_mg` is the dose the nurse was shown: if
    the working has changed since (a new weight, a new plan version), nothing is confirmed. A
    confirmation that stands is never replaced: it is withdrawn first, so the record never shows a
    confirmation its nurse did not make (and a verification never applies to a dose other than
    the one verified)."""
    _check(actor, session, AuditEventType.SESSION_DOSE_CONFIRMED, action="confirm doses")
    register = stock.active()
    if register is None:
        vial_lot = _text(vial_lot, limit=40)
        if not vial_lot:
            raise ClinicError("Enter the vial's lot number.", field="vial_lot")
        if vial_expiry is None:
            raise ClinicError("Enter the vial's expiry date.", field="vial_expiry")
    with transaction.atomic(durable=True):
        locked = _lock(session, statuses=(SessionStatus.PREPARATION,))
        if locked.dose_confirmed_at is not None:
            changed = CHANGED_SINCE_OPENED if _is_stale(locked, expected_version) else ""
            raise InvalidTransitionError(
                f"{changed}{_dose_state(locked)} Withdraw that confirmation before confirming "
                "again."
            )
        if (
            register is None
            and vial_expiry is not None
            and vial_expiry < timezone.localtime(timezone.now(), locked.location.zone).date()
        ):
            raise ClinicError("This vial has expired: use another.", field="vial_expiry")
        _ensure_gates(locked)
        if register is not None and not _text(container, limit=300):
            raise ClinicError(
                "Choose or scan the container you draw the dose from.", field="container"
            )
        plan_version = current_plan_version(locked.patient)
        if plan_version is None:
            raise ClinicError("The patient has no signed plan to dose from.")
        try:
            working = selectors.compute_dose(locked, plan_version, locked.weight_kg)
        except ValueError as error:
            raise ClinicError(str(error)) from error
        if Decimal(str(expected_dose_mg)) != working.dose_mg:
            raise ClinicError(
                f"The dose is now {working.dose_mg} mg ({working.working}). Check it again.",
                field="expected_dose_mg",
            )
        # Said after the dose itself, which names what changed more exactly.
        _ensure_current(locked, expected_version)
        details = {"dose_mg": str(working.dose_mg), "working": working.working}
        if register is not None:
            drawn = register.draw(
                actor=actor,
                session=locked,
                container=container,
                dose_mg=working.dose_mg,
                drawn_ml=drawn_ml,
            )
            vial_lot, vial_expiry = drawn.lot, drawn.expiry
            details.update(container=drawn.container, drawn=drawn.amount)
        locked.plan_version = plan_version
        locked.dose_mg, locked.dose_working = working.dose_mg, working.working[:300]
        locked.vial_lot, locked.vial_expiry = vial_lot, vial_expiry
        locked.dose_confirmed_by, locked.dose_confirmed_at = actor, timezone.now()
        _save(locked)
        _audit(
            actor, AuditEventType.SESSION_DOSE_CONFIRMED, locked, {**details, "vial_lot": vial_lot}
        )
        return locked


def withdraw_dose_confirmation(
    *, actor, session: TreatmentSession, expected_version: int | None = None
) -> TreatmentSession:
    """Undo the confirmation (and any verification) before the dose is given: the weight was
    wrong, or the plan changed. The dose is then worked out, confirmed and verified again."""
    _check(actor, session, AuditEventType.SESSION_DOSE_CONFIRMED, action="confirm doses")
    with transaction.atomic(durable=True):
        locked = _lock(session, statuses=(SessionStatus.PREPARATION,))
        _ensure_current(locked, expected_version)
        if locked.dose_confirmed_at is None:
            raise InvalidTransitionError("The dose is not confirmed.")
        before = str(locked.dose_mg)
        register = stock.active()
        if register is not None:
            # What the confirmation drew goes back on the container's balance by a reversing entry.
            register.undo_draw(
                actor=actor,
                session=locked,
                reason="Dose confirmation withdrawn before the dose was given",
            )
        locked.dose_mg = locked.dose_confirmed_at = locked.dose_confirmed_by = None
        locked.dose_verified_at = locked.dose_verified_by = None
        locked.dose_working = ""
        _save(locked)
        _audit(actor, AuditEventType.SESSION_DOSE_CONFIRMED, locked, {"withdrawn": before})
        return locked


def verify_dose(
    *,
    actor,
    session: TreatmentSession,
    dose_mg: Decimal,
    vial_lot: str,
    password: str,
    verifier_email: str = "",
    expected_version: int | None = None,
) -> TreatmentSession:
    """A second member of staff checks the dose and the vial independently: blind, typing the dose
    they worked out from the plan and the weight and the lot they read on the vial, never shown
    the first entry (an independent double check). On the shared tablet the first nurse stays
    signed in (`actor`) and the checker proves who they are for this one action with their own
    e-mail and password (`verifier_email`; blank: the signed-in person checks, with their own
    password). The checker is the actor of the audit entry, the signed-in person noted."""
    _check(actor, session, AuditEventType.SESSION_DOSE_VERIFIED, action="verify doses")
    verifier = confirm_person_at_tablet(
        verifier_email, password, signed_in=actor, target=session, patient_id=session.patient_id
    )
    if verifier.pk != actor.pk:
        _check(verifier, session, AuditEventType.SESSION_DOSE_VERIFIED, action="verify doses")
    current = TreatmentSession.objects.values("dose_confirmed_by_id").get(pk=session.pk)
    if current["dose_confirmed_by_id"] == verifier.pk:
        raise ClinicError(
            "A second member of staff verifies the dose, not the person who confirmed it.",
            field="verifier_email",
        )
    with transaction.atomic(durable=True):
        locked = _lock(session, statuses=(SessionStatus.PREPARATION,))
        _ensure_current(locked, expected_version)
        if locked.dose_confirmed_at is None:
            raise InvalidTransitionError("The nurse confirms the dose first.")
        if locked.dose_verified_at is not None:
            raise InvalidTransitionError("The dose is already verified.")
        if locked.dose_confirmed_by_id == verifier.pk:
            raise ClinicError(
                "A second member of staff verifies the dose, not the person who confirmed it.",
                field="verifier_email",
            )
        try:
            entered = Decimal(str(dose_mg))
        except (InvalidOperation, ValueError):
            raise ClinicError("Enter the dose in mg.", field="dose_mg") from None
        # The refusals name neither the confirmed dose nor the lot: the check stays blind.
        if entered != locked.dose_mg:
            raise ClinicError(
                f"{entered} mg does not match the confirmed dose. Work it out again from the "
                "plan and the weight, together with the first nurse.",
                field="dose_mg",
            )
        # Drawn from more than one container, the lots are listed: the one read must be one.
        lots = {lot.strip().upper() for lot in locked.vial_lot.split(",")}
        if _text(vial_lot, limit=40).upper() not in lots:
            raise ClinicError("The lot number does not match the confirmed vial.", field="vial_lot")
        _ensure_gates(locked)
        locked.dose_verified_by, locked.dose_verified_at = verifier, timezone.now()
        _save(locked)
        details = {"dose_mg": str(locked.dose_mg), "blind": True}
        if verifier.pk != actor.pk:
            # Checked on another person's sign-in (the shared tablet).
            details.update(signed_in=actor.pk, signed_in_email=actor.email)
        _audit(verifier, AuditEventType.SESSION_DOSE_VERIFIED, locked, details)
        return locked


# --- infusion events -----------------------------------------------------------------------
def record_infusion_event(
    *,
    actor,
    session: TreatmentSession,
    kind: str,
    at: datetime | None = None,
    rate_mg_per_hour: Decimal | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> InfusionEvent:
    """Dose given / infusion started, rate changed, paused, resumed, stopped, completed.
    `expected_version` is checked when the dose is given (the dose must be the one the nurse
    saw confirmed and verified); the other events are entries of their own."""
    _check(actor, session, AuditEventType.SESSION_INFUSION_EVENT, action="record the infusion")
    if kind not in InfusionEventKind.values:
        raise ClinicError("Choose what happened.", field="kind")
    reason = _text(reason, limit=300)
    if kind in rules.REASON_REQUIRED and not reason:
        raise ClinicError(
            f"Give the reason the infusion was {InfusionEventKind(kind).label.lower()}.",
            field="reason",
        )
    with transaction.atomic(durable=True):
        locked = _lock(session, statuses=(SessionStatus.PREPARATION, SessionStatus.IN_PROGRESS))
        kinds = list(locked.infusion_events.values_list("kind", flat=True))
        allowed = rules.allowed_infusion_events(kinds, route=locked.route)
        if kind not in allowed:
            state = rules.infusion_state(kinds, route=locked.route).replace("_", " ")
            raise InvalidTransitionError(
                f"“{InfusionEventKind(kind).label}” is not possible now: the infusion is {state}."
            )
        at = _when(locked, at)
        last = locked.infusion_events.order_by("-at").values_list("at", flat=True).first()
        if last is not None and at < last:
            raise ClinicError("This is earlier than the infusion's last event.", field="at")
        if kind == InfusionEventKind.START:
            _ensure_current(locked, expected_version)
            if locked.dose_verified_at is None:
                raise ClinicError("The dose must be confirmed and verified before it is given.")
            current = current_plan_version(locked.patient)
            if current is None or current.pk != locked.plan_version_id:
                raise ClinicError(
                    "The plan changed after the dose was confirmed: withdraw the confirmation "
                    "and confirm the dose again."
                )
            _ensure_gates(locked)
            if (
                rate_mg_per_hour is None
                and locked.route == Route.IV
                and locked.plan_version.infusion_minutes
            ):
                # The pump settings' mg/h (clinic.treatment.dosing.infusion_rates).
                rate_mg_per_hour = (
                    present(locked.dose_mg, "The confirmed dose")
                    * 60
                    / locked.plan_version.infusion_minutes
                ).quantize(Decimal("0.1"), ROUND_HALF_UP)
            locked.dosed_at, locked.status = at, SessionStatus.IN_PROGRESS
            # Readings already taken after this moment now count as during the session.
            moved = list(
                locked.readings.filter(taken_at__gte=at).values_list("vital_signs_id", flat=True)
            )
            if moved:
                locked.readings.filter(vital_signs_id__in=moved).update(pre_dose=False)
                VitalSigns.objects.filter(pk__in=moved).update(context=VitalSignsContext.MONITORING)
        if kind == InfusionEventKind.RATE_CHANGE and rate_mg_per_hour is None:
            raise ClinicError("Enter the new rate in mg/h.", field="rate_mg_per_hour")
        if (
            kind == InfusionEventKind.START
            and locked.route == Route.IV
            and rate_mg_per_hour is None
        ):
            # The dose given is rate × time: an infusion without a rate cannot be accounted for.
            raise ClinicError(
                "Enter the rate the pump is set to, in mg/h.", field="rate_mg_per_hour"
            )
        if rate_mg_per_hour is not None and not (
            Decimal("0") < Decimal(str(rate_mg_per_hour)) <= Decimal("1000")
        ):
            raise ClinicError(
                "The rate must be more than 0 and at most 1000 mg/h.", field="rate_mg_per_hour"
            )
        given = _dose_given(locked, kind=kind, at=at, rate_mg_per_hour=rate_mg_per_hour)
        event = InfusionEvent.objects.create(
            session=locked,
            kind=kind,
            at=at,
            rate_mg_per_hour=rate_mg_per_hour,
            reason=reason,
            recorded_by=actor,
        )
        details = {"kind": kind, "reason": reason}
        if given is not None:
            locked.dose_given_mg, locked.dose_given_working = given.mg, given.working[:600]
            details.update(dose_given_mg=str(given.mg), dose_given_working=given.working)
            register = stock.active()
            if register is not None:
                # The register's administration record: the dose given, out of what was drawn.
                register.record_given(actor=actor, session=locked, dose_given_mg=given.mg)
        if kind == InfusionEventKind.START:
            _save(locked, ["dosed_at", "status", "dose_given_mg", "dose_given_working"])
            course_changed(locked.patient_id)
            number = TreatmentSession.objects.filter(
                patient_id=locked.patient_id, dosed_at__isnull=False, dosed_at__lte=at
            ).count()
            update_status_from_course(
                actor=actor,
                patient_id=locked.patient_id,
                event=CourseEvent.SESSION_DOSED,
                reason=f"session {number} was dosed",
            )
        else:
            _save(locked, ["dose_given_mg", "dose_given_working"] if given else [])
        _audit(actor, AuditEventType.SESSION_INFUSION_EVENT, locked, details, target=event)
        return event


def _dose_given(
    locked: TreatmentSession, *, kind: str, at: datetime, rate_mg_per_hour
) -> rules.DoseGiven | None:
    """The dose actually given, when this event ends the dose (None otherwise): at once for a
    non-IV route, else from the infusion's events with this one (rate × time). "Completed"
    before the dose can have run is refused: the nurse records "Stopped" instead."""
    if locked.route != Route.IV:
        if kind != InfusionEventKind.START:
            return None
        return rules.dose_given_at_once(
            dose_mg=present(locked.dose_mg, "The confirmed dose"),
            route_label=locked.get_route_display(),
            device_mg=locked.plan_version.protocol.device_mg,
        )
    if kind not in (InfusionEventKind.STOP, InfusionEventKind.COMPLETE):
        return None
    entries = [
        rules.InfusionEntry(e.kind, e.at, e.rate_mg_per_hour)
        for e in locked.infusion_events.order_by("at", "id")
    ]
    entries.append(rules.InfusionEntry(kind, at, rate_mg_per_hour))
    try:
        infused = rules.infused_dose(
            entries, dose_drawn_mg=present(locked.dose_mg, "The confirmed dose"), until=at
        )
    except ValueError as error:
        raise ClinicError(str(error)) from error
    if kind == InfusionEventKind.COMPLETE:
        refusal = rules.completion_refusal(
            infused,
            planned_minutes=locked.plan_version.infusion_minutes,
            tolerance_minutes=locked.plan_version.protocol.infusion_completion_tolerance_minutes,
        )
        if refusal:
            raise ClinicError(refusal, field="kind")
    return rules.dose_given_by_infusion(infused, kind=kind)
