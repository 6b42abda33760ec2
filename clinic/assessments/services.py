"""Sending questionnaires, recording answers, scoring them, and acting on safety alerts.

Every write checks permission, writes its audit entry in the same transaction, and sends e-mail
only after commit.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clinic.accounts.choices import PRESCRIBER_ROLES, Role
from clinic.accounts.models import User
from clinic.assessments.checks import answer_open_checks_with
from clinic.assessments.choices import (
    ALERTING_FLAGS,
    AlertAction,
    AlertStatus,
    AssessmentContext,
    ContactOutcome,
    RequestStatus,
    Respondent,
    ResponseMode,
    ResponseStatus,
    SideEffectSeverity,
)
from clinic.assessments.hooks import urgent_alert_raised
from clinic.assessments.instruments import INSTRUMENTS, AnswerError
from clinic.assessments.locks import (
    lock_questionnaire_request,
    lock_response,
    lock_response_to,
    lock_safety_alert,
    lock_side_effect_report,
    lock_side_effect_report_sent_as,
)
from clinic.assessments.models import (
    AssessmentResponse,
    InstrumentAssignment,
    QuestionnaireRequest,
    SafetyAlert,
    SafetyAlertContactAttempt,
    SideEffectReport,
)
from clinic.assessments.permissions import (
    CONTACT_ROLES,
    RESOLVE_ROLES,
    RESULT_ROLES,
    SEND_ROLES,
    TABLET_ROLES,
)
from clinic.assessments.policy import (
    SUICIDE_RISK_SCREENS,
    check_assignment,
    clinic_instrument,
    get_policy,
)
from clinic.assessments.side_effects import SYMPTOM_CHOICES
from clinic.assessments.side_effects import alert_reasons as side_effect_alert_reasons
from clinic.assessments.summaries import refresh_series
from clinic.assessments.tasks import refresh_requirements_after_assignment_change
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.services import record_audit_event
from clinic.audit.throttle import record_unauthenticated_refusal
from clinic.core.dates import show_date, show_time
from clinic.core.exceptions import (
    ClinicError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
)
from clinic.core.permissions import ensure_role, refuse
from clinic.core.tokens import token_sha256
from clinic.patients.hooks import course_changed
from clinic.patients.models import Patient
from clinic.patients.permissions import can_view_patient, ensure_can_act_on_patient

logger = logging.getLogger(__name__)


def questionnaire_link(token: str) -> str:
    return settings.CLINIC_BASE_URL + reverse("assessments:answer_start", args=[token])


def _check_patient(actor, patient: Patient, action: str, event_type) -> None:
    ensure_can_act_on_patient(
        actor, patient, roles=SEND_ROLES, action=action, event_type=event_type
    )


def _check_codes(codes: list[str], *, respondent: Respondent) -> list[str]:
    if not codes:
        raise ClinicError("Choose at least one questionnaire.", field="instrument_codes")
    unknown = [code for code in codes if code not in INSTRUMENTS]
    if unknown:
        raise ClinicError(
            f"Unknown questionnaire(s): {', '.join(unknown)}.", field="instrument_codes"
        )
    wrong = [
        INSTRUMENTS[code].short_name for code in codes if INSTRUMENTS[code].respondent != respondent
    ]
    if wrong:
        raise ClinicError(
            f"{', '.join(wrong)} is rated by a clinician, not answered by the patient.",
            field="instrument_codes",
        )
    return [code for code in INSTRUMENTS if code in codes]


def _send_questionnaire_email(request_id: int, token: str) -> None:
    request = QuestionnaireRequest.objects.select_related("patient", "location").get(pk=request_id)
    patient = request.patient
    if not patient.email:
        return
    clinic = settings.OTP_TOTP_ISSUER
    expires = timezone.localtime(request.expires_at, request.location.zone)
    send_mail(
        subject=f"{clinic}: a few questions before your next visit",
        message=(
            f"Hello {patient.preferred_name or patient.legal_first_name},\n\n"
            f"Your care team at {clinic} asks you to answer {len(request.instrument_codes)} short "
            f"questionnaire(s). It takes a few minutes on your phone:\n\n{questionnaire_link(token)}\n\n"
            f"The link works until {show_date(expires)} at {show_time(expires)} ({expires:%Z}) and only for you: please do not forward it.\n\n"
            "If you are in crisis, call or text 988 (Suicide & Crisis Lifeline) or call 911.\n\n"
            + request.location.contact_text(clinic)
        ),
        from_email=None,
        recipient_list=[patient.email],
    )


def send_questionnaires(
    *,
    actor,
    patient: Patient,
    instrument_codes: list[str],
    context: str,
    system_label: str = "",
) -> tuple[QuestionnaireRequest, str]:
    """Send a patient a set of questionnaires to answer by an expiring, single-use link (e-mailed
    after commit). Returns the request and the link's token, shown once to staff. A job that runs
    by itself (the reminders before an appointment) passes `actor=None` and names itself in
    `system_label`: the audit trail then records the job, never a person who did not act."""
    if actor is None:
        if not system_label:
            raise ValueError("A job sending questionnaires names itself in system_label.")
    else:
        _check_patient(actor, patient, "send questionnaires", AuditEventType.QUESTIONNAIRES_SENT)
    if context not in AssessmentContext.values:
        raise ClinicError("Choose why the questionnaires are sent.", field="context")
    codes = _check_codes(list(instrument_codes), respondent=Respondent.PATIENT)
    token = secrets.token_urlsafe(32)
    policy = get_policy()
    with transaction.atomic(durable=True):
        request = QuestionnaireRequest.objects.create(
            patient=patient,
            location_id=patient.location_id,
            instrument_codes=codes,
            context=context,
            token_sha256=token_sha256(token),
            expires_at=timezone.now() + timedelta(days=policy.link_valid_days),
            sent_by=actor,
        )
        record_audit_event(
            actor=actor,
            actor_label=system_label or None,
            event_type=AuditEventType.QUESTIONNAIRES_SENT,
            target=request,
            about=patient,
            details={"instruments": codes, "context": context},
        )
        transaction.on_commit(lambda: _send_questionnaire_email(request.pk, token))
    return request, token


def cancel_questionnaire_request(*, actor, request: QuestionnaireRequest) -> QuestionnaireRequest:
    """Withdraw a link that is no longer wanted; its answers so far are kept."""
    _check_patient(
        actor, request.patient, "cancel questionnaires", AuditEventType.QUESTIONNAIRES_CANCELLED
    )
    with transaction.atomic(durable=True):
        locked = lock_questionnaire_request(request.pk)
        if locked.status != RequestStatus.OPEN:
            raise InvalidTransitionError(
                f"These questionnaires are already {locked.get_status_display().lower()}."
            )
        locked.status = RequestStatus.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.QUESTIONNAIRES_CANCELLED,
            target=locked,
            about=locked,
        )
        return locked


def open_request_by_token(token: str) -> QuestionnaireRequest:
    """The open request behind a link. Expired, finished or withdrawn links say so; an unknown
    token is simply not found."""
    request = (
        QuestionnaireRequest.objects.select_related("patient", "location")
        .filter(token_sha256=token_sha256(token or ""))
        .first()
    )
    if request is None:
        # Anyone can try a link: at most one row per address a minute, the rest counted.
        record_unauthenticated_refusal(
            event_type=AuditEventType.TOKEN_REFUSED,
            actor_label="anonymous (questionnaire link)",
            details={"link": "questionnaire"},
        )
        raise NotFoundError("This link is not valid. Please use the newest link we sent you.")
    ensure_request_is_open(request)
    return request


def ensure_request_is_open(request: QuestionnaireRequest) -> None:
    if request.status == RequestStatus.COMPLETED:
        raise InvalidTransitionError(
            "These questionnaires are already complete. Thank you: your care team has your answers."
        )
    if request.status == RequestStatus.CANCELLED:
        raise InvalidTransitionError(
            "Your care team withdrew these questionnaires. You do not need to answer them."
        )
    if request.expires_at <= timezone.now():
        raise InvalidTransitionError(
            "This link has expired. Please ask the clinic to send you a new one."
        )


def refuse_link_to_staff(*, actor, token: str) -> QuestionnaireRequest | None:
    """A signed-in member of staff opened a patient's questionnaire link. What they answered there
    would be stored as the patient's own answers (and drive the safety alerts), so the link is
    refused to them, audited as a refusal naming them. The link stays as it was: not opened,
    not used up. Returns the request behind it when they may see that patient (the page then
    points to the chart), else None."""
    questionnaires = (
        QuestionnaireRequest.objects.select_related("patient", "location")
        .filter(token_sha256=token_sha256(token or ""))
        .first()
    )
    record_audit_event(
        actor=actor,
        event_type=AuditEventType.QUESTIONNAIRE_LINK_REFUSED,
        outcome=AuditOutcome.DENIED,
        target=questionnaires,
        patient_id=questionnaires.patient_id if questionnaires else None,
        location_id=questionnaires.location_id if questionnaires else None,
        details={"reason": "the patient's own link, opened signed in as staff"},
    )
    if questionnaires is None or not can_view_patient(actor, questionnaires.patient):
        return None
    return questionnaires


# What the record says of a tablet hand-over: the patient answered, a member of staff was there.
TABLET_IDENTITY_CHECK = "date_of_birth"


def hand_over_tablet(
    *, actor, request: QuestionnaireRequest, date_of_birth
) -> QuestionnaireRequest:
    """A member of staff hands the clinic tablet to the patient, who confirms their date of birth
    on it. Answers given then are the patient's, recorded as given on the clinic tablet with the
    member of staff who handed it over."""
    ensure_can_act_on_patient(
        actor,
        request.patient,
        roles=TABLET_ROLES,
        action="hand the clinic tablet to a patient",
        event_type=AuditEventType.QUESTIONNAIRE_TABLET_HANDED_OVER,
    )
    ensure_request_is_open(request)
    confirmed = date_of_birth is not None and date_of_birth == request.patient.date_of_birth
    with transaction.atomic(durable=True):
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.QUESTIONNAIRE_TABLET_HANDED_OVER,
            outcome=AuditOutcome.SUCCESS if confirmed else AuditOutcome.FAILED,
            target=request,
            about=request,
            details={"identity_check": TABLET_IDENTITY_CHECK, "confirmed": confirmed},
        )
    if not confirmed:
        raise ClinicError(
            "That date of birth does not match our record. Please hand the tablet back to the "
            "member of staff.",
            field="date_of_birth",
        )
    return request


def _answerer(request: QuestionnaireRequest, actor, mode: str) -> dict[str, Any]:
    """Who is answering, for the audit entry: the holder of the link, the signed-in patient
    (portal), or, on the clinic tablet, the member of staff who handed it over, saying that the
    patient answered after confirming their identity. Refuses a member of staff on the link:
    their answers would be recorded as the patient's."""
    signed_in = actor is not None and getattr(actor, "is_authenticated", False)
    if mode == ResponseMode.CLINIC_TABLET:
        ensure_can_act_on_patient(
            actor,
            request.patient,
            roles=TABLET_ROLES,
            action="hand the clinic tablet to a patient",
            event_type=AuditEventType.QUESTIONNAIRE_TABLET_HANDED_OVER,
        )
        return {
            "actor": actor,
            "details": {
                "mode": mode,
                "answered_by": "patient",
                "identity_check": TABLET_IDENTITY_CHECK,
            },
        }
    if mode == ResponseMode.PATIENT_LINK:
        if signed_in:
            raise PermissionDeniedError(
                "This link is for the patient: answers given here are recorded as theirs."
            )
        return {"actor": None, "actor_label": "patient (questionnaire link)", "details": {}}
    if not signed_in or request.patient.user_id != actor.pk:
        raise PermissionDeniedError("Only the patient answers their questionnaires.")
    return {"actor": actor, "details": {}}


