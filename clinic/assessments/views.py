from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_POST

from clinic.accounts.choices import PORTAL_ROLES, STAFF_ROLES, Role
from clinic.assessments import checks, selectors, services
from clinic.assessments.choices import AlertStatus, ResponseMode, ResponseStatus
from clinic.assessments.forms import (
    ContactAttemptForm,
    EnteredInErrorForm,
    InstrumentAnswersForm,
    ResolveAlertForm,
    ReviewSideEffectReportForm,
    SendQuestionnairesForm,
    SideEffectReportForm,
    TabletHandOverForm,
)
from clinic.assessments.instruments import INSTRUMENTS
from clinic.assessments.models import AssessmentResponse, QuestionnaireRequest
from clinic.assessments.permissions import (
    CONTACT_ROLES,
    RESOLVE_ROLES,
    RESULT_ROLES,
    SEND_ROLES,
    TABLET_ROLES,
    can_view_results,
)
from clinic.assessments.policy import clinic_instrument
from clinic.assessments.side_effects import advice_for, grouped_symptoms
from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.exceptions import (
    InvalidTransitionError,
    NotFoundError,
)
from clinic.core.forms import (
    form_status,
    posted_data,
    refusal_as_message,
    refusal_caught,
    refusal_shown_on,
)
from clinic.core.permissions import role_required
from clinic.patients.policy import get_patient_policy
from clinic.patients.selectors import record_chart_viewed
from clinic.patients.views import chart_section_url, patient_or_404, portal_patient_or_404

CRISIS_FLAGS = {"self_harm_risk", "suicide_risk_moderate", "suicide_risk_high"}


@require_POST
@role_required(*SEND_ROLES)
def send(request, patient_public_id):
    patient = patient_or_404(request, patient_public_id)
    form = SendQuestionnairesForm(request.POST)
    if form.is_valid():
        with refusal_as_message(request):
            _questionnaires, token = services.send_questionnaires(
                actor=request.user,
                patient=patient,
                instrument_codes=form.cleaned_data["instrument_codes"],
                context=form.cleaned_data["context"],
            )
            sent_to = f" and e-mailed to {patient.email}" if patient.email else ""
            if can_view_results(request.user):
                messages.success(
                    request,
                    f"Questionnaires sent{sent_to}. Link for this patient only (shown once; give "
                    f"it by text, or hand over the clinic tablet below): "
                    f"{services.questionnaire_link(token)}",
                )
            else:
                # The link opens the answers: only those who may read them see it.
                no_email = (
                    ""
                    if patient.email
                    else " The patient has no e-mail address on file: a nurse or clinician can "
                    "hand them the clinic tablet."
                )
                messages.success(request, f"Questionnaires sent{sent_to}.{no_email}")
    else:
        messages.error(request, "Choose at least one questionnaire.")
    return redirect(chart_section_url(patient, "assessments"))


@role_required(*RESULT_ROLES)
def enter(request, patient_public_id, instrument_code):
    """Staff enter a paper questionnaire on the patient's behalf, or a clinician's rating."""
    patient = patient_or_404(request, patient_public_id)
    if instrument_code not in INSTRUMENTS:
        raise Http404("No such questionnaire.")
    instrument = clinic_instrument(instrument_code)
    form = InstrumentAnswersForm(posted_data(request), instrument=instrument, staff=True)
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            response, alerts = services.record_staff_response(
                actor=request.user,
                patient=patient,
                instrument_code=instrument_code,
                answers=form.answers(),
                taken_at=form.cleaned_data["taken_at"],
                context=form.cleaned_data["context"],
            )
            label = instrument.band_label(response.severity)
            messages.success(
                request, f"{instrument.short_name} recorded: {response.total_display} ({label})."
            )
            if alerts:
                messages.warning(
                    request, "An urgent safety alert was raised: record what was done below."
                )
            return redirect(chart_section_url(patient, "assessments"))
    return render(
        request,
        "assessments/enter.html",
        {"patient": patient, "instrument": instrument, "form": form},
        status=form_status(form),
    )


@role_required(*RESULT_ROLES)
def response_detail(request, public_id):
    response = selectors.open_response(request.user, public_id, section="questionnaire")
    instrument = clinic_instrument(response.instrument_code)
    rows = [(item, response.answers.get(item.link_id)) for item in instrument.items]
    return render(
        request,
        "assessments/response_detail.html",
        {
            "response": response,
            "instrument": instrument,
            "rows": rows,
            "patient": response.patient,
            "error_form": EnteredInErrorForm(),
            "can_withdraw": response.status == ResponseStatus.COMPLETED,
        },
    )


