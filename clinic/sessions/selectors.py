"""Reads of the treatment session, scoped to what the viewer may see, and the checklist and
discharge facts worked out from the record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import Count, DateTimeField, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.accounts.choices import CLINICAL_ROLES, PRESCRIBER_ROLES
from clinic.assessments.choices import AlertStatus as SafetyAlertStatus
from clinic.assessments.choices import ResponseStatus
from clinic.assessments.instruments import INSTRUMENTS
from clinic.assessments.models import AssessmentResponse, SafetyAlert, SideEffectReport
from clinic.assessments.policy import patient_answered
from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.choices import Route
from clinic.core.dates import show_date, show_time, show_weekday_date
from clinic.core.exceptions import NotFoundError
from clinic.evaluation.selectors import has_current_consent
from clinic.monitoring.discharge import ITEMS as ALDRETE_ITEMS
from clinic.monitoring.limits import Limits, news2_of_values, reading_schedule_status
from clinic.monitoring.models import MonitoringProtocol
from clinic.patients.choices import NoPregnancyPotentialReason, PregnancyPotential
from clinic.patients.selectors import visible_patients
from clinic.scheduling.choices import AppointmentKind
from clinic.scheduling.models import Appointment
from clinic.sessions import rules
from clinic.sessions.choices import AlertStatus, InfusionEventKind, SessionStatus
from clinic.sessions.models import (
    DissociationRating,
    MonitoringAlert,
    SessionReading,
    TreatmentSession,
)
from clinic.treatment.choices import DoseUnit
from clinic.treatment.dosing import DoseWorking, dose_for_plan
from clinic.treatment.rules import rems_applies
from clinic.treatment.selectors import (
    current_plan_version,
    current_rems_certification,
    current_rems_enrolment,
    pump_settings,
)

VITAL_VALUE_FIELDS = (
    "systolic_mmhg",
    "diastolic_mmhg",
    "heart_rate_bpm",
    "respiratory_rate_per_min",
    "spo2_pct",
    "temperature_c",
)


def visible_sessions(viewer):
    if not (viewer.is_authenticated and viewer.role in CLINICAL_ROLES):
        return TreatmentSession.objects.none()
    return TreatmentSession.objects.filter(patient__in=visible_patients(viewer))


PAGE_RELATED = (
    "patient",
    "patient__location",
    "location",
    "appointment",
    "appointment__room",
    "plan_version",
    "plan_version__plan",
    "plan_version__protocol",
    "identity_confirmed_by",
    "dose_confirmed_by",
    "dose_verified_by",
    "discharged_by",
    "discharge_override_by",
)
# What the live region (polled every second) needs: a 14-table join costs PostgreSQL more to
# plan than to run.
LIVE_RELATED = ("location",)


def get_session(viewer, public_id, *, related=PAGE_RELATED) -> TreatmentSession:
    session = visible_sessions(viewer).select_related(*related).filter(public_id=public_id).first()
    if session is None:
        raise NotFoundError("We could not find that session.")
    return session


# The session page's live region is polled every second and the board every five: a row per
# poll would write thousands of rows an hour per chair and drown the log, while saying no more
# than "this person had this session (the board) open". So opening the page always audits, and a
# poll audits only when this person's look at it was not audited in the last few minutes (say,
# they left the page open from another tab): every minute a person can see the record lies
# within this many minutes after an audited look.
POLL_AUDIT_MINUTES = 5


def _look_key(viewer, what: str) -> str:
    return f"audit-look:{viewer.pk}:{what}"


def _audit_look(viewer, what: str, *, poll: bool) -> bool:
    """Whether this look is to be audited now (and note it as audited)."""
    timeout = POLL_AUDIT_MINUTES * 60
    if not poll:
        cache.set(_look_key(viewer, what), True, timeout=timeout)
        return True
    # add() is atomic: of concurrent polls, one audits.
    return cache.add(_look_key(viewer, what), True, timeout=timeout)


def open_session(viewer, public_id, *, view: str = "", poll: bool = False) -> TreatmentSession:
    """Open a session's record (the page, its summary, its readings through the API, its polled
    live region) and record that the viewer looked (a poll: at most every POLL_AUDIT_MINUTES)."""
    session = get_session(viewer, public_id, related=LIVE_RELATED if poll else PAGE_RELATED)
    if _audit_look(viewer, f"session:{session.pk}", poll=poll):
        record_audit_event(
            actor=viewer,
            event_type=AuditEventType.SESSION_VIEWED,
            target=session,
            about=session,
            details={"view": view} if view else {},
        )
    return session


def appointment_to_start(viewer, public_id):
    """A treatment appointment the viewer may start a session for, or None."""

    return (
        Appointment.objects.filter(public_id=public_id, patient__in=visible_patients(viewer))
        .select_related("patient", "appointment_type")
        .first()
    )


def sessions_board(viewer, *, poll: bool = False) -> list[TreatmentSession]:
    """The day's sessions (started in the last 16 hours, or still open) at the viewer's
    locations, with their open alerts counted (the chair-side board). The board names every
    patient in a chair: audited (a poll at most every POLL_AUDIT_MINUTES)."""
    since = timezone.now() - timedelta(hours=16)
    if _audit_look(viewer, "board", poll=poll):
        record_audit_event(
            actor=viewer,
            event_type=AuditEventType.SESSION_BOARD_VIEWED,
            details={"poll": True} if poll else {},
        )
    return list(
        visible_sessions(viewer)
        .filter(
            Q(created_at__gte=since)
            | Q(status__in=[SessionStatus.PREPARATION, SessionStatus.IN_PROGRESS])
        )
        .select_related("patient", "appointment__room", "plan_version")
        .annotate(
            open_alert_count=Count("alerts", filter=Q(alerts__status=AlertStatus.OPEN)),
            **_alert_counts(timezone.now()),
        )
        .order_by("appointment__starts_at", "id")
    )


def _alert_counts(now) -> dict:
    """Per session: open stop-level alerts (waiting for a prescriber) and open alerts past their
    escalation time (re-alerting), worked out from the times at each read."""
    return {
        "stop_alert_count": Count(
            "alerts", filter=Q(alerts__status=AlertStatus.OPEN, alerts__stop_level=True)
        ),
        "escalated_alert_count": Count(
            "alerts",
            filter=Q(alerts__status=AlertStatus.OPEN, alerts__escalates_at__lte=now),
        ),
    }


def stop_level_alerts(viewer, *, poll: bool = False) -> list[MonitoringAlert] | None:
    """Open stop-level alerts in the sessions the viewer may see, oldest first, each marked
    `escalated` when open past its time: the supervising clinician's list on the dashboard (None
    for a role that cannot close them; a nurse sees them on the session). The dashboard's open is
    audited as the dashboard; its polls (it names patients) at most every POLL_AUDIT_MINUTES."""
    if not (viewer.is_authenticated and viewer.role in PRESCRIBER_ROLES):
        return None
    if poll and _audit_look(viewer, "stop-level-alerts", poll=True):
        record_audit_event(
            actor=viewer,
            event_type=AuditEventType.SESSION_BOARD_VIEWED,
            details={"view": "stop_level_alerts", "poll": True},
        )
    now = timezone.now()
    alerts = list(
        MonitoringAlert.objects.filter(
            session__in=visible_sessions(viewer),
            status=AlertStatus.OPEN,
            stop_level=True,
        )
        .select_related("session", "session__patient", "session__location")
        .order_by("raised_at", "id")[:50]
    )
    for alert in alerts:
        alert.escalated = alert.is_escalated(now)
    return alerts


def protocol_for(route: str) -> MonitoringProtocol:
    """The route's monitoring protocol; without a row, the model's defaults (unsaved). A page
    reads it once and passes it on."""
    return MonitoringProtocol.objects.filter(route=route).first() or MonitoringProtocol(route=route)


def limits_for(route: str) -> Limits:
    return protocol_for(route).limits()


def readings(session) -> list[SessionReading]:
    return list(
        SessionReading.objects.filter(session=session)
        .select_related("vital_signs", "vital_signs__recorded_by", "device")
        .order_by("taken_at", "id")
    )


class ReadingMark(NamedTuple):
    """What the live region's poll needs of a reading to tell whether anything changed and which
    scheduled readings are done: its id and times, not its vital signs."""

    pk: int
    taken_at: datetime
    pre_dose: bool


def reading_marks(session) -> list[ReadingMark]:
    """The session's readings in time order, as `ReadingMark`s (one narrow query)."""
    return [
        ReadingMark(*row)
        for row in SessionReading.objects.filter(session=session)
        .order_by("taken_at", "id")
        .values_list("pk", "taken_at", "pre_dose")
    ]


