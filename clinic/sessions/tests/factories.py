"""A checked-in patient with a signed suitable evaluation, a consent for the route and an active
plan, ready to start a treatment session; and helpers that walk the session forward."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from clinic.evaluation import services as evaluation_services
from clinic.evaluation.models import ConsentDocument
from clinic.evaluation.tests.factories import complete_evaluation
from clinic.inventory.models import Safe
from clinic.inventory.tests import factories as register
from clinic.scheduling.models import Appointment, AppointmentType
from clinic.sessions import rules as session_rules
from clinic.sessions import selectors, services, stock
from clinic.treatment import services as treatment_services
from clinic.treatment.models import (
    ProtocolTemplate,
    RemsPatientEnrolment,
    RemsSettingCertification,
)
from conftest import PASSWORD

IV_TRD = "IV ketamine — treatment-resistant depression"
ESKETAMINE = "Esketamine nasal spray — treatment-resistant depression"
CONSENT_FOR = {"iv": "ketamine-infusion-injection", "intranasal": None}
GOOD_PRE_DOSE = {
    "systolic_mmhg": 124,
    "diastolic_mmhg": 78,
    "heart_rate_bpm": 72,
    "respiratory_rate_per_min": 14,
    "spo2_pct": 98,
    "weight_kg": Decimal("70.0"),
}
GOOD_DURING = {
    "systolic_mmhg": 132,
    "diastolic_mmhg": 82,
    "heart_rate_bpm": 78,
    "respiratory_rate_per_min": 14,
    "spo2_pct": 97,
}


def sign_consent_for(patient, route: str) -> None:
    document = next(d for d in ConsentDocument.objects.filter(status="active") if route in d.routes)
    evaluation_services.sign_consent(
        actor=patient.user,
        patient=patient,
        document=document,
        typed_full_name=f"{patient.legal_first_name} {patient.legal_last_name}",
        signed_on=timezone.localdate(timezone.now(), patient.location.zone),
        channel="portal",
    )


def plan_for(
    clinician,
    patient,
    *,
    protocol_name: str = IV_TRD,
    consent: bool = True,
    rems: bool = True,
    **changes,
):
    """A suitable signed evaluation, the consent for the route and a signed plan starting today."""
    evaluation = complete_evaluation(clinician, patient)
    evaluation_services.sign_evaluation(
        actor=clinician,
        evaluation=evaluation,
        decision="suitable",
        reasoning="Suitable.",
        password=PASSWORD,
    )
    protocol = ProtocolTemplate.objects.get(name=protocol_name)
    values = {
        "protocol": protocol,
        "indications": [protocol.indication],
        "dose": protocol.default_dose,
        "weight_basis": "actual" if protocol.dose_unit == "mg_per_kg" else "",
        "start_date": timezone.localdate(timezone.now(), patient.location.zone),
        "target_outcomes": "Response by session 6",
        "induction_sessions": protocol.induction_sessions,
        "induction_sessions_per_week": protocol.induction_sessions_per_week,
        "maintenance_interval_days": protocol.maintenance_interval_days,
        "infusion_minutes": protocol.infusion_minutes,
        "change_reason": "initial",
        # Clinician-rated only: no questionnaire for the patient to answer before dosing, unless
        # a test chooses one.
        "instruments": ["cadss6"],
    }
    values.update(changes)
    instruments = values.pop("instruments")
    # A plan takes its questionnaires from the protocol; the gate tests choose them by setting
    # the protocol's for this one signature (a signed version cannot be edited afterwards).
    protocol_instruments = protocol.instruments
    if instruments is not None:
        ProtocolTemplate.objects.filter(pk=protocol.pk).update(instruments=instruments)
        values["protocol"] = ProtocolTemplate.objects.get(pk=protocol.pk)
    try:
        version = treatment_services.sign_plan_version(
            actor=clinician,
            patient=patient,
            draft=treatment_services.PlanDraft(**values),
            password=PASSWORD,
        )
    finally:
        if instruments is not None:
            ProtocolTemplate.objects.filter(pk=protocol.pk).update(instruments=protocol_instruments)
    if consent:
        sign_consent_for(patient, protocol.route)
    if rems and protocol.route == "intranasal":
        rems_certified_and_enrolled(clinician, patient)
    return version


def rems_certified_and_enrolled(recorded_by, patient) -> None:
    """The patient's location REMS-certified (unless it is already) and the patient enrolled, as
    an esketamine session needs (the REMS tests leave them out to see the gate refuse)."""
    location = patient.location
    if not RemsSettingCertification.objects.filter(location=location).exists():
        RemsSettingCertification.objects.create(
            location=location,
            certification_number="SPR-0042-US",
            authorised_representative="Dana Whitfield",
            certified_on=timezone.localdate() - timedelta(days=90),
            recorded_by=recorded_by,
        )
    RemsPatientEnrolment.objects.create(
        patient=patient,
        patient_rems_id="PT-778812",
        enrolled_on=timezone.localdate() - timedelta(days=7),
        recorded_by=recorded_by,
    )


def checked_in_appointment(patient, *, booked_by, route: str = "iv", starts_at=None) -> Appointment:
    kind_type = AppointmentType.objects.filter(
        kind="treatment", route=route, is_active=True
    ).first()
    starts_at = starts_at or timezone.now() - timedelta(minutes=10)
    return Appointment.objects.create(
        patient=patient,
        location=patient.location,
        appointment_type=kind_type,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=kind_type.duration_minutes),
        status="checked_in",
        checked_in_at=timezone.now(),
        booked_by=booked_by,
    )


def started_session(clinician, nurse, patient, *, protocol_name: str = IV_TRD, **plan_changes):
    version = plan_for(clinician, patient, protocol_name=protocol_name, **plan_changes)
    appointment = checked_in_appointment(patient, booked_by=clinician, route=version.route)
    return services.start_session(actor=nurse, appointment=appointment)


def complete_checklist(nurse, session, **changes):
    values = {
        "identity_confirmed": True,
        "fasting_confirmed": True,
        "escort_name": "Sam Moreno",
        "escort_phone": "555-0100",
        "escort_confirmed": True,
        "pregnancy_test": "negative",
    }
    values.update(changes)
    return services.update_checklist(actor=nurse, session=session, changes=values)


def ready_to_dose(clinician, nurse, patient, *, pre_dose_at=None, **plan_changes):
    """A started session with every gate passed (checklist, good pre-dose vitals and weight)."""
    session = started_session(clinician, nurse, patient, **plan_changes)
    complete_checklist(nurse, session)
    services.record_reading(
        actor=nurse, session=session, values=dict(GOOD_PRE_DOSE), taken_at=pre_dose_at
    )
    session.refresh_from_db()
    return session


def dosed(clinician, nurse, patient, *, at=None, **plan_changes):
    """A session whose dose was confirmed (nurse), verified (clinician) and given."""
    pre_dose_at = at - timedelta(minutes=5) if at is not None else None
    session = ready_to_dose(clinician, nurse, patient, pre_dose_at=pre_dose_at, **plan_changes)
    return give_dose(clinician, nurse, session, at=at)


def stock_for(session, *, received_by, witness, lot: str = "KT-2291"):
    """A container in a safe at the session's location holding the session's dose: a 100 mg/mL
    vial, or an esketamine kit with as many 28 mg devices as the dose (clinic.inventory's test
    factories; the register is the production default for doses)."""
    safe = Safe.objects.filter(location=session.location).first() or register.SafeFactory(
        location=session.location
    )
    if session.route == "intranasal":
        devices = max(1, int((session.plan_version.dose or 56) // 28))
        product = register.SprayKitFactory(
            ndc=f"50458-028-0{devices}",
            name=f"Spravato 28 mg nasal spray, kit of {devices}",
            devices_per_container=devices,
        )
    else:
        product = register.VialFactory()
    receipt = register.receive(received_by, witness, safe, product=product, lot=lot)
    return receipt.containers.get()


def give_dose(clinician, nurse, session, *, at=None, vial_lot: str = "KT-2291"):
    """Confirm (nurse, drawing from a container received for it), verify (clinician) and give a
    ready session's dose as the plan works it."""
    confirm_and_verify(clinician, nurse, session, vial_lot=vial_lot)
    services.record_infusion_event(actor=nurse, session=session, kind="start", at=at)
    session.refresh_from_db()
    return session


