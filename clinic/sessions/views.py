"""The chair-side pages. Thin: forms check input, services act, and the page shows the result.

Every action posts through `act`. From the tablet (HTMX) the working panels come back re-rendered
and the live region is told to refresh; a refused action comes back with the form as typed and the
reason beside it (status 400/403/409, which the page swaps in). Without JavaScript the same URLs
redirect back to the page (or show it again with the error)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseNotModified, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.accounts.choices import CLINICAL_ROLES, PRESCRIBER_ROLES
from clinic.assessments.selectors import start_urgent_alert_watch
from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.dates import show_time, show_time_with_seconds
from clinic.core.forms import (
    form_status,
    posted_data,
    refusal_as_message,
    refusal_caught,
    refusal_shown_on,
)
from clinic.core.integrity import report_broken_seal
from clinic.core.permissions import role_required
from clinic.sessions import forms, rules, selectors, services, stock, svg
from clinic.sessions.aftercare import sheet_for
from clinic.sessions.choices import InfusionEventKind
from clinic.sessions.documents import request_rems_form_pdf
from clinic.sessions.integrity import session_seal_problems
from clinic.sessions.live import LiveVersion, delta_since, version_of
from clinic.sessions.models import MonitoringAlert
from clinic.sessions.rems_form import FORM_STATUSES, tracked_forms
from clinic.sessions.rems_form import form_content as rems_form_content


def _posted_with(data: Mapping[str, Any], **values: str) -> QueryDict:
    """A copy of a bound form's post with `values` put in place of what was posted."""
    posted = cast(QueryDict, data).copy()
    for name, value in values.items():
        posted[name] = value
    return posted


def _session_or_404(request, public_id, *, related=selectors.PAGE_RELATED, audit_as=None):
    """The session, scoped to the viewer; with `audit_as` (a view name, "" for the page) the look
    is audited (`open_session`)."""
    if audit_as is not None:
        return selectors.open_session(request.user, public_id, view=audit_as)
    return selectors.get_session(request.user, public_id, related=related)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- the board -----------------------------------------------------------------------------
@role_required(*CLINICAL_ROLES)
def board(request):
    """Today's chairs: sessions under way and checked-in treatment appointments to start."""
    return render(
        request,
        "sessions/board.html",
        {
            "sessions": selectors.sessions_board(request.user, poll=_is_htmx(request)),
            "waiting": selectors.appointments_to_start(request.user),
            # A new urgent safety alert (a questionnaire, a side-effect report) is announced on
            # the board without a reload; the board's own poll redraws only its table.
            "urgent_watch": None if _is_htmx(request) else start_urgent_alert_watch(request.user),
        },
    )


@role_required(*PRESCRIBER_ROLES)
def stop_alerts(request):
    """The dashboard's list of stop-level alerts waiting for a prescriber (polled)."""
    return render(
        request,
        "sessions/_stop_alerts.html",
        {
            "session_alerts": selectors.stop_level_alerts(request.user, poll=True),
            "now": timezone.now(),
        },
    )


@role_required(*CLINICAL_ROLES)
@require_POST
def start(request, appointment_public_id):

    appointment = selectors.appointment_to_start(request.user, appointment_public_id)
    if appointment is None:
        raise Http404("We could not find that appointment.")
    with refusal_as_message(request):
        session = services.start_session_from_board(actor=request.user, appointment=appointment)
        return redirect("sessions:detail", session.public_id)
    return redirect("sessions:board")