def values_of(reading: SessionReading) -> dict:
    vitals = reading.vital_signs
    return {name: getattr(vitals, name) for name in VITAL_VALUE_FIELDS}


def baseline(all_readings: list[SessionReading]) -> dict | None:
    """The patient's pre-dose values in this session: the latest pre-dose reading with a blood
    pressure (a rise is measured from it)."""
    pre = [r for r in all_readings if r.pre_dose and r.vital_signs.systolic_mmhg]
    return values_of(pre[-1]) if pre else None


def compute_dose(session, plan_version, weight_kg) -> DoseWorking:
    """Today's dose for this session's patient from the plan, with its working (the arithmetic
    is `clinic.treatment.dosing.dose_for_plan`)."""
    patient = session.patient
    return dose_for_plan(
        plan_version, weight_kg=weight_kg, height_cm=patient.height_cm, sex=patient.sex
    )


def _local_today(session):
    return timezone.localtime(timezone.now(), session.location.zone).date()


def gate_facts(
    session,
    *,
    all_readings: list[SessionReading] | None = None,
    protocol: MonitoringProtocol | None = None,
) -> rules.GateFacts:
    """What the record says that the pre-dose gates judge (the reads; `rules.evaluate_gates`
    decides)."""
    patient = session.patient
    all_readings = readings(session) if all_readings is None else all_readings
    current = current_plan_version(patient)
    pre_visit = getattr(session.appointment, "pre_visit", None)
    pre = [r for r in all_readings if r.pre_dose]
    latest_bp = next((r for r in reversed(pre) if r.vital_signs.systolic_mmhg), None)
    return rules.GateFacts(
        today=_local_today(session),
        identity_confirmed=session.identity_confirmed_at is not None,
        consent_current=has_current_consent(patient, session.route),
        route_label=session.get_route_display(),
        plan=None
        if current is None
        else rules.PlanFact(
            number=current.number,
            is_sessions_plan=current.plan_id == session.plan_version.plan_id,
            route_matches=current.route == session.route,
            route_label=current.get_route_display(),
            start_date=current.start_date,
        ),
        fasting_confirmed=session.fasting_confirmed,
        patient_said_fasting=pre_visit.fasting_as_instructed
        if pre_visit is not None and pre_visit.answered_at
        else None,
        escort_confirmed=session.escort_confirmed,
        escort_name=session.escort_name,
        pregnancy_potential=patient.pregnancy_potential,
        pregnancy_potential_reason=pregnancy_potential_reason(patient),
        pregnancy_test=session.pregnancy_test,
        pregnancy_test_note=session.pregnancy_test_note,
        missing_questionnaires=tuple(missing_questionnaires(session)),
        open_safety_flags=SafetyAlert.objects.filter(
            patient=patient, status=SafetyAlertStatus.OPEN
        ).count(),
        pre_dose_values=values_of(latest_bp) if latest_bp is not None else None,
        pre_dose_taken_at_label=show_time(latest_bp.taken_at, session.location.zone)
        if latest_bp is not None
        else "",
        needs_weight=session.plan_version.dose_unit == DoseUnit.MG_PER_KG,
        weight_kg=session.weight_kg,
        # A pre-dose alert other than the blood-pressure gate (low SpO₂, fast pulse …) is looked
        # at before anyone doses.
        open_pre_dose_alerts=any(
            not breach.get("blocks_dosing")
            for alert in MonitoringAlert.objects.filter(
                session=session, reading__pre_dose=True, status=AlertStatus.OPEN
            )
            for breach in alert.breach_list
        ),
        limits=(protocol or protocol_for(session.route)).limits(),
        prior_doses=tuple(prior_doses(session)),
        minimum_days_between_doses=session.plan_version.protocol.minimum_days_between_doses,
        maximum_doses_per_7_days=session.plan_version.protocol.maximum_doses_per_7_days,
        rems=rems_fact(session),
        side_effect_reports=tuple(side_effects_since_last_dose(session)),
        **_age_facts(patient, session),
    )


