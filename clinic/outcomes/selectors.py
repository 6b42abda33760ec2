"""The outcomes page's figures, each one database aggregate (annotate/aggregate over subqueries):
nothing here loops over patients in Python. Loops below run over the few stages, instruments
and protocols, never over rows of patients or sessions.

Each figure carries its definition (shown beside it on the page and in its CSV)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.assessments.choices import ResponseStatus
from clinic.assessments.instruments import all_instruments
from clinic.assessments.models import AssessmentResponse, ProgressSummary
from clinic.assessments.policy import clinic_instrument, get_policy
from clinic.core.models import Location
from clinic.evaluation.choices import Decision, EvaluationStatus
from clinic.evaluation.models import Evaluation
from clinic.intake.models import ConsultationRequest
from clinic.outcomes.statistics import interpolate, quantile_positions, wilson_interval
from clinic.scheduling.choices import AppointmentStatus, CancelReason
from clinic.scheduling.models import Appointment
from clinic.sessions.models import MonitoringAlert, SideEffect, TreatmentSession
from clinic.treatment.choices import PlanStatus
from clinic.treatment.models import ProtocolTemplate, TreatmentPlan, TreatmentPlanVersion

# The session at which response and remission are read: the sixth, the end of the usual IV
# induction of six infusions over 2–3 weeks (Murrough et al., Biol Psychiatry 2013;74:250–256;
# Phillips et al., Am J Psychiatry 2019;176:401–409).
OUTCOME_AT_SESSION = 6
# Response at 3 months: the first score from 12 weeks (84 days) after the first dose, up to 16
# weeks (112 days) [UNVERIFIED: clinic policy; a 4-week window so that a score taken a little
# late still counts, and a score months later is not read as the 3-month one].
THREE_MONTH_WINDOW_DAYS = (84, 112)
# A cancellation by the patient less than this many hours before the start counts as late
# [UNVERIFIED: clinic policy; no source sets the window].
LATE_CANCELLATION_HOURS = 24
SIGNED_EVALUATION = (EvaluationStatus.COMPLETED, EvaluationStatus.AMENDED)
PATIENT_CANCELLATIONS = (CancelReason.PATIENT_REQUEST, CancelReason.ILLNESS)


@dataclass(frozen=True)
class OutcomeFilters:
    date_from: date | None = None
    date_to: date | None = None
    location: Location | None = None
    condition: str = ""
    route: str = ""
    protocol: ProtocolTemplate | None = None

    def as_details(self) -> dict[str, str]:
        """What the audit row records of the filter."""
        return {
            "date_from": str(self.date_from or ""),
            "date_to": str(self.date_to or ""),
            "location": str(getattr(self.location, "pk", "") or ""),
            "condition": self.condition,
            "route": self.route,
            "protocol": str(getattr(self.protocol, "pk", "") or ""),
        }


def _dosed(patient_ref: str = "patient"):
    return TreatmentSession.objects.filter(patient=OuterRef(patient_ref), dosed_at__isnull=False)


# --- 1. the funnel -------------------------------------------------------------------------
@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    definition: str
    count: int
    # Percent of the stage before (None for the first, or when the one before is empty).
    conversion_percent: Decimal | None
    of_stage: str = ""

    @property
    def empty_reason(self) -> str:
        return "no patients yet" if self.count == 0 else ""


STAGES = [
    ("consultation", "Consultation", "Consultation requests received in the date range."),
    ("evaluated", "Evaluated", "Of those, the person has a signed comprehensive evaluation."),
    ("suitable", "Suitable", "A signed evaluation decided “suitable for ketamine treatment”."),
    ("plan_signed", "Plan signed", "A treatment plan version was signed."),
    ("session_1", "Session 1", "At least one session with a dose given."),
    (
        "session_6",
        f"Session {OUTCOME_AT_SESSION}",
        f"At least {OUTCOME_AT_SESSION} sessions with a dose given.",
    ),
    (
        "maintenance",
        "Maintenance",
        "More dosed sessions than the induction the latest signed plan set.",
    ),
    ("finished", "Finished", "A plan ended as completed (percent of those who reached session 1)."),
    ("stopped", "Stopped", "A plan ended as stopped (percent of those who reached session 1)."),
]


def _cohort(filters: OutcomeFilters):
    requests = ConsultationRequest.objects.all()
    if filters.date_from:
        requests = requests.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        requests = requests.filter(created_at__date__lte=filters.date_to)
    if filters.location is not None:
        requests = requests.filter(location=filters.location)
    if filters.condition:
        # The request's conditions are a JSON list of codes; a code is matched with its quotes so
        # that one code never matches inside another.
        requests = requests.filter(conditions__icontains=f'"{filters.condition}"')
    if filters.route or filters.protocol is not None:
        versions = TreatmentPlanVersion.objects.filter(plan__patient=OuterRef("patient"))
        if filters.route:
            versions = versions.filter(route=filters.route)
        if filters.protocol is not None:
            versions = versions.filter(protocol=filters.protocol)
        requests = requests.filter(Exists(versions))
    return requests


def funnel(filters: OutcomeFilters) -> list[Stage]:
    signed = Evaluation.objects.filter(patient=OuterRef("patient"), status__in=SIGNED_EVALUATION)
    dosed_count = Subquery(
        _dosed().order_by().values("patient").annotate(n=Count("pk")).values("n")[:1],
        output_field=IntegerField(),
    )
    induction = Subquery(
        TreatmentPlanVersion.objects.filter(plan__patient=OuterRef("patient"))
        .order_by("-signed_at")
        .values("induction_sessions")[:1],
        output_field=IntegerField(),
    )
    plans = TreatmentPlan.objects.filter(patient=OuterRef("patient"))
    # Each stage is a 0/1 column per request, summed: Django answers an aggregate over annotated
    # subqueries from a wrapping query, where a boolean annotation used as a count's filter was
    # lost and a subquery written into the filter could not reach the request's columns.
    signed_plan = TreatmentPlanVersion.objects.filter(plan__patient=OuterRef("patient"))
    dosed = Coalesce(dosed_count, 0)
    flags = {
        "consultation": Value(1),
        "evaluated": Exists(signed),
        "suitable": Exists(signed.filter(decision=Decision.SUITABLE)),
        "plan_signed": Exists(signed_plan),
        "session_1": Q(dosed__gte=1),
        "session_6": Q(dosed__gte=OUTCOME_AT_SESSION),
        "maintenance": Q(induction__gt=0, dosed__gt=F("induction")),
        "finished": Exists(plans.filter(status=PlanStatus.COMPLETED)),
        "stopped": Exists(plans.filter(status=PlanStatus.STOPPED)),
    }
    annotated = _cohort(filters).annotate(dosed=dosed, induction=Coalesce(induction, 0))
    annotated = annotated.annotate(
        **{
            f"is_{key}": Case(When(condition, then=Value(1)), default=Value(0))
            if key != "consultation"
            else condition
            for key, condition in flags.items()
        }
    )
    rows = annotated.aggregate(
        **{key: Coalesce(Sum(f"is_{key}"), 0) for key in flags},
    )
    stages = []
    previous = None
    for key, label, definition in STAGES:
        base_key = "session_1" if key in ("finished", "stopped") else previous
        base = rows[base_key] if base_key else None
        percent = None
        if base:
            percent = (Decimal(rows[key]) * 100 / base).quantize(Decimal("0.1"))
        base_label = next((s[1] for s in STAGES if s[0] == base_key), "")
        stages.append(Stage(key, label, definition, rows[key], percent, base_label))
        if key not in ("finished", "stopped"):
            previous = key
    return stages


# --- 2. response and remission at session 6 ------------------------------------------------
@dataclass
class OutcomeRow:
    instrument: str
    instrument_name: str
    protocol: str
    condition: str
    route: str
    # Patients who reached session 6 with this instrument on record.
    patients: int
    baseline_missing: int
    no_score_after: int
    # Patients with a baseline and a score after session 6: the denominator of response.
    assessed: int
    responders: int
    # Of the assessed, those whose baseline was at or above the remission cut-off.
    remission_eligible: int
    remitters: int
    response_definition: str
    remission_definition: str
    response_ci: tuple[float, float] | None = None
    remission_ci: tuple[float, float] | None = None
    median_change: Decimal | None = None
    change_q1: Decimal | None = None
    change_q3: Decimal | None = None
    empty_reasons: dict[str, str] = field(default_factory=dict)

    @property
    def response_percent(self):
        return None if not self.assessed else Decimal(self.responders * 100) / self.assessed

    @property
    def remission_percent(self):
        if not self.remission_eligible:
            return None
        return Decimal(self.remitters * 100) / self.remission_eligible


def _response_rule(outcome):
    """The instrument's own response rule as a condition on the annotated score and baseline."""
    if outcome.response_reduction_percent is not None:
        factor = Decimal(100 - outcome.response_reduction_percent) / 100
        return Q(baseline_total__gt=0, score__lte=F("baseline_total") * Value(factor))
    if outcome.response_reduction_points is not None:
        return Q(drop__gte=outcome.response_reduction_points)
    return None