# --- the session page ----------------------------------------------------------------------
def _live_context(
    request, session, *, all_readings=None, protocol=None, events=None, marks=None
) -> dict:
    """The live region's context. With `all_readings` (or without `marks`) the whole region;
    with only `marks` (a poll) everything but the readings' rows and the chart, which
    `_add_readings_and_chart` adds when they are to be sent."""
    if all_readings is None and marks is None:
        all_readings = selectors.readings(session)
    if marks is None:
        marks = [selectors.ReadingMark(r.pk, r.taken_at, r.pre_dose) for r in all_readings]
    protocol = protocol or selectors.protocol_for(session.route)
    limits = protocol.limits()
    now = timezone.now()
    alerts = selectors.open_alerts(session)
    for alert in alerts:
        # Computed from the times at each poll: no background job re-raises it.
        alert.escalated = alert.is_escalated(now)
    schedule = selectors.schedule_status(session, marks, now=now, protocol=protocol)
    ratings = selectors.dissociation_ratings(session)
    progress = selectors.infusion_progress_while_running(session, now=now, events=events)
    minutes_since_dose = selectors.minutes_since_dose(session, now)
    can_close_stop_level = request.user.role in PRESCRIBER_ROLES
    version = version_of(
        session=session,
        marks=marks,
        protocol=protocol,
        limits=limits,
        alerts=alerts,
        ratings=ratings,
        schedule=schedule,
        progress=progress,
        minutes_since_dose=minutes_since_dose,
        can_close_stop_level=can_close_stop_level,
    )
    context = {
        "session": session,
        "marks": marks,
        "version": version,
        "etag": version.etag,
        "reading_count": len(marks),
        "alerts": alerts,
        "alert_ids": ",".join(str(a.public_id) for a in alerts),
        # The sound re-alerts when an alert becomes escalated (the page compares the ids).
        "escalated_ids": ",".join(str(a.public_id) for a in alerts if a.escalated),
        "can_close_stop_level": can_close_stop_level,
        "schedule": schedule,
        "dissociation_ratings": ratings,
        "progress": progress,
        "limits": limits,
        "minutes_since_dose": minutes_since_dose,
        "now": now,
    }
    if all_readings is not None:
        _add_readings_and_chart(context, all_readings)
    return context


def _add_readings_and_chart(context: dict, all_readings) -> None:
    session = context["session"]
    for reading in all_readings:
        reading.news2 = selectors.news2_of(reading)
    context["readings"] = list(reversed(all_readings))
    context["chart"] = svg.vitals_chart(
        all_readings,
        limits=context["limits"],
        dosed_at=session.dosed_at,
        zone=session.location.zone,
        markers=[
            (
                r.taken_at,
                f"CADSS {_score(r.response.total)}",
                f"CADSS-6 {_score(r.response.total)} of 24"
                + (f" ({r.get_moment_display().lower()})" if r.moment else ""),
            )
            for r in context["dissociation_ratings"]
        ],
    )


def _score(total) -> str:
    """A questionnaire total as a person writes it (5, not 5.00)."""
    return format(Decimal(total).normalize(), "f")