def rems_fact(session) -> rules.RemsFact | None:
    """The Spravato REMS records the gate reads, when the REMS binds the session."""
    if not rems_applies(route=session.route, country=session.location.country):
        return None
    certification = current_rems_certification(session.location)
    enrolment = current_rems_enrolment(session.patient)
    return rules.RemsFact(
        certification_number=certification.certification_number if certification else "",
        patient_rems_id=enrolment.patient_rems_id if enrolment else "",
        enrolled_on=enrolment.enrolled_on if enrolment else None,
    )


# Before any record: "since the last dose" for a patient never dosed.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def side_effects_since_last_dose(session) -> list[rules.ReportedSideEffect]:
    """The side effects the patient reported since their last dose given (all of them before a
    first dose), and any older one no clinician has reviewed yet: one query, the last dose read
    inside it."""
    zone = session.location.zone
    last_dose = Subquery(
        TreatmentSession.objects.filter(patient_id=session.patient_id, dosed_at__isnull=False)
        .exclude(pk=session.pk)
        .order_by("-dosed_at")
        .values("dosed_at")[:1]
    )
    reports = SideEffectReport.objects.filter(patient_id=session.patient_id).filter(
        Q(reviewed_at__isnull=True)
        | Q(reported_at__gt=Coalesce(last_dose, Value(EARLIEST, output_field=DateTimeField())))
    )
    return [
        rules.ReportedSideEffect(
            reported_on_label=f"{show_weekday_date(report.reported_at, zone)}, {show_time(report.reported_at, zone)}",
            symptoms_label=", ".join(report.symptom_labels),
            reviewed=report.reviewed_at is not None,
        )
        for report in reports.order_by("reported_at", "id")[:20]
    ]


