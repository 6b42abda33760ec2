"""A realistic demo clinic, built through the same services a person's clicks go through, so that
its audit trail and histories are true. Deterministic: the same seed gives the same clinic."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from clinic.accounts.choices import Role
from clinic.accounts.models import MonitorDevice, User
from clinic.assessments import services as assessments
from clinic.assessments.choices import AssessmentContext, Respondent, ResponseStatus
from clinic.assessments.instruments import INSTRUMENTS
from clinic.assessments.models import AssessmentResponse
from clinic.assessments.policy import instruments_for_conditions, patient_answered
from clinic.core.choices import Condition, Route
from clinic.core.meta import present
from clinic.core.models import Location, Organisation
from clinic.core.tokens import token_sha256
from clinic.demo.inventory_data import (
    DOSING_LOT,
    dosing_vial,
    overdraw_ml,
    receive_controlled_stock,
    reconcile_and_count,
)
from clinic.evaluation import selectors as evaluation_selectors
from clinic.evaluation import services as evaluation
from clinic.evaluation.choices import Decision
from clinic.evaluation.models import ConsentDocument
from clinic.evaluation.rules import BOOLEAN_FIELDS
from clinic.intake import services as intake
from clinic.intake.choices import ConsultationStatus, ContactMethod, ContactTime, DeclineReason
from clinic.inventory.models import Container
from clinic.patients import services as patients
from clinic.patients.choices import PatientStatus, Sex
from clinic.reviews import services as reviews
from clinic.scheduling import services as scheduling
from clinic.scheduling.choices import RoomKind
from clinic.scheduling.models import Appointment, AppointmentType, Room, StaffHours
from clinic.sessions import selectors as session_selectors
from clinic.sessions import services as sessions
from clinic.treatment import services as treatment
from clinic.treatment.models import ProtocolTemplate, TreatmentPlanVersion


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    role: str
    credentials: str
    password: str

    @property
    def label(self) -> str:
        """The role as the sign-in table prints it, with the credentials that tell two apart."""
        role = str(Role(self.role).label).lower()
        return f"{role} ({self.credentials})" if self.credentials else role


DEMO_PASSWORD_SUFFIX = "-demo-2026"
STAFF_ACCOUNTS = [
    DemoAccount(
        "director@demo.clinic",
        "Dr. Maya Okafor",
        Role.MEDICAL_DIRECTOR,
        "MD",
        "director" + DEMO_PASSWORD_SUFFIX,
    ),
    DemoAccount(
        "clinician@demo.clinic",
        "Dr. Samuel Reyes",
        Role.CLINICIAN,
        "MD",
        "clinician" + DEMO_PASSWORD_SUFFIX,
    ),
    DemoAccount(
        "np@demo.clinic",
        "Priya Natarajan",
        Role.CLINICIAN,
        "PMHNP",
        "clinician" + DEMO_PASSWORD_SUFFIX,
    ),
    DemoAccount(
        "nurse@demo.clinic", "Jordan Kim", Role.NURSE, "RN", "nurse" + DEMO_PASSWORD_SUFFIX
    ),
    DemoAccount(
        "nurse2@demo.clinic", "Elena Petrova", Role.NURSE, "RN", "nurse" + DEMO_PASSWORD_SUFFIX
    ),
    DemoAccount(
        "frontdesk@demo.clinic",
        "Chris Walker",
        Role.FRONT_DESK,
        "",
        "frontdesk" + DEMO_PASSWORD_SUFFIX,
    ),
]
PATIENT_ACCOUNTS = [
    DemoAccount(
        "alice@demo.clinic", "Alice Moreno", Role.PATIENT, "", "patient" + DEMO_PASSWORD_SUFFIX
    ),
    DemoAccount(
        "bob@demo.clinic", "Bob Lindqvist", Role.PATIENT, "", "patient" + DEMO_PASSWORD_SUFFIX
    ),
]

FIRST_NAMES = [
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Elijah",
    "Sophia",
    "James",
    "Isabella",
    "Lucas",
    "Mia",
    "Mateo",
    "Amelia",
    "Ethan",
    "Harper",
    "Daniel",
    "Evelyn",
    "Henry",
    "Abigail",
    "Owen",
    "Grace",
    "Wyatt",
    "Chloe",
    "Caleb",
    "Nora",
    "Isaac",
    "Zoe",
    "Aaron",
    "Leah",
    "Marcus",
]
LAST_NAMES = [
    "Nguyen",
    "Patel",
    "Johnson",
    "Garcia",
    "Smith",
    "Brown",
    "Martinez",
    "Davis",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Green",
]
TREATMENTS = [
    "Sertraline and escitalopram, then bupropion augmentation; weekly CBT for a year.",
    "Three SSRIs, venlafaxine, and a course of TMS with partial benefit.",
    "Prolonged exposure therapy; prazosin for nightmares.",
    "Gabapentin, duloxetine, physical therapy and two nerve blocks.",
    "Lithium and quetiapine; lamotrigine currently.",
    "Fluoxetine at high dose, ERP therapy for two years.",
]
REFERRERS = [
    ("Dr. Hannah Brooks", "Charles River Psychiatry"),
    ("Dr. Omar Haddad", "Back Bay Pain Center"),
    ("Dr. Lisa Chen", "Mile High Family Medicine"),
    ("", ""),
]
STATUS_MIX = (
    [PatientStatus.PROSPECTIVE] * 10
    + [PatientStatus.IN_EVALUATION] * 12
    + [PatientStatus.ACTIVE] * 14
    + [PatientStatus.MAINTENANCE] * 10
    + [PatientStatus.DISCHARGED] * 4
)
STATUS_PATH = {
    PatientStatus.PROSPECTIVE: [],
    PatientStatus.IN_EVALUATION: [PatientStatus.IN_EVALUATION],
    PatientStatus.ACTIVE: [PatientStatus.IN_EVALUATION, PatientStatus.ACTIVE],
    PatientStatus.MAINTENANCE: [
        PatientStatus.IN_EVALUATION,
        PatientStatus.ACTIVE,
        PatientStatus.MAINTENANCE,
    ],
    PatientStatus.DISCHARGED: [
        PatientStatus.IN_EVALUATION,
        PatientStatus.ACTIVE,
        PatientStatus.DISCHARGED,
    ],
}


BOSTON_TIME_ZONE = "America/New_York"


def demo_clinic_exists() -> bool:
    return User.objects.filter(email=STAFF_ACCOUNTS[0].email).exists()


# The demo clinic's day at the Boston suite, where today's chairs are told: the first chair opens at
# 09:00 and the last patient is checked in by 17:00 (the staff's hours are 08:00–18:00). The day's
# sessions need three hours from the first questionnaire (the esketamine patient's two hours of
# monitoring), so the story is told at a moment between 12:00 and 16:30 on a weekday.
CLINIC_DAY_OPENS = time(9)
STORY_EARLIEST = time(12, 0)
STORY_LATEST = time(16, 30)
# Everything before today's chairs (registrations, evaluations, plans, stock) is recorded from
# 08:00 on the clinic day, before the first patient arrives.
PRELUDE_STARTS = time(8)


def demo_clinic_day(now: datetime, zone) -> datetime:
    """The moment the demo's chair story has reached, whatever time the demo is loaded: now, on a
    weekday between 12:00 and 16:30 at the location; 16:30 the same day when loaded later; 16:30
    on the last weekday before when loaded before 12:00 or on a weekend (so that no session is
    ever in the future, outside hours, or out of order)."""

    local = timezone.localtime(now, zone)
    day = local.date()
    if day.weekday() < 5 and local.time() >= STORY_EARLIEST:
        if local.time() <= STORY_LATEST:
            return local
        return timezone.make_aware(datetime.combine(day, STORY_LATEST), zone)
    day -= timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, STORY_LATEST), zone)


@contextmanager
def _clock_at(moment: datetime) -> Iterator[None]:
    """Demo only: run services as if the clock read `moment` (ticking on from there), so that what
    they stamp themselves (a session started, identity confirmed, a dose confirmed) falls in the
    story's order. The audit trail keeps the real time its entries were written at."""

    real_now = timezone.now
    started = real_now()
    timezone.now = lambda: moment + (real_now() - started)
    try:
        yield
    finally:
        timezone.now = real_now


