"""Row locks on questionnaire requests, responses, safety alerts and side-effect reports and
checks, held until the transaction ends.

Answering locks the request before its response (every answering step the same). Several checks
of one patient are locked in primary-key order.
"""

from __future__ import annotations

from clinic.assessments.choices import SideEffectCheckAnswer
from clinic.assessments.models import (
    AssessmentResponse,
    QuestionnaireRequest,
    SafetyAlert,
    SideEffectCheck,
    SideEffectReport,
)


def lock_questionnaire_request(request_id: int) -> QuestionnaireRequest:
    """The request's row, locked (DoesNotExist if there is none)."""
    return QuestionnaireRequest.objects.select_for_update().get(pk=request_id)


def lock_response_to(request_id: int, instrument_code: str) -> AssessmentResponse | None:
    """The request's response for one questionnaire, locked, or None before the first answer."""
    return (
        AssessmentResponse.objects.select_for_update()
        .filter(request_id=request_id, instrument_code=instrument_code)
        .first()
    )


def lock_response(response_id: int) -> AssessmentResponse:
    """The response's row, locked (DoesNotExist if there is none)."""
    return AssessmentResponse.objects.select_for_update().get(pk=response_id)


def lock_safety_alert(alert_id: int) -> SafetyAlert:
    """The alert's row, locked (DoesNotExist if there is none)."""
    return SafetyAlert.objects.select_for_update().get(pk=alert_id)


def lock_side_effect_report(report_id: int) -> SideEffectReport:
    """The report's row, locked (DoesNotExist if there is none)."""
    return SideEffectReport.objects.select_for_update().get(pk=report_id)


def lock_side_effect_report_sent_as(
    patient_id: int, submission_key: str
) -> SideEffectReport | None:
    """The report the patient already sent with this submission key, locked, or None."""
    return (
        SideEffectReport.objects.select_for_update()
        .filter(patient_id=patient_id, submission_key=submission_key)
        .first()
    )


def lock_side_effect_check(check_id: int) -> SideEffectCheck:
    """The check's row, locked (DoesNotExist if there is none)."""
    return SideEffectCheck.objects.select_for_update().get(pk=check_id)


def lock_side_effect_check_to_notify(check_id: int) -> SideEffectCheck | None:
    """The check, locked and read with its patient and location, while it is open and nobody
    has been told of it yet; None once it is."""
    return (
        SideEffectCheck.objects.select_for_update()
        .select_related("patient", "location")
        .filter(pk=check_id, notified_at__isnull=True, answer=SideEffectCheckAnswer.OPEN)
        .first()
    )


def lock_open_side_effect_checks_of(patient_id: int) -> list[SideEffectCheck]:
    """The patient's open checks, locked in primary-key order."""
    return list(
        SideEffectCheck.objects.select_for_update()
        .filter(patient_id=patient_id, answer=SideEffectCheckAnswer.OPEN)
        .order_by("pk")
    )