def _lock_request_response(
    request: QuestionnaireRequest, code: str, mode: str
) -> AssessmentResponse:
    response = lock_response_to(request.pk, code)
    if response is None:
        response = AssessmentResponse.objects.create(
            patient_id=request.patient_id,
            location_id=request.location_id,
            instrument_code=code,
            request=request,
            context=request.context,
            mode=mode,
        )
    if response.status != ResponseStatus.IN_PROGRESS:
        raise InvalidTransitionError(
            "This questionnaire is already complete; its answers can no longer be changed."
        )
    return response


def _set_mode(response: AssessmentResponse, mode: str, actor) -> None:
    """How these answers reached the record (the last way they were given), and on the clinic
    tablet who handed it over."""
    response.mode = mode
    response.handed_over_by = actor if mode == ResponseMode.CLINIC_TABLET else None


def save_answer(
    *,
    request: QuestionnaireRequest,
    instrument_code: str,
    link_id: str,
    value: int | None,
    mode: str,
    actor=None,
) -> AssessmentResponse:
    """Keep one answer of an unfinished questionnaire, so that a reload or a lost connection loses
    nothing, and raise at once any safety alert the answers so far raise."""
    if instrument_code not in request.instrument_codes:
        raise NotFoundError("That questionnaire is not part of this request.")
    item = INSTRUMENTS[instrument_code].item_by_link_id.get(link_id)
    if item is None:
        raise ClinicError("That question is not part of this questionnaire.")
    if value is not None and value not in item.values:
        raise ClinicError(
            f"Question {item.number}: choose one of the answers shown.", field=link_id
        )
    # Checked before the transaction, so that a refusal's audit entry is kept.
    answerer = _answerer(request, actor, mode)
    with transaction.atomic(durable=True):
        locked_request = lock_questionnaire_request(request.pk)
        ensure_request_is_open(locked_request)
        response = _lock_request_response(locked_request, instrument_code, mode)
        answers = dict(response.answers)
        if value is None:
            answers.pop(link_id, None)
        else:
            answers[link_id] = value
        response.answers = answers
        _set_mode(response, mode, actor)
        response.save(update_fields=["answers", "mode", "handed_over_by", "updated_at"])
        details = answerer.pop("details")
        record_audit_event(
            **answerer,
            event_type=AuditEventType.ANSWER_SAVED,
            target=response,
            about=request,
            details={"item": link_id, **details},
        )
        # An answer that raises a safety alert (PHQ-9 item 9 above 0, a C-SSRS "yes" …) is acted
        # on now: a patient who stops before submitting has still told us.
        instrument = clinic_instrument(instrument_code)
        raise_alerts(
            response,
            instrument.flags_so_far(answers),
            raised_at=timezone.now(),
            while_answering=True,
        )
        return response


