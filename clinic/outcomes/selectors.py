"""The outcomes page's figures, each one database aggregate over the requests, the sessions, or the
course summaries the services keep (clinic.outcomes.courses: one row per patient, one per series):
nothing here loops over patients in Python, and no figure searches every patient's sessions. Loops below run over the few stages, instruments
and protocols, never over rows of patients or sessions.

Each figure carries its definition (shown beside it on the page and in its CSV)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.assessments.instruments import all_instruments
from clinic.assessments.policy import clinic_instrument, get_policy
from clinic.core.models import Location
from clinic.intake.models import ConsultationRequest
from clinic.outcomes.courses import OUTCOME_AT_SESSION, THREE_MONTH_WINDOW_DAYS
from clinic.outcomes.models import CourseSummary, OutcomeScore, SessionFigures
from clinic.outcomes.statistics import interpolate, quantile_positions, wilson_interval
from clinic.scheduling.choices import AppointmentStatus, CancelReason
from clinic.scheduling.models import Appointment
from clinic.sessions.models import MonitoringAlert
from clinic.treatment.models import ProtocolTemplate, TreatmentPlanVersion

# A cancellation by the patient less than this many hours before the start counts as late
# [UNVERIFIED: clinic policy; no source sets the window].
LATE_CANCELLATION_HOURS = 24
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


def _day_start(day: date) -> datetime:
    """Midnight starting `day` in the current time zone: the same days as a `__date` lookup,
    compared with the stored time itself (an index's order) instead of converting every row."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _day_after(day: date) -> datetime:
    """Midnight ending `day` (the start of the next) in the current time zone."""
    return _day_start(day + timedelta(days=1))


def _cohort(filters: OutcomeFilters):
    requests = ConsultationRequest.objects.all()
    if filters.date_from:
        requests = requests.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        requests = requests.filter(created_at__lt=_day_after(filters.date_to))
    if filters.location is not None:
        requests = requests.filter(location=filters.location)
    if filters.condition:
        # The request's conditions are a JSON list of codes; a code is matched with its quotes so
        # that one code never matches inside another.
        if connection.vendor == "postgresql":
            # jsonb containment (@>): the list holds the code as one of its elements.
            requests = requests.filter(conditions__contains=[filters.condition])
        else:
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
    # The requests are counted, then the course summaries (kept by the services,
    # clinic.outcomes.courses) of their patients, one stage a condition: a request has at most
    # one patient and a patient at most one request, so each count is of requests.
    flags = {
        "evaluated": Q(evaluated=True),
        "suitable": Q(suitable=True),
        "plan_signed": Q(plan_signed=True),
        "session_1": Q(dosed_sessions__gte=1),
        "session_6": Q(dosed_sessions__gte=OUTCOME_AT_SESSION),
        "maintenance": Q(induction_sessions__gt=0, dosed_sessions__gt=F("induction_sessions")),
        "finished": Q(plan_completed=True),
        "stopped": Q(plan_stopped=True),
    }
    cohort = _cohort(filters)
    rows = CourseSummary.objects.filter(
        patient_id__in=cohort.filter(patient__isnull=False).values("patient_id")
    ).aggregate(**{key: Count("pk", filter=condition) for key, condition in flags.items()})
    rows["consultation"] = cohort.count()
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


class PercentilesCont(Aggregate):
    """PostgreSQL's `percentile_cont(ARRAY[q, …]) WITHIN GROUP (ORDER BY expression)`: the
    quantiles by linear interpolation between order statistics (the same type 7 as
    clinic.outcomes.statistics.quantile_positions), all from one sort of the values. NULLs are
    left out."""

    function = "percentile_cont"
    template = "%(function)s(ARRAY[%(fractions)s]) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fractions: tuple[float, ...], **extra) -> None:
        super().__init__(
            expression, fractions=", ".join(repr(float(q)) for q in fractions), **extra
        )


QUARTILES = (0.25, 0.5, 0.75)


def _decimal(value) -> Decimal:
    return Decimal(str(value))


def _quartiles_aggregate(field: str, output_field=None, **extra) -> PercentilesCont:
    """The three quartiles of `field` as one PostgreSQL aggregate (one sort of the values)."""
    return PercentilesCont(
        field, QUARTILES, output_field=ArrayField(output_field or FloatField()), **extra
    )


def _from_quartiles(values, as_number=_decimal) -> tuple[Decimal, Decimal, Decimal]:
    """(median, first quartile, third quartile) from the aggregate's [q1, median, q3]."""
    q1, median, q3 = (as_number(value).quantize(Decimal("0.1")) for value in values)
    return median, q1, q3


def _quartiles(
    rows, n: int, field: str = "change", as_number=_decimal, output_field=None
) -> tuple[Decimal, Decimal, Decimal]:
    """Median and quartiles of the annotated `field` over `n` rows (`as_number` turns a value
    into a Decimal). PostgreSQL computes the three in one aggregate; elsewhere each value is read
    by the database at its sorted position."""
    found = []
    if connection.vendor == "postgresql":
        values = rows.aggregate(quartiles=_quartiles_aggregate(field, output_field))["quartiles"]
        return _from_quartiles(values, as_number)
    ordered = rows.order_by(field).values_list(field, flat=True)
    for q in QUARTILES:
        lower, upper, weight = quantile_positions(n, q)
        values = [as_number(v) for v in ordered[lower : upper + 1]]
        found.append(interpolate(values[0], values[-1], weight).quantize(Decimal("0.1")))
    return found[1], found[0], found[2]


def response_at_session_6(filters: OutcomeFilters) -> list[OutcomeRow]:
    """Response and remission read on the first score on or after the sixth dose."""
    return _responses(filters, anchor="outcome_dose", window=None)


def response_at_3_months(filters: OutcomeFilters) -> list[OutcomeRow]:
    """Response and remission read on the first score from 12 weeks after the first dose, within
    the following 4 weeks; only patients whose first dose is at least 12 weeks ago count."""
    return _responses(filters, anchor="first_dose", window=THREE_MONTH_WINDOW_DAYS)


def _condition_protocol_ids(condition: str, protocols=None) -> list[int]:
    """The protocols treating `condition` (from `protocols` when the caller has read them all,
    else read): a handful of rows, so that each figure filters its own column by a list instead
    of joining the protocols."""
    if protocols is None:
        protocols = ProtocolTemplate.objects.filter(indication=condition)
    return [p.pk for p in protocols if p.indication == condition]


def _responses(
    filters: OutcomeFilters, *, anchor: str, window: tuple[int, int] | None
) -> list[OutcomeRow]:
    """Each instrument's response and remission per protocol, read at `anchor` (the course
    summary's "outcome_dose" or "first_dose"): the first score on or after it, or (`window`,
    days after it) the first score inside the window, as the course summary keeps them.

    One grouped query over every instrument's series (grouped by instrument and protocol): each
    instrument's own response and remission rules are conditions on its own rows, so the scores
    and course summaries are read once, not once per instrument."""
    reading = (
        f"after session {OUTCOME_AT_SESSION}"
        if window is None
        else f"in weeks {window[0] // 7}–{window[1] // 7} after the first dose"
    )
    policy = get_policy()
    protocols = {p.pk: p for p in ProtocolTemplate.objects.all()}
    instruments = {}
    responded = Q(pk__in=[])
    eligible = Q(pk__in=[])
    remitted = Q(pk__in=[])
    assessed = Q(baseline_total__isnull=False, score__isnull=False)
    for listed in all_instruments():
        instrument = clinic_instrument(listed.code, policy)
        outcome = instrument.outcome
        rule = _response_rule(outcome)
        if rule is None:
            continue
        instruments[instrument.code] = instrument
        own = Q(instrument_code=instrument.code)
        responded |= own & rule
        if outcome.remission_below is not None:
            own_eligible = own & Q(baseline_total__gte=outcome.remission_below)
            eligible |= own_eligible
            own_remitted = own_eligible & Q(score__lt=outcome.remission_below)
            remitted |= own_remitted & rule if outcome.remission_needs_response else own_remitted
    if not instruments:
        return []
    rows = OutcomeScore.objects.filter(instrument_code__in=list(instruments)).annotate(
        anchor_at=F(f"course__{anchor}_at"),
        protocol_id=F(f"course__{anchor}_protocol_id"),
        route=F(f"course__{anchor}_route"),
        score=F("score_after_outcome_dose" if window is None else "score_at_3_months"),
    )
    rows = rows.filter(anchor_at__isnull=False)
    if window is not None:
        rows = rows.filter(anchor_at__lte=timezone.now() - timedelta(days=window[0]))
    rows = rows.annotate(
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
        rows = rows.filter(course__location=filters.location)
    if filters.date_from:
        rows = rows.filter(anchor_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        rows = rows.filter(anchor_at__lt=_day_after(filters.date_to))
    if filters.route:
        rows = rows.filter(route=filters.route)
    if filters.protocol is not None:
        rows = rows.filter(protocol_id=filters.protocol.pk)
    if filters.condition:
        rows = rows.filter(
            protocol_id__in=_condition_protocol_ids(filters.condition, protocols.values())
        )
    groups = (
        rows.order_by()
        .values("instrument_code", "protocol_id")
        .annotate(
            patients=Count("pk"),
            baseline_missing=Count("pk", filter=Q(baseline_total__isnull=True)),
            no_score_after=Count("pk", filter=Q(baseline_total__isnull=False, score__isnull=True)),
            assessed=Count("pk", filter=assessed),
            responders=Count("pk", filter=assessed & responded),
            remission_eligible=Count("pk", filter=assessed & eligible),
            remitters=Count("pk", filter=assessed & remitted),
            # PostgreSQL computes each group's quartiles in the same pass.
            **(
                {"quartiles": _quartiles_aggregate("change", filter=assessed)}
                if connection.vendor == "postgresql"
                else {}
            ),
        )
    )
    by_instrument: dict[str, list[dict]] = {code: [] for code in instruments}
    for group in groups:
        by_instrument[group["instrument_code"]].append(group)
    results: list[OutcomeRow] = []
    for code, instrument in instruments.items():
        outcome = instrument.outcome
        for group in sorted(by_instrument[code], key=lambda g: g["protocol_id"]):
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
            if row.assessed and "quartiles" in group:
                row.median_change, row.change_q1, row.change_q3 = _from_quartiles(
                    group["quartiles"]
                )
            elif row.assessed:
                in_group = rows.filter(
                    assessed, instrument_code=code, protocol_id=group["protocol_id"]
                )
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


def discharge_delay(figures, *, total: int, measured: int, quartiles=None) -> Rate:
    """The median minutes from "ready for discharge" (every discharge criterion first met) to
    the discharge itself, over the `measured` dosed sessions that have both times (of `total`
    dosed sessions). `quartiles`: the delays' [q1, median, q3] when the caller's aggregate already
    computed them (PostgreSQL)."""
    delays = figures.filter(discharge_delay__isnull=False)
    definition = (
        "Median minutes from the moment every discharge criterion was first met to the "
        "discharge, over the dosed sessions with both times (From: those sessions / all dosed "
        "sessions)."
    )
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
    if quartiles is not None:
        median, q1, q3 = _from_quartiles(quartiles, _minutes)
    else:
        median, q1, q3 = _quartiles(
            delays,
            measured,
            field="discharge_delay",
            as_number=_minutes,
            output_field=DurationField(),
        )
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
    # The dosed sessions' figures rows (clinic.outcomes.courses keeps one per dosed session):
    # one narrow table carries every session figure and its filters.
    figures = SessionFigures.objects.all()
    appointments = Appointment.objects.filter(
        appointment_type__kind="treatment", starts_at__lt=timezone.now()
    )
    if filters.date_from:
        figures = figures.filter(dosed_at__gte=_day_start(filters.date_from))
        appointments = appointments.filter(starts_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        figures = figures.filter(dosed_at__lt=_day_after(filters.date_to))
        appointments = appointments.filter(starts_at__lt=_day_after(filters.date_to))
    if filters.location is not None:
        figures = figures.filter(location=filters.location)
        appointments = appointments.filter(location=filters.location)
    if filters.route:
        figures = figures.filter(route=filters.route)
        appointments = appointments.filter(appointment_type__route=filters.route)
    if filters.protocol is not None:
        figures = figures.filter(protocol=filters.protocol)
        appointments = appointments.filter(plan_version__protocol=filters.protocol)
    if filters.condition:
        treating = _condition_protocol_ids(filters.condition)
        figures = figures.filter(protocol_id__in=treating)
        appointments = appointments.filter(plan_version__protocol_id__in=treating)
    counts = figures.aggregate(
        sessions=Count("*"),
        patients=Count("patient", distinct=True),
        measured=Count("discharge_delay"),  # COUNT of a column counts its non-null values
        side_effects=Coalesce(Sum("side_effects"), 0),
        # PostgreSQL reads the delays' quartiles in the same scan (the aggregate leaves out the
        # sessions without a delay).
        **(
            {"delay_quartiles": _quartiles_aggregate("discharge_delay", DurationField())}
            if connection.vendor == "postgresql"
            else {}
        ),
    )
    side_effects = counts["side_effects"]
    # Alerts are few beside the sessions: each is looked up against the sessions' rows.
    alerts = MonitoringAlert.objects.filter(session_id__in=figures.values("session_id")).count()
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
        discharge_delay(
            figures,
            total=counts["sessions"],
            measured=counts["measured"],
            quartiles=counts.get("delay_quartiles"),
        ),
    ]
