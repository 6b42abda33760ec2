"""The reads the FHIR API and the bulk export share: a patient's whole record, fetched in a fixed
number of queries (prefetches) whatever its size, and turned into FHIR resources.

`resources_for(patient)` reads only what `with_record()` prefetched, so a chunk of patients
costs the same handful of queries as one patient, and the export streams the clinic chunk by
chunk (memory stays flat as the clinic grows)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from clinic.assessments.choices import ResponseStatus
from clinic.assessments.instruments import INSTRUMENTS
from clinic.assessments.models import AssessmentResponse
from clinic.evaluation.models import Allergy, ConsentSignature, Evaluation, MedicineList
from clinic.interop import mapping
from clinic.patients.models import Patient, VitalSigns
from clinic.scheduling.models import Appointment
from clinic.sessions.models import (
    InfusionEvent,
    MedicationAdministration,
    SessionSignature,
    SideEffect,
    TreatmentSession,
)
from clinic.treatment.models import TreatmentPlan, TreatmentPlanVersion

SIGNED_EVALUATION = ("completed", "amended")
# Every resource type the API and the export produce, in the order a reader needs them (the
# export writes one NDJSON file per type in this order).
RESOURCE_TYPES = (
    "Patient",
    "Condition",
    "AllergyIntolerance",
    "MedicationStatement",
    "Questionnaire",
    "QuestionnaireResponse",
    "Observation",
    "CarePlan",
    "Appointment",
    "Encounter",
    "MedicationAdministration",
    "AdverseEvent",
    "Consent",
    "Provenance",
)


def _since(queryset: QuerySet, field: str, since: datetime | None) -> QuerySet:
    return queryset.filter(**{f"{field}__gte": since}) if since is not None else queryset


def with_record(patients: QuerySet[Patient], *, since: datetime | None = None) -> QuerySet[Patient]:
    """The patients with everything `resources_for` reads, prefetched. With `since`, only what
    was recorded or changed since then (the FHIR Bulk Data `_since`)."""
    return patients.select_related("location").prefetch_related(
        Prefetch(
            "evaluations",
            queryset=Evaluation.objects.filter(status__in=SIGNED_EVALUATION)
            .order_by("-signed_at", "-id")
            .prefetch_related(
                Prefetch("allergy_set", queryset=Allergy.objects.select_related("recorded_by"))
            ),
            to_attr="signed_evaluations",
        ),
        Prefetch(
            "vital_signs",
            queryset=_since(
                VitalSigns.objects.select_related("recorded_by").order_by("taken_at", "id"),
                "created_at",
                since,
            ),
            to_attr="fhir_vitals",
        ),
        Prefetch(
            "assessment_responses",
            queryset=_since(
                AssessmentResponse.objects.exclude(status=ResponseStatus.IN_PROGRESS)
                .select_related("entered_by")
                .order_by("taken_at", "id"),
                "updated_at",
                since,
            ),
            to_attr="fhir_responses",
        ),
        Prefetch(
            "treatment_plans",
            queryset=_since(TreatmentPlan.objects.all(), "updated_at", since).prefetch_related(
                Prefetch(
                    "versions",
                    queryset=TreatmentPlanVersion.objects.select_related("signed_by").order_by(
                        "number"
                    ),
                    to_attr="fhir_versions",
                )
            ),
            to_attr="fhir_plans",
        ),
        Prefetch(
            "appointments",
            queryset=_since(
                Appointment.objects.select_related("appointment_type", "staff"),
                "updated_at",
                since,
            ),
            to_attr="fhir_appointments",
        ),
        Prefetch(
            "treatment_sessions",
            queryset=_since(
                TreatmentSession.objects.select_related(
                    "appointment", "started_by", "dose_confirmed_by", "dose_verified_by"
                )
                .prefetch_related(
                    Prefetch(
                        "infusion_events", queryset=InfusionEvent.objects.order_by("at", "id")
                    ),
                    Prefetch(
                        "side_effects", queryset=SideEffect.objects.select_related("recorded_by")
                    ),
                    Prefetch(
                        "administrations",
                        queryset=MedicationAdministration.objects.select_related("given_by"),
                    ),
                    Prefetch(
                        "signatures", queryset=SessionSignature.objects.select_related("signed_by")
                    ),
                )
                .order_by("created_at", "id"),
                "updated_at",
                since,
            ),
            to_attr="fhir_sessions",
        ),
        Prefetch(
            "medicine_lists",
            queryset=MedicineList.objects.select_related("recorded_by").order_by(
                "-recorded_at", "-id"
            ),
            to_attr="fhir_medicine_lists",
        ),
        Prefetch(
            "consent_signatures",
            queryset=_since(
                ConsentSignature.objects.select_related("document").order_by("signed_at", "id"),
                "signed_at",
                since,
            ),
            to_attr="fhir_consents",
        ),
    )


def _responses_with_instruments(patient) -> Iterator[tuple]:
    for response in patient.fhir_responses:
        instrument = INSTRUMENTS.get(response.instrument_code)
        if instrument is not None and response.taken_at is not None:
            yield response, instrument


def resources_for(patient, *, since: datetime | None = None) -> Iterator[dict]:
    """Every FHIR resource of one patient's record (prefetched by `with_record`), Patient first.
    Questionnaires are not among them (they are the clinic's, not the patient's): see
    `questionnaires_used`."""
    if since is None or patient.updated_at >= since:
        yield mapping.patient_resource(patient)
        yield from mapping.condition_resources(patient)
        yield from mapping.body_measurement_observations(patient)
    latest = patient.signed_evaluations[0] if patient.signed_evaluations else None
    # The medicines now: the newest list recorded after the evaluation, else the evaluation's.
    medicine_list = patient.fhir_medicine_lists[0] if patient.fhir_medicine_lists else None
    if (
        medicine_list is not None
        and latest is not None
        and medicine_list.recorded_at < latest.signed_at
    ):
        medicine_list = None
    if medicine_list is not None and (since is None or medicine_list.recorded_at >= since):
        yield from mapping.medicine_list_statements(patient, medicine_list)
    if since is None or (latest is not None and latest.signed_at >= since):
        nka_at = latest.signed_at if latest is not None and latest.no_known_allergies else None
        yield from mapping.allergy_resources(
            patient,
            latest.allergy_set.all() if latest is not None else [],
            no_known_allergies_at=nka_at,
        )
        if medicine_list is None:
            yield from mapping.medication_statement_resources(patient, latest)
    for response, instrument in _responses_with_instruments(patient):
        yield mapping.questionnaire_response_resource(patient, response, instrument)
        if response.total is not None:
            yield mapping.survey_observation(patient, response, instrument)
    for vitals in patient.fhir_vitals:
        yield from mapping.vital_sign_observations(patient, vitals)
    for plan in patient.fhir_plans:
        if plan.fhir_versions:
            yield mapping.care_plan_resource(patient, plan, plan.fhir_versions[-1])
            for version in plan.fhir_versions:
                yield mapping.plan_version_provenance(plan, version)
    for appointment in patient.fhir_appointments:
        yield mapping.appointment_resource(patient, appointment)
    for session in patient.fhir_sessions:
        yield mapping.encounter_resource(patient, session)
        events = list(session.infusion_events.all())
        dose = mapping.ketamine_administration_resource(patient, session, events)
        if dose is not None:
            yield dose
        for administration in session.administrations.all():
            yield mapping.other_administration_resource(patient, session, administration)
        for side_effect in session.side_effects.all():
            yield mapping.adverse_event_resource(
                patient, session, side_effect, dose_id=dose["id"] if dose else None
            )
        for signature in session.signatures.all():
            yield mapping.session_signature_provenance(session, signature)
    for signature in patient.fhir_consents:
        signature.patient = patient
        yield mapping.consent_resource(patient, signature)
        yield mapping.consent_provenance(signature)


def questionnaires_used(patient) -> list[dict]:
    codes = sorted({instrument.code for _r, instrument in _responses_with_instruments(patient)})
    return [mapping.questionnaire_resource(INSTRUMENTS[code]) for code in codes]


def all_questionnaires() -> list[dict]:
    return [mapping.questionnaire_resource(instrument) for instrument in INSTRUMENTS.values()]