def _panels_context(
    request,
    session,
    *,
    bound=None,
    notice: str = "",
    all_readings=None,
    protocol=None,
    live_parts: bool = True,
    events=None,
) -> dict:
    """The working panels, each with a fresh form except the one just refused (kept as typed).
    `live_parts`: the CADSS-6 ratings and the infusion's progress, which the whole page takes from
    the live region's context instead (read once)."""
    user = request.user
    protocol = protocol or selectors.protocol_for(session.route)
    if events is None:
        events = list(session.infusion_events.select_related("recorded_by"))
    kinds = [event.kind for event in events]
    side_effects = list(session.side_effects.select_related("recorded_by"))
    checklist = selectors.checklist_while_preparing(
        session, all_readings=all_readings, protocol=protocol
    )
    dose, dose_error = selectors.dose_to_confirm(session, checklist)
    pre_visit = getattr(session.appointment, "pre_visit", None)
    # The version the page shows: the dose forms act on the session as seen.
    version = {"version": session.version}
    pump = selectors.pump_settings_for(session)
    # The Aldrete items the record answers, offered as scored from it (and named beside each).
    derived = selectors.aldrete_offered(session, all_readings=all_readings)
    register = stock.active()
    # The containers offered are read only while the dose is still to be confirmed.
    containers = (
        register.choices(session)
        if register is not None and selectors.containers_offer_open(session)
        else ([] if register is not None else None)
    )
    discharge = forms.DischargeForm(
        initial=selectors.discharge_initial(session, derived), auto_id=_auto_id("discharge")
    )
    discharge.show_derived(derived)
    made = {
        "checklist": forms.ChecklistForm(
            initial=_checklist_initial(session), auto_id=_auto_id("checklist")
        ),
        "vitals": forms.VitalsForm(auto_id=_auto_id("vitals")),
        "override": forms.OverrideForm(auto_id=_auto_id("override")),
        "stop": forms.StopForm(auto_id=_auto_id("stop")),
        "confirm": forms.ConfirmDoseForm(
            initial={"expected_dose_mg": dose.dose_mg if dose else None, **version},
            containers=containers,
            auto_id=_auto_id("confirm"),
        ),
        "withdraw": forms.WithdrawForm(initial=version, auto_id=_auto_id("withdraw")),
        "verify": forms.VerifyDoseForm(initial=version, auto_id=_auto_id("verify")),
        "infusion": _infusion_form(session, pump, version),
        "side_effect": forms.SideEffectForm(auto_id=_auto_id("side_effect")),
        "medication": forms.MedicationForm(
            side_effects=side_effects, auto_id=_auto_id("medication")
        ),
        "dissociation": forms.DissociationForm(auto_id=_auto_id("dissociation")),
        "discharge": discharge,
        "sign": forms.SignForm(
            initial={"role": selectors.sign_role_offered(user, session)},
            auto_id=_auto_id("sign"),
        ),
        "addendum": forms.AddendumForm(auto_id=_auto_id("addendum")),
    }
    refused = []
    if bound is not None:
        action, form = bound
        if action == "confirm" and dose is not None:
            # Offer the dose shown now, not the one refused as out of date (the errors are
            # already worked out; the hidden field renders from the data).
            form.data = _posted_with(form.data, expected_dose_mg=str(dose.dose_mg))
        if isinstance(form, forms.VersionedForm):
            # The panels now show the session as it is: a second try acts on that.
            form.data = _posted_with(form.data, version=str(session.version))
        made[action] = form
        if action == "discharge":
            form.show_derived(derived)
        refused = [
            f"{form.fields[name].label or name}: {message}" if name != "__all__" else message
            for name, messages_ in form.errors.items()
            for message in messages_
        ]
    signatures = {s.role: s for s in session.signatures.select_related("signed_by")}
    if live_parts:
        live = {
            "dissociation_ratings": selectors.dissociation_ratings(session),
            "progress": selectors.infusion_progress_while_running(session),
        }
    else:
        live = {}
    return {
        **live,
        "session": session,
        "patient": session.patient,
        "forms": made,
        "bound_action": bound[0] if bound else "",
        # Shown at the top of the panels: the refused form may be scrolled away, or no longer
        # on the page (another person moved the session on).
        "refused": refused,
        "notice": notice,
        "notice_warning": isinstance(notice, _Warning),
        "checklist": checklist,
        "pre_visit": pre_visit,
        "dose": dose,
        "dose_error": dose_error,
        "allowed_events": [
            (k, InfusionEventKind(k).label)
            for k in rules.allowed_infusion_events(kinds, route=session.route)
        ],
        "infusion_state": rules.infusion_state(kinds, route=session.route),
        "events": events,
        "side_effects": side_effects,
        "administrations": list(session.administrations.select_related("given_by")),
        "overrides": list(session.overrides.select_related("by")),
        "signatures": signatures,
        "addenda": list(session.addenda.select_related("author")),
        "is_prescriber": user.role in PRESCRIBER_ROLES,
        "pump": pump,
        "protocol": protocol,
        "containers": containers or [],
        "stock_panel": register.panel(request, session) if register is not None else "",
    }


def _infusion_form(session, pump, version: dict) -> forms.InfusionEventForm:
    """The infusion form. Before the start its rate is the plan's mg/h (the pump settings); once
    running the current rate and the plan's are offered as a hint, not entered for the nurse
    (a pause or stop records no rate)."""
    form = forms.InfusionEventForm(
        initial={
            **version,
            "rate_mg_per_hour": pump.mg_per_hour
            if pump is not None and session.dosed_at is None
            else None,
        },
        auto_id=_auto_id("infusion"),
    )
    if pump is not None:
        field = form.fields["rate_mg_per_hour"]
        field.help_text = (
            f"Plan: {pump.mg_per_hour} mg/h = {pump.ml_per_hour} mL/h on the pump."
            if session.dosed_at is None
            else f"For a rate change. Plan: {pump.mg_per_hour} mg/h = {pump.ml_per_hour} mL/h."
        )
        field.widget.attrs["placeholder"] = str(pump.mg_per_hour)
    return form


def _auto_id(action: str) -> str:
    """Each form's own element ids (several forms share field names such as "reason"), so that
    every label leads to its own field; the names posted stay the same."""
    return f"id_{action}_%s"


