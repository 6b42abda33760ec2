"""The Spravato REMS Patient Monitoring Form of an esketamine session, filled in from the session
record, and the list of forms due, submitted and overdue.

The form's blocks follow the REMS's Patient Monitoring Form (Spravato REMS, FDA; Janssen's form
of 11/2021 and its walkthrough of the current form): the patient; concomitant medicines that may
cause sedation, dissociation, respiratory depression or a change in blood pressure (opioids
included); the monitoring provider and the setting; the treatment date, dose and lot; the minutes
of monitoring from the first device; the minutes after which the patient would have been ready to
leave without the 2-hour rule; whether the vital signs were acceptable before dosing and before
the end; the blood pressure before dosing, at about 40 minutes and before the end; sedation,
dissociation and respiratory depression; serious adverse events. The clinic still submits the
form to the REMS (online or by fax) and records the confirmation
(`services.record_rems_submission`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from clinic.accounts.choices import Role
from clinic.core.choices import Route
from clinic.core.exceptions import NotFoundError
from clinic.core.meta import present
from clinic.evaluation.choices import EvaluationStatus, InteractionKind
from clinic.evaluation.models import Evaluation
from clinic.evaluation.rules import find_interactions
from clinic.evaluation.selectors import interaction_specs
from clinic.monitoring.limits import check_discharge
from clinic.patients.choices import Sex
from clinic.sessions import rules, selectors
from clinic.sessions.choices import Gate, SessionStatus, Severity, SideEffectKind, SignatureRole
from clinic.sessions.models import RemsFormSubmission, TreatmentSession
from clinic.treatment.rules import REMS_COUNTRY
from clinic.treatment.selectors import current_rems_certification, current_rems_enrolment

# The form version the clinic fills in: the current form asks for every medicine that may cause
# sedation, dissociation, respiratory depression or blood-pressure change, opioids included (the
# 11/2021 form asked yes/no for four classes).
FORM_VERSION = "2024"
# The interaction kinds of the medicine list the current form asks about.
CONCOMITANT_KINDS = (InteractionKind.SEDATION, InteractionKind.RAISES_BLOOD_PRESSURE)
# Vital-sign alerts that point to respiratory depression.
RESPIRATORY_PARAMETERS = ("spo2_pct", "respiratory_rate_per_min")
# The statuses after which the monitoring is over and the form can be filled in.
FORM_STATUSES = (SessionStatus.DISCHARGED, SessionStatus.SIGNED)


def rems_sessions(queryset=None):
    """Esketamine sessions at US locations whose dose was given: each owes the REMS a form."""
    queryset = queryset if queryset is not None else TreatmentSession.objects.all()
    return queryset.filter(
        route=Route.INTRANASAL, location__country=REMS_COUNTRY, dosed_at__isnull=False
    )


def session_owes_form(session) -> bool:
    return (
        session.route == Route.INTRANASAL
        and session.location.country == REMS_COUNTRY
        and session.dosed_at is not None
    )


# --- The form's content --------------------------------------------------------------------
@dataclass(frozen=True)
class BloodPressure:
    label: str
    systolic_mmhg: int | None
    diastolic_mmhg: int | None
    taken_at: object | None  # aware datetime, in the location's zone
    missing_reason: str = ""

    @property
    def value(self) -> str:
        if self.systolic_mmhg is None:
            return ""
        return f"{self.systolic_mmhg}/{self.diastolic_mmhg} mmHg"


@dataclass(frozen=True)
class Observation:
    label: str
    present: bool
    details: str


def _minutes(start, end) -> int | None:
    if start is None or end is None:
        return None
    return int((end - start).total_seconds() // 60)


def _blood_pressures(session, all_readings, protocol) -> list[BloodPressure]:
    zone = session.location.zone
    with_bp = [r for r in all_readings if r.vital_signs.systolic_mmhg is not None]

    def shown(label, reading, missing_reason):
        if reading is None:
            return BloodPressure(label, None, None, None, missing_reason)
        vitals = reading.vital_signs
        return BloodPressure(
            label,
            vitals.systolic_mmhg,
            vitals.diastolic_mmhg,
            timezone.localtime(reading.taken_at, zone),
        )

    dosed_at = present(session.dosed_at, "The dose's time")

    def off_target(reading) -> int:
        return abs(int((reading.taken_at - dosed_at).total_seconds() // 60) - target)

    pre = [r for r in with_bp if r.pre_dose]
    before = shown("Before administration", pre[-1] if pre else None, "none recorded")
    after = [r for r in with_bp if not r.pre_dose and r.taken_at > dosed_at]
    target = protocol.blood_pressure_check_minutes or 40
    window = protocol.blood_pressure_check_window_minutes or 10
    near = sorted((r for r in after if off_target(r) <= window), key=off_target)
    at_40 = shown(
        f"About {target} minutes after administration",
        near[0] if near else None,
        f"none between {target - window} and {target + window} minutes",
    )
    end = session.discharged_at
    last = [r for r in after if end is None or r.taken_at <= end]
    before_end = shown(
        "Before the end of the session", last[-1] if last else None, "none after dosing"
    )
    return [before, at_40, before_end]


def _ready_without_two_hour_rule(session, all_readings, protocol) -> int | None:
    """Minutes from the first device to the first moment the record met every discharge criterion
    but the observation time (the REMS's evaluation question)."""
    if session.dosed_at is None or session.discharged_at is None:
        return None
    timeline = dataclasses.replace(
        selectors.discharge_timeline(session, all_readings=all_readings, protocol=protocol),
        minimum_observation_minutes=0,
    )
    observed = {
        item: getattr(session, f"aldrete_{item}")
        for item in ("activity", "respiration", "circulation", "consciousness", "oxygen_saturation")
    }
    if any(value is None for value in observed.values()):
        return None
    ready = rules.first_ready_at(timeline, session.discharged_at, observed)
    return _minutes(session.dosed_at, ready)


def _concomitant(patient) -> tuple[list[dict], str]:
    """The medicines on the list of the patient's latest signed evaluation that the form asks
    about, and the list's standing."""
    evaluation = (
        Evaluation.objects.filter(
            patient=patient, status__in=(EvaluationStatus.COMPLETED, EvaluationStatus.AMENDED)
        )
        .order_by("-signed_at", "-id")
        .first()
    )
    if evaluation is None:
        return [], "No signed evaluation holds a medicine list."
    if evaluation.no_current_medications:
        return [], "Takes no medicines (evaluation)."
    if not evaluation.current_medications.strip():
        return [], "The evaluation's medicine list is empty."
    found = [
        m
        for m in find_interactions(evaluation.current_medications, interaction_specs())
        if m["kind"] in CONCOMITANT_KINDS
    ]
    if not found:
        return [], "None of the medicines listed is one the form asks about."
    return found, ""


def form_content(session: TreatmentSession) -> dict:
    """Every field of the Patient Monitoring Form, from the record; a field the record cannot
    fill says why."""
    if not session_owes_form(session):
        raise NotFoundError("Only an esketamine session given at a US location has a REMS form.")
    zone = session.location.zone
    patient = session.patient
    protocol = selectors.protocol_for(session.route)
    all_readings = selectors.readings(session)
    overrides = {o.gate: o for o in session.overrides.all()}
    checklist = rules.evaluate_gates(
        selectors.gate_facts(session, all_readings=all_readings, protocol=protocol), overrides
    )
    bp_gate = next((g for g in checklist.gates if g.gate == Gate.BLOOD_PRESSURE), None)
    baseline = selectors.baseline(all_readings)
    dosed_at = present(session.dosed_at, "The dose's time")
    after = [r for r in all_readings if not r.pre_dose and r.taken_at > dosed_at]
    last = after[-1] if after else None
    end_breaches = (
        check_discharge(selectors.values_of(last), protocol.limits(), baseline=baseline)
        if last is not None
        else None
    )
    side_effects = list(session.side_effects.all())
    ratings = selectors.dissociation_ratings(session)
    alerts = list(session.alerts.all())
    nurse = next(
        (s.signed_by for s in session.signatures.all() if s.role == SignatureRole.NURSE),
        session.discharged_by or session.started_by,
    )
    earlier = (
        rems_sessions(TreatmentSession.objects.filter(patient=patient))
        .exclude(pk=session.pk)
        .filter(dosed_at__lt=session.dosed_at)
        .exists()
    )
    medicines, medicines_note = _concomitant(patient)
    dose = session.dose_given_mg or session.dose_mg
    devices = int(dose // 28) if dose and dose % 28 == 0 else None
    dissociation = [
        f"CADSS-6 {r.response.total_display()}"
        + (f" ({r.get_moment_display().lower()})" if r.moment else "")
        for r in ratings
    ]
    dissociation += [
        s.get_kind_display() + (f": {s.details}" if s.details else "")
        for s in side_effects
        if s.kind in (SideEffectKind.DISSOCIATION, SideEffectKind.HALLUCINATIONS)
    ]
    sedation = [
        f"{s.get_severity_display()} — {s.details or 'no details'} ({s.get_outcome_display().lower()})"
        for s in side_effects
        if s.kind == SideEffectKind.SEDATION
    ]
    respiratory = [a.message for a in alerts if a.parameter in RESPIRATORY_PARAMETERS]
    serious = [
        f"{s.get_kind_display()}: {s.details or 'no details'} ({s.get_outcome_display().lower()})"
        for s in side_effects
        if s.severity == Severity.SEVERE
    ]
    monitoring_minutes = _minutes(session.dosed_at, session.discharged_at)
    certification = current_rems_certification(session.location)
    enrolment = current_rems_enrolment(patient)
    return {
        "form_version": FORM_VERSION,
        "session": session,
        "patient": patient,
        "patient_sex": patient.get_sex_display() if patient.sex != Sex.UNKNOWN else "Not recorded",
        "first_treatment": not earlier,
        "enrolment": enrolment,
        "medicines": medicines,
        "medicines_note": medicines_note,
        "provider": nurse,
        "location": session.location,
        "certification": certification,
        "treated_on": timezone.localtime(session.dosed_at, zone).date(),
        "dosed_at": timezone.localtime(session.dosed_at, zone),
        "discharged_at": timezone.localtime(session.discharged_at, zone)
        if session.discharged_at
        else None,
        "dose_mg": dose,
        "dose_choice": {Decimal("56"): "56 mg", Decimal("84"): "84 mg"}.get(
            Decimal(dose or 0), f"Other: {dose} mg" if dose else "Not recorded"
        ),
        "devices": devices,
        "lot": session.vial_lot,
        "monitoring_minutes": monitoring_minutes,
        "monitoring_short": monitoring_minutes is not None
        and monitoring_minutes < rules.REMS_MINIMUM_MONITORING_MINUTES,
        "minimum_minutes": rules.REMS_MINIMUM_MONITORING_MINUTES,
        "ready_minutes": _ready_without_two_hour_rule(session, all_readings, protocol),
        "vitals_ok_before": None
        if bp_gate is None
        else (bp_gate.passed, "" if bp_gate.passed else bp_gate.reason),
        "vitals_ok_at_end": None
        if end_breaches is None
        else (not end_breaches, "; ".join(b.message for b in end_breaches)),
        "blood_pressures": _blood_pressures(session, all_readings, protocol),
        "observations": [
            Observation("Sedation", bool(sedation), "; ".join(sedation)),
            Observation("Dissociation", bool(dissociation), "; ".join(dissociation)),
            Observation("Respiratory depression", bool(respiratory), "; ".join(respiratory)),
        ],
        "serious_adverse_events": serious,
        "submission": session.rems_submissions.select_related("submitted_by").first(),
    }


# --- Submissions and the tracker -------------------------------------------------------------
@dataclass(frozen=True)
class TrackedForm:
    session: TreatmentSession
    treated_on: date
    standing: rules.RemsFormStanding
    submission: RemsFormSubmission | None


def tracked_forms(viewer, *, overdue_only: bool = False, limit: int = 200) -> list[TrackedForm]:
    """The REMS forms of the esketamine sessions the viewer may see: those not yet submitted,
    oldest due first, then (unless `overdue_only`) the latest `limit` submitted."""
    sessions = rems_sessions(selectors.visible_sessions(viewer)).select_related(
        "patient", "location"
    )
    unsubmitted = sessions.filter(rems_submissions__isnull=True).order_by("dosed_at")
    if overdue_only:
        # A form is overdue once its local due date has passed; this bound keeps every zone's.
        cutoff = timezone.now() - timedelta(days=rules.REMS_FORM_DAYS)
        unsubmitted = unsubmitted.filter(dosed_at__lt=cutoff)
    chosen: list[tuple[TreatmentSession, list[RemsFormSubmission]]] = [
        (session, []) for session in unsubmitted[:limit]
    ]
    if not overdue_only:
        chosen += [
            (session, list(session.rems_submissions.all()))
            for session in sessions.filter(rems_submissions__isnull=False)
            .distinct()
            .prefetch_related("rems_submissions__submitted_by")
            .order_by("-dosed_at")[:limit]
        ]
    forms = []
    now = timezone.now()
    for session, submissions in chosen:
        zone = session.location.zone
        treated_on = timezone.localtime(session.dosed_at, zone).date()
        standing = rules.rems_form_standing(
            treated_on=treated_on,
            today=timezone.localdate(now, zone),
            submitted=bool(submissions),
        )
        if overdue_only and not standing.overdue:
            continue
        forms.append(
            TrackedForm(session, treated_on, standing, submissions[0] if submissions else None)
        )
    return forms


def overdue_forms(viewer) -> list[TrackedForm] | None:
    """The dashboard's overdue REMS forms, for the medical director (None for anyone else)."""
    if viewer.role != Role.MEDICAL_DIRECTOR:
        return None
    return tracked_forms(viewer, overdue_only=True, limit=50)