def _age_facts(patient, session) -> dict:
    """The patient's age in the clinic's zone today and, for a minor only (no query for an
    adult), whether a current guardian is recorded."""
    today = _local_today(session)
    minor = patient.is_minor_on(today)
    return {
        "age_years": patient.age_on(today),
        "is_minor": minor,
        "has_guardian": not minor or patient.guardians.filter(ended_at__isnull=True).exists(),
        "route": session.route,
    }


def prior_doses(session) -> list[rules.PriorDose]:
    """The patient's doses in their other sessions, by any route: each dose given, and each
    dose confirmed in a session still being prepared (it may be given at any moment, so two
    sessions of one patient open at once cannot both be dosed)."""
    zone = session.location.zone
    rows = (
        TreatmentSession.objects.filter(patient_id=session.patient_id)
        .exclude(pk=session.pk)
        .filter(
            Q(dosed_at__isnull=False)
            | Q(status=SessionStatus.PREPARATION, dose_confirmed_at__isnull=False)
        )
        .order_by("created_at")
    )
    doses = []
    for other in rows:
        given = other.dosed_at is not None
        at = other.dosed_at if given else other.dose_confirmed_at
        doses.append(
            rules.PriorDose(
                at=timezone.localtime(at, zone), given=given, route_label=other.get_route_display()
            )
        )
    return doses