@require_POST
@role_required(*RESULT_ROLES)
def entered_in_error(request, public_id):
    response = selectors.get_response(request.user, public_id)
    form = EnteredInErrorForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the response was entered in error.")
        return redirect("assessments:response", response.public_id)
    with refusal_as_message(request):
        services.mark_response_entered_in_error(
            actor=request.user, response=response, reason=form.cleaned_data["reason"]
        )
        messages.success(
            request,
            "The response is marked as entered in error; it no longer counts in scores or charts.",
        )
        return redirect(chart_section_url(response.patient, "assessments"))
    return redirect("assessments:response", response.public_id)


def _alert_page(request, alert, *, form=None, contact_form=None):
    if not can_view_results(request.user):
        return _contact_sheet_page(request, alert, contact_form=contact_form)
    record_audit_event(
        actor=request.user,
        event_type=AuditEventType.PATIENT_CHART_VIEWED,
        target=alert,
        about=alert,
        details={"section": "safety alert"},
    )
    instrument = (
        clinic_instrument(alert.response.instrument_code) if alert.response is not None else None
    )
    is_open = alert.status == AlertStatus.OPEN
    return render(
        request,
        "assessments/alert.html",
        {
            "alert": alert,
            "patient": alert.patient,
            "instrument": instrument,
            "form": form or ResolveAlertForm(),
            "contact_form": contact_form or ContactAttemptForm(),
            "contact_attempts": selectors.list_alert_contact_attempts(alert),
            "can_resolve": is_open and request.user.role in RESOLVE_ROLES,
            "can_record_contact": is_open and request.user.role in CONTACT_ROLES,
        },
        status=form_status(form, contact_form),
    )


def _contact_sheet_page(request, alert, *, contact_form=None):
    """The alert as the front desk sees it: whom to call, how urgent, the calls so far."""
    record_audit_event(
        actor=request.user,
        event_type=AuditEventType.PATIENT_CHART_VIEWED,
        target=alert,
        about=alert,
        details={"section": "safety alert contact sheet"},
    )
    sheet = selectors.alert_contact_sheet(alert)
    return render(
        request,
        "assessments/alert_contact_sheet.html",
        {
            "sheet": sheet,
            "patient": sheet.patient,
            "contact_form": contact_form or ContactAttemptForm(),
            "can_record_contact": sheet.is_open,
        },
        status=form_status(contact_form),
    )