def _checklist_initial(session) -> dict:
    def yes_no(value):
        return {True: "yes", False: "no"}.get(value, "")

    return {
        "identity_confirmed": session.identity_confirmed_at is not None,
        "fasting_confirmed": yes_no(session.fasting_confirmed),
        "escort_name": session.escort_name,
        "escort_phone": session.escort_phone,
        "escort_confirmed": yes_no(session.escort_confirmed),
        "pregnancy_potential": session.patient.pregnancy_potential,
        "pregnancy_potential_reason": session.patient.pregnancy_potential_reason,
        "pregnancy_potential_note": session.patient.pregnancy_potential_note,
        "pregnancy_test": session.pregnancy_test,
        "pregnancy_test_note": session.pregnancy_test_note,
    }


@role_required(*CLINICAL_ROLES)
def detail(request, public_id):
    session = _session_or_404(request, public_id, audit_as="")
    return _render_page(request, session)


def _page_context(request, session, *, bound=None) -> dict:
    """Panels and live region together, reading the session's readings, protocol and infusion
    events once."""
    all_readings = selectors.readings(session)
    protocol = selectors.protocol_for(session.route)
    events = list(session.infusion_events.select_related("recorded_by"))
    context = _panels_context(
        request,
        session,
        bound=bound,
        all_readings=all_readings,
        protocol=protocol,
        live_parts=False,
        events=events,
    )
    context.update(
        _live_context(request, session, all_readings=all_readings, protocol=protocol, events=events)
    )
    context["seal"] = _broken_seal(request, session, all_readings)
    return context


def _broken_seal(request, session, all_readings):
    """A session someone has signed is checked against its signatures each time it is shown."""
    if not selectors.seal_is_checked(session):
        return None
    return report_broken_seal(
        viewer=request.user,
        record=session,
        problems=session_seal_problems(session, all_readings=all_readings),
        patient_id=session.patient_id,
        location_id=session.location_id,
    )


def _render_page(request, session, *, bound=None, status=200):
    context = _page_context(request, session, bound=bound)
    return render(request, "sessions/session.html", context, status=status)


@role_required(*CLINICAL_ROLES)
def live(request, public_id):
    """The polled region: alerts, the reading due next, the chart and the readings. Answered
    `304 Not Modified` when nothing changed since the tablet's copy (its ETag), else with only
    what changed, or whole when the tablet's copy cannot be brought up to date
    (`clinic.sessions.live`)."""
    # Audited at most every few minutes per person (the page's open always is): see
    # selectors.POLL_AUDIT_MINUTES.
    session = selectors.open_session(request.user, public_id, view="live", poll=True)
    context = _live_context(request, session, marks=selectors.reading_marks(session))
    version = context["version"]
    held_etag = request.headers.get("If-None-Match")
    response: HttpResponse
    if held_etag == version.etag:
        response = HttpResponseNotModified()
    else:
        delta = delta_since(LiveVersion.parse(held_etag), version, context["marks"])
        if delta is None or delta.send_chart:
            _add_readings_and_chart(context, selectors.readings(session))
        if delta is None:
            # The page's header shows the session's status: the poll brings it along (out of
            # band).
            context["status_out_of_band"] = True
            response = render(request, "sessions/_live.html", context)
        else:
            new = set(delta.new_reading_pks)
            context.update(
                send_chart=delta.send_chart,
                send_alerts=delta.send_alerts,
                new_readings=[r for r in context.get("readings", ()) if r.pk in new],
            )
            response = render(request, "sessions/_live_delta.html", context)
            # The answer replaces #live-state; everything else goes out of band.
            response["HX-Retarget"] = "#live-state"
            response["HX-Reswap"] = "outerHTML"
    # (No cache keeps it: signed-in pages are sent no-store, and a delta is only right for the
    # copy it follows.)
    response["ETag"] = version.etag
    response["X-Live-Updated"] = show_time_with_seconds(context["now"], session.location.zone)
    return response


# --- actions -------------------------------------------------------------------------------
def _checklist_changes(request, form) -> dict:
    """Only the items this person changed, so that two people's ticks do not undo each other."""
    changes = form.changes()
    before = {name: request.POST.get(f"was_{name}", "") for name in forms.ChecklistForm.base_fields}
    as_posted = {
        "identity_confirmed": "on" if form.cleaned_data["identity_confirmed"] else "",
    }
    result = {}
    for name, value in changes.items():
        posted = as_posted.get(name, request.POST.get(name, ""))
        if posted != before[name]:
            result[name] = value
    return result