def _score_and_complete(
    response: AssessmentResponse, answers, *, taken_at: datetime, drop_inapplicable: bool = False
) -> list[SafetyAlert]:
    """Score by the published rule, store the result, and raise an alert for each alerting flag.
    Runs inside the caller's transaction; raises ClinicError (naming the item) if incomplete.

    `drop_inapplicable`: a patient who answered C-SSRS question 3 and then changed question 2 to
    "no" cannot un-tick a radio button, so on the patient's own form such answers are left out.
    Staff and the API are told instead: a "yes" on paper must never vanish unnoticed."""
    instrument = clinic_instrument(response.instrument_code)
    if isinstance(answers, dict):
        unknown = sorted(set(answers) - set(instrument.item_by_link_id))
        if unknown:
            raise ClinicError(f"{instrument.short_name}: unknown item(s) {', '.join(unknown)}.")
    elif len(list(answers)) > len(instrument.items):
        raise ClinicError(
            f"{instrument.short_name} has {len(instrument.items)} items; too many answers were given."
        )
    keyed = instrument.keyed(answers)
    if drop_inapplicable:
        keyed = {
            k: v
            for k, v in keyed.items()
            if instrument.applicable(instrument.item_by_link_id[k], keyed)
        }
    cleaned = {k: v for k, v in keyed.items() if v is not None}
    try:
        result = instrument.score(keyed)
    except AnswerError as error:
        # Beside its question on a form; the API names the item's code in `field`.
        raise ClinicError(str(error), field=error.link_id) from error
    except ValueError as error:
        raise ClinicError(str(error)) from error
    response.answers = cleaned
    response.total = result.total
    response.severity = result.severity
    response.subscales = {name: str(value) for name, value in result.subscales.items()}
    response.flags = sorted(result.flags)
    response.status = ResponseStatus.COMPLETED
    response.taken_at = taken_at
    response.full_clean()
    response.save()
    refresh_series(response.patient_id, response.instrument_code)
    course_changed(response.patient_id)
    return raise_alerts(response, response.flags, raised_at=taken_at)