def _phone(rng: random.Random) -> str:
    return f"(617) 555-{rng.randint(100, 9999):04d}"


def _birth_date(rng: random.Random) -> date:
    return date(rng.randint(1950, 2003), rng.randint(1, 12), rng.randint(1, 28))


def _conditions(rng: random.Random) -> list[str]:
    choices = [c for c in Condition.values if c != Condition.OTHER]
    return rng.sample(choices, k=rng.choice([1, 1, 2]))


def build_demo_clinic(
    *, seed: int = 2026, patient_count: int = 50, request_count: int = 16
) -> dict:
    """The clinic as it stands at the demo's clinic day (see demo_clinic_day): its history recorded
    from 08:00 that day, today's chairs told in order inside working hours."""

    story_at = demo_clinic_day(timezone.now(), ZoneInfo(BOSTON_TIME_ZONE))
    prelude_at = timezone.make_aware(
        datetime.combine(story_at.date(), PRELUDE_STARTS), story_at.tzinfo
    )
    with _clock_at(prelude_at):
        built = _build_before_the_chairs(
            seed=seed, patient_count=patient_count, request_count=request_count
        )
    staff, boston = built["staff"], built["boston"]
    _add_todays_chairs(staff, boston, story_at)
    _add_esketamine_session(staff, boston, story_at)
    with _clock_at(story_at - timedelta(minutes=52)):
        # What was drawn up beyond the dose is wasted before the infusion starts; the count follows.
        reconcile_and_count(
            nurse=staff["nurse@demo.clinic"],
            clinician=staff["clinician@demo.clinic"],
            witness_password=STAFF_ACCOUNTS[1].password,
            location=boston,
        )
    with _clock_at(story_at):
        # Alice has questionnaires waiting in her portal.
        assessments.send_questionnaires(
            actor=staff["clinician@demo.clinic"],
            patient=built["portal"][0],
            instrument_codes=["phq9", "gad7"],
            context=AssessmentContext.CHECK_IN,
        )
    return {"director": built["director"], "patients": built["patients"], "story_at": story_at}


