"""The outcomes page and its CSV exports: thin adapters over clinic.outcomes.selectors. Each look
and each export is audited with the filter used (aggregate figures, but about patients)."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from clinic.accounts.choices import PRESCRIBER_ROLES
from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.forms import form_status, posted_data, refusal_shown_on
from clinic.core.permissions import role_required
from clinic.core.routing import reporting_reads
from clinic.outcomes import retention, selectors
from clinic.outcomes.forms import OutcomesFilterForm, OutreachForm
from clinic.patients.selectors import record_chart_viewed
from clinic.patients.views import patient_or_404

# The medical director runs the programme; clinicians read the same figures (nothing on the page
# writes). Nurses and the front desk are refused.
VIEWERS = tuple(PRESCRIBER_ROLES)


def _pct(value) -> str:
    return "" if value is None else f"{value:.1f}"


def _ci(interval) -> str:
    return "" if interval is None else f"{interval[0] * 100:.1f}–{interval[1] * 100:.1f}"


def _funnel_table(filters):
    header = ["Stage", "Patients", "Conversion (%)", "Of stage", "Definition"]
    rows = [
        [s.label, s.count, _pct(s.conversion_percent), s.of_stage, s.definition]
        for s in selectors.funnel(filters)
    ]
    return header, rows


def _response_table(filters, *, at_3_months: bool = False):
    at = "at 3 months" if at_3_months else "at session 6"
    header = [
        "Instrument",
        "Protocol",
        "Condition",
        "Route",
        f"Patients {at}",
        "Baseline missing",
        "No score in weeks 12–16" if at_3_months else "No score after session 6",
        "Assessed",
        "Responders",
        "Response (%)",
        "Response 95% CI (Wilson, %)",
        "Remission eligible (baseline at or above cut-off)",
        "Remitters",
        "Remission (%)",
        "Remission 95% CI (Wilson, %)",
        "Median change from baseline (points)",
        "Change Q1",
        "Change Q3",
        "Response definition",
        "Remission definition",
    ]
    rows = [
        [
            r.instrument_name,
            r.protocol,
            r.condition,
            r.route,
            r.patients,
            r.baseline_missing,
            r.no_score_after,
            r.assessed,
            r.responders,
            _pct(r.response_percent),
            _ci(r.response_ci),
            r.remission_eligible,
            r.remitters,
            _pct(r.remission_percent),
            _ci(r.remission_ci),
            "" if r.median_change is None else r.median_change,
            "" if r.change_q1 is None else r.change_q1,
            "" if r.change_q3 is None else r.change_q3,
            r.response_definition,
            r.remission_definition,
        ]
        for r in (
            selectors.response_at_3_months(filters)
            if at_3_months
            else selectors.response_at_session_6(filters)
        )
    ]
    return header, rows


def _response_3_months_table(filters):
    return _response_table(filters, at_3_months=True)


def _rates_table(filters):
    header = ["Figure", "Value", "Numerator", "Denominator", "Definition"]
    rows = [
        [r.label, "" if r.value is None else r.value, r.numerator, r.denominator, r.definition]
        for r in selectors.session_rates(filters)
    ]
    return header, rows


TABLES = {
    "funnel": _funnel_table,
    "response": _response_table,
    "response-3-months": _response_3_months_table,
    "rates": _rates_table,
}


def _filter_form(request):
    form = OutcomesFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, None
    return form, (form.filters() if request.GET else selectors.OutcomeFilters())


@role_required(*VIEWERS)
@reporting_reads()
def outcomes(request):
    form, filters = _filter_form(request)
    if filters is None:
        # Bad input: the form with its messages, nothing computed, never a 500.
        return render(request, "outcomes/outcomes.html", {"form": form}, status=400)
    record_audit_event(
        actor=request.user, event_type=AuditEventType.OUTCOMES_VIEWED, details=filters.as_details()
    )
    stages = selectors.funnel(filters)
    widest = max((s.count for s in stages), default=0)
    context = {
        "form": form,
        "stages": stages,
        "bars": [
            {"stage": s, "width": 0 if not widest else round(s.count * 560 / widest), "y": i * 28}
            for i, s in enumerate(stages)
        ],
        "svg_height": len(stages) * 28,
        "responses": selectors.response_at_session_6(filters),
        "responses_3_months": selectors.response_at_3_months(filters),
        "rates": selectors.session_rates(filters),
        "outcome_session": selectors.OUTCOME_AT_SESSION,
        "session_label": f"at session {selectors.OUTCOME_AT_SESSION}",
        "query": request.GET.urlencode(),
    }
    return render(request, "outcomes/outcomes.html", context)


@role_required(*VIEWERS)
@reporting_reads()
def export(request, table: str):
    if table not in TABLES:
        raise Http404("There is no such table.")
    form, filters = _filter_form(request)
    if filters is None:
        messages = "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())
        return HttpResponse(
            f"The filter is not valid: {messages}", status=400, content_type="text/plain"
        )
    header, rows = TABLES[table](filters)
    record_audit_event(
        actor=request.user,
        event_type=AuditEventType.OUTCOMES_EXPORTED,
        details={"table": table, **filters.as_details()},
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="outcomes-{table}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        # A text cell starting with =, +, - or @ would be a formula to a spreadsheet.
        writer.writerow(
            [f"'{c}" if isinstance(c, str) and c[:1] in {"=", "+", "-", "@"} else c for c in row]
        )
    return response


@role_required(*retention.RETENTION_ROLES)
@reporting_reads()
def drop_offs(request):
    """The drop-off list: who stalled mid-induction or missed a session, and the last try to
    reach them."""
    rows = retention.drop_off_list(request.user)
    retention.record_drop_off_listed(request.user, rows)
    return render(
        request,
        "outcomes/drop_offs.html",
        {"rows": rows, "missed_within_days": retention.MISSED_WITHIN_DAYS},
    )


@role_required(*retention.RETENTION_ROLES)
def outreach(request, patient_public_id):
    """One patient's outreach: the attempts so far and a form to record the next."""
    patient = patient_or_404(request, patient_public_id)
    if request.method == "GET":
        record_chart_viewed(request.user, patient, section="outreach")
    form = OutreachForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            retention.record_outreach(actor=request.user, patient=patient, **form.cleaned_data)
            messages.success(request, f"Outreach to {patient.display_name} is recorded.")
            return redirect("outcomes:drop_offs")
    return render(
        request,
        "outcomes/outreach.html",
        {
            "patient": patient,
            "attempts": retention.attempts_for(request.user, patient),
            "form": form,
        },
        status=form_status(form),
    )