def raise_alerts(
    response: AssessmentResponse, flags, *, raised_at: datetime, while_answering: bool = False
) -> list[SafetyAlert]:
    """Inside the caller's transaction: raise a safety alert for each alerting flag this response
    has not raised before (once per response and reason, whether it was raised while the patient
    was still answering or at submission, and whatever the answer was changed to since). Urgent
    alerts are e-mailed to the on-call clinician after commit; review flags wait for the chart."""
    reasons = [ALERTING_FLAGS[flag] for flag in sorted(flags) if flag in ALERTING_FLAGS]
    return _raise_alert_rows(
        reasons,
        source={"response": response},
        patient_id=response.patient_id,
        location_id=response.location_id,
        raised_at=raised_at,
        details={"while_answering": True} if while_answering else {},
    )


def _raise_alert_rows(
    reasons: Sequence[str],
    *,
    source: dict[str, Any],
    patient_id: int,
    location_id: int,
    raised_at: datetime,
    details: dict[str, Any],
) -> list[SafetyAlert]:
    """The one path every safety alert takes, whatever raised it (a questionnaire's answers, a
    side-effect report): a row per reason not raised before from the same source, its audit
    entry, the hooks (a follow-up review falls due), and the on-call e-mail after commit."""
    if not reasons:
        return []
    raised = set(
        SafetyAlert.objects.filter(reason__in=reasons, **source).values_list("reason", flat=True)
    )
    alerts = []
    for reason in reasons:
        if reason in raised:
            continue
        alert = SafetyAlert.objects.create(
            patient_id=patient_id,
            location_id=location_id,
            reason=reason,
            raised_at=raised_at,
            **source,
        )
        record_audit_event(
            actor=None,
            actor_label="safety rule",
            event_type=AuditEventType.SAFETY_ALERT_RAISED,
            target=alert,
            patient_id=patient_id,
            location_id=location_id,
            details={"reason": reason, **details},
        )
        alerts.append(alert)
    urgent = [alert.pk for alert in alerts if alert.is_urgent]
    for alert in alerts:
        if alert.is_urgent:
            urgent_alert_raised(alert)
    if urgent:
        transaction.on_commit(lambda: _email_on_call(urgent))
    return alerts