def pregnancy_potential_reason(patient) -> str:
    """Why the record says the patient cannot be pregnant, and who recorded it when."""
    if patient.pregnancy_potential != PregnancyPotential.NOT_POSSIBLE:
        return ""
    reason = patient.get_pregnancy_potential_reason_display()
    if patient.pregnancy_potential_note:
        reason = (
            patient.pregnancy_potential_note
            if patient.pregnancy_potential_reason == NoPregnancyPotentialReason.OTHER
            else f"{reason}, {patient.pregnancy_potential_note}"
        )
    recorded = patient.pregnancy_potential_recorded_at
    if recorded is not None:
        by = patient.pregnancy_potential_recorded_by
        who = f" by {by.full_name}" if by is not None else ""
        local = timezone.localtime(recorded, patient.location.zone)
        reason += f" (recorded{who} on {show_date(local)})"
    return reason + ("" if reason.endswith(".") else ".")


def checklist(
    session,
    *,
    all_readings: list[SessionReading] | None = None,
    protocol: MonitoringProtocol | None = None,
) -> rules.Checklist:
    """Every gate before dosing, each with its reason, and any clinician overrides."""
    overrides = {o.gate: o for o in session.overrides.select_related("by")}
    facts = gate_facts(session, all_readings=all_readings, protocol=protocol)
    return rules.evaluate_gates(facts, overrides)


def missing_questionnaires(session) -> list[str]:
    """The plan's patient-answered questionnaires not completed in the days before the session."""
    codes = patient_answered(session.plan_version.instruments)
    if not codes:
        return []
    since = session.appointment.starts_at - rules.QUESTIONNAIRE_WINDOW
    done = set(
        AssessmentResponse.objects.filter(
            patient=session.patient,
            instrument_code__in=codes,
            status=ResponseStatus.COMPLETED,
            taken_at__gte=since,
        ).values_list("instrument_code", flat=True)
    )
    return [INSTRUMENTS[code].name for code in codes if code not in done]


def reading_facts(session, all_readings: list[SessionReading]) -> tuple[rules.ReadingFact, ...]:
    """The readings after the dose as discharge judges them (with ACVPU and oxygen), timed in the
    session's zone."""
    zone = session.location.zone
    return tuple(
        rules.ReadingFact(
            taken_at=r.taken_at,
            values={
                **values_of(r),
                "consciousness": r.vital_signs.consciousness,
                "on_supplemental_oxygen": r.vital_signs.on_supplemental_oxygen,
            },
            time_label=show_time(r.taken_at, zone),
        )
        for r in all_readings
        if not r.pre_dose
    )


def aldrete_from_record(session, *, all_readings: list[SessionReading] | None = None, now=None):
    """The Aldrete items the record answers now (`rules.derived_aldrete`), from the readings the
    caller has read: no query of its own when they are given."""
    all_readings = readings(session) if all_readings is None else all_readings
    return rules.derived_aldrete(
        reading_facts(session, all_readings), baseline(all_readings), now or timezone.now()
    )


def discharge_timeline(
    session,
    *,
    all_readings: list[SessionReading] | None = None,
    protocol: MonitoringProtocol | None = None,
) -> rules.DischargeTimeline:
    """What the record holds that discharge judges: the readings after the dose, the pre-dose
    baseline, the alerts' open spans, the infusion's end and the protocol's settings (the reads;
    `rules.facts_at` and `rules.first_ready_at` decide)."""
    protocol = protocol or protocol_for(session.route)
    all_readings = readings(session) if all_readings is None else all_readings
    events = list(session.infusion_events.order_by("at", "id").values_list("kind", "at"))
    ended_at = next(
        (at for kind, at in events if kind in (InfusionEventKind.STOP, InfusionEventKind.COMPLETE)),
        None,
    )
    minimum = max(
        protocol.minimum_observation_minutes, session.plan_version.protocol.observation_minutes
    )
    alerts = MonitoringAlert.objects.filter(session=session).values_list(
        "raised_at", "reading__taken_at", "acknowledged_at", "status"
    )
    return rules.DischargeTimeline(
        route=session.route,
        dosed_at=session.dosed_at,
        infusion_state=rules.infusion_state([kind for kind, _ in events], route=session.route),
        infusion_ended_at=ended_at,
        minimum_observation_minutes=minimum,
        aldrete_threshold=protocol.discharge_aldrete_threshold,
        limits=protocol.limits(),
        baseline=baseline(all_readings),
        readings=reading_facts(session, all_readings),
        # An alert counts from its reading's time when it was raised later (sent from offline),
        # and stays open while its status is open, whoever has looked at it.
        alerts=tuple(
            rules.AlertSpan(
                min(raised, taken), acknowledged if status != AlertStatus.OPEN else None
            )
            for raised, taken, acknowledged, status in alerts
        ),
        blood_pressure_check_minutes=protocol.blood_pressure_check_minutes,
        blood_pressure_check_window_minutes=protocol.blood_pressure_check_window_minutes,
    )


