"""A patient with a whole record to export: a signed evaluation with an allergy and medicines, a
consent, a signed plan, a PHQ-9, and an IV session dosed, with a side effect, an antiemetic, a
discharge and both signatures. Made through the services, as in real use."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from clinic.assessments.tests.factories import record_phq9
from clinic.sessions import services
from clinic.sessions.tests import factories as session_factories
from conftest import PASSWORD

ALL_TWOS = dict.fromkeys(
    ("activity", "respiration", "circulation", "consciousness", "oxygen_saturation"), 2
)


def ago(minutes: float):
    return timezone.now() - timedelta(minutes=minutes)


def full_record(clinician, nurse, patient, *, sign: bool = True):
    """The patient's session, after the whole record above was made."""
    record_phq9(actor=clinician, patient=patient, total=14, days_ago=3)
    session = session_factories.dosed(clinician, nurse, patient, at=ago(110))
    services.record_infusion_event(actor=nurse, session=session, kind="complete", at=ago(70))
    services.record_reading(
        actor=nurse, session=session, values=dict(session_factories.GOOD_DURING), taken_at=ago(3)
    )
    side_effect = services.record_side_effect(
        actor=nurse,
        session=session,
        kind="nausea_vomiting",
        severity="mild",
        onset_at=ago(90),
        interventions=["antiemetic"],
        outcome="resolved",
    )
    services.record_medication(
        actor=nurse,
        session=session,
        medication="Ondansetron",
        dose_amount=Decimal("4"),
        dose_unit="mg",
        route="IV",
        reason="Nausea",
        given_at=ago(89),
        side_effect=side_effect,
    )
    session.refresh_from_db()
    result = services.discharge(
        actor=nurse,
        session=session,
        aldrete=dict(ALL_TWOS),
        escort_present=True,
        instructions_given=True,
    )
    assert result.discharged, result.reasons
    session.refresh_from_db()
    if sign:
        services.sign_session(actor=nurse, session=session, role="nurse", password=PASSWORD)
        services.sign_session(
            actor=nurse,
            session=session,
            role="clinician",
            signer_email=clinician.email,
            password=PASSWORD,
        )
        session.refresh_from_db()
    return session