def submit_response(
    *,
    request: QuestionnaireRequest,
    instrument_code: str,
    answers: Mapping[str, int | None],
    mode: str,
    actor=None,
) -> tuple[AssessmentResponse, list[SafetyAlert]]:
    """Finish one questionnaire of a request: score it, lock it, and raise any safety alert. When
    the last questionnaire is done the link stops working."""
    if instrument_code not in request.instrument_codes:
        raise NotFoundError("That questionnaire is not part of this request.")
    answerer = _answerer(request, actor, mode)
    with transaction.atomic(durable=True):
        locked_request = lock_questionnaire_request(request.pk)
        ensure_request_is_open(locked_request)
        response = _lock_request_response(locked_request, instrument_code, mode)
        _set_mode(response, mode, actor)
        alerts = _score_and_complete(
            response, answers, taken_at=timezone.now(), drop_inapplicable=True
        )
        details = answerer.pop("details")
        record_audit_event(
            **answerer,
            event_type=AuditEventType.RESPONSE_COMPLETED,
            target=response,
            about=request,
            details={
                "instrument": instrument_code,
                "total": str(response.total),
                "flags": response.flags,
                **details,
            },
        )
        done = set(
            locked_request.responses.filter(status=ResponseStatus.COMPLETED).values_list(
                "instrument_code", flat=True
            )
        )
        if done >= set(locked_request.instrument_codes):
            locked_request.status = RequestStatus.COMPLETED
            locked_request.completed_at = timezone.now()
            locked_request.save(update_fields=["status", "completed_at", "updated_at"])
        return response, alerts


def record_staff_response(
    *,
    actor,
    patient: Patient,
    instrument_code: str,
    answers: Mapping[str, int | None],
    taken_at: datetime,
    context: str,
) -> tuple[AssessmentResponse, list[SafetyAlert]]:
    """Enter a paper questionnaire on the patient's behalf, or a clinician's rating (recorded as
    such), scored like any other."""
    ensure_can_act_on_patient(
        actor,
        patient,
        roles=RESULT_ROLES,
        action="enter questionnaire answers",
        event_type=AuditEventType.RESPONSE_ENTERED_BY_STAFF,
    )
    with transaction.atomic(durable=True):
        return create_staff_response(
            actor=actor,
            patient=patient,
            instrument_code=instrument_code,
            answers=answers,
            taken_at=taken_at,
            context=context,
        )


def create_staff_response(
    *,
    actor,
    patient: Patient,
    instrument_code: str,
    answers: Mapping[str, int | None],
    taken_at: datetime,
    context: str,
) -> tuple[AssessmentResponse, list[SafetyAlert]]:
    """`record_staff_response` inside the caller's transaction (the caller has checked that the
    actor may enter results for this patient), e.g. a session's dissociation rating stored with
    the session's link to it."""
    if instrument_code not in INSTRUMENTS:
        raise ClinicError("Choose a questionnaire.", field="instrument_code")
    if context not in AssessmentContext.values:
        raise ClinicError("Choose why the questionnaire was given.", field="context")
    if timezone.is_naive(taken_at):
        # A time without a zone is read as the patient's location's wall-clock time.
        taken_at = timezone.make_aware(taken_at, patient.location.zone)
    if taken_at > timezone.now() + timedelta(minutes=5):
        raise ClinicError("The time it was answered cannot be in the future.", field="taken_at")
    if timezone.localtime(taken_at, patient.location.zone).date() < patient.date_of_birth:
        raise ClinicError(
            "The time it was answered is before the patient was born.", field="taken_at"
        )
    mode = (
        ResponseMode.CLINICIAN_RATED
        if INSTRUMENTS[instrument_code].respondent == Respondent.CLINICIAN
        else ResponseMode.STAFF_ENTERED
    )
    response = AssessmentResponse(
        patient=patient,
        location_id=patient.location_id,
        instrument_code=instrument_code,
        context=context,
        mode=mode,
        entered_by=actor,
    )
    alerts = _score_and_complete(response, answers, taken_at=taken_at)
    record_audit_event(
        actor=actor,
        event_type=AuditEventType.RESPONSE_ENTERED_BY_STAFF,
        target=response,
        about=patient,
        details={"instrument": instrument_code, "mode": mode, "total": str(response.total)},
    )
    return response, alerts


