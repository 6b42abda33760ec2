"""The clinic's record in FHIR R4 shape: one pure function per resource type.

Each function takes rows already read (the caller selects them, with what they refer to) and
returns a plain dict in FHIR JSON form; nothing here touches the database. `validated()` checks a
dict against the FHIR R4 (4.3, "R4B") models of `fhir.resources`, whose default is R5.

Codes:
- Vital signs follow the FHIR R4 vital-signs profile (hl7.org/fhir/R4/observation-vitalsigns.html):
  its category, LOINC codes and UCUM units.
- Questionnaire totals use the LOINC code each instrument declares (PHQ-9 44261-6, GAD-7 70274-6,
  pain NRS 72514-3); an instrument without one uses the local code system INSTRUMENT_TOTAL_SYSTEM.
- Ketamine and esketamine carry RxNorm codes (NLM RxNorm, rxnav.nlm.nih.gov): RXNORM_BY_ROUTE.
- Routes use SNOMED CT codes from FHIR's route-codes value set.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

from clinic.assessments.choices import ResponseMode, ResponseStatus
from clinic.core.choices import Condition, Route
from clinic.patients.choices import PatientStatus
from clinic.sessions.choices import InfusionEventKind, SessionStatus, SignatureRole
from clinic.treatment.choices import PlanStatus

# --- code systems ------------------------------------------------------------------------------
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ALLERGY_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
AE_SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
AE_OUTCOME = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
SIGNATURE_TYPE = "urn:iso-astm:E1762-95:2013"
PROVENANCE_PARTICIPANT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"

# The clinic's own identifiers and codes, declared once. `urn:` names need no web server behind
# them; a receiving system reads them as opaque, stable names.
CLINIC_SYSTEM = "urn:ketamine-clinic"
MRN_SYSTEM = f"{CLINIC_SYSTEM}:mrn"
CONDITION_SYSTEM = f"{CLINIC_SYSTEM}:condition"
# Totals of instruments LOINC has no code for (or whose code is not checked): the code is the
# instrument's code in the clinic (e.g. "madrs"), the display its name.
INSTRUMENT_TOTAL_SYSTEM = f"{CLINIC_SYSTEM}:instrument-total"
ANSWER_SYSTEM = f"{CLINIC_SYSTEM}:answer-value"
SIDE_EFFECT_SYSTEM = f"{CLINIC_SYSTEM}:side-effect"
QUESTIONNAIRE_URL = f"{CLINIC_SYSTEM}:questionnaire:"
CONSENT_POLICY_URL = f"{CLINIC_SYSTEM}:consent:"
ID_NAMESPACE = uuid.UUID("6f1d3c1e-2b0f-4c52-9a52-8d1f0b7a4e21")

VITAL_SIGNS_PROFILE = "http://hl7.org/fhir/StructureDefinition/vitalsigns"

# (field, LOINC code, display, UCUM code, unit shown) for each single-valued vital sign.
VITAL_SIGNS: tuple[tuple[str, str, str, str, str], ...] = (
    ("heart_rate_bpm", "8867-4", "Heart rate", "/min", "beats/minute"),
    ("respiratory_rate_per_min", "9279-1", "Respiratory rate", "/min", "breaths/minute"),
    ("spo2_pct", "2708-6", "Oxygen saturation in Arterial blood", "%", "%"),
    ("temperature_c", "8310-5", "Body temperature", "Cel", "C"),
    ("weight_kg", "29463-7", "Body weight", "kg", "kg"),
)
BLOOD_PRESSURE_PANEL = ("85354-9", "Blood pressure panel with all children optional")
SYSTOLIC = ("8480-6", "Systolic blood pressure")
DIASTOLIC = ("8462-4", "Diastolic blood pressure")
# The vital-signs profile asks SpO₂ by pulse oximetry to carry both codes.
PULSE_OXIMETRY = ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry")
BODY_HEIGHT = ("8302-2", "Body height")
BODY_WEIGHT = ("29463-7", "Body weight")

# RxNorm concepts (NLM RxNorm; looked up on RxNav). Ketamine: the ingredient, RxCUI 6130, for
# racemic ketamine by any route. Esketamine: the clinical drug form "esketamine Nasal Spray",
# RxCUI 2201623 (SCDF), the only esketamine product in the US (Spravato). The esketamine
# ingredient's own RxCUI is not given here: it was not checked against RxNav.
KETAMINE_RXNORM = ("6130", "ketamine")
ESKETAMINE_RXNORM = ("2201623", "esketamine Nasal Spray")
RXNORM_BY_ROUTE = {"intranasal": ESKETAMINE_RXNORM}
# SNOMED CT route codes (FHIR value set route-codes).
ROUTE_SNOMED = {
    "iv": ("47625008", "Intravenous route"),
    "im": ("78421000", "Intramuscular route"),
    "intranasal": ("46713006", "Nasal route"),
    "oral": ("26643006", "Oral route"),
}
# SNOMED CT 716186003 "No known allergy (situation)", as the FHIR AllergyIntolerance examples use.
NO_KNOWN_ALLERGY = ("716186003", "No known allergy")
# LOINC 59284-0 "Consent Document", the category FHIR's Consent examples give a signed consent.
CONSENT_DOCUMENT = ("59284-0", "Consent Document")
# UCUM units a medicine's dose may be typed in, by how staff type them.
UCUM_DOSE_UNITS = {
    "mg": "mg",
    "mcg": "ug",
    "µg": "ug",
    "ug": "ug",
    "g": "g",
    "ml": "mL",
    "mL": "mL",
}

PATIENT_GENDER = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}
PLAN_STATUS = {"active": "active", "completed": "completed", "stopped": "revoked"}
APPOINTMENT_STATUS = {
    "booked": "booked",
    "checked_in": "checked-in",
    "completed": "fulfilled",
    "cancelled": "cancelled",
    "no_show": "noshow",
}
ENCOUNTER_STATUS = {
    SessionStatus.PREPARATION: "arrived",
    SessionStatus.IN_PROGRESS: "in-progress",
    SessionStatus.DISCHARGED: "finished",
    SessionStatus.SIGNED: "finished",
    SessionStatus.NOT_DONE: "cancelled",
}
AE_OUTCOMES = {
    "resolved": "resolved",
    "improving": "recovering",
    "ongoing": "ongoing",
    # Escalated care: the event itself is still going on.
    "escalated": "ongoing",
}
QUESTIONNAIRE_RESPONSE_STATUS = {
    "in-progress": "in-progress",
    "completed": "completed",
    "entered-in-error": "entered-in-error",
}
# ASTM E1762-95 signature types: the nurse's signature is the author's, the supervising
# clinician's a verification.
SIGNATURE_TYPES = {
    "nurse": ("1.2.840.10065.1.12.1.1", "Author's Signature"),
    "clinician": ("1.2.840.10065.1.12.1.5", "Verification Signature"),
    "plan": ("1.2.840.10065.1.12.1.1", "Author's Signature"),
}


# --- helpers -----------------------------------------------------------------------------------
def stable_id(*parts: Any) -> str:
    """An id for a resource that has no UUID of its own (a row's child, one of several
    Observations from one row): the same every time, and saying nothing of row counts."""
    return str(uuid.uuid5(ID_NAMESPACE, ":".join(str(part) for part in parts)))


def instant(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def number(value: Decimal | int | None) -> Decimal | int | None:
    """A Decimal as FHIR JSON carries it (the digits the clinic stored)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return (
            int(value)
            if value == value.to_integral() and int(value.as_tuple().exponent) >= 0
            else value
        )
    return value