@role_required(*CONTACT_ROLES)
def alert_detail(request, public_id):
    alert = selectors.get_alert(request.user, public_id, to_contact=True)
    if request.method == "POST" and request.user.role not in RESOLVE_ROLES:
        raise PermissionDenied("Only a prescribing clinician resolves a safety alert.")
    form = ResolveAlertForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            services.resolve_safety_alert(
                actor=request.user,
                alert=alert,
                actions=form.cleaned_data["actions"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, "The safety alert is resolved and what was done is recorded.")
            return redirect(chart_section_url(alert.patient, "assessments"))
    return _alert_page(request, alert, form=form)


@require_GET
@role_required(*CONTACT_ROLES)
def alerts_to_contact(request):
    """The open safety alerts of the viewer's locations with whom to call: the front desk's
    list, linked from its dashboard."""
    return render(
        request,
        "assessments/alerts_to_contact.html",
        {"to_contact": selectors.alerts_to_contact(request.user, part="list")},
    )


def _aware(text: str | None) -> datetime | None:
    """An aware time sent back by a watching page (ISO 8601 with its offset), else None."""
    try:
        value = parse_datetime(text or "")
    except ValueError:
        return None
    return value if value is not None and timezone.is_aware(value) else None


@require_GET
@role_required(*CONTACT_ROLES)
def new_urgent_alerts(request):
    """Polled by the dashboard and the sessions board: a banner for each urgent safety alert
    raised since the page was drawn, or 204 (nothing is swapped) when none is new."""
    since = _aware(request.GET.get("since"))
    shown_text = request.GET.get("shown")
    shown = _aware(shown_text)
    if since is None or (shown_text and shown is None):
        return HttpResponse(status=204)
    watch = selectors.poll_new_urgent_alerts(request.user, since=since, shown=shown)
    if watch is None:
        return HttpResponse(status=204)
    return render(request, "assessments/_urgent_alert_poll.html", {"urgent_watch": watch})


@require_POST
@role_required(*CONTACT_ROLES)
def alert_contact(request, public_id):
    """Record an attempt to reach the patient about the alert; the alert stays open."""
    alert = selectors.get_alert(request.user, public_id, to_contact=True)
    contact_form = ContactAttemptForm(request.POST)
    if contact_form.is_valid():
        with refusal_shown_on(contact_form):
            attempt = services.record_alert_contact_attempt(
                actor=request.user,
                alert=alert,
                outcome=contact_form.cleaned_data["outcome"],
                note=contact_form.cleaned_data["note"],
            )
            messages.success(
                request,
                f"Recorded: {attempt.get_outcome_display().lower()}. "
                "The alert stays open until a clinician resolves it.",
            )
            return redirect("assessments:alert", alert.public_id)
    return _alert_page(request, alert, contact_form=contact_form)


@require_POST
@role_required(*SEND_ROLES)
def cancel_request(request, public_id):

    questionnaires = (
        QuestionnaireRequest.objects.select_related("patient").filter(public_id=public_id).first()
    )
    if questionnaires is None:
        raise Http404("No such questionnaires.")
    patient_or_404(request, questionnaires.patient.public_id)
    with refusal_as_message(request):
        services.cancel_questionnaire_request(actor=request.user, request=questionnaires)
        messages.success(request, "The questionnaire link is withdrawn.")
    return redirect(chart_section_url(questionnaires.patient, "assessments"))


# The patient answering: by a secure link (no sign-in), signed in to the portal, or on the clinic
# tablet handed over by a member of staff.

# The hand-over, kept in the staff member's sign-in session: which questionnaires, by whom, when.
TABLET_SESSION_KEY = "questionnaire_tablet"
# A hand-over is for the visit at hand, not for the rest of the day.
TABLET_HAND_OVER_HOURS = 2


class _NotHandedOver(Exception):
    """The tablet pages were opened without a hand-over to the patient for these questionnaires."""


def _is_staff(user) -> bool:
    return user.is_authenticated and user.role in STAFF_ROLES


def _handed_over(request, public_id) -> bool:
    grant = request.session.get(TABLET_SESSION_KEY) or {}
    try:
        at = datetime.fromisoformat(grant.get("at", ""))
    except ValueError:
        return False
    return (
        grant.get("request") == str(public_id)
        and grant.get("by") == request.user.pk
        and timezone.now() - at < timedelta(hours=TABLET_HAND_OVER_HOURS)
    )


class Answering:
    """How the person answering reached the questionnaires, and where their pages live."""

    def __init__(self, request, *, token: str | None = None, public_id=None, tablet=False):
        self.http = request
        self.token = token
        self.public_id = public_id
        self.tablet = tablet
        if tablet:
            user = request.user
            if user.role not in TABLET_ROLES:
                raise PermissionDenied("Only clinical staff hand over the clinic tablet.")
            if not _handed_over(request, public_id):
                raise _NotHandedOver
            self.questionnaires = selectors.get_staff_request(user, public_id)
            services.ensure_request_is_open(self.questionnaires)
            self.actor = user
            self.mode = ResponseMode.CLINIC_TABLET
        elif token is not None:
            self.questionnaires = services.open_request_by_token(token)
            self.actor = None
            self.mode = ResponseMode.PATIENT_LINK
        else:
            if not request.user.is_authenticated or request.user.role not in PORTAL_ROLES:
                raise PermissionDenied("Sign in to your patient account to answer.")
            if request.user.role == Role.GUARDIAN and not (
                get_patient_policy().guardians_see_questionnaire_answers
            ):
                # A young person's own answers (mood, suicidal thoughts, substance use) are
                # theirs unless the clinic decides otherwise (PatientPolicy).
                raise PermissionDenied(
                    "The patient answers their questionnaires themself: the clinic does not "
                    "show a patient's questionnaire answers to their guardian."
                )
            self.questionnaires = selectors.get_portal_request(request.user, public_id)
            services.ensure_request_is_open(self.questionnaires)
            self.actor = request.user
            self.mode = ResponseMode.PATIENT_PORTAL

    def url(self, name: str, *args) -> str:

        if self.tablet:
            return reverse(f"assessments:tablet_{name}", args=[self.public_id, *args])
        if self.token is not None:
            return reverse(f"assessments:answer_{name}", args=[self.token, *args])
        return reverse(f"assessments:portal_{name}", args=[self.public_id, *args])

    def audit_details(self) -> dict:
        if self.tablet:
            return {"mode": self.mode, "answered_by": "patient", "identity_check": "date_of_birth"}
        return {}


def _refuse_staff_on_link(request, token):
    """The patient's own link, opened signed in as staff: refused, pointing to the chart."""
    questionnaires = services.refuse_link_to_staff(actor=request.user, token=token)
    patient = questionnaires.patient if questionnaires is not None else None
    return render(
        request,
        "assessments/answer_staff_refused.html",
        {
            "chart_url": chart_section_url(patient, "assessments") if patient else "",
            "can_enter": can_view_results(request.user),
            "can_hand_over": request.user.role in TABLET_ROLES,
        },
        status=403,
    )


def _answering(request, token=None, public_id=None, tablet=False):
    """Resolve the questionnaires or render the page that says why they cannot be answered."""
    if token is not None and _is_staff(request.user):
        return None, _refuse_staff_on_link(request, token)
    if tablet and not request.user.is_authenticated:
        return None, redirect_to_login(request.get_full_path())
    try:
        return Answering(request, token=token, public_id=public_id, tablet=tablet), None
    except _NotHandedOver:
        return None, redirect("assessments:tablet_hand_over", public_id)
    except InvalidTransitionError as error:
        return None, render(
            request, "assessments/answer_closed.html", {"message": error.message}, status=410
        )
    except NotFoundError as error:
        return None, render(
            request, "assessments/answer_closed.html", {"message": error.message}, status=404
        )


def _responses_by_code(questionnaires) -> dict[str, AssessmentResponse]:
    return {response.instrument_code: response for response in questionnaires.responses.all()}


def answer_start(request, token=None, public_id=None, tablet=False):
    answering, closed = _answering(request, token, public_id, tablet)
    if closed:
        return closed
    questionnaires = answering.questionnaires
    record_audit_event(
        actor=answering.actor,
        actor_label=None if answering.actor else "patient (questionnaire link)",
        event_type=AuditEventType.QUESTIONNAIRE_OPENED,
        target=questionnaires,
        about=questionnaires,
        details=answering.audit_details(),
    )
    responses = _responses_by_code(questionnaires)
    steps = []
    for code in questionnaires.instrument_codes:
        response = responses.get(code)
        steps.append(
            {
                "instrument": INSTRUMENTS[code],
                "url": answering.url("instrument", code),
                "done": response is not None and response.status == ResponseStatus.COMPLETED,
                "started": response is not None and bool(response.answers),
            }
        )
    next_step = next((step for step in steps if not step["done"]), None)
    return render(
        request,
        "assessments/answer_start.html",
        {
            "questionnaires": questionnaires,
            "steps": steps,
            "next_step": next_step,
            "first_name": questionnaires.patient.preferred_name
            or questionnaires.patient.legal_first_name,
            "tablet": answering.tablet,
        },
    )


def answer_instrument(request, code, token=None, public_id=None, tablet=False):
    answering, closed = _answering(request, token, public_id, tablet)
    if closed:
        return closed
    questionnaires = answering.questionnaires
    if code not in questionnaires.instrument_codes:
        raise Http404("That questionnaire is not part of this request.")
    instrument = clinic_instrument(code)
    saved = _responses_by_code(questionnaires).get(code)
    if saved is not None and saved.status == ResponseStatus.COMPLETED:
        return redirect(answering.url("start"))
    # The page shows the answers saved so far.
    record_audit_event(
        actor=answering.actor,
        actor_label=None if answering.actor else "patient (questionnaire link)",
        event_type=AuditEventType.QUESTIONNAIRE_OPENED,
        target=questionnaires,
        about=questionnaires,
        details={"instrument": code},
    )
    form = InstrumentAnswersForm(
        posted_data(request), instrument=instrument, initial=saved.answers if saved else {}
    )
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            _response, alerts = services.submit_response(
                request=questionnaires,
                instrument_code=code,
                answers=form.answers(),
                mode=answering.mode,
                actor=answering.actor,
            )
            flagged = bool(alerts) or bool(CRISIS_FLAGS & set(_response.flags))
            if flagged:
                return render(
                    request, "assessments/answer_support.html", {"next_url": answering.url("start")}
                )
            return redirect(answering.url("start"))
    return render(
        request,
        "assessments/answer_instrument.html",
        {
            "instrument": instrument,
            "form": form,
            "save_url": answering.url("save", code),
            "start_url": answering.url("start"),
            "questionnaires": questionnaires,
        },
        status=form_status(form),
    )


@require_POST
def answer_save(request, code, token=None, public_id=None, tablet=False):
    """Keep one answer as soon as it is chosen (HTMX), so a reload or a lost connection loses none."""
    answering, closed = _answering(request, token, public_id, tablet)
    if closed:
        return closed
    link_id = request.POST.get("link_id", "")
    raw = request.POST.get(link_id, "")
    try:
        value = int(raw) if raw != "" else None
    except ValueError:
        return HttpResponse("That answer is not one of the choices.", status=400)
    # A refusal (even of the person: the answering link is theirs) is the fragment's text.
    with refusal_caught(permission_too=True) as refusal:
        services.save_answer(
            request=answering.questionnaires,
            instrument_code=code,
            link_id=link_id,
            value=value,
            mode=answering.mode,
            actor=answering.actor,
        )
        return HttpResponse('<span class="saved">Saved</span>')
    return HttpResponse(refusal.message, status=refusal.status_code)


@role_required(*TABLET_ROLES)
def tablet_hand_over(request, public_id):
    """A member of staff hands the clinic tablet to the patient, who confirms their date of birth;
    the answers are then the patient's, recorded as given on the clinic tablet (not as the
    patient's own link) with the member of staff who handed it over."""
    if request.method == "POST":
        questionnaires = selectors.get_staff_request(request.user, public_id)
    else:
        questionnaires = selectors.open_staff_request(
            request.user, public_id, page="questionnaire tablet hand-over"
        )
    try:
        services.ensure_request_is_open(questionnaires)
    except InvalidTransitionError as error:
        return render(
            request, "assessments/answer_closed.html", {"message": error.message}, status=410
        )
    form = TabletHandOverForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            services.hand_over_tablet(
                actor=request.user,
                request=questionnaires,
                date_of_birth=form.cleaned_data["date_of_birth"],
            )
            request.session[TABLET_SESSION_KEY] = {
                "request": str(questionnaires.public_id),
                "by": request.user.pk,
                "at": timezone.now().isoformat(),
            }
            return redirect("assessments:tablet_start", questionnaires.public_id)
    patient = questionnaires.patient
    return render(
        request,
        "assessments/tablet_hand_over.html",
        {
            "questionnaires": questionnaires,
            "form": form,
            "first_name": patient.preferred_name or patient.legal_first_name,
            "chart_url": chart_section_url(patient, "assessments"),
        },
        status=form_status(form),
    )


# --- Side effects reported between visits ------------------------------------------------------


@role_required(Role.PATIENT)
def my_side_effects(request):
    patient = portal_patient_or_404(request)
    record_chart_viewed(request.user, patient, section="portal side effects")
    return render(
        request,
        "assessments/my_side_effects.html",
        {
            "patient": patient,
            "reports": selectors.list_side_effect_reports(request.user, patient),
            "open_check": checks.open_check_of(patient),
        },
    )


@require_POST
@role_required(Role.PATIENT)
def nothing_to_report(request, public_id):
    """The patient answers the care team's side-effect check: nothing to report."""
    check = checks.get_own_check(request.user, public_id)
    with refusal_as_message(request):
        checks.answer_nothing_to_report(actor=request.user, check=check)
        messages.success(
            request, "Thank you: your care team will see that you have nothing to report."
        )
    return redirect("assessments:my_side_effects")


@role_required(Role.PATIENT)
def report_side_effect(request):
    patient = portal_patient_or_404(request)
    form = SideEffectReportForm(posted_data(request), initial={"submission_key": uuid.uuid4()})
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            report, _created, _alerts = services.report_side_effect(
                actor=request.user, patient=patient, **form.cleaned_data
            )
            return redirect("assessments:my_side_effect", public_id=report.public_id)
    if request.method == "GET":
        record_chart_viewed(request.user, patient, section="portal side-effect form")
    return render(
        request,
        "assessments/report_side_effect.html",
        {"patient": patient, "form": form, "groups": grouped_symptoms()},
        status=form_status(form),
    )


@role_required(Role.PATIENT)
def my_side_effect(request, public_id):
    report = selectors.get_side_effect_report(request.user, public_id)
    return render(
        request,
        "assessments/my_side_effect.html",
        {
            "patient": report.patient,
            "report": report,
            "advice": advice_for(report.symptoms),
            "location": report.location,
        },
    )


@role_required(*RESULT_ROLES)
def side_effect_report(request, public_id):
    report = selectors.get_side_effect_report(request.user, public_id)
    form = ReviewSideEffectReportForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            services.review_side_effect_report(
                actor=request.user, report=report, note=form.cleaned_data["note"]
            )
            messages.success(request, "The report is marked as reviewed.")
            return redirect(chart_section_url(report.patient, "side_effects"))
    return render(
        request,
        "assessments/side_effect_report.html",
        {
            "patient": report.patient,
            "report": report,
            "alerts": list(report.alerts.all()),
            "form": form,
        },
        status=form_status(form),
    )