def mark_response_entered_in_error(
    *, actor, response: AssessmentResponse, reason: str
) -> AssessmentResponse:
    """Withdraw a response recorded by mistake: it stays in the record, out of scores and charts."""
    ensure_role(
        actor,
        RESULT_ROLES,
        action="withdraw questionnaire answers",
        event_type=AuditEventType.RESPONSE_ENTERED_IN_ERROR,
        target=response,
        patient_id=response.patient_id,
    )
    reason = reason.strip()
    if not reason:
        raise ClinicError("Say why the response was entered in error.", field="reason")
    with transaction.atomic(durable=True):
        locked = lock_response(response.pk)
        if locked.status != ResponseStatus.COMPLETED:
            raise InvalidTransitionError(
                "Only a completed response can be marked as entered in error."
            )
        if locked.alerts.filter(status=AlertStatus.OPEN).exists():
            raise InvalidTransitionError(
                "Resolve this response's safety alert first: record what was done."
            )
        locked.status = ResponseStatus.ENTERED_IN_ERROR
        locked.error_reason = reason[:300]
        locked.save(update_fields=["status", "error_reason", "updated_at"])
        refresh_series(locked.patient_id, locked.instrument_code)
        course_changed(locked.patient_id)
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.RESPONSE_ENTERED_IN_ERROR,
            target=locked,
            about=locked,
            details={"reason": reason[:300]},
        )
        return locked


def resolve_safety_alert(
    *, actor, alert: SafetyAlert, actions: list[str], note: str
) -> SafetyAlert:
    """Close an urgent alert by recording what was done (assessment, safety plan, referral …).
    Only a prescriber may: closing it is a clinical judgement of risk."""
    ensure_role(
        actor,
        RESOLVE_ROLES,
        action="resolve safety alerts",
        event_type=AuditEventType.SAFETY_ALERT_RESOLVED,
        target=alert,
        patient_id=alert.patient_id,
    )
    if not actions:
        raise ClinicError("Record at least one thing that was done.", field="actions")
    unknown = set(actions) - set(AlertAction.values)
    if unknown:
        raise ClinicError("Choose from the listed actions.", field="actions")
    note = note.strip()
    if not note:
        raise ClinicError("Write what you found and decided.", field="note")
    with transaction.atomic(durable=True):
        locked = lock_safety_alert(alert.pk)
        if locked.status != AlertStatus.OPEN:
            raise InvalidTransitionError("This alert is already resolved.")
        locked.status = AlertStatus.RESOLVED
        locked.actions = sorted(set(actions))
        locked.resolution_note = note
        locked.resolved_by = actor
        locked.resolved_at = timezone.now()
        locked.save()
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.SAFETY_ALERT_RESOLVED,
            target=locked,
            about=locked,
            details={"actions": locked.actions},
        )
        return locked


CONTACT_NOTE_MAX_LENGTH = 2000