def ref(resource_type: str, resource_id: str, display: str | None = None) -> dict:
    reference: dict[str, Any] = {"reference": f"{resource_type}/{resource_id}"}
    if display:
        reference["display"] = display
    return reference


def person(user) -> dict | None:
    """A member of staff, by name (the clinic serves no Practitioner resources)."""
    if user is None:
        return None
    return {"display": user.signature_name}


def coding(system: str, code: str, display: str | None = None) -> dict:
    found = {"system": system, "code": code}
    if display:
        found["display"] = display
    return found


def concept(system: str, code: str, display: str | None = None, text: str | None = None) -> dict:
    found: dict[str, Any] = {"coding": [coding(system, code, display)]}
    if text:
        found["text"] = text
    return found


def quantity(value, unit: str, code: str) -> dict:
    return {"value": number(value), "unit": unit, "system": UCUM, "code": code}


def _compact_value(value):
    kind = type(value)
    if kind is dict:
        return compact(value)
    if kind is list:
        return [item for item in map(_compact_value, value) if item is not None]
    return None if value == "" else value


def compact(resource: dict) -> dict | None:
    """The resource without empty values (FHIR forbids empty strings, lists and objects); None
    when nothing is left. Written as loops: the export calls it for every resource."""
    found = {}
    for key, value in resource.items():
        if value is None:
            continue
        value = _compact_value(value)
        if value is None or value == [] or value == {}:
            continue
        found[key] = value
    return found or None


