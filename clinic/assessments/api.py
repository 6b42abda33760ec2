"""Instruments, responses and scores over the JSON API (Django Ninja)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import StrictInt

from clinic.assessments import selectors, services
from clinic.assessments.choices import AssessmentContext
from clinic.assessments.instruments import INSTRUMENTS, AnswerError, Instrument
from clinic.assessments.permissions import RESULT_ROLES
from clinic.assessments.policy import clinic_instrument
from clinic.audit.choices import AuditEventType
from clinic.core.permissions import ensure_role
from clinic.core.validators import EntryDatetime
from clinic.patients.selectors import open_patient_chart

router = Router(tags=["assessments"])


class OptionOut(Schema):
    value: int
    label: str
    loinc: str


class ItemOut(Schema):
    link_id: str
    number: str
    text: str
    loinc: str
    scored: bool
    required: bool
    enabled_when: dict | None
    options: list[OptionOut]


class BandOut(Schema):
    low: Decimal
    high: Decimal
    code: str
    label: str


class InstrumentOut(Schema):
    code: str
    name: str
    short_name: str
    purpose: str
    respondent: str
    instructions: str
    min_total: Decimal
    max_total: Decimal
    loinc_panel: str
    loinc_total: str
    # Why there is no LOINC code, where the codes are blank.
    loinc_note: str
    # The period the answers cover, e.g. "the last 7 days".
    recall: str
    source: str
    items: list[ItemOut]
    bands: list[BandOut]


# Strict: JSON true or "2" is not an answer (lax pydantic would turn them into 1 and 2).
StrictAnswers = dict[str, StrictInt | None]


class ScoreIn(Schema):
    answers: StrictAnswers


class ScoreOut(Schema):
    total: Decimal
    severity: str
    subscales: dict[str, Decimal]
    flags: list[str]


class ResponseOut(Schema):
    id: uuid.UUID
    instrument_code: str
    status: str
    mode: str
    context: str
    taken_at: datetime | None
    total: Decimal | None
    severity: str
    subscales: dict
    flags: list[str]
    answers: dict


class ResponseIn(Schema):
    instrument_code: str
    answers: StrictAnswers
    # With a UTC offset (ISO 8601), e.g. 2026-11-25T09:30:00-05:00.
    taken_at: EntryDatetime
    context: AssessmentContext = AssessmentContext.FOLLOW_UP


class ProgressOut(Schema):
    instrument_code: str
    baseline_total: Decimal
    baseline_taken_at: datetime
    latest_total: Decimal
    latest_taken_at: datetime
    latest_severity: str
    change_points: Decimal
    change_percent: Decimal | None
    response: bool | None
    remission: bool | None
    # "remission", "no_remission", "started_below" (not applicable), or "" (no rule or follow-up).
    remission_status: str
    worsening: bool
    definitions: str


def _instrument_out(instrument: Instrument) -> dict:
    return {
        "code": instrument.code,
        "name": instrument.name,
        "short_name": instrument.short_name,
        "purpose": instrument.purpose,
        "respondent": instrument.respondent,
        "instructions": instrument.instructions,
        "min_total": instrument.min_total,
        "max_total": instrument.max_total,
        "loinc_panel": instrument.loinc_panel,
        "loinc_total": instrument.loinc_total,
        "loinc_note": instrument.loinc_note,
        "recall": instrument.recall,
        "source": instrument.source,
        "items": [
            {
                "link_id": item.link_id,
                "number": item.number,
                "text": item.text,
                "loinc": item.loinc,
                "scored": item.scored,
                "required": item.required,
                "enabled_when": {
                    "link_id": item.enabled_when[0],
                    "values": sorted(item.enabled_when[1]),
                }
                if item.enabled_when
                else None,
                "options": [
                    {"value": o.value, "label": o.label, "loinc": o.loinc} for o in item.options
                ],
            }
            for item in instrument.items
        ],
        "bands": [
            {"low": b.low, "high": b.high, "code": b.code, "label": b.label}
            for b in instrument.bands
        ],
    }


def _response_out(response) -> dict:
    return {
        "id": response.public_id,
        "instrument_code": response.instrument_code,
        "status": response.status,
        "mode": response.mode,
        "context": response.context,
        "taken_at": response.taken_at,
        "total": response.total,
        "severity": response.severity,
        "subscales": response.subscales,
        "flags": response.flags,
        "answers": response.answers,
    }


def _ensure_results(request) -> None:
    ensure_role(
        request.user,
        RESULT_ROLES,
        action="read questionnaire results",
        event_type=AuditEventType.PATIENT_CHART_VIEWED,
    )


def _instrument_or_404(code: str) -> Instrument:
    if code not in INSTRUMENTS:
        raise HttpError(404, f"No instrument with code {code!r}.")
    return clinic_instrument(code)


@router.get(
    "/instruments", response=list[InstrumentOut], summary="Every instrument, declared as data"
)
def instruments(request):
    return [_instrument_out(clinic_instrument(code)) for code in INSTRUMENTS]


@router.get(
    "/instruments/{code}",
    response=InstrumentOut,
    summary="One instrument's items, options, bands and source",
)
def instrument(request, code: str):
    return _instrument_out(_instrument_or_404(code))


@router.post(
    "/instruments/{code}/score",
    response=ScoreOut,
    summary="Score answers by the published rule (nothing is stored)",
)
def score(request, code: str, payload: ScoreIn):
    instrument = _instrument_or_404(code)
    try:
        result = instrument.score(payload.answers)
    except AnswerError as error:
        raise HttpError(422, error.with_code()) from error
    except ValueError as error:
        raise HttpError(422, str(error)) from error
    return {
        "total": result.total,
        "severity": result.severity,
        "subscales": result.subscales,
        "flags": sorted(result.flags),
    }


@router.get(
    "/patients/{patient_id}/responses",
    response=list[ResponseOut],
    summary="A patient's questionnaires (audited)",
)
def patient_responses(request, patient_id: uuid.UUID):
    _ensure_results(request)
    patient = open_patient_chart(request.user, patient_id, section="api:responses")
    return [_response_out(r) for r in selectors.recent_responses(patient, limit=500)]


@router.post(
    "/patients/{patient_id}/responses",
    response={201: ResponseOut},
    summary="Enter a paper questionnaire or a clinician's rating",
)
def create_response(request, patient_id: uuid.UUID, payload: ResponseIn):
    _ensure_results(request)
    patient = open_patient_chart(request.user, patient_id, section="api:responses")
    response, _alerts = services.record_staff_response(
        actor=request.user,
        patient=patient,
        instrument_code=payload.instrument_code,
        answers=payload.answers,
        taken_at=payload.taken_at,
        context=payload.context,
    )
    return Status(201, _response_out(response))


@router.get(
    "/patients/{patient_id}/progress",
    response=list[ProgressOut],
    summary="Change from baseline, response and remission per instrument",
)
def patient_progress(request, patient_id: uuid.UUID):
    _ensure_results(request)
    patient = open_patient_chart(request.user, patient_id, section="api:progress")
    return [
        {
            "instrument_code": p.instrument.code,
            "baseline_total": p.baseline.total,
            "baseline_taken_at": p.baseline.taken_at,
            "latest_total": p.latest.total,
            "latest_taken_at": p.latest.taken_at,
            "latest_severity": p.latest.severity,
            "change_points": p.change_points,
            "change_percent": p.change_percent,
            "response": p.response,
            "remission": p.remission,
            "remission_status": p.remission_status,
            "worsening": p.worsening,
            "definitions": p.instrument.outcome.definitions,
        }
        for p in selectors.patient_progress(patient)
    ]


@router.get("/responses/{response_id}", response=ResponseOut, summary="One questionnaire response")
def response_detail(request, response_id: uuid.UUID):
    response = selectors.open_response(request.user, response_id, section="api:response")
    return _response_out(response)