def schedule_status(
    session,
    all_readings: list[SessionReading],
    *,
    now=None,
    protocol: MonitoringProtocol | None = None,
):
    """The route's monitoring schedule: which reading is due next and which are overdue."""
    if session.dosed_at is None:
        return None
    protocol = protocol or protocol_for(session.route)
    schedule = [m for m in protocol.reading_schedule_minutes if m > 0]
    return reading_schedule_status(
        schedule_minutes=schedule,
        dosed_at=session.dosed_at,
        taken_at=[r.taken_at for r in all_readings if not r.pre_dose],
        now=now or timezone.now(),
    )


def open_alerts(session) -> list[MonitoringAlert]:
    return list(
        MonitoringAlert.objects.filter(session=session, status=AlertStatus.OPEN)
        .select_related("reading")
        .order_by("raised_at", "id")
    )


def appointments_to_start(viewer):
    """Treatment appointments at the viewer's locations within 12 hours of now (today's, in any
    location's time zone) that have no session yet."""

    now = timezone.now()
    return list(
        Appointment.objects.filter(
            patient__in=visible_patients(viewer),
            appointment_type__kind=AppointmentKind.TREATMENT,
            status__in=["booked", "checked_in"],
            starts_at__gte=now - timedelta(hours=12),
            starts_at__lt=now + timedelta(hours=12),
            treatment_session__isnull=True,
        )
        .select_related("patient", "room", "appointment_type", "location")
        .order_by("starts_at")
    )


def news2_of(reading: SessionReading):
    """NEWS2 of a reading: complete when every parameter is recorded, else the partial score
    with what is missing (`result.complete`, `result.missing_labels`); None when nothing scores."""
    v = reading.vital_signs
    result = news2_of_values({name: getattr(v, name) for name in NEWS2_VALUE_FIELDS})
    if result is None or not result.parameters.keys() - {"air_or_oxygen"}:
        return None
    return result


NEWS2_VALUE_FIELDS = (*VITAL_VALUE_FIELDS, "consciousness", "on_supplemental_oxygen")


def dissociation_ratings(session) -> list:
    """The session's CADSS-6 ratings in time order, each with its response (score), moment and
    rater. A session rated before ratings were rows of their own shows its one rating (moment
    not recorded)."""
    ratings = list(
        DissociationRating.objects.filter(session=session)
        .select_related("response", "rated_by")
        .order_by("taken_at", "id")
    )
    if not ratings and session.dissociation_response_id is not None:
        response = session.dissociation_response
        ratings = [
            DissociationRating(
                session=session,
                response=response,
                moment="",
                taken_at=response.taken_at,
                rated_by=response.entered_by,
            )
        ]
    return ratings


def infusion_progress(session, *, now=None, events=None) -> rules.InfusedDose | None:
    """What an IV infusion has delivered so far (rate × time up to now, or to its end), or None
    before it starts, for another route, or when a rate is missing. `events`: the session's
    infusion events when the caller has read them already (the page reads them once)."""
    if session.route != Route.IV or session.dosed_at is None or session.dose_mg is None:
        return None
    if events is None:
        rows = session.infusion_events.order_by("at", "id").values_list(
            "kind", "at", "rate_mg_per_hour"
        )
    else:
        rows = [
            (e.kind, e.at, e.rate_mg_per_hour) for e in sorted(events, key=lambda e: (e.at, e.id))
        ]
    entries = [rules.InfusionEntry(kind, at, rate) for kind, at, rate in rows]
    try:
        return rules.infused_dose(
            entries, dose_drawn_mg=session.dose_mg, until=now or timezone.now()
        )
    except ValueError:
        return None


