"""Every value the clinic works to that no primary source fixes (marked UNVERIFIED where it is
defined: a model's comment, a seed, a rule's constant): where it lives, what it is called, its
unit and its source note. The sign-off page lists them by area, so that the medical director
accepts each for this clinic (or changes it first); `tests/test_unverified.py` fails when a model
marks a value UNVERIFIED that is not here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from clinic.configuration.choices import TargetKind
from clinic.configuration.targets import TARGETS, counted
from clinic.evaluation.choices import RuleSetStatus
from clinic.evaluation.models import ContraindicationRule
from clinic.scheduling.models import AppointmentType
from clinic.sessions.rules import DISCHARGE_READING_MAX_AGE
from clinic.treatment.choices import DoseUnit
from clinic.treatment.rules import REMS_IDENTIFIER_PATTERN

MARK = "UNVERIFIED"

# (row, value in words): one line of a value's current state ("IV infusion: 180 mmHg").
Reading = tuple[str, str]


class Rows:
    """The rows a page reads once for every item (one query per kind)."""

    def __init__(self) -> None:
        self._rows: dict[Any, list[Any]] = {}

    def of(self, key: Any, read: Callable[[], Iterable[Any]]) -> list[Any]:
        if key not in self._rows:
            self._rows[key] = list(read())
        return self._rows[key]


@dataclass(frozen=True)
class UnverifiedValue:
    key: str
    area: str
    label: str
    # Where the value lives, in words ("Monitoring limits, each route: stop levels").
    where: str
    source_note: str
    # Each reading's value carries its own unit ("90 minutes"), so the page shows it once.
    read: Callable[[Rows], list[Reading]]
    # The configuration pages edit it there; None: it is set in the code (a new release).
    kind: TargetKind | None = None
    # "app_label.Model.field" for each model field it covers (the registry's test reads these).
    covers: tuple[str, ...] = field(default=())


def _target_rows(kind: TargetKind, rows: Rows) -> list[Any]:
    return rows.of(kind, TARGETS[kind].rows)


def configured(
    key: str,
    area: str,
    label: str,
    kind: TargetKind,
    fields: tuple[str, ...],
    source_note: str,
    *,
    only: Callable[[Any], bool] | None = None,
) -> UnverifiedValue:
    """A value (or a group of values read together) of a configured table, per row."""
    target = TARGETS[kind]

    def read(rows: Rows) -> list[Reading]:
        readings = []
        for row in _target_rows(kind, rows):
            if only is not None and not only(row):
                continue
            values = target.values_of(row)
            shown = "; ".join(
                f"{target.field(name).label}: {target.show_value(row, name, values[name])}"
                for name in fields
            )
            readings.append((target.row_label(row), shown))
        return readings

    return UnverifiedValue(
        key=key,
        area=area,
        label=label,
        where=f"{target.label} ({', '.join(target.field(name).label for name in fields)})",
        source_note=source_note,
        read=read,
        kind=kind,
        covers=tuple(f"{target.model._meta.label}.{name}" for name in fields),
    )


def _marked(row: Any) -> bool:
    return MARK in (getattr(row, "source", "") or "")


def _iv(row: Any) -> bool:
    return row.route == "iv"


def _fixed_dose(row: Any) -> bool:
    return row.dose_unit == DoseUnit.FIXED_MG


def _minutes(value: timedelta) -> str:
    return counted(int(value.total_seconds() // 60), "minutes")


def _appointment_types(rows: Rows) -> list[Reading]:
    found = rows.of(AppointmentType, lambda: AppointmentType.objects.order_by("name"))
    return [(row.name, counted(row.duration_minutes, "minutes")) for row in found if _marked(row)]


def _screening_rules(rows: Rows) -> list[Reading]:
    found = rows.of(
        ContraindicationRule,
        lambda: ContraindicationRule.objects.filter(rule_set__status=RuleSetStatus.ACTIVE).order_by(
            "order", "id"
        ),
    )
    return [
        (rule.label, f"{rule.get_severity_display()}: {rule.source}")
        for rule in found
        if MARK in rule.source or MARK in rule.advice
    ]


PROTOCOLS = "Treatment protocols"
MONITORING = "Monitoring limits"
SESSIONS = "Treatment sessions"
QUESTIONNAIRES = "Questionnaires"
SCHEDULING = "Scheduling"
MESSAGING = "Messages"
REGISTER = "Controlled-substance register"
REGISTRATION = "Registration and guardians"
REVIEWS = "Follow-up reviews"
SCREENING = "Contraindication screening"
REMS = "Esketamine REMS"

P = TargetKind.PROTOCOL_TEMPLATE
M = TargetKind.MONITORING_PROTOCOL

REGISTRY: tuple[UnverifiedValue, ...] = (
    configured(
        "protocol-completion-tolerance",
        PROTOCOLS,
        "How early an IV infusion may be recorded as completed",
        P,
        ("infusion_completion_tolerance_minutes",),
        "No source fixes it: the pump's own timing and a bag's overfill make the end vary.",
    ),
    configured(
        "protocol-dose-intervals",
        PROTOCOLS,
        "Days between doses and most doses in 7 days",
        P,
        ("minimum_days_between_doses", "maximum_doses_per_7_days"),
        "No source gives a minimum in hours for any route; inferred from the most frequent "
        "schedules studied (IV ketamine 2–3 times a week, Singh et al., Am J Psychiatry "
        "2016;173:816-826; esketamine twice a week in weeks 1–4, Spravato US prescribing "
        "information; daily infusions for CRPS, Cohen et al., Reg Anesth Pain Med 2018).",
    ),
    configured(
        "protocol-side-effect-checks",
        PROTOCOLS,
        "How often patients in maintenance are asked about side effects",
        P,
        ("side_effect_check_days",),
        "The labels ask that long-term effects be followed (Ketalar, Spravato prescribing "
        "information); no source fixes the interval (monthly chosen).",
    ),
    configured(
        "protocol-infusion-limits",
        PROTOCOLS,
        "IV infusion time, rate and bolus limits, vial and bag",
        P,
        (
            "minimum_infusion_minutes",
            "maximum_infusion_minutes",
            "maximum_mg_per_kg_per_hour",
            "maximum_bolus_mg_per_kg",
            "bolus_up_to_minutes",
            "stock_concentration_mg_per_ml",
            "bag_volume_ml",
        ),
        "2–100 minute sessions have been used (Andrade, J Clin Psychiatry); no source fixes a "
        "rate ceiling or the bolus cut-off; the bag is a clinic choice.",
        only=_iv,
    ),
    configured(
        "protocol-older-adult-doses",
        PROTOCOLS,
        "Older-adult esketamine doses",
        P,
        ("older_adult_from_age_years", "older_adult_allowed_doses_mg"),
        "No separate dosing from 65 was confirmed in the US label: the medical director "
        "confirms it.",
        only=_fixed_dose,
    ),
    configured(
        "protocol-schedules",
        PROTOCOLS,
        "Schedules and doses the protocol's source marks as clinic policy",
        P,
        (
            "default_dose",
            "induction_sessions",
            "induction_sessions_per_week",
            "maintenance_interval_days",
            "observation_minutes",
        ),
        "The protocol's own source text marks these as clinic policy (maintenance schedules; "
        "IM and oral dosing have no retrieved source).",
        only=_marked,
    ),
    configured(
        "monitoring-alert-limits",
        MONITORING,
        "Blood pressure and heart-rate limits before and during a session",
        M,
        (
            "pre_dose_systolic_max",
            "pre_dose_diastolic_max",
            "systolic_max",
            "diastolic_max",
            "heart_rate_max",
            "heart_rate_min",
        ),
        "The APA consensus (Sanacora et al., JAMA Psychiatry 2017) asks for continuous "
        "assessment; the 140/90 start, 180/100 alert and heart rate 110 figures are not in its "
        "retrieved text.",
    ),
    configured(
        "monitoring-low-pressure-and-breathing",
        MONITORING,
        "Low blood pressure, a fall from baseline, fast breathing",
        M,
        ("systolic_min_mmhg", "baseline_fall_percent", "respiratory_rate_max_per_min"),
        "No source fixes these for ketamine monitoring (see clinic.monitoring.limits).",
    ),
    configured(
        "monitoring-stop-levels",
        MONITORING,
        "Stop levels (a prescriber must acknowledge)",
        M,
        ("stop_systolic_mmhg", "stop_diastolic_mmhg", "stop_spo2_below_pct", "stop_consciousness"),
        "No primary source gives numeric “stop the ketamine” limits.",
    ),
    configured(
        "monitoring-discharge",
        MONITORING,
        "Vital signs “stable at a safe level” for discharge",
        M,
        ("discharge_systolic_max", "discharge_diastolic_max", "discharge_heart_rate_max"),
        "The labels ask for stable vital signs before discharge; no source fixes the figures.",
    ),
    configured(
        "monitoring-blood-pressure-check",
        MONITORING,
        "The blood pressure required after dosing, and its window",
        M,
        ("blood_pressure_check_minutes", "blood_pressure_check_window_minutes"),
        "Esketamine: “at about 40 minutes” (Spravato US prescribing information §2, REMS "
        "Patient Monitoring Form); the window either side is clinic policy.",
    ),
    configured(
        "monitoring-reading-schedules",
        MONITORING,
        "Readings due after dosing and the minimum observation",
        M,
        ("reading_schedule_minutes", "minimum_observation_minutes"),
        "Readings every 5–15 minutes during an infusion: local sedation policy; IM and oral "
        "schedules have no source.",
        only=_marked,
    ),
    UnverifiedValue(
        key="session-discharge-reading-age",
        area=SESSIONS,
        label="How recent the last reading must be to show the vitals are back within limits",
        where="Set in the sessions' rules (a new release changes it)",
        source_note="No source fixes it; the esketamine label asks for a reading “before "
        "discharge”.",
        read=lambda rows: [("Every session", _minutes(DISCHARGE_READING_MAX_AGE))],
    ),
    UnverifiedValue(
        key="session-observation-from-infusion-end",
        area=SESSIONS,
        label="An IV infusion's observation counts from its end",
        where="Set in the sessions' rules (a new release changes it)",
        source_note="The APA consensus monitors “until the patient is back to baseline” and "
        "names no clock; the recovery time follows the infusion.",
        read=lambda rows: [("IV infusion", "from the infusion's end (stop or complete)")],
    ),
    configured(
        "questionnaire-intervals",
        QUESTIONNAIRES,
        "How often questionnaires are repeated",
        TargetKind.ASSESSMENT_POLICY,
        ("active_interval_days", "maintenance_interval_days"),
        "No published interval.",
    ),
    configured(
        "questionnaire-madrs-remission",
        QUESTIONNAIRES,
        "MADRS remission cut-off",
        TargetKind.ASSESSMENT_POLICY,
        ("madrs_remission_at_most",),
        "10 in an IV ketamine cohort (Tan et al., Front Psychiatry 2025;16:1498952), 12 in the "
        "esketamine programme (SUSTAIN-3, CNS Drugs 2023;37:715): 10 is the default chosen.",
    ),
    configured(
        "questionnaire-relapse",
        QUESTIONNAIRES,
        "Possible relapse threshold",
        TargetKind.ASSESSMENT_POLICY,
        ("relapse_share_percent",),
        "No retrieved source fixes a relapse threshold for ketamine care.",
    ),
    configured(
        "scheduling-chair-capacity",
        SCHEDULING,
        "Patients one nurse watches at once",
        TargetKind.SCHEDULING_POLICY,
        ("nurse_chair_capacity",),
        "No source sets a ratio for ketamine monitoring.",
    ),
    configured(
        "scheduling-waitlist-offer",
        SCHEDULING,
        "How long a waitlist offer stays open",
        TargetKind.SCHEDULING_POLICY,
        ("waitlist_offer_hours",),
        "No source fixes how long a patient has to accept a freed time.",
    ),
    UnverifiedValue(
        key="scheduling-appointment-durations",
        area=SCHEDULING,
        label="Appointment lengths",
        # Not a Configuration page: the types are changed in the admin, and the page says so.
        where="Appointment types: changed in the admin site (/admin/), under Scheduling",
        source_note="Each type's source marks its length as clinic policy.",
        read=_appointment_types,
    ),
    configured(
        "messaging-reply-target",
        MESSAGING,
        "When an unanswered message is flagged",
        TargetKind.MESSAGING_POLICY,
        ("reply_target_hours",),
        "No source fixes a reply time for patient portal messages.",
    ),
    configured(
        "register-expiry-warning",
        REGISTER,
        "Expiry warning window",
        TargetKind.INVENTORY_POLICY,
        ("expiry_warning_days",),
        "No federal rule sets a warning window.",
    ),
    configured(
        "registration-minimum-age",
        REGISTRATION,
        "Youngest age registered",
        TargetKind.PATIENT_POLICY,
        ("minimum_age_years",),
        "18 is the age of majority in most US states; state law decides who may consent.",
    ),
    configured(
        "registration-guardian-answers",
        REGISTRATION,
        "Guardians see the patient's questionnaire answers",
        TargetKind.PATIENT_POLICY,
        ("guardians_see_questionnaire_answers",),
        "State minor-confidentiality laws differ.",
    ),
    configured(
        "review-intervals",
        REVIEWS,
        "When follow-up reviews fall due",
        TargetKind.REVIEW_POLICY,
        (
            "review_after_induction_days",
            "maintenance_review_interval_weeks",
            "review_after_urgent_alert_days",
        ),
        "No retrieved source fixes these intervals for ketamine care.",
    ),
    UnverifiedValue(
        key="screening-clinic-rules",
        area=SCREENING,
        label="Screening rules that are clinic policy",
        where="The active contraindication rule set (a new version changes it)",
        source_note="Each rule's source marks it: no retrieved source, confirm with the medical "
        "director.",
        read=_screening_rules,
    ),
    UnverifiedValue(
        key="rems-identifier-format",
        area=REMS,
        label="The form of a REMS certification number and patient REMS ID",
        where="Set in the treatment rules (a new release changes it)",
        source_note="The REMS does not publish the format: accepted as written.",
        read=lambda rows: [
            (
                "Both identifiers",
                "4 to 40 letters, digits, spaces, hyphens and slashes, starting and ending with a "
                f"letter or digit ({REMS_IDENTIFIER_PATTERN.pattern})",
            )
        ],
    ),
)

BY_KEY = {item.key: item for item in REGISTRY}


def covered_fields() -> set[str]:
    return {name for item in REGISTRY for name in item.covers}


def covered_models() -> set[str]:
    return {name.rsplit(".", 1)[0] for name in covered_fields()}