def resource_of(resource: dict) -> dict:
    """`compact` of a whole resource, which always keeps at least its resourceType."""
    return compact(resource) or {"resourceType": resource["resourceType"]}


def _json_default(value):
    if isinstance(value, Decimal):
        # FHIR decimals are JSON numbers.
        return float(value) if value != value.to_integral() else int(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def dumps(resource: dict, *, compact_separators: bool = False) -> str:
    """FHIR JSON text of a resource (UTF-8, decimals as numbers)."""
    separators = (",", ":") if compact_separators else None
    return json.dumps(resource, default=_json_default, ensure_ascii=False, separators=separators)


def validated(resource: dict) -> dict:
    """The resource, after the FHIR R4 (R4B) model accepted it; raises pydantic's
    ValidationError (naming the element) when it does not."""
    model = get_fhir_model_class(resource["resourceType"])
    model.model_validate(resource)
    return resource


def patient_ref(patient) -> dict:
    return ref("Patient", str(patient.public_id), patient.display_name)


# --- Patient, Condition, AllergyIntolerance, MedicationStatement -----------------------------
def patient_resource(patient) -> dict:
    names = [
        {"use": "official", "family": patient.legal_last_name, "given": [patient.legal_first_name]}
    ]
    if patient.preferred_name and patient.preferred_name != patient.legal_first_name:
        names.append(
            {"use": "usual", "family": patient.legal_last_name, "given": [patient.preferred_name]}
        )
    address_lines = [line for line in (patient.address_line1, patient.address_line2) if line]
    contact = None
    if patient.emergency_contact_name:
        contact = [
            {
                "relationship": [
                    {"text": patient.emergency_contact_relationship or "Emergency contact"}
                ],
                "name": {"text": patient.emergency_contact_name},
                "telecom": [{"system": "phone", "value": patient.emergency_contact_phone}],
            }
        ]
    return resource_of(
        {
            "resourceType": "Patient",
            "id": str(patient.public_id),
            "identifier": [
                {
                    "use": "usual",
                    "type": concept(
                        "http://terminology.hl7.org/CodeSystem/v2-0203",
                        "MR",
                        "Medical record number",
                    ),
                    "system": MRN_SYSTEM,
                    "value": patient.mrn,
                }
            ],
            "active": patient.status != PatientStatus.DISCHARGED,
            "name": names,
            "telecom": [
                {"system": "phone", "value": patient.phone, "use": "mobile"},
                {"system": "email", "value": patient.email},
            ]
            if patient.email
            else [{"system": "phone", "value": patient.phone, "use": "mobile"}],
            "gender": PATIENT_GENDER.get(patient.sex, "unknown"),
            "birthDate": day(patient.date_of_birth),
            "address": [
                {
                    "use": "home",
                    "line": address_lines,
                    "city": patient.city,
                    "state": patient.region,
                    "postalCode": patient.postal_code,
                }
            ]
            if (address_lines or patient.city)
            else None,
            "contact": contact,
        }
    )


def condition_resources(patient) -> list[dict]:
    """One Condition for each condition the patient is treated for (the indications recorded on
    the patient's record), coded in the clinic's own condition list."""
    labels = dict(Condition.choices)
    found = []
    for code in patient.primary_conditions or []:
        text = patient.other_condition if code == "other" and patient.other_condition else None
        found.append(
            resource_of(
                {
                    "resourceType": "Condition",
                    "id": stable_id("condition", patient.public_id, code),
                    "clinicalStatus": concept(CONDITION_CLINICAL, "active", "Active"),
                    "category": [
                        concept(CONDITION_CATEGORY, "problem-list-item", "Problem List Item")
                    ],
                    "code": concept(
                        CONDITION_SYSTEM,
                        code,
                        str(labels.get(code, code)),
                        text or str(labels.get(code, code)),
                    ),
                    "subject": patient_ref(patient),
                    "recordedDate": instant(patient.created_at),
                }
            )
        )
    return found


ALLERGY_SEVERITY = {"mild": "mild", "moderate": "moderate", "severe": "severe"}


def allergy_resources(patient, allergies, *, no_known_allergies_at: datetime | None) -> list[dict]:
    """One AllergyIntolerance per recorded allergy; when the latest signed evaluation says "no
    known allergies" and none is recorded, one saying so (SNOMED CT 716186003)."""
    found = []
    for allergy in allergies:
        reaction = None
        if allergy.reaction or allergy.severity in ALLERGY_SEVERITY:
            reaction = [
                {
                    "manifestation": [{"text": allergy.reaction or "Not recorded"}],
                    "severity": ALLERGY_SEVERITY.get(allergy.severity),
                }
            ]
        found.append(
            resource_of(
                {
                    "resourceType": "AllergyIntolerance",
                    "id": stable_id("allergy", allergy.pk),
                    "clinicalStatus": concept(ALLERGY_CLINICAL, "active", "Active"),
                    "verificationStatus": concept(ALLERGY_VERIFICATION, "confirmed", "Confirmed"),
                    "code": {"text": allergy.substance},
                    "patient": patient_ref(patient),
                    "recordedDate": instant(allergy.recorded_at),
                    "recorder": person(allergy.recorded_by),
                    "reaction": reaction,
                }
            )
        )
    if not found and no_known_allergies_at is not None:
        found.append(
            {
                "resourceType": "AllergyIntolerance",
                "id": stable_id("no-known-allergy", patient.public_id),
                "clinicalStatus": concept(ALLERGY_CLINICAL, "active", "Active"),
                "verificationStatus": concept(ALLERGY_VERIFICATION, "confirmed", "Confirmed"),
                "code": concept(SNOMED, *NO_KNOWN_ALLERGY, text="No known allergies"),
                "patient": patient_ref(patient),
                "recordedDate": instant(no_known_allergies_at),
            }
        )
    return found


def medication_statement_resources(patient, evaluation) -> list[dict]:
    """The medicine list of the latest signed evaluation: one MedicationStatement per line, as
    the clinician wrote it (free text, e.g. "sertraline 100 mg daily")."""
    if evaluation is None:
        return []
    found = []
    lines = [line.strip() for line in (evaluation.current_medications or "").splitlines()]
    for number_, line in enumerate(line for line in lines if line):
        found.append(
            {
                "resourceType": "MedicationStatement",
                "id": stable_id("medication-statement", evaluation.public_id, number_),
                # As the patient reported it at the evaluation; whether still taken is not known.
                "status": "unknown",
                "medicationCodeableConcept": {"text": line[:500]},
                "subject": patient_ref(patient),
                "dateAsserted": instant(evaluation.signed_at),
                "informationSource": patient_ref(patient),
            }
        )
    return found


def medicine_list_statements(patient, medicine_list) -> list[dict]:
    """A medicine list a clinician recorded after the evaluation (the patient's medicines as they
    were then): one MedicationStatement per line, "active" as of the day it was recorded, asserted
    by the clinician. A list of "takes no medicines" has none."""
    found = []
    lines = [line.strip() for line in (medicine_list.medicines or "").splitlines()]
    for number_, line in enumerate(line for line in lines if line):
        found.append(
            resource_of(
                {
                    "resourceType": "MedicationStatement",
                    "id": stable_id("medicine-list", medicine_list.pk, number_),
                    "status": "active",
                    "medicationCodeableConcept": {"text": line[:500]},
                    "subject": patient_ref(patient),
                    "effectiveDateTime": instant(medicine_list.recorded_at),
                    "dateAsserted": instant(medicine_list.recorded_at),
                    "informationSource": person(medicine_list.recorded_by),
                }
            )
        )
    return found


# --- Observations ------------------------------------------------------------------------------
def _vital_observation(patient, vitals, code, display, *, code_concept=None, **values) -> dict:
    return resource_of(
        {
            "resourceType": "Observation",
            "id": stable_id("vitals", vitals.public_id, code),
            "meta": {"profile": [VITAL_SIGNS_PROFILE]},
            "status": "final",
            "category": [
                concept(OBSERVATION_CATEGORY, "vital-signs", "Vital Signs", text="Vital Signs")
            ],
            "subject": patient_ref(patient),
            "effectiveDateTime": instant(vitals.taken_at),
            "performer": [person(vitals.recorded_by)] if vitals.recorded_by_id else None,
            "code": code_concept or concept(LOINC, code, display, text=display),
            **values,
        }
    )


def vital_sign_observations(patient, vitals) -> list[dict]:
    """The Observations of one set of vital signs: the blood-pressure panel (systolic and
    diastolic as components), then one per other value measured."""
    found = []
    if vitals.systolic_mmhg is not None and vitals.diastolic_mmhg is not None:
        found.append(
            _vital_observation(
                patient,
                vitals,
                BLOOD_PRESSURE_PANEL[0],
                BLOOD_PRESSURE_PANEL[1],
                component=[
                    {
                        "code": concept(LOINC, *SYSTOLIC, text=SYSTOLIC[1]),
                        "valueQuantity": quantity(vitals.systolic_mmhg, "mmHg", "mm[Hg]"),
                    },
                    {
                        "code": concept(LOINC, *DIASTOLIC, text=DIASTOLIC[1]),
                        "valueQuantity": quantity(vitals.diastolic_mmhg, "mmHg", "mm[Hg]"),
                    },
                ],
            )
        )
    for field, code, display, ucum, unit in VITAL_SIGNS:
        value = getattr(vitals, field)
        if value is None:
            continue
        extra = {}
        if field == "spo2_pct":
            extra["code_concept"] = {
                "coding": [coding(LOINC, code, display), coding(LOINC, *PULSE_OXIMETRY)],
                "text": "Oxygen saturation",
            }
        found.append(
            _vital_observation(
                patient, vitals, code, display, valueQuantity=quantity(value, unit, ucum), **extra
            )
        )
    return found


def body_measurement_observations(patient) -> list[dict]:
    """Height and weight as last measured on the patient's record."""
    if patient.measurements_taken_at is None:
        return []
    found = []
    for value, (code, display), unit in (
        (patient.height_cm, BODY_HEIGHT, "cm"),
        (patient.weight_kg, BODY_WEIGHT, "kg"),
    ):
        if value is None:
            continue
        found.append(
            {
                "resourceType": "Observation",
                "id": stable_id("measurement", patient.public_id, code),
                "meta": {"profile": [VITAL_SIGNS_PROFILE]},
                "status": "final",
                "category": [
                    concept(OBSERVATION_CATEGORY, "vital-signs", "Vital Signs", text="Vital Signs")
                ],
                "code": concept(LOINC, code, display, text=display),
                "subject": patient_ref(patient),
                "effectiveDateTime": instant(patient.measurements_taken_at),
                "valueQuantity": quantity(value, unit, unit),
            }
        )
    return found


def total_code(instrument) -> dict:
    """The code of an instrument's total: LOINC when the instrument declares one, else the
    clinic's own code system."""
    if instrument.loinc_total:
        return concept(
            LOINC,
            instrument.loinc_total,
            f"{instrument.short_name} total score",
            text=f"{instrument.short_name} total score",
        )
    return concept(
        INSTRUMENT_TOTAL_SYSTEM,
        instrument.code,
        f"{instrument.short_name} total score",
        text=f"{instrument.short_name} total score",
    )


def survey_observation(patient, response, instrument) -> dict:
    """A questionnaire's total as an Observation (category survey), derived from its response."""
    return resource_of(
        {
            "resourceType": "Observation",
            "id": stable_id("total", response.public_id),
            "status": "entered-in-error"
            if response.status == ResponseStatus.ENTERED_IN_ERROR
            else "final",
            "category": [concept(OBSERVATION_CATEGORY, "survey", "Survey", text="Survey")],
            "code": total_code(instrument),
            "subject": patient_ref(patient),
            "effectiveDateTime": instant(response.taken_at),
            "valueQuantity": {
                "value": number(response.total),
                "unit": "score",
                "system": UCUM,
                "code": "{score}",
            },
            "interpretation": [{"text": instrument.band_label(response.severity)}]
            if response.severity
            else None,
            "derivedFrom": [ref("QuestionnaireResponse", str(response.public_id))],
        }
    )


# --- Questionnaire and QuestionnaireResponse ---------------------------------------------------
def questionnaire_id(instrument) -> str:
    return instrument.code.replace("_", "-")


def questionnaire_resource(instrument) -> dict:
    """An instrument as a Questionnaire: its items keyed by the link ids the clinic stores
    answers under, each answer option coded by its value (the value the score adds up)."""
    items = []
    for item in instrument.items:
        entry: dict[str, Any] = {
            "linkId": item.link_id,
            "prefix": item.number,
            "text": item.text,
            "required": item.required,
            "code": [coding(LOINC, item.loinc)] if item.loinc else None,
        }
        if item.options:
            entry["type"] = "choice"
            entry["answerOption"] = [
                {"valueCoding": coding(ANSWER_SYSTEM, str(option.value), option.label)}
                for option in item.options
            ]
        else:
            entry["type"] = "integer"
        if item.enabled_when is not None:
            other, values = item.enabled_when
            entry["enableWhen"] = [
                {"question": other, "operator": "=", "answerCoding": coding(ANSWER_SYSTEM, str(v))}
                for v in sorted(values)
            ]
            entry["enableBehavior"] = "any"
        items.append(entry)
    return resource_of(
        {
            "resourceType": "Questionnaire",
            "id": questionnaire_id(instrument),
            "url": QUESTIONNAIRE_URL + instrument.code,
            "name": "".join(ch for ch in instrument.short_name if ch.isalnum()) or instrument.code,
            "title": instrument.name,
            "status": "active",
            "subjectType": ["Patient"],
            "description": instrument.purpose,
            "copyright": instrument.copyright_note,
            "code": [coding(LOINC, instrument.loinc_panel, instrument.name)]
            if instrument.loinc_panel
            else None,
            "item": items,
        }
    )


def questionnaire_response_resource(patient, response, instrument) -> dict:
    by_link_id = instrument.item_by_link_id
    items = []
    for link_id, value in (response.answers or {}).items():
        item = by_link_id.get(link_id)
        if item is None or value is None:
            continue
        answer = (
            {"valueCoding": coding(ANSWER_SYSTEM, str(value), item.label_of(value))}
            if item.options
            else {"valueInteger": int(value)}
        )
        items.append({"linkId": link_id, "text": item.text, "answer": [answer]})
    return resource_of(
        {
            "resourceType": "QuestionnaireResponse",
            "id": str(response.public_id),
            "questionnaire": QUESTIONNAIRE_URL + instrument.code,
            "status": QUESTIONNAIRE_RESPONSE_STATUS.get(response.status, "completed"),
            "subject": patient_ref(patient),
            "authored": instant(response.taken_at or response.created_at),
            "source": patient_ref(patient)
            if response.mode != ResponseMode.CLINICIAN_RATED
            else None,
            "author": person(response.entered_by) if response.entered_by_id else None,
        }
    ) | ({"item": items} if items else {})


# --- CarePlan, Appointment, Encounter ---------------------------------------------------------
def medication_concept(route: str) -> dict:
    code, display = RXNORM_BY_ROUTE.get(route, KETAMINE_RXNORM)
    return concept(RXNORM, code, display, text=display)


def care_plan_resource(patient, plan, version) -> dict:
    """A treatment plan as a CarePlan, described by its latest signed version."""
    route_label = dict(ROUTE_SNOMED).get(version.route, (None, version.route))[1]
    description = (
        f"{version.get_route_display()}: {number(version.dose_mg)} mg a session, "
        f"{version.induction_sessions} induction sessions ({version.induction_sessions_per_week} "
        f"a week), then every {version.maintenance_interval_days} days. "
        f"Targets: {version.target_outcomes}"
    )
    return resource_of(
        {
            "resourceType": "CarePlan",
            "id": str(plan.public_id),
            "status": PLAN_STATUS.get(plan.status, "unknown"),
            "intent": "plan",
            "title": f"Ketamine treatment plan (version {version.number})",
            "description": description[:2000],
            "subject": patient_ref(patient),
            "period": {"start": day(version.start_date), "end": instant(plan.ended_at)},
            "created": instant(plan.created_at),
            "author": person(version.signed_by),
            "addresses": [
                ref("Condition", stable_id("condition", patient.public_id, code))
                for code in (version.indications or [])
                if code in (patient.primary_conditions or [])
            ],
            "activity": [
                {
                    "detail": {
                        "kind": "MedicationRequest",
                        "status": "in-progress"
                        if plan.status == PlanStatus.ACTIVE
                        else "completed",
                        "productCodeableConcept": medication_concept(version.route),
                        "description": f"{route_label}",
                        "quantity": quantity(version.dose_mg, "mg", "mg"),
                    }
                }
            ],
        }
    )


def appointment_resource(patient, appointment) -> dict:
    participants: list[dict[str, Any]] = [
        {"actor": patient_ref(patient), "status": "accepted", "required": "required"}
    ]
    if appointment.staff_id:
        participants.append({"actor": person(appointment.staff), "status": "accepted"})
    return resource_of(
        {
            "resourceType": "Appointment",
            "id": str(appointment.public_id),
            "status": APPOINTMENT_STATUS.get(appointment.status, "booked"),
            "cancelationReason": {"text": appointment.get_cancel_reason_display()}
            if appointment.cancel_reason
            else None,
            "serviceType": [{"text": str(appointment.appointment_type)}],
            "start": instant(appointment.starts_at),
            "end": instant(appointment.ends_at),
            "created": instant(appointment.created_at),
            "participant": participants,
        }
    )


def encounter_resource(patient, session) -> dict:
    return resource_of(
        {
            "resourceType": "Encounter",
            "id": str(session.public_id),
            "status": ENCOUNTER_STATUS.get(session.status, "unknown"),
            "class": coding(ACT_CODE, "AMB", "ambulatory"),
            "type": [{"text": f"Ketamine treatment session ({session.get_route_display()})"}],
            "subject": patient_ref(patient),
            "appointment": [ref("Appointment", str(session.appointment.public_id))],
            "period": {"start": instant(session.created_at), "end": instant(session.discharged_at)},
            "participant": [{"individual": person(session.started_by)}],
            "reasonCode": [{"text": session.not_done_reason[:500]}]
            if session.not_done_reason
            else None,
        }
    )


# --- MedicationAdministration, AdverseEvent ---------------------------------------------------
def ketamine_administration_resource(patient, session, infusion_events) -> dict | None:
    """The session's ketamine (or esketamine) dose, when one was given: what, how much, by which
    route and at which rate, and the lot of the vial (a contained Medication carries the lot,
    as R4 has no lot on the administration itself)."""
    if session.dosed_at is None:
        return None
    ended = [
        e.at
        for e in infusion_events
        if e.kind in (InfusionEventKind.STOP, InfusionEventKind.COMPLETE)
    ]
    rates = [e.rate_mg_per_hour for e in infusion_events if e.rate_mg_per_hour is not None]
    route_code = ROUTE_SNOMED.get(session.route)
    given = session.dose_given_mg if session.dose_given_mg is not None else session.dose_mg
    medication = compact(
        {
            "resourceType": "Medication",
            "id": "dose",
            "code": medication_concept(session.route),
            "batch": {
                "lotNumber": session.vial_lot,
                "expirationDate": instant_of_day(session.vial_expiry),
            },
        }
    )
    stopped_early = session.dose_given_mg is not None and session.dose_given_mg < session.dose_mg
    return compact(
        {
            "resourceType": "MedicationAdministration",
            "id": stable_id("dose", session.public_id),
            "contained": [medication],
            "status": "stopped" if stopped_early else "completed",
            "medicationReference": {"reference": "#dose"},
            "subject": patient_ref(patient),
            "context": ref("Encounter", str(session.public_id)),
            "effectivePeriod": {"start": instant(session.dosed_at), "end": instant(ended[-1])}
            if session.route == Route.IV and ended
            else None,
            "effectiveDateTime": None
            if (session.route == Route.IV and ended)
            else instant(session.dosed_at),
            "performer": [
                {"actor": who}
                for who in (person(session.dose_confirmed_by), person(session.dose_verified_by))
                if who
            ],
            "note": [{"text": session.dose_given_working[:1000]}]
            if session.dose_given_working
            else None,
            "dosage": {
                "text": session.dose_working[:300] or None,
                "route": concept(SNOMED, *route_code) if route_code else None,
                "dose": quantity(given, "mg", "mg"),
                # The first rate the infusion ran at (later changes are the infusion's events).
                "rateQuantity": quantity(rates[0], "mg/h", "mg/h") if rates else None,
            },
        }
    )


def instant_of_day(value: date | None) -> str | None:
    """A date as FHIR's dateTime (a lot's expiry is a day)."""
    return value.isoformat() if value is not None else None


def other_administration_resource(patient, session, administration) -> dict:
    """A medicine given in the session besides the ketamine dose (e.g. ondansetron)."""
    unit = administration.dose_unit.strip()
    ucum = UCUM_DOSE_UNITS.get(unit) or UCUM_DOSE_UNITS.get(unit.lower())
    dose = (
        quantity(administration.dose_amount, unit, ucum)
        if ucum
        else {"value": number(administration.dose_amount), "unit": unit}
    )
    return resource_of(
        {
            "resourceType": "MedicationAdministration",
            "id": stable_id("administration", administration.pk),
            "status": "completed",
            "medicationCodeableConcept": {"text": administration.medication},
            "subject": patient_ref(patient),
            "context": ref("Encounter", str(session.public_id)),
            "effectiveDateTime": instant(administration.given_at),
            "performer": [{"actor": person(administration.given_by)}],
            "reasonCode": [{"text": administration.reason}],
            "dosage": {"route": {"text": administration.route}, "dose": dose},
        }
    )


def adverse_event_resource(patient, session, side_effect, *, dose_id: str | None) -> dict:
    return resource_of(
        {
            "resourceType": "AdverseEvent",
            "id": stable_id("side-effect", side_effect.pk),
            "actuality": "actual",
            "event": concept(
                SIDE_EFFECT_SYSTEM,
                side_effect.kind,
                side_effect.get_kind_display(),
                text=side_effect.details or side_effect.get_kind_display(),
            ),
            "subject": patient_ref(patient),
            "encounter": ref("Encounter", str(session.public_id)),
            "date": instant(side_effect.onset_at),
            "recordedDate": instant(side_effect.created_at),
            "recorder": person(side_effect.recorded_by),
            "severity": concept(
                AE_SEVERITY, side_effect.severity, side_effect.get_severity_display()
            ),
            "outcome": concept(AE_OUTCOME, AE_OUTCOMES.get(side_effect.outcome, "ongoing")),
            "suspectEntity": [{"instance": ref("MedicationAdministration", dose_id)}]
            if dose_id
            else None,
        }
    )


# --- Consent, Provenance ------------------------------------------------------------------------
def consent_resource(patient, signature) -> dict:
    document = signature.document
    return resource_of(
        {
            "resourceType": "Consent",
            "id": str(signature.public_id),
            "status": "inactive" if signature.withdrawn_at else "active",
            "scope": concept(CONSENT_SCOPE, "treatment", "Treatment"),
            "category": [concept(LOINC, *CONSENT_DOCUMENT)],
            "patient": patient_ref(patient),
            "dateTime": instant(signature.signed_at),
            "policy": [{"uri": f"{CONSENT_POLICY_URL}{document.code}:v{document.version}"}],
            "sourceAttachment": {
                "contentType": "text/plain",
                "title": f"{document.title} (version {document.version})",
            },
        }
    )


def _provenance(target: dict, recorded, who, role: str, resource_id: str, when) -> dict:
    code, display = SIGNATURE_TYPES[role]
    return resource_of(
        {
            "resourceType": "Provenance",
            "id": resource_id,
            "target": [target],
            "recorded": instant(recorded),
            "agent": [
                {
                    "type": concept(
                        PROVENANCE_PARTICIPANT,
                        "author" if role != SignatureRole.CLINICIAN else "verifier",
                    ),
                    "who": person(who),
                }
            ],
            "signature": [
                {
                    "type": [coding(SIGNATURE_TYPE, code, display)],
                    "when": instant(when),
                    "who": person(who),
                }
            ],
        }
    )


def session_signature_provenance(session, signature) -> dict:
    return _provenance(
        ref("Encounter", str(session.public_id)),
        signature.signed_at,
        signature.signed_by,
        signature.role,
        stable_id("session-signature", signature.pk),
        signature.signed_at,
    )


def plan_version_provenance(plan, version) -> dict:
    return _provenance(
        ref("CarePlan", str(plan.public_id)),
        version.signed_at,
        version.signed_by,
        "plan",
        stable_id("plan-version", version.pk),
        version.signed_at,
    )


def consent_provenance(signature) -> dict:
    """The patient's own signature on a consent document."""
    return resource_of(
        {
            "resourceType": "Provenance",
            "id": stable_id("consent-signature", signature.public_id),
            "target": [ref("Consent", str(signature.public_id))],
            "recorded": instant(signature.signed_at),
            "agent": [
                {
                    "type": concept(PROVENANCE_PARTICIPANT, "author"),
                    "who": ref(
                        "Patient", str(signature.patient.public_id), signature.typed_full_name
                    ),
                }
            ],
            "signature": [
                {
                    "type": [coding(SIGNATURE_TYPE, *SIGNATURE_TYPES["nurse"])],
                    "when": instant(signature.signed_at),
                    "who": ref(
                        "Patient", str(signature.patient.public_id), signature.typed_full_name
                    ),
                }
            ],
        }
    )