# --- what the session page offers --------------------------------------------------------------
def checklist_while_preparing(session, *, all_readings=None, protocol=None):
    """The pre-dose checklist, judged only while the session is in preparation (None after)."""
    if session.status != SessionStatus.PREPARATION:
        return None
    return checklist(session, all_readings=all_readings, protocol=protocol)


def dose_to_confirm(session, the_checklist) -> tuple[DoseWorking | None, str | None]:
    """The dose offered for confirmation and why none can be (a plan the weight does not fit):
    worked out only once the checklist allows dosing, from the plan's newest version (the one
    the confirmation will use)."""
    if not (
        session.status == SessionStatus.PREPARATION
        and the_checklist
        and the_checklist.ready_to_dose
    ):
        return None, None
    try:
        plan_version = current_plan_version(session.patient) or session.plan_version
        return compute_dose(session, plan_version, session.weight_kg), None
    except ValueError as error:
        return None, str(error)


def pump_settings_for(session):
    """The pump settings for the dose as confirmed (an IV session with a confirmed dose), from
    which the infusion's rate is offered; None otherwise."""
    if session.route != Route.IV or session.dose_mg is None:
        return None
    return pump_settings(session.plan_version, dose_mg=session.dose_mg, weight_kg=session.weight_kg)


def aldrete_offered(session, *, all_readings=None) -> dict:
    """The Aldrete items the record answers, offered as scored from it, while the session is in
    progress (none otherwise)."""
    if session.status != SessionStatus.IN_PROGRESS:
        return {}
    return aldrete_from_record(session, all_readings=all_readings)


def discharge_initial(session, derived: dict) -> dict:
    """The discharge form's starting scores: the nurse's last; an item the record answers starts
    as the record scores it, unless the nurse kept a different score with a written reason."""
    initial = {name: getattr(session, f"aldrete_{name}") for name in ALDRETE_ITEMS}
    for name, item in derived.items():
        kept = session.aldrete_from_data.get(name) or {}
        if kept.get("reason") and kept.get("derived") == item.score:
            initial[f"{name}_reason"] = kept["reason"]
        else:
            initial[name] = item.score
    initial.update(
        escort_present=bool(session.escort_present),
        instructions_given=bool(session.instructions_given),
    )
    return initial


def sign_role_offered(user, session) -> str:
    """The signature a person is offered: the clinician's, to a prescriber while nobody has
    signed as clinician; else the nurse's."""
    signed = set(session.signatures.values_list("role", flat=True))
    if user.role in PRESCRIBER_ROLES and "clinician" not in signed:
        return "clinician"
    return "nurse"


def seal_is_checked(session) -> bool:
    """Whether the page checks the record against its signatures: once someone may have signed
    it (discharged, signed, or not done)."""
    return session.status in (
        SessionStatus.DISCHARGED,
        SessionStatus.SIGNED,
        SessionStatus.NOT_DONE,
    )


def infusion_progress_while_running(session, *, now=None, events=None):
    """The infusion's progress while the session is in progress (None before and after)."""
    if session.status != SessionStatus.IN_PROGRESS:
        return None
    return infusion_progress(session, now=now, events=events)


def minutes_since_dose(session, now) -> int | None:
    """Whole minutes since the dose was given (None before it)."""
    if not session.dosed_at:
        return None
    return int((now - session.dosed_at).total_seconds() // 60)


def containers_offer_open(session) -> bool:
    """Whether the register's containers are offered: only while the dose is still to be
    confirmed."""
    return session.status == SessionStatus.PREPARATION and session.dose_confirmed_at is None