def _build_before_the_chairs(*, seed: int, patient_count: int, request_count: int) -> dict:
    rng = random.Random(seed)
    with transaction.atomic():
        organisation = Organisation.objects.create(
            name="Riverside Ketamine Clinic",
            phone="(617) 555-0100",
            email="hello@demo.clinic",
            mrn_prefix="KC",
        )
        boston = Location.objects.create(
            organisation=organisation,
            name="Boston — Back Bay",
            address_line1="100 Boylston Street",
            city="Boston",
            region="MA",
            postal_code="02116",
            phone="(617) 555-0100",
            opening_hours="Mon–Fri 8 am–6 pm, Sat 9 am–1 pm",
            time_zone=BOSTON_TIME_ZONE,
        )
        denver = Location.objects.create(
            organisation=organisation,
            name="Denver — Cherry Creek",
            address_line1="250 Columbine Street",
            city="Denver",
            region="CO",
            postal_code="80206",
            phone="(303) 555-0100",
            opening_hours="Mon–Fri 8 am–5 pm",
            time_zone="America/Denver",
        )
        staff = {}
        for account in STAFF_ACCOUNTS:
            user = User.objects.create_user(
                account.email,
                account.password,
                full_name=account.full_name,
                role=account.role,
                credentials=account.credentials,
                is_staff=account.role == Role.MEDICAL_DIRECTOR,
            )
            user.locations.set(
                [boston, denver]
                if account.role in {Role.MEDICAL_DIRECTOR, Role.CLINICIAN}
                else [boston]
            )
            staff[account.email] = user
    director = staff[STAFF_ACCOUNTS[0].email]
    front_desk = staff["frontdesk@demo.clinic"]
    clinician = staff["clinician@demo.clinic"]

    # Patients, at every stage of care.
    created = []
    for index in range(patient_count):
        first, last = (
            FIRST_NAMES[index % len(FIRST_NAMES)],
            LAST_NAMES[(index * 7) % len(LAST_NAMES)],
        )
        referrer = rng.choice(REFERRERS)
        details = {
            "legal_first_name": first,
            "legal_last_name": last,
            "date_of_birth": _birth_date(rng),
            "sex": rng.choice([Sex.FEMALE, Sex.MALE]),
            "phone": _phone(rng),
            "email": f"{first.lower()}.{last.lower()}{index}@example.com",
            "address_line1": f"{rng.randint(1, 999)} Main Street",
            "city": "Boston",
            "region": "MA",
            "postal_code": "02118",
            "emergency_contact_name": f"{rng.choice(FIRST_NAMES)} {last}",
            "emergency_contact_relationship": rng.choice(["Spouse", "Parent", "Sibling", "Friend"]),
            "emergency_contact_phone": _phone(rng),
            "referring_provider_name": referrer[0],
            "referring_provider_practice": referrer[1],
            "primary_conditions": _conditions(rng),
            "height_cm": Decimal(rng.randint(152, 195)),
            "weight_kg": Decimal(rng.randint(50, 115)),
        }
        location = denver if index % 5 == 4 else boston
        # Each came through the website's consultation request, converted by the clinician who
        # evaluated them: the outcomes funnel follows the demo's patients from their first
        # contact (no draw from `rng` here, so the rest of the demo is as before).
        request = intake.submit_consultation_request(
            data={
                "first_name": first,
                "last_name": last,
                "preferred_name": "",
                "date_of_birth": details["date_of_birth"],
                "email": details["email"],
                "phone": details["phone"],
                "preferred_contact_method": ContactMethod.PHONE,
                "preferred_contact_times": [ContactTime.values[index % 3]],
                "conditions": details["primary_conditions"],
                "other_condition": "",
                "treatments_tried": TREATMENTS[index % len(TREATMENTS)],
                "message": f"My doctor, {referrer[0]}, suggested I ask about ketamine treatment.",
                "consent_to_contact": True,
            },
            location=location,
            ip_address="127.0.0.1",
        )
        patient = intake.convert_request_to_patient(
            actor=clinician, request=request, location=location, details=details
        )
        for step in STATUS_PATH[STATUS_MIX[index % len(STATUS_MIX)]]:
            reason = "Course complete; moved away" if step == PatientStatus.DISCHARGED else ""
            patient = patients.change_patient_status(
                actor=clinician, patient=patient, to_status=step, reason=reason
            )
        created.append(patient)

    # The two demo portal patients.
    portal = []
    for account, conditions in zip(
        PATIENT_ACCOUNTS,
        [[Condition.TREATMENT_RESISTANT_DEPRESSION], [Condition.PTSD]],
        strict=True,
    ):
        first, last = account.full_name.split()
        patient = patients.register_patient(
            actor=clinician,
            location=boston,
            details={
                "legal_first_name": first,
                "legal_last_name": last,
                "date_of_birth": _birth_date(rng),
                "sex": Sex.FEMALE if first == "Alice" else Sex.MALE,
                "phone": _phone(rng),
                "email": account.email,
                "primary_conditions": conditions,
                "height_cm": Decimal("170"),
                "weight_kg": Decimal("72"),
                "emergency_contact_name": "Sam Moreno" if first == "Alice" else "Kari Lindqvist",
                "emergency_contact_phone": _phone(rng),
            },
        )
        patient = patients.change_patient_status(
            actor=clinician, patient=patient, to_status=PatientStatus.IN_EVALUATION, reason=""
        )
        patient = patients.invite_patient_to_portal(actor=front_desk, patient=patient)
        user = present(patient.user, "The invited patient's portal account")
        user.set_password(account.password)
        user.save(update_fields=["password"])
        portal.append(patient)

    # Consultation requests at every step of the queue.
    outcomes = (
        [ConsultationStatus.NEW] * 6
        + [ConsultationStatus.CONTACTED] * 4
        + [ConsultationStatus.EVALUATION_BOOKED] * 2
        + [ConsultationStatus.CONVERTED] * 2
        + [ConsultationStatus.DECLINED] * 2
    )
    for index in range(request_count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        requested_conditions = _conditions(rng)
        request = intake.submit_consultation_request(
            data={
                "first_name": first,
                "last_name": last,
                "preferred_name": "",
                "date_of_birth": _birth_date(rng),
                "email": f"{first.lower()}.{last.lower()}.request{index}@example.com",
                "phone": _phone(rng),
                "preferred_contact_method": rng.choice(ContactMethod.values),
                "preferred_contact_times": rng.sample(ContactTime.values[:3], k=rng.randint(1, 2)),
                "conditions": requested_conditions,
                "other_condition": "",
                "treatments_tried": rng.choice(TREATMENTS),
                "message": "I read about ketamine treatment and my psychiatrist suggested I ask about it.",
                "consent_to_contact": True,
            },
            location=denver if index % 4 == 3 else boston,
            ip_address="127.0.0.1",
        )
        outcome = outcomes[index % len(outcomes)]
        if outcome in {
            ConsultationStatus.CONTACTED,
            ConsultationStatus.EVALUATION_BOOKED,
            ConsultationStatus.CONVERTED,
        }:
            request = intake.record_consultation_step(
                actor=front_desk,
                request=request,
                to_status=ConsultationStatus.CONTACTED,
                note="Called; talked through the process and costs.",
            )
        if outcome in {ConsultationStatus.EVALUATION_BOOKED, ConsultationStatus.CONVERTED}:
            request = intake.record_consultation_step(
                actor=front_desk,
                request=request,
                to_status=ConsultationStatus.EVALUATION_BOOKED,
                note="Evaluation booked with Dr. Reyes.",
            )
        if outcome == ConsultationStatus.CONVERTED:
            details = intake.patient_details_from_request(request) | {"sex": Sex.UNKNOWN}
            intake.convert_request_to_patient(
                actor=front_desk, request=request, location=request.location, details=details
            )
        if outcome == ConsultationStatus.DECLINED:
            intake.decline_consultation_request(
                actor=front_desk,
                request=request,
                reason=DeclineReason.UNREACHABLE,
                details="Three calls and an e-mail without reply.",
            )
    _add_assessment_history(rng, clinician, created)
    _add_evaluations_and_plans(rng, clinician, director, created)
    _add_rooms_hours_and_bookings(staff, boston, denver, front_desk)
    # The controlled-substance register: stock in the Boston safe, today's doses drawn from it
    # when they are confirmed, what was drawn up beyond the dose wasted, then today's count.
    receive_controlled_stock(
        nurse=staff["nurse@demo.clinic"],
        clinician=clinician,
        witness_password=STAFF_ACCOUNTS[1].password,
        location=boston,
    )
    return {
        "director": director,
        "patients": created + portal,
        "portal": portal,
        "staff": staff,
        "boston": boston,
    }


def _answers_for(
    instrument, severity: float, rng: random.Random, *, self_harm: bool = False
) -> dict[str, int]:
    """Plausible answers at a severity between 0 (none) and 1 (the worst)."""
    answers: dict[str, int] = {}
    for item in instrument.items:
        if not instrument.applicable(item, answers) or (
            not item.required and item.group != "interference" and rng.random() < 0.3
        ):
            continue
        values = sorted(item.values)
        if instrument.code in {"cssrs_screen", "mdq"}:
            answers[item.link_id] = values[0]
            continue
        target = severity * values[-1] + rng.uniform(-0.7, 0.7)
        answers[item.link_id] = min(values, key=lambda v: abs(v - target))
    if instrument.code == "phq9":
        answers["phq9_9"] = 1 if self_harm else 0
    return answers


def _add_assessment_history(rng: random.Random, clinician, patients_created) -> None:
    """Baseline and repeated scores for patients in care: most improve over an induction series,
    some do not, one worsens and reports thoughts of self-harm (an open safety alert)."""
    now = timezone.now()
    in_care = [
        p
        for p in patients_created
        if p.status
        in {PatientStatus.IN_EVALUATION, PatientStatus.ACTIVE, PatientStatus.MAINTENANCE}
    ]

    def codes_of(patient):
        return patient_answered(instruments_for_conditions(patient.primary_conditions))

    # The one patient whose depression worsens, with thoughts of self-harm at the last visit.
    worsening_patient = next(
        p for p in in_care if p.status == PatientStatus.ACTIVE and "phq9" in codes_of(p)
    )
    for index, patient in enumerate(in_care):
        codes = codes_of(patient)
        visits = {
            PatientStatus.IN_EVALUATION: 1,
            PatientStatus.ACTIVE: 5,
            PatientStatus.MAINTENANCE: 9,
        }[patient.status]
        responder = index % 4 != 0
        worsening = patient == worsening_patient
        start = now - timedelta(days=7 * visits + rng.randint(1, 6))
        for visit in range(visits):
            progress = visit / max(visits - 1, 1)
            if worsening:
                severity = 0.45 + 0.35 * progress
            elif responder:
                severity = 0.75 - 0.6 * progress
            else:
                severity = 0.7 - 0.1 * progress
            taken_at = start + timedelta(days=7 * visit, hours=rng.randint(0, 6))
            for code in codes:
                if code == "mdq" and visit > 0:
                    continue
                answers = _answers_for(
                    INSTRUMENTS[code], severity, rng, self_harm=worsening and visit == visits - 1
                )
                assessments.record_staff_response(
                    actor=clinician,
                    patient=patient,
                    instrument_code=code,
                    answers=answers,
                    taken_at=taken_at,
                    context=AssessmentContext.BASELINE
                    if visit == 0
                    else AssessmentContext.FOLLOW_UP,
                )


def _add_evaluations_and_plans(rng: random.Random, clinician, witness, patients_created) -> None:
    """Signed evaluations, consents and plans for patients in treatment; evaluations under way for
    those in evaluation (some with screening flags)."""

    password = STAFF_ACCOUNTS[1].password
    today = timezone.localdate()
    consent = ConsentDocument.objects.get(code="ketamine-infusion-injection", status="active")
    reviewed = False
    for index, patient in enumerate(patients_created):
        if patient.status not in {
            PatientStatus.IN_EVALUATION,
            PatientStatus.ACTIVE,
            PatientStatus.MAINTENANCE,
        }:
            continue
        record = evaluation.start_evaluation(actor=clinician, patient=patient)
        pain = bool(set(patient.primary_conditions) & PAIN_CONDITIONS)
        changes = {
            # Every screening item asked and answered (an unasked item stops "suitable").
            **dict.fromkeys(BOOLEAN_FIELDS, False),
            **dict.fromkeys(
                (
                    "psychosis",
                    "mania",
                    "substance_use_disorder",
                    "cardiovascular_disease",
                    "liver_disease",
                    "seizure_disorder",
                    "sleep_apnoea",
                ),
                "none",
            ),
            "suicide_attempts_lifetime": 0,
            "presenting_history": "Depressive episodes for several years despite treatment.",
            "no_known_allergies": index % 4 != 1,
            "adequate_antidepressant_trials": rng.randint(2, 5),
            "prior_tms": rng.random() < 0.3,
            "current_medications": (
                # A chronic-pain patient on opioids: 60 + 40 = 100 MME a day (CDC 2022 factors).
                "Oxycodone ER 20 mg twice daily\nTramadol 50 mg every 6 hours\nDuloxetine 60 mg daily"
                if pain
                else rng.choice(
                    [
                        "Sertraline 100 mg daily",
                        "Venlafaxine 150 mg daily\nLorazepam 0.5 mg as needed",
                        "Bupropion 300 mg daily",
                        "Lamotrigine 100 mg daily",
                    ]
                )
            ),
            "hypertension": "controlled" if index % 3 == 0 else "none",
            "clinical_summary": "Long history of depression with inadequate response to several trials.",
        }
        if index % 7 == 2:
            changes["sleep_apnoea"] = "untreated"
        record = evaluation.update_evaluation(actor=clinician, evaluation=record, changes=changes)
        record = evaluation.record_baseline_vitals(
            actor=clinician,
            evaluation=record,
            taken_at=timezone.now() - timedelta(days=60),
            values={
                "systolic_mmhg": rng.randint(112, 146),
                "diastolic_mmhg": rng.randint(68, 92),
                "heart_rate_bpm": rng.randint(60, 90),
                "spo2_pct": rng.randint(96, 99),
            },
        )
        if index % 4 == 1:
            evaluation.add_allergy(
                actor=clinician,
                evaluation=record,
                substance="Penicillin",
                reaction="Hives",
                severity="moderate",
            )
        if patient.status == PatientStatus.IN_EVALUATION:
            continue
        answered = set(
            AssessmentResponse.objects.filter(
                patient=patient, status=ResponseStatus.COMPLETED
            ).values_list("instrument_code", flat=True)
        )
        for code in instruments_for_conditions(record.presenting_conditions):
            if code not in answered:
                assessments.record_staff_response(
                    actor=clinician,
                    patient=patient,
                    instrument_code=code,
                    answers=_answers_for(INSTRUMENTS[code], 0.6, rng),
                    taken_at=timezone.now() - timedelta(days=60),
                    context=AssessmentContext.BASELINE,
                )
        findings = evaluation_selectors.run_screen(record)[1]
        evaluation.sign_evaluation(
            actor=clinician,
            evaluation=record,
            decision=Decision.SUITABLE,
            reasoning="Treatment-resistant; no absolute contraindication; relative flags discussed.",
            password=password,
            acknowledgements={
                f.code: "Discussed with the patient; monitored closely at each session."
                for f in findings
            },
        )
        evaluation.sign_consent(
            actor=witness,
            patient=patient,
            document=consent,
            typed_full_name=patient.legal_name,
            signed_on=timezone.localdate(timezone.now(), patient.location.zone),
            channel="tablet",
        )
        protocol = ProtocolTemplate.objects.filter(
            indication__in=patient.primary_conditions, route=Route.IV
        ).first() or ProtocolTemplate.objects.get(
            name="IV ketamine — treatment-resistant depression"
        )
        treatment.sign_plan_version(
            actor=clinician,
            patient=patient,
            password=password,
            draft=treatment.PlanDraft(
                protocol=protocol,
                indications=list(patient.primary_conditions),
                dose=protocol.default_dose,
                weight_basis="actual",
                start_date=today,
                target_outcomes="Response (≥ 50 % reduction) by the end of induction.",
                induction_sessions=protocol.induction_sessions,
                induction_sessions_per_week=protocol.induction_sessions_per_week,
                maintenance_interval_days=protocol.maintenance_interval_days,
                infusion_minutes=protocol.infusion_minutes,
                change_reason="initial",
                goals=_demo_goals(pain=pain, today=today),
            ),
        )
        if pain:
            # Recorded since the evaluation: less oxycodone, 30 + 40 = 70 MME a day.
            evaluation.record_medicine_list(
                actor=clinician,
                patient=patient,
                medicines="Oxycodone ER 10 mg twice daily\nTramadol 50 mg every 6 hours\n"
                "Duloxetine 60 mg daily",
            )
        if not reviewed:
            reviewed = _add_signed_review(clinician, patient, password)


PAIN_CONDITIONS = {"chronic_pain", "neuropathic_pain", "crps", "fibromyalgia"}


def _demo_goals(*, pain: bool, today: date) -> tuple[dict, ...]:
    """The goals a demo plan is signed with: the patient's words and targets on a score (and,
    for chronic pain, the daily opioid dose), twelve weeks out."""
    by = (today + timedelta(weeks=12)).isoformat()
    if pain:
        return (
            {
                "words": "walk the dog every day",
                "measure": "pain_nrs",
                "comparison": "reduce_by_percent",
                "value": "30",
                "target_date": by,
            },
            {
                "words": "fewer pain pills",
                "measure": "mme",
                "comparison": "reduce_by_percent",
                "value": "25",
                "target_date": by,
            },
        )
    return (
        {
            "words": "feel like myself again",
            "measure": "phq9",
            "comparison": "below",
            "value": "10",
            "target_date": by,
        },
        {"words": "back at work", "measure": "", "target_date": by},
    )


def _add_signed_review(clinician, patient, password: str) -> bool:
    """A signed follow-up review (continue the plan) for the first patient in treatment."""
    review = reviews.open_review(actor=clinician, patient=patient, kind="video")
    review = reviews.update_review(
        actor=clinician,
        review=review,
        changes={
            "concerns": "Asks whether the sessions will stop working.",
            "assessment": "Early in the induction series; tolerating the infusions well.",
            "decision": "continue",
            "decision_reason": "Too early to judge the response: complete the induction series.",
        },
    )
    reviews.sign_review(actor=clinician, review=review, password=password)
    return True


def _add_rooms_hours_and_bookings(staff: dict, boston, denver, front_desk) -> None:
    """Chairs and rooms, staff working hours (Mon–Fri 8:00–18:00), and the first sessions of the
    active plans booked from tomorrow."""

    for location, names in (
        (boston, ["Chair 1", "Chair 2", "Chair 3", "Room A"]),
        (denver, ["Chair 1", "Chair 2"]),
    ):
        for name in names:
            Room.objects.create(
                location=location,
                name=name,
                kind=RoomKind.ROOM if name.startswith("Room") else RoomKind.CHAIR,
            )
    for user in staff.values():
        for location in user.locations.all():
            for weekday in range(5):
                StaffHours.objects.create(
                    user=user, location=location, weekday=weekday, starts=time(8), ends=time(18)
                )
    infusion = AppointmentType.objects.get(code="iv-infusion")
    nurse = staff["nurse@demo.clinic"]
    chairs = list(Room.objects.filter(location=boston, kind="chair"))
    versions = TreatmentPlanVersion.objects.filter(
        plan__location=boston, route="iv"
    ).select_related("plan__patient")[:6]
    for index, version in enumerate(versions):
        # Plans start today; today's chairs are set up by _add_todays_chairs.
        first = next(
            day
            for day in map(date.fromisoformat, version.proposed_dates)
            if day > timezone.localdate(timezone.now(), boston.zone)
        )
        starts = scheduling.local_start(first, time(8 + 2 * (index // 2)), boston)
        scheduling.book_appointment(
            actor=front_desk,
            patient=version.plan.patient,
            appointment_type=infusion,
            starts_at=starts,
            room=chairs[index % len(chairs)],
            staff=nurse,
            plan_version=version,
            series_number=1,
        )


DEMO_MONITOR_TOKEN = "kcm_demo-chair-1-monitor-token"


def _add_todays_chairs(staff: dict, boston, story_at: datetime) -> None:
    """Today's chair-side board as it stands at `story_at`: one patient checked in 90 minutes
    before, identity and fasting checked, dosed 50 minutes before and monitored (with a raised
    blood pressure acknowledged and a side effect treated); one checked in and waiting to start;
    and a monitor at Chair 1 that can post readings (token printed by load_demo_clinic). Each step
    is recorded at its own time, so the record reads in the order a nurse works."""

    nurse, clinician = staff["nurse@demo.clinic"], staff["clinician@demo.clinic"]
    password = STAFF_ACCOUNTS[1].password

    def at(minutes_before: int) -> datetime:
        return story_at - timedelta(minutes=minutes_before)

    # Demo only: a known token so that the README's curl example works (real tokens are issued
    # in the admin and shown once).
    MonitorDevice.objects.create(
        name="Chair 1 monitor",
        location=boston,
        token_sha256=token_sha256(DEMO_MONITOR_TOKEN),
    )
    infusion = AppointmentType.objects.get(code="iv-infusion")
    chairs = list(Room.objects.filter(location=boston, kind="chair").order_by("name"))
    versions = list(
        TreatmentPlanVersion.objects.filter(plan__location=boston, route="iv")
        .exclude(plan__patient__safety_alerts__status="open")
        .select_related("plan__patient")[6:8]
    )
    rng = random.Random(2026)
    # (questionnaires answered, checked in, appointment's start), minutes before the story's moment.
    timeline = [(80, 90, 70), (10, 15, 5)]
    for index, version in enumerate(versions):
        answered, checked_in, starts_before = timeline[index]
        with _clock_at(at(answered)):
            # The pre-session questionnaires, answered in the waiting room.
            for code in version.instruments:
                instrument = INSTRUMENTS.get(code)
                if instrument is None or instrument.respondent != Respondent.PATIENT:
                    continue
                assessments.record_staff_response(
                    actor=nurse,
                    patient=version.plan.patient,
                    instrument_code=code,
                    answers=_answers_for(instrument, 0.45, rng),
                    taken_at=at(answered),
                    context="pre_session",
                )
        starts = at(starts_before)
        appointment = Appointment.objects.create(
            patient=version.plan.patient,
            location=boston,
            appointment_type=infusion,
            room=chairs[index],
            staff=nurse,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=infusion.duration_minutes),
            status="checked_in",
            checked_in_at=at(checked_in),
            booked_by=nurse,
            plan_version=version,
            series_number=1,
        )
        if index == 1:
            continue
        with _clock_at(at(68)):
            session = sessions.start_session(actor=nurse, appointment=appointment)
        with _clock_at(at(66)):
            sessions.update_checklist(
                actor=nurse,
                session=session,
                changes={
                    "identity_confirmed": True,
                    "fasting_confirmed": True,
                    "escort_name": "Partner (Chris)",
                    "escort_phone": "(617) 555-0142",
                    "escort_confirmed": True,
                    # Asked of every patient, whatever the sex recorded for dosing; kept on the
                    # patient's record for the next sessions.
                    "pregnancy_potential": "not_possible",
                    "pregnancy_potential_reason": "post_menopausal",
                },
            )
        weight = version.plan.patient.weight_kg or version.weight_kg or Decimal("72.0")
        with _clock_at(at(60)):
            sessions.record_reading(
                actor=nurse,
                session=session,
                taken_at=at(62),
                values={
                    "systolic_mmhg": 126,
                    "diastolic_mmhg": 80,
                    "heart_rate_bpm": 74,
                    "respiratory_rate_per_min": 14,
                    "spo2_pct": 98,
                    "weight_kg": weight,
                },
            )
        session.refresh_from_db()
        working = session_selectors.compute_dose(session, version, session.weight_kg)
        _, drawn_ml = overdraw_ml(working.dose_mg)
        with _clock_at(at(56)):
            sessions.confirm_dose(
                actor=nurse,
                session=session,
                expected_dose_mg=working.dose_mg,
                container=dosing_vial(boston).identifier,
                drawn_ml=drawn_ml,
            )
        with _clock_at(at(54)):
            sessions.verify_dose(
                actor=clinician,
                session=session,
                dose_mg=working.dose_mg,
                vial_lot=DOSING_LOT,
                password=password,
            )
        with _clock_at(at(50)):
            sessions.record_infusion_event(actor=nurse, session=session, kind="start", at=at(50))
        for minutes_after, systolic, heart_rate in (
            (10, 138, 82),
            (20, 158, 88),
            (30, 188, 92),
            (40, 150, 84),
        ):
            with _clock_at(at(50 - minutes_after)):
                outcome = sessions.record_reading(
                    actor=nurse,
                    session=session,
                    taken_at=at(50 - minutes_after),
                    values={
                        "systolic_mmhg": systolic,
                        "diastolic_mmhg": 86,
                        "heart_rate_bpm": heart_rate,
                        "respiratory_rate_per_min": 14,
                        "spo2_pct": 97,
                        "consciousness": "alert",
                    },
                )
            with _clock_at(at(49 - minutes_after)):
                for alert in outcome.alerts:
                    # A stop-level alert (188 mmHg): the nurse records what was done and the
                    # supervising clinician closes it.
                    if alert.stop_level:
                        sessions.record_alert_action(
                            actor=nurse,
                            alert=alert,
                            action_taken="Rate halved; reassured; re-measured in 5 minutes.",
                        )
                    sessions.acknowledge_alert(
                        actor=clinician if alert.stop_level else nurse,
                        alert=alert,
                        action_taken="Reviewed at the chair: asymptomatic; continue at half rate."
                        if alert.stop_level
                        else "Rate halved; reassured; re-measured in 5 minutes.",
                    )
            if minutes_after != 30:
                continue
            # After the 188 mmHg reading: the rate is halved, and the nausea that began a few
            # minutes before is treated.
            with _clock_at(at(19)):
                sessions.record_infusion_event(
                    actor=nurse,
                    session=session,
                    kind="rate_change",
                    at=at(19),
                    rate_mg_per_hour=Decimal(str(working.dose_mg * 60 / 40 / 2)).quantize(
                        Decimal("0.1")
                    ),
                    reason="Systolic 188 mmHg",
                )
            with _clock_at(at(18)):
                sessions.record_side_effect(
                    actor=nurse,
                    session=session,
                    kind="nausea_vomiting",
                    severity="mild",
                    onset_at=at(25),
                    interventions=["antiemetic"],
                    outcome="resolved",
                )
                sessions.record_medication(
                    actor=nurse,
                    session=session,
                    medication="Ondansetron",
                    dose_amount=Decimal("4"),
                    dose_unit="mg",
                    route="IV",
                    reason="Nausea",
                    given_at=at(18),
                )


# The esketamine session of the demo: its lot is the Spravato kit received into the Boston safe.
DEMO_ESKETAMINE_LOT = "SPR-25-0311"


def _booked_or_at_a_chair(boston) -> list[int]:
    return list(
        Appointment.objects.filter(location=boston, plan_version__isnull=False).values_list(
            "plan_version_id", flat=True
        )
    )


def _add_esketamine_session(staff: dict, boston, story_at: datetime) -> None:
    """Boston's Spravato REMS certification, and one patient moved to esketamine, enrolled in the
    REMS and treated this morning: 56 mg (two devices of the kit in the safe), blood pressure
    before dosing, at 40 minutes and before the end, two hours' monitoring, discharged. Its
    Patient Monitoring Form is due within 7 days."""

    director, nurse = staff[STAFF_ACCOUNTS[0].email], staff["nurse@demo.clinic"]
    clinician = staff["clinician@demo.clinic"]
    password = STAFF_ACCOUNTS[1].password
    # Each step at its own time before the story's moment (see _add_todays_chairs).
    now = story_at

    def clock(minutes_before: int):
        return _clock_at(now - timedelta(minutes=minutes_before))

    today = timezone.localdate(now, boston.zone)
    with clock(175):
        treatment.record_rems_certification(
            actor=director,
            location=boston,
            certification_number="SPR-HCS-004217",
            authorised_representative=director.full_name,
            certified_on=today - timedelta(days=120),
        )
        # A patient not booked or at a chair today (the first eight plans are), under 65 (the older
        # adults' first esketamine dose differs, clinical-rules.md §2.6).
        under_65 = date(today.year - 64, today.month, min(today.day, 28))
        current = (
            TreatmentPlanVersion.objects.filter(
                plan__location=boston, route="iv", plan__patient__date_of_birth__gt=under_65
            )
            .exclude(plan__patient__safety_alerts__status="open")
            .exclude(pk__in=_booked_or_at_a_chair(boston))
            .select_related("plan__patient")
            .order_by("pk")
            .first()
        )
        patient = present(current, "A Boston IV plan for the esketamine session").plan.patient
        evaluation.sign_consent(
            actor=clinician,
            patient=patient,
            document=ConsentDocument.objects.get(code="esketamine-nasal-spray", status="active"),
            typed_full_name=patient.legal_name,
            signed_on=today,
            channel="tablet",
        )
        protocol = ProtocolTemplate.objects.get(
            name="Esketamine nasal spray — treatment-resistant depression"
        )
        version = treatment.sign_plan_version(
            actor=clinician,
            patient=patient,
            password=password,
            draft=treatment.PlanDraft(
                protocol=protocol,
                indications=[protocol.indication],
                dose=protocol.default_dose,
                weight_basis="",
                start_date=today,
                target_outcomes="Response (≥ 50 % reduction) by the end of induction.",
                induction_sessions=protocol.induction_sessions,
                induction_sessions_per_week=protocol.induction_sessions_per_week,
                maintenance_interval_days=protocol.maintenance_interval_days,
                infusion_minutes=None,
                change_reason="patient_preference",
                change_details="Prefers the nasal spray to infusions.",
                goals=_demo_goals(pain=False, today=today),
            ),
        )
        treatment.record_rems_enrolment(
            actor=clinician, patient=patient, patient_rems_id="PT-5530981", enrolled_on=today
        )
    rng = random.Random(2027)
    with clock(170):
        for code in version.instruments:
            instrument = INSTRUMENTS.get(code)
            if instrument is not None and instrument.respondent == Respondent.PATIENT:
                assessments.record_staff_response(
                    actor=nurse,
                    patient=patient,
                    instrument_code=code,
                    answers=_answers_for(instrument, 0.45, rng),
                    taken_at=now - timedelta(minutes=170),
                    context="pre_session",
                )
    kind = AppointmentType.objects.get(code="esketamine")
    starts = now - timedelta(minutes=160)
    appointment = Appointment.objects.create(
        patient=patient,
        location=boston,
        appointment_type=kind,
        room=Room.objects.get(location=boston, name="Room A"),
        staff=nurse,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=kind.duration_minutes),
        status="checked_in",
        checked_in_at=starts,
        booked_by=nurse,
        plan_version=version,
        series_number=1,
    )
    with clock(158):
        session = sessions.start_session(actor=nurse, appointment=appointment)
    with clock(157):
        sessions.update_checklist(
            actor=nurse,
            session=session,
            changes={
                "identity_confirmed": True,
                "fasting_confirmed": True,
                "escort_name": "Brother (Jordan)",
                "escort_phone": "(617) 555-0177",
                "escort_confirmed": True,
                "pregnancy_potential": "not_possible",
                "pregnancy_potential_reason": "post_menopausal",
            },
        )
    vitals = {"heart_rate_bpm": 72, "respiratory_rate_per_min": 14, "spo2_pct": 98}
    with clock(155):
        sessions.record_reading(
            actor=nurse,
            session=session,
            taken_at=now - timedelta(minutes=155),
            values={"systolic_mmhg": 128, "diastolic_mmhg": 78, **vitals},
        )
    session.refresh_from_db()
    working = session_selectors.compute_dose(session, version, session.weight_kg)
    kit = present(
        Container.objects.filter(safe__location=boston, lot__lot_number=DEMO_ESKETAMINE_LOT)
        .order_by("identifier")
        .first(),
        "The Spravato kit in the Boston safe",
    )
    with clock(153):
        sessions.confirm_dose(
            actor=nurse, session=session, expected_dose_mg=working.dose_mg, container=kit.identifier
        )
    with clock(152):
        sessions.verify_dose(
            actor=clinician,
            session=session,
            dose_mg=working.dose_mg,
            vial_lot=DEMO_ESKETAMINE_LOT,
            password=password,
        )
    with clock(150):
        sessions.record_infusion_event(
            actor=nurse, session=session, kind="start", at=now - timedelta(minutes=150)
        )
    for minutes_after, systolic, diastolic in ((10, 138, 84), (40, 142, 88), (90, 132, 82)):
        with clock(150 - minutes_after):
            sessions.record_reading(
                actor=nurse,
                session=session,
                taken_at=now - timedelta(minutes=150 - minutes_after),
                values={
                    "systolic_mmhg": systolic,
                    "diastolic_mmhg": diastolic,
                    "consciousness": "alert",
                    **vitals,
                },
            )
    with clock(4):
        sessions.record_reading(
            actor=nurse,
            session=session,
            taken_at=now - timedelta(minutes=4),
            values={"systolic_mmhg": 126, "diastolic_mmhg": 80, "consciousness": "alert", **vitals},
        )
    with clock(2):
        result = sessions.discharge(
            actor=nurse,
            session=session,
            aldrete=dict.fromkeys(
                ("activity", "respiration", "circulation", "consciousness", "oxygen_saturation"), 2
            ),
            escort_present=True,
            instructions_given=True,
        )
    if not result.discharged:
        raise RuntimeError(
            "The demo esketamine session could not be discharged: " + "; ".join(result.reasons)
        )