def confirm_and_verify(clinician, nurse, session, *, vial_lot: str = "KT-2291"):
    """The dose confirmed by the nurse (drawn from a container received for it, or with the lot
    typed when the register is off) and verified by the clinician, not yet given."""
    working = selectors.compute_dose(session, session.plan_version, session.weight_kg)
    if stock.active() is not None:
        container = stock_for(session, received_by=nurse, witness=clinician, lot=vial_lot)
        drawn_from = {"container": container.identifier}
    else:
        drawn_from = {
            "vial_lot": vial_lot,
            "vial_expiry": timezone.localdate() + timedelta(days=200),
        }
    services.confirm_dose(
        actor=nurse, session=session, expected_dose_mg=working.dose_mg, **drawn_from
    )
    services.verify_dose(
        actor=clinician,
        session=session,
        dose_mg=working.dose_mg,
        vial_lot=vial_lot,
        password=PASSWORD,
    )
    session.refresh_from_db()
    return session


def due_label(session) -> str:
    """The tracker's words for the session's form today: counted from the treatment's own local
    day, which is yesterday when the dose was given before local midnight."""
    zone = session.location.zone
    return session_rules.rems_form_standing(
        treated_on=timezone.localtime(session.dosed_at, zone).date(),
        today=timezone.localdate(timezone.now(), zone),
        submitted=False,
    ).label
