"""Courses of care for `make bench-scale`, grown by bulk inserts: what the outcomes page reads.

The outcomes figures read consultation requests, signed evaluations, plans and their versions,
treatment appointments and dosed sessions, side effects and monitoring alerts. Building 100,000
courses through the services would take hours, so one real course per protocol is built through
the product's own services (a consultation request, a signed suitable evaluation, a signed plan);
every grown patient gets copies of those rows with its own identifiers, then treatment
appointments and dosed, discharged and signed sessions written as the outcome tests write them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import models
from django.utils import timezone

from clinic.evaluation.models import Evaluation
from clinic.intake.choices import ConsultationStatus
from clinic.intake.models import ConsultationRequest
from clinic.intake.tests.factories import submit_test_request
from clinic.patients.tests.factories import register_test_patient
from clinic.scheduling.choices import AppointmentStatus, CancelReason
from clinic.scheduling.models import Appointment, AppointmentType
from clinic.sessions.choices import SessionStatus
from clinic.sessions.models import SideEffect, TreatmentSession
from clinic.sessions.tests.factories import ESKETAMINE, IV_TRD, plan_for
from clinic.treatment.choices import PlanStatus
from clinic.treatment.models import TreatmentPlan, TreatmentPlanVersion

# The protocols the grown courses follow, in turn (most patients on IV, as in most clinics).
PROTOCOL_MIX = (IV_TRD, IV_TRD, IV_TRD, ESKETAMINE)
# Dosed sessions per course, in turn: some stop early, most finish an induction of six, some go
# on into maintenance. The mean is 6.
SESSIONS_MIX = (1, 3, 6, 6, 7, 8, 8, 9)
# The first dose, days before now, in turn: some courses are past the 3-month window.
FIRST_DOSE_DAYS_AGO = (45, 60, 75, 100, 110)
DAYS_BETWEEN_SESSIONS = 3.5


@dataclass
class CourseTemplate:
    request: ConsultationRequest
    evaluation: Evaluation
    plan: TreatmentPlan
    version: TreatmentPlanVersion
    appointment_type: AppointmentType


def _copy(instance: models.Model, **overrides) -> models.Model:
    """A new unsaved row with the instance's column values, a fresh public_id and `overrides`."""
    model = type(instance)
    values = {
        field.attname: getattr(instance, field.attname)
        for field in model._meta.concrete_fields
        if not field.primary_key
    }
    if "public_id" in values:
        values["public_id"] = uuid.uuid4()
    values.update(overrides)
    return model(**values)