def record_alert_contact_attempt(
    *, actor, alert: SafetyAlert, outcome: str, note: str = ""
) -> SafetyAlertContactAttempt:
    """Record one attempt to reach the patient about an open safety alert (reached, no answer,
    voicemail, message sent), at the time it is recorded. The alert stays open: closing it is a
    prescriber's assessment (resolve_safety_alert); what the calls found is their starting
    point, and the timeline shows who tried when."""
    ensure_can_act_on_patient(
        actor,
        alert.patient,
        roles=CONTACT_ROLES,
        action="record contact attempts on safety alerts",
        event_type=AuditEventType.SAFETY_ALERT_CONTACT_RECORDED,
    )
    if outcome not in ContactOutcome.values:
        raise ClinicError("Choose how the attempt went.", field="outcome")
    note = note.strip()
    if len(note) > CONTACT_NOTE_MAX_LENGTH:
        raise ClinicError(
            f"Keep the note under {CONTACT_NOTE_MAX_LENGTH} characters.", field="note"
        )
    if outcome == ContactOutcome.REACHED and not note:
        raise ClinicError("Write what the patient said and how they are.", field="note")
    with transaction.atomic(durable=True):
        locked = lock_safety_alert(alert.pk)
        if locked.status != AlertStatus.OPEN:
            raise InvalidTransitionError(
                "This alert is already resolved: record further contact in the patient's notes."
            )
        attempt = SafetyAlertContactAttempt.objects.create(
            alert=locked,
            outcome=outcome,
            note=note,
            attempted_at=timezone.now(),
            recorded_by=actor,
        )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.SAFETY_ALERT_CONTACT_RECORDED,
            target=locked,
            about=locked,
            details={"outcome": outcome, "attempt": str(attempt.public_id)},
        )
        return attempt


def on_call_recipients(location) -> list[str]:
    """The location's on-call inbox, else the clinic's, else every prescriber at the location."""
    if location.on_call_email:
        return [location.on_call_email]
    policy = get_policy()
    if policy.on_call_email:
        return [policy.on_call_email]
    return list(
        User.objects.filter(
            is_active=True, role__in=PRESCRIBER_ROLES, locations=location
        ).values_list("email", flat=True)
    )


def _email_on_call(alert_ids: list[int]) -> None:
    """Tell the on-call clinician at once. The e-mail carries a link, not the patient's answers."""
    for alert in SafetyAlert.objects.filter(pk__in=alert_ids).select_related("location", "patient"):
        recipients = on_call_recipients(alert.location)
        if not recipients:
            logger.error("safety_alert.no_recipient id=%s location=%s", alert.pk, alert.location_id)
            continue
        link = (
            settings.CLINIC_BASE_URL
            + reverse("patients:chart", args=[alert.patient.public_id])
            + "?section=assessments"
        )
        send_mail(
            subject=f"URGENT safety alert — {alert.location.name}",
            message=(
                f"An urgent safety alert was raised at {alert.location.name}: {alert.get_reason_display()}.\n\n"
                f"Open the patient's chart now and record what was done (sign-in required):\n{link}\n"
            ),
            from_email=None,
            recipient_list=recipients,
        )
        logger.info("safety_alert.notified id=%s", alert.pk)


def save_instrument_assignment(
    *, actor, assignment: InstrumentAssignment, changed_fields: list[str]
) -> InstrumentAssignment:
    """The medical director sets which instruments a condition's patients answer. A set without a
    suicide-risk screen needs a stated reason, kept with the set and in the audit entry."""
    if not (actor.is_superuser or actor.is_medical_director):
        refuse(
            actor,
            action="change which questionnaires a condition's patients answer",
            event_type=AuditEventType.ASSESSMENT_SETTINGS_CHANGED,
        )
    codes = [code for code in INSTRUMENTS if code in assignment.instrument_codes]
    reason = assignment.suicide_screen_omitted_reason.strip()
    check_assignment(list(assignment.instrument_codes), reason)
    screened = bool(SUICIDE_RISK_SCREENS & set(codes))
    assignment.instrument_codes = codes
    # A reason only means something while the screen is left out.
    assignment.suicide_screen_omitted_reason = "" if screened else reason
    with transaction.atomic():
        created = assignment.pk is None
        assignment.full_clean()
        assignment.save()
        details = {
            "created": created,
            "fields": sorted(changed_fields),
            "condition": assignment.condition,
            "instruments": codes,
        }
        if not screened:
            details["suicide_screen_omitted_reason"] = reason
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.ASSESSMENT_SETTINGS_CHANGED,
            target=assignment,
            details=details,
        )
        # Which questionnaires fall due for every patient with the condition follows, in the
        # background (a clinic of any size), once this change is committed.
        transaction.on_commit(refresh_requirements_after_assignment_change.enqueue)
    return assignment


# --- Side effects reported between visits ------------------------------------------------------

SIDE_EFFECT_DESCRIPTION_MAX_CHARS = 2000
# A report of something that began more than this long ago is refused as a typing slip (the
# longest treatment courses followed run for a few years).
SIDE_EFFECT_EARLIEST_START_DAYS = 5 * 366