def _quartiles(
    rows, n: int, field: str = "change", as_number=Decimal
) -> tuple[Decimal, Decimal, Decimal]:
    """Median and quartiles of the annotated `field` over `n` rows, each value read by the
    database at its sorted position (`as_number` turns a value into a Decimal)."""
    ordered = rows.order_by(field).values_list(field, flat=True)
    found = []
    for q in (0.25, 0.5, 0.75):
        lower, upper, weight = quantile_positions(n, q)
        values = [as_number(v) for v in ordered[lower : upper + 1]]
        found.append(interpolate(values[0], values[-1], weight).quantize(Decimal("0.1")))
    return found[1], found[0], found[2]


def response_at_session_6(filters: OutcomeFilters) -> list[OutcomeRow]:
    """Response and remission read on the first score on or after the sixth dose."""
    sixth = _dosed().order_by("dosed_at", "pk")[OUTCOME_AT_SESSION - 1 : OUTCOME_AT_SESSION]
    return _responses(filters, anchor=sixth, window=None)


def response_at_3_months(filters: OutcomeFilters) -> list[OutcomeRow]:
    """Response and remission read on the first score from 12 weeks after the first dose, within
    the following 4 weeks; only patients whose first dose is at least 12 weeks ago count."""
    first = _dosed().order_by("dosed_at", "pk")[:1]
    return _responses(filters, anchor=first, window=THREE_MONTH_WINDOW_DAYS)