class CourseGrower:
    """Gives patients grown in bulk a course of care: request, evaluation, plan, sessions."""

    def __init__(self, clinic) -> None:
        self.clinic = clinic
        self.templates = [self._template(name, n) for n, name in enumerate(PROTOCOL_MIX[-2:])]
        by_name = {t.version.protocol.name: t for t in self.templates}
        self.mix = [by_name[name] for name in PROTOCOL_MIX]
        self.courses = 0

    def _template(self, protocol_name: str, n: int) -> CourseTemplate:
        clinic = self.clinic
        request = submit_test_request(location=clinic.location, conditions=["trd"])
        patient = register_test_patient(
            actor=clinic.clinician,
            location=clinic.location,
            first_name="Course",
            last_name=f"Template{chr(65 + n)}",
        )
        version = plan_for(clinic.clinician, patient, protocol_name=protocol_name, consent=False)
        ConsultationRequest.objects.filter(pk=request.pk).update(
            patient=patient, status=ConsultationStatus.CONVERTED
        )
        request.refresh_from_db()
        plan = version.plan
        return CourseTemplate(
            request=request,
            evaluation=plan.evaluation,
            plan=plan,
            version=version,
            appointment_type=AppointmentType.objects.filter(
                kind="treatment", route=version.route, is_active=True
            ).first(),
        )

    def add(self, patients: list) -> None:
        """A course for each of `patients` (saved rows), by one bulk insert per table."""
        now = timezone.now()
        clinic = self.clinic
        plan_of: list[tuple] = []
        requests, evaluations = [], []
        for patient in patients:
            n = self.courses
            self.courses += 1
            template = self.mix[n % len(self.mix)]
            requests.append(
                _copy(
                    template.request,
                    patient_id=patient.pk,
                    first_name=patient.legal_first_name,
                    last_name=patient.legal_last_name,
                    created_at=now - timedelta(days=FIRST_DOSE_DAYS_AGO[n % 5] + 30),
                )
            )
            evaluations.append(_copy(template.evaluation, patient_id=patient.pk))
            plan_of.append((patient, template, n))
        ConsultationRequest.objects.bulk_create(requests, batch_size=2_000)
        Evaluation.objects.bulk_create(evaluations, batch_size=2_000)
        plans = []
        for (patient, template, n), evaluation in zip(plan_of, evaluations, strict=True):
            sessions = SESSIONS_MIX[n % len(SESSIONS_MIX)]
            status = PlanStatus.ACTIVE
            if sessions == 1:
                status = PlanStatus.STOPPED
            elif n % 10 == 0:
                status = PlanStatus.COMPLETED
            plans.append(
                _copy(
                    template.plan, patient_id=patient.pk, evaluation_id=evaluation.pk, status=status
                )
            )
        TreatmentPlan.objects.bulk_create(plans, batch_size=2_000)
        versions = [
            _copy(template.version, plan_id=plan.pk)
            for (_patient, template, _n), plan in zip(plan_of, plans, strict=True)
        ]
        TreatmentPlanVersion.objects.bulk_create(versions, batch_size=2_000)

        appointments, missed, session_rows = [], [], []
        for (patient, template, n), version in zip(plan_of, versions, strict=True):
            first_dose = now - timedelta(days=FIRST_DOSE_DAYS_AGO[n % 5])
            for k in range(SESSIONS_MIX[n % len(SESSIONS_MIX)]):
                dosed_at = first_dose + timedelta(days=DAYS_BETWEEN_SESSIONS * k)
                appointment = Appointment(
                    patient_id=patient.pk,
                    location_id=clinic.location.pk,
                    appointment_type=template.appointment_type,
                    starts_at=dosed_at - timedelta(minutes=30),
                    ends_at=dosed_at + timedelta(minutes=90),
                    status=AppointmentStatus.COMPLETED,
                    plan_version_id=version.pk,
                    booked_by=clinic.clinician,
                )
                appointments.append(appointment)
                session_rows.append((appointment, patient, version, dosed_at, k))
            if n % 9 == 0:  # a no-show and a late cancellation by the patient now and then
                starts_at = first_dose - timedelta(days=2)
                for status in (AppointmentStatus.NO_SHOW, AppointmentStatus.CANCELLED):
                    cancelled = status == AppointmentStatus.CANCELLED
                    missed.append(
                        Appointment(
                            patient_id=patient.pk,
                            location_id=clinic.location.pk,
                            appointment_type=template.appointment_type,
                            starts_at=starts_at,
                            ends_at=starts_at + timedelta(hours=2),
                            status=status,
                            cancel_reason=CancelReason.PATIENT_REQUEST if cancelled else "",
                            cancelled_at=starts_at - timedelta(hours=2) if cancelled else None,
                            plan_version_id=version.pk,
                            booked_by=clinic.clinician,
                        )
                    )
        Appointment.objects.bulk_create(appointments + missed, batch_size=2_000)
        sessions = [
            TreatmentSession(
                patient_id=patient.pk,
                location_id=clinic.location.pk,
                appointment_id=appointment.pk,
                plan_version_id=version.pk,
                route=version.route,
                status=SessionStatus.SIGNED,
                started_by=clinic.nurse,
                dose_mg=version.dose_mg,
                dose_confirmed_by=clinic.nurse,
                dose_confirmed_at=dosed_at,
                dose_verified_by=clinic.clinician,
                dose_verified_at=dosed_at,
                dosed_at=dosed_at,
                ready_for_discharge_at=dosed_at + timedelta(minutes=60),
                discharged_at=dosed_at + timedelta(minutes=60 + 5 * (k % 6)),
            )
            for appointment, patient, version, dosed_at, k in session_rows
        ]
        TreatmentSession.objects.bulk_create(sessions, batch_size=2_000)
        SideEffect.objects.bulk_create(
            (
                SideEffect(
                    session_id=session.pk,
                    kind="nausea_vomiting",
                    severity="mild",
                    onset_at=session.dosed_at,
                    interventions=[],
                    outcome="resolved",
                    recorded_by=clinic.nurse,
                )
                for n, session in enumerate(sessions)
                if n % 8 == 0
            ),
            batch_size=2_000,
        )