def _act_checklist(request, session, form):
    changes = _checklist_changes(request, form)
    if not changes:
        return "Nothing changed on the checklist."
    services.update_checklist(actor=request.user, session=session, changes=changes)
    return "Checklist saved."


def _act_vitals(request, session, form):
    outcome = services.record_reading(
        actor=request.user,
        session=session,
        values=form.values(),
        taken_at=forms.entry_time(session, form, "taken_at"),
    )
    if outcome.alerts:
        alert = outcome.alerts[0]
        count = len(alert.breach_list)
        return _Warning(
            f"Vital signs saved. {'STOP-LEVEL ' if alert.stop_level else ''}Alert: "
            f"{count} limit{'s' if count != 1 else ''} breached — see the alert banner."
        )
    return f"Vital signs saved ({show_time(outcome.reading.taken_at, session.location.zone)})."


def _act_override(request, session, form):
    services.override_gate(actor=request.user, session=session, **form.cleaned_data)
    return "Override documented."


def _act_stop(request, session, form):
    services.stop_before_dosing(actor=request.user, session=session, **form.cleaned_data)
    return "The session is stopped: no dose given."


def _versioned(form) -> dict:
    """The form's entries, with the version the page showed as the services' expected_version."""
    data = dict(form.cleaned_data)
    data["expected_version"] = data.pop("version")
    return data


def _act_confirm(request, session, form):
    services.confirm_dose(actor=request.user, session=session, **_versioned(form))
    return "Dose confirmed. A second member of staff verifies it."


def _act_withdraw(request, session, form):
    services.withdraw_dose_confirmation(actor=request.user, session=session, **_versioned(form))
    return "Dose confirmation withdrawn."


def _act_verify(request, session, form):
    services.verify_dose(actor=request.user, session=session, **_versioned(form))
    return "Dose verified."


def _act_infusion(request, session, form):
    data = form.cleaned_data
    event = services.record_infusion_event(
        actor=request.user,
        session=session,
        kind=data["kind"],
        at=forms.entry_time(session, form, "at"),
        rate_mg_per_hour=data["rate_mg_per_hour"],
        reason=data["reason"],
        expected_version=data["version"],
    )
    said = f"{event.get_kind_display()} at {show_time(event.at, session.location.zone)}."
    session.refresh_from_db(fields=["dose_given_mg", "dose_given_working"])
    if session.dose_given_mg is not None and event.kind != InfusionEventKind.RATE_CHANGE:
        said += f" Dose given: {session.dose_given_mg} mg ({session.dose_given_working})"
    return said


def _act_side_effect(request, session, form):
    data = dict(form.cleaned_data)
    data["onset_at"] = forms.entry_time(session, form, "onset_at")
    del data["entered_at"]
    services.record_side_effect(actor=request.user, session=session, **data)
    return "Side effect recorded."


def _act_medication(request, session, form):
    data = dict(form.cleaned_data)
    data["given_at"] = forms.entry_time(session, form, "given_at")
    del data["entered_at"]
    side_effect_id = data.pop("side_effect")
    data["side_effect"] = (
        session.side_effects.filter(pk=side_effect_id).first() if side_effect_id else None
    )
    services.record_medication(actor=request.user, session=session, **data)
    return "Medication recorded."


def _act_dissociation(request, session, form):
    data = dict(form.cleaned_data)
    moment, taken_at = data.pop("moment"), forms.entry_time(session, form, "taken_at")
    del data["taken_at"], data["entered_at"]
    rating = services.rate_dissociation(
        actor=request.user, session=session, answers=data, moment=moment, taken_at=taken_at
    )
    return (
        f"CADSS-6 recorded: {_score(rating.response.total)} of 24 "
        f"({rating.get_moment_display().lower()}, "
        f"{show_time(rating.taken_at, session.location.zone)})."
    )


