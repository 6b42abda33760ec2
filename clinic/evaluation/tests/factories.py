"""Evaluations made through the services, as a clinician makes them: complete, then signed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from clinic.assessments.instruments import INSTRUMENTS
from clinic.assessments.policy import instruments_for_conditions
from clinic.assessments.selectors import completed_responses
from clinic.assessments.services import record_staff_response
from clinic.evaluation import services
from clinic.evaluation.models import Evaluation
from clinic.evaluation.rules import BOOLEAN_FIELDS

# Every screening item answered "no" (or "none").
ALL_NO = {
    **dict.fromkeys(BOOLEAN_FIELDS, False),
    **dict.fromkeys(
        (
            "psychosis",
            "mania",
            "substance_use_disorder",
            "cardiovascular_disease",
            "hypertension",
            "liver_disease",
            "seizure_disorder",
            "sleep_apnoea",
        ),
        "none",
    ),
    "suicide_attempts_lifetime": 0,
}
BASELINE_VITALS = {"systolic_mmhg": 122, "diastolic_mmhg": 78, "heart_rate_bpm": 72, "spo2_pct": 98}


def lowest_answers(code: str) -> dict[str, int | None]:
    """The lowest answer to every item of an instrument (skip logic followed: an item that is
    not applicable stays blank)."""
    answers: dict[str, int | None] = {}
    for item in INSTRUMENTS[code].items:
        if item.enabled_when is not None:
            link_id, values = item.enabled_when
            if answers.get(link_id) not in values:
                answers[item.link_id] = None
                continue
        answers[item.link_id] = min(item.values)
    return answers


def answer_baseline_questionnaires(*, actor, patient, conditions) -> None:
    """A completed baseline response to each questionnaire the conditions call for."""
    done = set(completed_responses(patient).values_list("instrument_code", flat=True))
    for code in instruments_for_conditions(list(conditions)):
        if code not in done:
            record_staff_response(
                actor=actor,
                patient=patient,
                instrument_code=code,
                answers=lowest_answers(code),
                # Weeks before treatment: a session's own pre-dose questionnaire is separate.
                taken_at=timezone.now() - timedelta(days=14),
                context="baseline",
            )


def complete_evaluation(clinician, patient, **changes) -> Evaluation:
    """An evaluation ready to be signed "suitable": history with every item answered "no",
    no medicines, no known allergies, baseline vital signs, height and weight, and the baseline
    questionnaires. `changes` override any history field."""
    evaluation = services.start_evaluation(actor=clinician, patient=patient)
    values = {
        "presenting_conditions": list(patient.primary_conditions) or ["trd"],
        "presenting_history": "Two years of depression; three adequate antidepressant trials.",
        "no_current_medications": True,
        "no_known_allergies": True,
        "height_cm": evaluation.height_cm or Decimal("170.0"),
        "weight_kg": evaluation.weight_kg or Decimal("70.0"),
        **ALL_NO,
        **changes,
    }
    evaluation = services.update_evaluation(actor=clinician, evaluation=evaluation, changes=values)
    evaluation = services.record_baseline_vitals(
        actor=clinician, evaluation=evaluation, values=BASELINE_VITALS, taken_at=timezone.now()
    )
    answer_baseline_questionnaires(
        actor=clinician, patient=patient, conditions=evaluation.presenting_conditions
    )
    return evaluation


def sign_complete_evaluation(
    clinician,
    patient,
    *,
    password: str,
    decision: str = "suitable",
    reasoning: str = "Suitable.",
    acknowledgements: dict[str, str] | None = None,
    override_absolute: bool = False,
    **changes,
) -> Evaluation:
    """A complete evaluation, signed (by default "suitable")."""
    evaluation = complete_evaluation(clinician, patient, **changes)
    return services.sign_evaluation(
        actor=clinician,
        evaluation=evaluation,
        decision=decision,
        reasoning=reasoning,
        password=password,
        acknowledgements=acknowledgements,
        override_absolute=override_absolute,
    )