def _responses(
    filters: OutcomeFilters, *, anchor, window: tuple[int, int] | None
) -> list[OutcomeRow]:
    """Each instrument's response and remission per protocol, read at `anchor` (a session
    subquery per patient): the first score on or after it, or (`window`, days after it) the first
    score inside the window."""
    reading = (
        f"after session {OUTCOME_AT_SESSION}"
        if window is None
        else f"in weeks {window[0] // 7}–{window[1] // 7} after the first dose"
    )
    policy = get_policy()
    results: list[OutcomeRow] = []
    protocols = {p.pk: p for p in ProtocolTemplate.objects.all()}
    for listed in all_instruments():
        instrument = clinic_instrument(listed.code, policy)
        outcome = instrument.outcome
        rule = _response_rule(outcome)
        if rule is None:
            continue
        scores = AssessmentResponse.objects.filter(
            patient=OuterRef("patient"),
            instrument_code=instrument.code,
            status=ResponseStatus.COMPLETED,
        )
        rows = (
            ProgressSummary.objects.filter(instrument_code=instrument.code)
            .annotate(
                anchor_at=Subquery(anchor.values("dosed_at")),
                protocol_id=Subquery(anchor.values("plan_version__protocol_id")),
                route=Subquery(anchor.values("route")),
            )
            .filter(anchor_at__isnull=False)
        )
        if window is None:
            scores = scores.filter(taken_at__gte=OuterRef("anchor_at"))
        else:
            start, end = window
            rows = rows.filter(anchor_at__lte=timezone.now() - timedelta(days=start)).annotate(
                window_start=ExpressionWrapper(
                    F("anchor_at") + timedelta(days=start), output_field=DateTimeField()
                ),
                window_end=ExpressionWrapper(
                    F("anchor_at") + timedelta(days=end), output_field=DateTimeField()
                ),
            )
            scores = scores.filter(
                taken_at__gte=OuterRef("window_start"), taken_at__lt=OuterRef("window_end")
            )
        rows = rows.annotate(
            score=Subquery(scores.order_by("taken_at", "pk").values("total")[:1])
        ).annotate(
            change=ExpressionWrapper(
                F("score") - F("baseline_total"),
                output_field=DecimalField(max_digits=7, decimal_places=2),
            ),
            drop=ExpressionWrapper(
                F("baseline_total") - F("score"),
                output_field=DecimalField(max_digits=7, decimal_places=2),
            ),
        )
        if filters.location is not None:
            rows = rows.filter(patient__location=filters.location)
        if filters.date_from:
            rows = rows.filter(anchor_at__date__gte=filters.date_from)
        if filters.date_to:
            rows = rows.filter(anchor_at__date__lte=filters.date_to)
        if filters.route:
            rows = rows.filter(route=filters.route)
        if filters.protocol is not None:
            rows = rows.filter(protocol_id=filters.protocol.pk)
        if filters.condition:
            rows = rows.filter(
                protocol_id__in=[
                    p.pk for p in protocols.values() if p.indication == filters.condition
                ]
            )
        assessed = Q(baseline_total__isnull=False, score__isnull=False)
        eligible = Q(pk__in=[])
        remitted = Q(pk__in=[])
        if outcome.remission_below is not None:
            eligible = assessed & Q(baseline_total__gte=outcome.remission_below)
            remitted = eligible & Q(score__lt=outcome.remission_below)
            if outcome.remission_needs_response:
                remitted &= rule
        groups = (
            rows.order_by()
            .values("protocol_id")
            .annotate(
                patients=Count("pk"),
                baseline_missing=Count("pk", filter=Q(baseline_total__isnull=True)),
                no_score_after=Count(
                    "pk", filter=Q(baseline_total__isnull=False, score__isnull=True)
                ),
                assessed=Count("pk", filter=assessed),
                responders=Count("pk", filter=assessed & rule),
                remission_eligible=Count("pk", filter=eligible),
                remitters=Count("pk", filter=remitted),
            )
            .order_by("protocol_id")
        )
        for group in groups:
            protocol = protocols[group["protocol_id"]]
            row = OutcomeRow(
                instrument=instrument.code,
                instrument_name=instrument.name,
                protocol=protocol.name,
                condition=protocol.get_indication_display(),
                route=protocol.get_route_display(),
                patients=group["patients"],
                baseline_missing=group["baseline_missing"],
                no_score_after=group["no_score_after"],
                assessed=group["assessed"],
                responders=group["responders"],
                remission_eligible=group["remission_eligible"],
                remitters=group["remitters"],
                response_definition=outcome.response_definition,
                remission_definition=outcome.remission_definition,
            )
            row.response_ci = wilson_interval(row.responders, row.assessed)
            row.remission_ci = wilson_interval(row.remitters, row.remission_eligible)
            if row.assessed:
                in_group = rows.filter(assessed, protocol_id=group["protocol_id"])
                row.median_change, row.change_q1, row.change_q3 = _quartiles(in_group, row.assessed)
            else:
                reason = "baseline missing" if row.baseline_missing else f"no score yet {reading}"
                row.empty_reasons["response"] = reason
            if not row.remission_eligible:
                row.empty_reasons["remission"] = (
                    "no remission rule for this instrument"
                    if outcome.remission_below is None
                    else row.empty_reasons.get("response")
                    or "every baseline was already below the cut-off"
                )
            results.append(row)
    return results