def _act_discharge(request, session, form):
    data = form.cleaned_data
    result = services.discharge(
        actor=request.user,
        session=session,
        aldrete=form.aldrete(),
        escort_present=data["escort_present"],
        instructions_given=data["instructions_given"],
        override_reason=data["override_reason"],
        aldrete_reasons=form.aldrete_reasons(),
    )
    if not result.discharged:
        form.add_error(None, "Not ready for discharge:")
        for reason in result.reasons:
            form.add_error(None, reason)
        raise _Refused(form)
    return "Discharged. The nurse and the supervising clinician now sign the record."


def _act_sign(request, session, form):
    locked = services.sign_session(actor=request.user, session=session, **form.cleaned_data)
    return (
        "Signed and locked."
        if locked.locked_at
        else "Signed. The second signature locks the record."
    )


def _act_addendum(request, session, form):
    services.add_addendum(actor=request.user, session=session, **form.cleaned_data)
    return "Addendum added."


class _Warning(str):
    """A notice that says something is wrong although the entry was saved (a reading with
    alerts): shown as a warning, never as success."""


class _Refused(Exception):
    def __init__(self, form):
        self.form = form


# Each action: its form (the class, called with the post and its own keywords) and its handler.
ACTIONS: dict[str, tuple[type[Any], Callable[..., str]]] = {
    "checklist": (forms.ChecklistForm, _act_checklist),
    "vitals": (forms.VitalsForm, _act_vitals),
    "override": (forms.OverrideForm, _act_override),
    "stop": (forms.StopForm, _act_stop),
    "confirm": (forms.ConfirmDoseForm, _act_confirm),
    "withdraw": (forms.WithdrawForm, _act_withdraw),
    "verify": (forms.VerifyDoseForm, _act_verify),
    "infusion": (forms.InfusionEventForm, _act_infusion),
    "side_effect": (forms.SideEffectForm, _act_side_effect),
    "medication": (forms.MedicationForm, _act_medication),
    "dissociation": (forms.DissociationForm, _act_dissociation),
    "discharge": (forms.DischargeForm, _act_discharge),
    "sign": (forms.SignForm, _act_sign),
    "addendum": (forms.AddendumForm, _act_addendum),
}


@role_required(*CLINICAL_ROLES)
@require_POST
def act(request, public_id, action):
    if action not in ACTIONS:
        raise Http404("No such action.")
    session = _session_or_404(request, public_id)
    form_class, handler = ACTIONS[action]
    if form_class is forms.MedicationForm:
        form = form_class(
            request.POST,
            side_effects=list(session.side_effects.all()),
            auto_id=_auto_id(action),
        )
    elif form_class is forms.ConfirmDoseForm:
        # With the register in use the container is chosen, not the lot typed; the service
        # finds it (the offered list is not needed to validate the post).
        form = form_class(
            request.POST,
            containers=[] if stock.active() is not None else None,
            auto_id=_auto_id(action),
        )
    else:
        form = form_class(request.POST, auto_id=_auto_id(action))
    status = 200
    notice = ""
    if not form.is_valid():
        status = 400
    else:
        try:
            # A panel shows every refusal on its form, even of the person's role (403).
            with refusal_shown_on(form, permission_too=True) as refusal:
                notice = handler(request, session, form)
        except _Refused as refused:
            form, status = refused.form, 400
        else:
            if refusal.error is not None:
                status = refusal.status_code if refusal.status_code in (403, 409) else 400
    session = _session_or_404(request, public_id)
    bound = (action, form) if status != 200 else None
    if _is_htmx(request):
        response = render(
            request,
            "sessions/_panels.html",
            _panels_context(request, session, bound=bound, notice=notice),
            status=status,
        )
        response["HX-Trigger"] = "session-changed"
        return response
    if status == 200:
        (messages.warning if isinstance(notice, _Warning) else messages.success)(request, notice)
        return redirect("sessions:detail", session.public_id)
    return _render_page(request, session, bound=bound, status=status)