def report_side_effect(
    *,
    actor,
    patient: Patient,
    submission_key,
    symptoms: list[str],
    started_on,
    severity: str,
    still_going: bool,
    description: str = "",
) -> tuple[SideEffectReport, bool, list[SafetyAlert]]:
    """Record a side effect the patient reports from their portal, and raise an urgent safety
    alert for each red-flag symptom (the path of the PHQ-9 item-9 alert: dashboard, on-call e-mail,
    a follow-up review). The same submission key sent again returns the first report unchanged
    (`created` False): a resend after a lost connection is never a second report."""
    ensure_role(
        actor,
        {Role.PATIENT},
        action="report side effects for a patient",
        event_type=AuditEventType.SIDE_EFFECT_REPORTED,
        patient_id=patient.pk,
    )
    if patient.user_id != actor.pk:
        raise NotFoundError("We could not find that patient.")
    codes = [code for code, _label in SYMPTOM_CHOICES if code in set(symptoms)]
    if not codes or len(codes) != len(set(symptoms)):
        raise ClinicError(
            "Choose at least one of the listed side effects."
            if not symptoms
            else "Choose from the listed side effects.",
            field="symptoms",
        )
    today = timezone.localdate(timezone.now(), patient.location.zone)
    if started_on > today:
        raise ClinicError("The date it started cannot be in the future.", field="started_on")
    if started_on < today - timedelta(days=SIDE_EFFECT_EARLIEST_START_DAYS):
        raise ClinicError("Check the year of the date it started.", field="started_on")
    if severity not in SideEffectSeverity.values:
        raise ClinicError("Choose how bad it is.", field="severity")
    description = description.strip()
    if len(description) > SIDE_EFFECT_DESCRIPTION_MAX_CHARS:
        raise ClinicError(
            f"Keep the description under {SIDE_EFFECT_DESCRIPTION_MAX_CHARS} characters.",
            field="description",
        )
    if "other" in codes and not description:
        raise ClinicError("Describe the side effect in a few words.", field="description")
    with transaction.atomic(durable=True):
        existing = lock_side_effect_report_sent_as(patient.pk, submission_key)
        if existing is not None:
            return existing, False, list(existing.alerts.all())
        report = SideEffectReport.objects.create(
            patient=patient,
            location_id=patient.location_id,
            submission_key=submission_key,
            symptoms=codes,
            started_on=started_on,
            severity=severity,
            still_going=bool(still_going),
            description=description,
            reported_at=timezone.now(),
            reported_by=actor,
        )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.SIDE_EFFECT_REPORTED,
            target=report,
            about=patient,
            details={"symptoms": codes, "severity": severity, "still_going": report.still_going},
        )
        # A report answers the side-effect checks waiting for the patient.
        answer_open_checks_with(report, actor=actor)
        alerts = _raise_alert_rows(
            side_effect_alert_reasons(codes),
            source={"side_effect_report": report},
            patient_id=patient.pk,
            location_id=patient.location_id,
            raised_at=report.reported_at,
            details={"side_effect_report": str(report.public_id)},
        )
        return report, True, alerts


def review_side_effect_report(*, actor, report: SideEffectReport, note: str) -> SideEffectReport:
    """A clinician records that they read a side-effect report and what they decided; until then
    the next session's pre-dose checklist holds for it. Any positive urinary symptom needs a
    clinician's look before the next session, whatever the mood scores say (Ketalar label:
    genitourinary pain with chronic use; Anderson et al. 2022 review of ketamine cystitis)."""
    ensure_can_act_on_patient(
        actor,
        report.patient,
        roles=RESULT_ROLES,
        action="review side-effect reports",
        event_type=AuditEventType.SIDE_EFFECT_REPORT_REVIEWED,
    )
    note = note.strip()
    if not note:
        raise ClinicError("Write what you found and decided.", field="note")
    if len(note) > SIDE_EFFECT_DESCRIPTION_MAX_CHARS:
        raise ClinicError(
            f"Keep the note under {SIDE_EFFECT_DESCRIPTION_MAX_CHARS} characters.", field="note"
        )
    with transaction.atomic(durable=True):
        locked = lock_side_effect_report(report.pk)
        if locked.reviewed_at is not None:
            raise InvalidTransitionError("This report has already been reviewed.")
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.review_note = note
        locked.save(update_fields=["reviewed_by", "reviewed_at", "review_note", "updated_at"])
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.SIDE_EFFECT_REPORT_REVIEWED,
            target=locked,
            about=locked,
        )
        return locked
