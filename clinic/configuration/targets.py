"""What the medical director configures: for each kind of configured row, its table, which of its
fields a configuration change may set (with the label, unit and help shown on the form), how its
rows are named in URLs, and the one-line summary the configuration home shows.

Values travel as JSON (`values_of`): decimals as text, so that a limit is never rounded on the way
from the form to the live row."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from clinic.assessments.instruments import INSTRUMENTS
from clinic.assessments.models import AssessmentPolicy, InstrumentAssignment
from clinic.assessments.policy import DEFAULT_ASSIGNMENTS, SUICIDE_RISK_SCREENS, check_assignment
from clinic.assessments.services import save_instrument_assignment
from clinic.configuration.choices import TargetKind
from clinic.core.choices import Condition
from clinic.core.exceptions import ClinicError, NotFoundError
from clinic.inventory.models import InventoryPolicy
from clinic.messaging.models import MessagingPolicy
from clinic.monitoring.models import MonitoringProtocol
from clinic.patients.models import PatientPolicy
from clinic.reviews.models import ReviewPolicy
from clinic.scheduling.models import SchedulingPolicy
from clinic.treatment.choices import DoseUnit
from clinic.treatment.models import ProtocolTemplate

# The key of a policy's one row in URLs and on a change.
SINGLETON_KEY = "clinic"


@dataclass(frozen=True)
class ConfigField:
    """One field a change may set. `unit` may depend on the row (a protocol's dose unit)."""

    name: str
    label: str
    unit: str | Callable[[models.Model], str] = ""
    help: str = ""
    group: str = ""
    # A JSON list of numbers (the allowed doses, the reading schedule), typed as "56, 84".
    number_list: bool = False
    # A JSON list of codes chosen from these (code, label) pairs, one checkbox each.
    choices: tuple[tuple[str, str], ...] = ()

    def unit_for(self, row: models.Model) -> str:
        return self.unit(row) if callable(self.unit) else self.unit


@dataclass(frozen=True)
class ConfigTarget:
    kind: TargetKind
    model: type[models.Model]
    fields: tuple[ConfigField, ...]
    description: str
    summary: Callable[[Any], str]
    # A policy has one row for the clinic (its `singleton`), which may not have been saved yet.
    singleton: bool = False
    # What the stale-draft refusal calls the values ("These limits were changed …").
    values_noun: str = "values"
    groups: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        return self.kind.label

    def field(self, name: str) -> ConfigField:
        for config_field in self.fields:
            if config_field.name == name:
                return config_field
        raise KeyError(name)

    def rows(self) -> list[models.Model]:
        if self.singleton:
            return [self.singleton_row()]
        ordering = [str(name) for name in self.model._meta.ordering or ()]
        return list(self.model._default_manager.order_by(*ordering, "pk"))

    def singleton_row(self) -> models.Model:
        row = self.model._default_manager.filter(singleton=True).first()
        return row if row is not None else self.model()

    def key_of(self, row: Any) -> str:
        if self.singleton:
            return SINGLETON_KEY
        if self.kind == TargetKind.MONITORING_PROTOCOL:
            return str(row.route)
        return str(row.pk)

    def row_for_key(self, key: str) -> models.Model:
        """The configured row `key` names (NotFoundError if none)."""
        key = str(key)[:40]
        if self.singleton:
            if key != SINGLETON_KEY:
                raise NotFoundError("There is no such setting.")
            return self.singleton_row()
        manager = self.model._default_manager
        if self.kind == TargetKind.MONITORING_PROTOCOL:
            row = manager.filter(route=key).first()
        else:
            row = manager.filter(pk=int(key)).first() if key.isdigit() and len(key) < 10 else None
        if row is None:
            raise NotFoundError("There is no such setting.")
        return row

    def row_label(self, row: Any) -> str:
        if self.singleton:
            return self.label
        if self.kind == TargetKind.MONITORING_PROTOCOL:
            return f"Monitoring limits: {row.get_route_display()}"
        return str(row.name)

    def model_field(self, name: str) -> models.Field:
        return self.model._meta.get_field(name)  # type: ignore[return-value]

    def values_of(self, row: models.Model) -> dict[str, Any]:
        """The row's configurable values as JSON."""
        values = {}
        for config_field in self.fields:
            value = getattr(row, config_field.name)
            model_field = self.model_field(config_field.name)
            if isinstance(value, Decimal) and isinstance(model_field, models.DecimalField):
                # "0.9" typed and "0.900" stored are one value: compare them as stored.
                value = value.quantize(Decimal(1).scaleb(-(model_field.decimal_places or 0)))
            values[config_field.name] = to_json(value)
        return values

    def would_be_row(self, row: models.Model, values: Mapping[str, Any]) -> models.Model:
        """A copy of `row` with `values` (JSON or Python) set: validated, never saved here."""
        candidate = copy.copy(row)
        for config_field in self.fields:
            if config_field.name in values:
                model_field = self.model_field(config_field.name)
                value = values[config_field.name]
                if not config_field.number_list:
                    value = model_field.to_python(value)
                setattr(candidate, config_field.name, value)
        return candidate

    def validation_errors(self, row: models.Model, values: Mapping[str, Any]) -> dict[str, list]:
        """What the table's own rules (field validators, clean(), check constraints) say of the
        row with `values`: field name (or "__all__") → messages; empty when it is valid."""
        try:
            self.would_be_row(row, values).full_clean(validate_unique=False)
        except ValidationError as error:
            return {name: list(messages) for name, messages in error.message_dict.items()}
        return {}

    def publish(self, *, actor: Any, row: models.Model, values: Mapping[str, Any]) -> models.Model:
        """Apply checked values to the live row (locked by the caller, inside its transaction)."""
        live = self.would_be_row(row, values)
        live.full_clean(validate_unique=False)
        live.save()
        return live

    def change_in_words(self, row: models.Model, before: Mapping, after: Mapping) -> str:
        """One sentence saying what a change does, where a field-by-field list reads poorly."""
        return ""

    def show_value(self, row: models.Model, name: str, value: Any) -> str:
        """A value in words, with its unit ("0.75 mg/kg", "not set", "yes")."""
        config_field = self.field(name)
        model_field = self.model_field(name)
        if value is None or value == "" or value == []:
            return "not set"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if config_field.number_list:
            text = ", ".join(_number(item) for item in value)
        elif isinstance(model_field, models.DecimalField):
            text = _number(value)
        else:
            text = str(value)
        unit = config_field.unit_for(row)
        return counted(text, unit) if unit else text


INSTRUMENT_CODES = "instrument_codes"
OMITTED_REASON = "suicide_screen_omitted_reason"
MAX_OMITTED_REASON = 4000


def instrument_names(codes: list[str]) -> list[str]:
    """The instruments' short names, in registry order (the order a patient answers them)."""
    return [instrument.short_name for code, instrument in INSTRUMENTS.items() if code in codes]


@dataclass(frozen=True)
class InstrumentAssignmentTarget(ConfigTarget):
    """The questionnaire set of each condition. A condition with no saved row answers the
    default set (clinic.assessments.policy.DEFAULT_ASSIGNMENTS): it is listed with that set and
    its first publication creates the row. Publishing goes through the assessments service,
    which audits the set and recomputes the questionnaires due."""

    def default_row(self, condition: str) -> InstrumentAssignment:
        return InstrumentAssignment(
            condition=condition, instrument_codes=list(DEFAULT_ASSIGNMENTS.get(condition, []))
        )

    def rows(self) -> list[models.Model]:
        saved = {row.condition: row for row in InstrumentAssignment.objects.all()}
        return [saved.get(condition) or self.default_row(condition) for condition in Condition]

    def key_of(self, row: Any) -> str:
        return str(row.condition)

    def row_for_key(self, key: str) -> models.Model:
        key = str(key)[:40]
        if key not in Condition.values:
            raise NotFoundError("There is no such setting.")
        row = InstrumentAssignment.objects.filter(condition=key).first()
        return row if row is not None else self.default_row(key)

    def row_label(self, row: Any) -> str:
        return str(Condition(row.condition).label)

    def values_of(self, row: models.Model) -> dict[str, Any]:
        # As the assessments service stores a set: codes in registry order, and a reason only
        # while the suicide-risk screen is left out (so a draft compares equal to what it saves).
        codes = [code for code in INSTRUMENTS if code in set(getattr(row, INSTRUMENT_CODES))]
        reason = str(getattr(row, OMITTED_REASON) or "").strip()
        return {
            INSTRUMENT_CODES: codes,
            OMITTED_REASON: "" if SUICIDE_RISK_SCREENS & set(codes) else reason,
        }

    def would_be_row(self, row: models.Model, values: Mapping[str, Any]) -> models.Model:
        candidate: Any = copy.copy(row)
        if INSTRUMENT_CODES in values:
            codes = values[INSTRUMENT_CODES]
            if not isinstance(codes, list | tuple) or not all(isinstance(c, str) for c in codes):
                raise ValidationError({INSTRUMENT_CODES: "Choose the instruments from the list."})
            candidate.instrument_codes = list(codes)
        if OMITTED_REASON in values:
            candidate.suicide_screen_omitted_reason = str(values[OMITTED_REASON] or "")
        return candidate

    def validation_errors(self, row: models.Model, values: Mapping[str, Any]) -> dict[str, list]:
        """The admin form's rules (clinic.assessments.policy.check_assignment), then the table's."""
        try:
            candidate: Any = self.would_be_row(row, values)
        except ValidationError as error:
            return {name: list(messages) for name, messages in error.message_dict.items()}
        reason = candidate.suicide_screen_omitted_reason
        if len(reason) > MAX_OMITTED_REASON:
            return {OMITTED_REASON: [f"At most {MAX_OMITTED_REASON} characters."]}
        try:
            check_assignment(list(candidate.instrument_codes), reason)
        except ClinicError as error:
            return {error.field or "__all__": [error.message]}
        return super().validation_errors(row, values)

    def publish(self, *, actor: Any, row: models.Model, values: Mapping[str, Any]) -> models.Model:
        before = self.values_of(row)
        live: Any = self.would_be_row(row, values)
        changed = [name for name, value in self.values_of(live).items() if before[name] != value]
        return save_instrument_assignment(actor=actor, assignment=live, changed_fields=changed)

    def change_in_words(self, row: models.Model, before: Mapping, after: Mapping) -> str:
        """ "Post-traumatic stress disorder (PTSD): adds GAD-7, removes PCL-5"."""
        old = set(before.get(INSTRUMENT_CODES) or [])
        new = set(after.get(INSTRUMENT_CODES) or [])
        parts = []
        if added := instrument_names(list(new - old)):
            parts.append(f"adds {', '.join(added)}")
        if removed := instrument_names(list(old - new)):
            parts.append(f"removes {', '.join(removed)}")
        reason = str(after.get(OMITTED_REASON) or "")
        if reason and reason != before.get(OMITTED_REASON):
            parts.append(f"leaves out the suicide-risk screen because “{reason}”")
        return f"{self.row_label(row)}: {', '.join(parts) if parts else 'no change'}"

    def show_value(self, row: models.Model, name: str, value: Any) -> str:
        if name == INSTRUMENT_CODES:
            return ", ".join(instrument_names(list(value or []))) or "none"
        return str(value) if value else "not set"


def _assignment_summary(row: InstrumentAssignment) -> str:
    names = ", ".join(instrument_names(list(row.instrument_codes))) or "none"
    reason = (row.suicide_screen_omitted_reason or "").strip()
    if SUICIDE_RISK_SCREENS & set(row.instrument_codes) or not reason:
        return names
    return f"{names} (no suicide-risk screen: {reason})"


def to_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return [to_json(item) for item in value]
    return value


# Units that count something: one of them is singular ("1 day", not "1 days").
COUNTED_UNITS = frozenset({"days", "hours", "minutes", "seconds", "weeks", "sessions", "doses"})


def counted(number: Any, unit: str) -> str:
    """A number and its unit in words, the unit singular for exactly one ("1 day", "2 days")."""
    text = str(number)
    if unit in COUNTED_UNITS and text in ("1", "1.0"):
        unit = unit[:-1]
    return f"{text} {unit}"


def _number(value: Any) -> str:
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    text = format(number.normalize(), "f")
    return text


def _dose_unit(row: Any) -> str:
    return "mg" if getattr(row, "dose_unit", "") == DoseUnit.FIXED_MG else "mg/kg"


def _protocol_summary(row: ProtocolTemplate) -> str:
    unit = _dose_unit(row)
    dose = (
        f"{_number(row.default_dose)} {unit} "
        f"(range {_number(row.minimum_dose)}–{_number(row.maximum_dose)} {unit})"
    )
    infusion = f", over {row.infusion_minutes} min" if row.infusion_minutes else ""
    return (
        f"{dose}{infusion}; induction {counted(row.induction_sessions, 'sessions')}, "
        f"{row.induction_sessions_per_week} a week; maintenance every "
        f"{counted(row.maintenance_interval_days, 'days')}; at least "
        f"{counted(row.minimum_days_between_doses, 'days')} between doses"
        f"{'' if row.is_active else ' (not offered)'}"
    )


def _monitoring_summary(row: MonitoringProtocol) -> str:
    return (
        f"Alert above {row.systolic_max}/{row.diastolic_max} mmHg, heart rate outside "
        f"{row.heart_rate_min}–{row.heart_rate_max} /min, SpO₂ below {row.spo2_min}%; stop at "
        f"{row.stop_systolic_mmhg}/{row.stop_diastolic_mmhg} mmHg or SpO₂ below "
        f"{row.stop_spo2_below_pct}%; observe at least {row.minimum_observation_minutes} min"
    )


def _fields_summary(target_kind: TargetKind) -> Callable[[Any], str]:
    def summary(row: Any) -> str:
        target = TARGETS[target_kind]
        return "; ".join(
            f"{f.label}: {target.show_value(row, f.name, to_json(getattr(row, f.name)))}"
            for f in target.fields
        )

    return summary


DOSE = "Dose"
INFUSION = "Infusion (IV)"
FIXED = "Fixed-dose device (esketamine)"
SCHEDULE = "Schedule and intervals"
SOURCE = "Source and availability"

PROTOCOL_FIELDS = (
    ConfigField("default_dose", "Default dose", _dose_unit, group=DOSE),
    ConfigField("minimum_dose", "Lowest dose allowed", _dose_unit, group=DOSE),
    ConfigField(
        "maximum_dose",
        "Highest dose allowed",
        _dose_unit,
        help="A plan outside the range needs a documented override.",
        group=DOSE,
    ),
    ConfigField("infusion_minutes", "Default infusion time", "minutes", "IV only.", INFUSION),
    ConfigField("minimum_infusion_minutes", "Shortest infusion", "minutes", "", INFUSION),
    ConfigField("maximum_infusion_minutes", "Longest infusion", "minutes", "", INFUSION),
    ConfigField(
        "maximum_mg_per_kg_per_hour",
        "Highest infusion rate",
        "mg/kg/hour",
        "Ceiling on the infusion rate, mg per kg of actual weight per hour.",
        INFUSION,
    ),
    ConfigField(
        "maximum_bolus_mg_per_kg",
        "Largest bolus",
        "mg/kg",
        "Ceiling on a bolus, mg per kg of actual weight.",
        INFUSION,
    ),
    ConfigField(
        "bolus_up_to_minutes",
        "A bolus is a dose given over at most",
        "minutes",
        "",
        INFUSION,
    ),
    ConfigField(
        "infusion_completion_tolerance_minutes",
        "'Completed' accepted this much early",
        "minutes",
        "'Completed: full dose given' is accepted from the plan's infusion minutes less this "
        "many (clinic policy, UNVERIFIED).",
        INFUSION,
    ),
    ConfigField(
        "stock_concentration_mg_per_ml",
        "Vial strength",
        "mg/mL",
        "Strength of the vial the dose is drawn from.",
        INFUSION,
    ),
    ConfigField("bag_volume_ml", "Bag volume", "mL", "As prepared.", INFUSION),
    ConfigField(
        "device_mg",
        "Dose per device",
        "mg",
        "A dose is a whole number of devices.",
        FIXED,
    ),
    ConfigField(
        "allowed_doses_mg",
        "Doses allowed",
        "mg",
        "Separate with commas, e.g. 56, 84.",
        FIXED,
        number_list=True,
    ),
    ConfigField("first_session_dose_mg", "First-session dose", "mg", "", FIXED),
    ConfigField(
        "older_adult_from_age_years",
        "Older-adult doses from age",
        "years",
        "From this age the older-adult doses apply instead (empty: no difference).",
        FIXED,
    ),
    ConfigField(
        "older_adult_allowed_doses_mg",
        "Older-adult doses allowed",
        "mg",
        "Separate with commas, e.g. 28, 56, 84.",
        FIXED,
        number_list=True,
    ),
    ConfigField("older_adult_first_session_dose_mg", "Older-adult first dose", "mg", "", FIXED),
    ConfigField("induction_sessions", "Induction sessions", "sessions", "", SCHEDULE),
    ConfigField("induction_sessions_per_week", "Induction sessions a week", "a week", "", SCHEDULE),
    ConfigField("maintenance_interval_days", "Maintenance every", "days", "", SCHEDULE),
    ConfigField(
        "observation_minutes", "Observation after dosing", "minutes", "At least.", SCHEDULE
    ),
    ConfigField(
        "minimum_days_between_doses",
        "Days between doses",
        "days",
        "Calendar days from one dose to the next (2: never on consecutive days; 1: daily "
        "allowed). A second dose on the same day is never given.",
        SCHEDULE,
    ),
    ConfigField(
        "maximum_doses_per_7_days",
        "Most doses in 7 days",
        "doses",
        "In any 7 consecutive days (today and the 6 days before).",
        SCHEDULE,
    ),
    ConfigField(
        "side_effect_check_days",
        "Side-effect check every",
        "days",
        "In maintenance, ask the patient about side effects this often between visits "
        "(empty: never). Clinic policy, UNVERIFIED.",
        SCHEDULE,
    ),
    ConfigField("source", "Source", "", "The primary source of these values.", SOURCE),
    ConfigField("is_active", "Offered for new plans", "", "Untick to stop offering it.", SOURCE),
)

BEFORE = "Before dosing"
DURING = "Alerts during the session"
STOP = "Stop levels (a prescriber must acknowledge)"
DISCHARGE = "Discharge"
READINGS = "Readings and observation"

MONITORING_FIELDS = (
    ConfigField("pre_dose_systolic_max", "Highest systolic before dosing", "mmHg", "", BEFORE),
    ConfigField("pre_dose_diastolic_max", "Highest diastolic before dosing", "mmHg", "", BEFORE),
    ConfigField("systolic_max", "Alert: systolic above", "mmHg", "", DURING),
    ConfigField("diastolic_max", "Alert: diastolic above", "mmHg", "", DURING),
    ConfigField("systolic_min_mmhg", "Alert: systolic below", "mmHg", "", DURING),
    ConfigField("heart_rate_max", "Alert: heart rate above", "beats/min", "", DURING),
    ConfigField("heart_rate_min", "Alert: heart rate below", "beats/min", "", DURING),
    ConfigField("spo2_min", "Alert: SpO₂ below", "%", "", DURING),
    ConfigField("respiratory_rate_min", "Alert: breathing below", "breaths/min", "", DURING),
    ConfigField(
        "respiratory_rate_max_per_min", "Alert: breathing above", "breaths/min", "", DURING
    ),
    ConfigField(
        "baseline_rise_percent",
        "Alert: blood pressure rise from baseline",
        "%",
        "Above the pre-dose reading.",
        DURING,
    ),
    ConfigField(
        "baseline_fall_percent",
        "Alert: blood pressure fall from baseline",
        "%",
        "Below the pre-dose reading.",
        DURING,
    ),
    ConfigField(
        "alert_escalation_minutes",
        "Re-alert an open alert after",
        "minutes",
        "Escalated on the session page and the sessions board.",
        DURING,
    ),
    ConfigField("stop_systolic_mmhg", "Stop: systolic at or above", "mmHg", "", STOP),
    ConfigField("stop_diastolic_mmhg", "Stop: diastolic at or above", "mmHg", "", STOP),
    ConfigField("stop_spo2_below_pct", "Stop: SpO₂ below", "%", "", STOP),
    ConfigField("stop_consciousness", "Stop: consciousness", "", "", STOP),
    ConfigField("discharge_systolic_max", "Discharge: systolic at most", "mmHg", "", DISCHARGE),
    ConfigField("discharge_diastolic_max", "Discharge: diastolic at most", "mmHg", "", DISCHARGE),
    ConfigField(
        "discharge_heart_rate_max", "Discharge: heart rate at most", "beats/min", "", DISCHARGE
    ),
    ConfigField(
        "discharge_aldrete_threshold", "Discharge: Aldrete score at least", "points", "", DISCHARGE
    ),
    ConfigField(
        "reading_schedule_minutes",
        "Readings due at",
        "minutes after dosing",
        "Separate with commas; 0 is just before dosing.",
        READINGS,
        number_list=True,
    ),
    ConfigField("minimum_observation_minutes", "Observe at least", "minutes", "", READINGS),
    ConfigField(
        "blood_pressure_check_minutes",
        "Blood pressure required at",
        "minutes after dosing",
        "Empty: no such reading is required (esketamine: about 40 minutes).",
        READINGS,
    ),
    ConfigField(
        "blood_pressure_check_window_minutes",
        "That reading counts within",
        "minutes either side",
        "Clinic policy, UNVERIFIED: the label says “approximately”.",
        READINGS,
    ),
    ConfigField("source", "Source", "", "The primary source of these limits.", SOURCE),
)

POLICY = "Settings"
QUESTIONNAIRE_SET = "Questionnaire set"


# The clinic's policies: one row each, every field in one group. Each is (kind, table, what the
# configuration home says of it, its fields as (name, label, unit, help)).
POLICIES: tuple[
    tuple[TargetKind, type[models.Model], str, tuple[tuple[str, str, str, str], ...]], ...
] = (
    (
        TargetKind.SCHEDULING_POLICY,
        SchedulingPolicy,
        "Chair-side staffing, appointment reminders and waitlist offers.",
        (
            (
                "nurse_chair_capacity",
                "Patients one nurse watches at once",
                "patients",
                "At the chair side (clinic policy, UNVERIFIED: no source sets a ratio).",
            ),
            (
                "reminder_hours",
                "Reminders before an appointment",
                "hours",
                "Separate with commas, e.g. 24,2.",
            ),
            (
                "waitlist_offer_hours",
                "A waitlist offer stays open for",
                "hours",
                "Then the freed time goes to the next patient; never past the time itself (clinic "
                "policy, UNVERIFIED).",
            ),
        ),
    ),
    (
        TargetKind.ASSESSMENT_POLICY,
        AssessmentPolicy,
        "Questionnaire intervals, cut-offs and who hears of an urgent answer.",
        (
            (
                "active_interval_days",
                "Repeat questionnaires in active treatment every",
                "days",
                "Clinic policy, UNVERIFIED: no published interval.",
            ),
            ("maintenance_interval_days", "Repeat questionnaires in maintenance every", "days", ""),
            (
                "overdue_after_days",
                "Overdue after",
                "days",
                "After the interval, days before “due” becomes “overdue”.",
            ),
            ("link_valid_days", "A questionnaire link works for", "days", ""),
            (
                "pcl5_cutoff",
                "PCL-5 provisional-diagnosis cut-off",
                "points",
                "31–33 “appears reasonable” (National Center for PTSD).",
            ),
            (
                "madrs_remission_at_most",
                "MADRS remission at most",
                "points",
                "10 in an IV ketamine cohort, 12 in the esketamine programme (SUSTAIN-3).",
            ),
            (
                "relapse_share_percent",
                "Possible relapse above",
                "% of the way back to baseline",
                "After a response, two answers in a row above this share (clinic policy, "
                "UNVERIFIED).",
            ),
            (
                "on_call_email",
                "On-call e-mail for urgent safety alerts",
                "",
                "Used when the patient's location names nobody.",
            ),
        ),
    ),
    (
        TargetKind.MESSAGING_POLICY,
        MessagingPolicy,
        "Staffed hours, the reply target and the emergency number patients see.",
        (
            (
                "staffed_hours",
                "When the team reads messages",
                "",
                "Shown to patients on every message page.",
            ),
            (
                "reply_target_hours",
                "Flag an unanswered message after",
                "hours",
                "Clinic policy, UNVERIFIED: no source fixes a reply time.",
            ),
            ("emergency_number", "Local emergency number", "", "Shown beside 988; 911 in the US."),
        ),
    ),
    (
        TargetKind.INVENTORY_POLICY,
        InventoryPolicy,
        "Expiry warnings, waste witnesses and how sessions draw from stock.",
        (
            (
                "expiry_warning_days",
                "Flag lots expiring within",
                "days",
                "Clinic policy, UNVERIFIED: no federal rule sets a warning window.",
            ),
            (
                "waste_witness_required",
                "A second person witnesses each waste",
                "",
                "Clinic and state policy (e.g. North Carolina 10A NCAC 26E .0407).",
            ),
            (
                "sessions_draw_from_register",
                "Sessions draw their doses from the register",
                "",
                "Off only while the clinic's stock is not yet entered.",
            ),
        ),
    ),
    (
        TargetKind.PATIENT_POLICY,
        PatientPolicy,
        "Who the clinic registers and what a guardian's portal shows.",
        (
            (
                "minimum_age_years",
                "Youngest age registered",
                "years",
                "Below 18 the clinic treats minors: each needs a guardian's consent and their own "
                "assent.",
            ),
            (
                "guardians_see_questionnaire_answers",
                "Guardians see the patient's questionnaire answers",
                "",
                "Clinic policy, UNVERIFIED: state minor-confidentiality laws differ.",
            ),
        ),
    ),
    (
        TargetKind.REVIEW_POLICY,
        ReviewPolicy,
        "When follow-up reviews fall due.",
        (
            (
                "review_after_induction_days",
                "Review after the last induction session",
                "days",
                "Clinic policy, UNVERIFIED.",
            ),
            (
                "maintenance_review_interval_weeks",
                "Review in maintenance every",
                "weeks",
                "Clinic policy, UNVERIFIED.",
            ),
            (
                "review_after_urgent_alert_days",
                "Review after an urgent safety alert",
                "days",
                "Clinic policy, UNVERIFIED.",
            ),
        ),
    ),
)


def _policy_target(
    kind: TargetKind,
    model: type[models.Model],
    description: str,
    fields: tuple[tuple[str, str, str, str], ...],
) -> ConfigTarget:
    return ConfigTarget(
        kind=kind,
        model=model,
        singleton=True,
        fields=tuple(
            ConfigField(name, label, unit, help, POLICY) for name, label, unit, help in fields
        ),
        description=description,
        summary=_fields_summary(kind),
        groups=(POLICY,),
    )


_TARGETS_BY_KIND: dict[TargetKind, ConfigTarget] = {
    TargetKind.PROTOCOL_TEMPLATE: ConfigTarget(
        kind=TargetKind.PROTOCOL_TEMPLATE,
        model=ProtocolTemplate,
        fields=PROTOCOL_FIELDS,
        description="Dose ranges, infusion limits, the induction and maintenance schedule, and "
        "the days between doses that plans and sessions are checked against.",
        summary=_protocol_summary,
        values_noun="protocol values",
        groups=(DOSE, INFUSION, FIXED, SCHEDULE, SOURCE),
    ),
    TargetKind.MONITORING_PROTOCOL: ConfigTarget(
        kind=TargetKind.MONITORING_PROTOCOL,
        model=MonitoringProtocol,
        fields=MONITORING_FIELDS,
        description="The vital-sign limits every reading is checked against, the stop levels, "
        "the discharge thresholds and the readings due after dosing, per route.",
        summary=_monitoring_summary,
        values_noun="limits",
        groups=(BEFORE, DURING, STOP, DISCHARGE, READINGS, SOURCE),
    ),
    TargetKind.INSTRUMENT_ASSIGNMENT: InstrumentAssignmentTarget(
        kind=TargetKind.INSTRUMENT_ASSIGNMENT,
        model=InstrumentAssignment,
        fields=(
            ConfigField(
                INSTRUMENT_CODES,
                "Questionnaires answered",
                help="Every set includes the suicide-risk screen (C-SSRS) unless a reason is "
                "given below.",
                group=QUESTIONNAIRE_SET,
                choices=tuple(
                    (code, f"{instrument.short_name} — {instrument.purpose}")
                    for code, instrument in INSTRUMENTS.items()
                ),
            ),
            ConfigField(
                OMITTED_REASON,
                "Why the suicide-risk screen is left out",
                help="Required when the set has no suicide-risk screen; kept with the set and in "
                "the audit entry.",
                group=QUESTIONNAIRE_SET,
            ),
        ),
        description="Which questionnaires a patient answers, per condition. Publishing "
        "recomputes the questionnaires due for every patient with the condition.",
        summary=_assignment_summary,
        values_noun="questionnaire sets",
        groups=(QUESTIONNAIRE_SET,),
    ),
    **{policy[0]: _policy_target(*policy) for policy in POLICIES},
}
# In the order the configuration home lists them.
TARGETS: dict[TargetKind, ConfigTarget] = {kind: _TARGETS_BY_KIND[kind] for kind in TargetKind}


def target_for(kind: str) -> ConfigTarget:
    """The configured kind `kind` names (NotFoundError for anything else)."""
    if kind not in TargetKind.values:
        raise NotFoundError("There is no such setting.")
    return TARGETS[TargetKind(kind)]