# --- 3. sessions and attendance ------------------------------------------------------------
@dataclass(frozen=True)
class Rate:
    key: str
    label: str
    definition: str
    numerator: int
    denominator: int
    per: int
    value: Decimal | None

    @property
    def empty_reason(self) -> str:
        return "no sessions yet" if self.value is None else ""


def _rate(key, label, definition, numerator, denominator, per) -> Rate:
    value = None
    if denominator:
        value = (Decimal(numerator) * per / denominator).quantize(Decimal("0.01"))
    return Rate(key, label, definition, numerator, denominator, per, value)


def _minutes(duration) -> Decimal:
    return Decimal(duration.total_seconds()) / 60


def discharge_delay(sessions) -> Rate:
    """The median minutes from "ready for discharge" (every discharge criterion first met) to
    the discharge itself, over the dosed sessions that have both times."""
    delays = sessions.filter(
        ready_for_discharge_at__isnull=False, discharged_at__isnull=False
    ).annotate(
        delay=ExpressionWrapper(
            F("discharged_at") - F("ready_for_discharge_at"), output_field=DurationField()
        )
    )
    measured = delays.count()
    definition = (
        "Median minutes from the moment every discharge criterion was first met to the "
        "discharge, over the dosed sessions with both times (From: those sessions / all dosed "
        "sessions)."
    )
    total = sessions.count()
    if not measured:
        return Rate(
            "discharge_delay_minutes",
            "Discharge delay, median (min)",
            definition,
            0,
            total,
            1,
            None,
        )
    median, q1, q3 = _quartiles(delays, measured, field="delay", as_number=_minutes)
    return Rate(
        "discharge_delay_minutes",
        "Discharge delay, median (min)",
        f"{definition} Interquartile range {q1}–{q3} min.",
        measured,
        total,
        1,
        median,
    )