@role_required(*CLINICAL_ROLES)
@require_POST
def acknowledge(request, public_id, alert_public_id):
    session = _session_or_404(request, public_id)
    alert = MonitoringAlert.objects.filter(session=session, public_id=alert_public_id).first()
    if alert is None:
        raise Http404("No such alert.")
    form = forms.AcknowledgeForm(request.POST)
    error, status = "", 200
    # A nurse records what was done about a stop-level alert; a prescriber closes it.
    record_only = request.POST.get("do") == "record"
    if form.is_valid():
        service = services.record_alert_action if record_only else services.acknowledge_alert
        # A refusal is shown in the banner beside the alert (a nurse closing a stop-level
        # alert, or one already acknowledged by someone else), never as an error page.
        with refusal_caught(permission_too=True) as refusal:
            service(actor=request.user, alert=alert, action_taken=form.cleaned_data["action_taken"])
        error, status = refusal.message, refusal.status_code
    else:
        error, status = "Say what was done about the alert.", 400
    if _is_htmx(request):
        context = _live_context(request, session)
        context.update(
            ack_error=error,
            ack_alert=alert.public_id,
            # The alert is no longer open (someone else acknowledged it): say so at the top.
            ack_error_general=error
            if error and all(a.public_id != alert.public_id for a in context["alerts"])
            else "",
        )
        return render(request, "sessions/_live.html", context, status=status)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request, "What was done is recorded." if record_only else "Alert acknowledged."
        )
    return redirect("sessions:detail", session.public_id)


@role_required(*CLINICAL_ROLES)
def summary(request, public_id):
    """The printable record of the session."""
    session = _session_or_404(request, public_id, audit_as="summary")
    context = _page_context(request, session)
    context["all_alerts"] = list(session.alerts.select_related("acknowledged_by"))
    context["readings"] = list(reversed(context["readings"]))
    context["chart_url"] = reverse("sessions:detail", args=[session.public_id])
    return render(request, "sessions/summary.html", context)


@role_required(*CLINICAL_ROLES)
def aftercare(request, public_id):
    """The after-care sheet for the patient and escort, to print and hand over at discharge (the
    discharge records who handed it and when). Opening it is audited: it names the patient."""
    session = _session_or_404(request, public_id, audit_as="after-care")
    return render(
        request,
        "sessions/aftercare.html",
        {
            "session": session,
            "patient": session.patient,
            "sheet": sheet_for(route=session.route, location=session.location),
        },
    )


# --- the esketamine REMS Patient Monitoring Form -------------------------------------------
@role_required(*CLINICAL_ROLES)
def rems_form(request, public_id):
    """The session's REMS Patient Monitoring Form as the record fills it in: draw it as a PDF to
    submit, and record the submission (when, and the REMS's confirmation number)."""
    session = _session_or_404(request, public_id, audit_as="rems-form")
    form = forms.RemsSubmissionForm(posted_data(request))
    status = 200
    if request.method == "POST" and request.POST.get("action") == "pdf":
        with refusal_as_message(request):
            document = request_rems_form_pdf(request.user, session=session)
            return redirect("documents:detail", document.public_id)
        return redirect("sessions:rems_form", session.public_id)
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            services.record_rems_submission(
                actor=request.user,
                session=session,
                submitted_on=form.cleaned_data["submitted_on"],
                confirmation_number=form.cleaned_data["confirmation_number"],
            )
            messages.success(request, "The REMS form's submission is recorded.")
            return redirect("sessions:rems_form", session.public_id)
    if request.method == "POST":
        status = form_status(form)
    content = rems_form_content(session)  # NotFoundError (the 404 page) without a REMS form
    standing = rules.rems_form_standing(
        treated_on=content["treated_on"],
        today=timezone.localdate(timezone.now(), session.location.zone),
        submitted=content["submission"] is not None,
    )
    return render(
        request,
        "sessions/rems_form.html",
        {
            **content,
            "form": form,
            "standing": standing,
            "submissions": list(session.rems_submissions.select_related("submitted_by")),
            "can_submit": session.status in FORM_STATUSES,
        },
        status=status,
    )


@role_required(*CLINICAL_ROLES)
def rems_forms(request):
    """Every esketamine session's REMS form the viewer may see: due, overdue or submitted."""
    tracked = tracked_forms(request.user)
    record_audit_event(
        actor=request.user,
        event_type=AuditEventType.SESSION_BOARD_VIEWED,
        details={"page": "rems-forms", "forms": len(tracked)},
    )
    return render(
        request,
        "sessions/rems_forms.html",
        {
            "open_forms": [f for f in tracked if not f.standing.submitted],
            "submitted_forms": [f for f in tracked if f.standing.submitted],
            "days": rules.REMS_FORM_DAYS,
        },
    )