def session_rates(filters: OutcomeFilters) -> list[Rate]:
    sessions = TreatmentSession.objects.filter(dosed_at__isnull=False)
    appointments = Appointment.objects.filter(
        appointment_type__kind="treatment", starts_at__lt=timezone.now()
    )
    if filters.date_from:
        sessions = sessions.filter(dosed_at__date__gte=filters.date_from)
        appointments = appointments.filter(starts_at__date__gte=filters.date_from)
    if filters.date_to:
        sessions = sessions.filter(dosed_at__date__lte=filters.date_to)
        appointments = appointments.filter(starts_at__date__lte=filters.date_to)
    if filters.location is not None:
        sessions = sessions.filter(location=filters.location)
        appointments = appointments.filter(location=filters.location)
    if filters.route:
        sessions = sessions.filter(route=filters.route)
        appointments = appointments.filter(appointment_type__route=filters.route)
    if filters.protocol is not None:
        sessions = sessions.filter(plan_version__protocol=filters.protocol)
        appointments = appointments.filter(plan_version__protocol=filters.protocol)
    if filters.condition:
        sessions = sessions.filter(plan_version__protocol__indication=filters.condition)
        appointments = appointments.filter(plan_version__protocol__indication=filters.condition)
    counts = sessions.aggregate(sessions=Count("pk"), patients=Count("patient", distinct=True))
    side_effects = SideEffect.objects.filter(session__in=sessions).count()
    alerts = MonitoringAlert.objects.filter(session__in=sessions).count()
    late = Q(
        status=AppointmentStatus.CANCELLED,
        cancel_reason__in=PATIENT_CANCELLATIONS,
        cancelled_at__gt=F("starts_at") - timedelta(hours=LATE_CANCELLATION_HOURS),
    )
    attended_or_missed = Q(status__in=[AppointmentStatus.COMPLETED, AppointmentStatus.CHECKED_IN])
    no_show = Q(status=AppointmentStatus.NO_SHOW)
    visits = appointments.aggregate(
        no_shows=Count("pk", filter=no_show),
        late=Count("pk", filter=late),
        due=Count("pk", filter=attended_or_missed | no_show | late),
    )
    return [
        _rate(
            "sessions_per_patient",
            "Sessions per patient",
            "Sessions with a dose given, divided by the patients who had at least one.",
            counts["sessions"],
            counts["patients"],
            1,
        ),
        _rate(
            "side_effects_per_100",
            "Side effects per 100 sessions",
            "Side effects recorded during dosed sessions, per 100 dosed sessions.",
            side_effects,
            counts["sessions"],
            100,
        ),
        _rate(
            "alerts_per_100",
            "Monitoring alerts per 100 sessions",
            "Readings outside the protocol's limits (one alert per reading), per 100 dosed sessions.",
            alerts,
            counts["sessions"],
            100,
        ),
        _rate(
            "no_show_percent",
            "No-show rate (%)",
            "Past treatment appointments marked no-show, of those attended, missed or cancelled late.",
            visits["no_shows"],
            visits["due"],
            100,
        ),
        _rate(
            "late_cancellation_percent",
            "Late cancellation rate (%)",
            f"Cancelled by the patient (asked, or unwell) less than {LATE_CANCELLATION_HOURS} h "
            "before the start [clinic policy], of the same appointments.",
            visits["late"],
            visits["due"],
            100,
        ),
        discharge_delay(sessions),
    ]
