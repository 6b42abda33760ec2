from __future__ import annotations

import uuid

from django.contrib import messages
from django.shortcuts import redirect, render

from clinic.accounts.choices import Role
from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.forms import form_status, posted_data, refusal_as_message, refusal_shown_on
from clinic.core.models import Location
from clinic.core.permissions import role_required
from clinic.patients.selectors import record_chart_viewed
from clinic.patients.views import chart_section_url, patient_or_404, portal_patient_or_404
from clinic.treatment import selectors, services
from clinic.treatment.forms import (
    PlanForm,
    RemsCertificationForm,
    RemsEnrolmentForm,
    goal_formset,
    initial_from_protocol,
)
from clinic.treatment.goals import describe_for_patient
from clinic.treatment.models import ProtocolTemplate
from clinic.treatment.permissions import (
    PLAN_WRITE_ROLES,
    REMS_CERTIFICATION_ROLES,
    REMS_ENROLMENT_ROLES,
)


def _draft_from(patient, value):
    """The patient's open drafted version named by `value` (a public id), or None."""
    try:
        public_id = uuid.UUID(str(value or ""))
    except ValueError:
        return None
    return selectors.plan_draft_for(patient, public_id)


@role_required(*PLAN_WRITE_ROLES)
def write_plan(request, patient_public_id):
    """Write the first plan or a new version: pick a protocol, preview the dose with its working
    and the proposed dates, then sign with your password. `?draft=` opens a drafted next version
    (a follow-up review's decision) with its values, to check and sign like any other."""
    patient = patient_or_404(request, patient_public_id)
    current = selectors.current_plan_version(patient)
    evaluation = services.suitable_evaluation(patient)
    reason = selectors.plan_change_reason(current)
    preview, status = None, 200
    plan_draft = _draft_from(
        patient, request.POST.get("draft") if request.method == "POST" else request.GET.get("draft")
    )
    if request.method == "POST" and request.POST.get("action") == "set_aside" and plan_draft:
        with refusal_as_message(request):
            services.set_plan_draft_aside(actor=request.user, draft=plan_draft)
            messages.success(request, "The drafted version is set aside; the plan is unchanged.")
        return redirect(chart_section_url(patient, "plan"))
    if request.method == "POST":
        form = PlanForm(request.POST)
        carried = selectors.goals_carried(plan_draft, current) or []
        if "goal-TOTAL_FORMS" in request.POST:
            goals = goal_formset(request.POST)
            goals_valid = goals.is_valid()
            written = goals.goals() if goals_valid else []
        else:
            # A post without the goal rows (not the plan page) keeps the goals as they were.
            goals, goals_valid, written = goal_formset(goals=carried), True, list(carried)
        if form.is_valid() and goals_valid:
            data = form.cleaned_data
            draft = services.PlanDraft(
                protocol=data["protocol"],
                indications=data["indications"],
                dose=data["dose"],
                weight_basis=data["weight_basis"],
                start_date=data["start_date"],
                target_outcomes=data["target_outcomes"],
                induction_sessions=data["induction_sessions"],
                induction_sessions_per_week=data["induction_sessions_per_week"],
                maintenance_interval_days=data["maintenance_interval_days"],
                infusion_minutes=data["infusion_minutes"],
                change_reason=data["change_reason"],
                change_details=data["change_details"],
                override_reason=data["override_reason"],
                goals=tuple(written),
            )
            with refusal_shown_on(form):
                preview = services.preview_plan(patient=patient, draft=draft, evaluation=evaluation)
                if request.POST.get("action") == "sign":
                    services.sign_plan_version(
                        actor=request.user,
                        patient=patient,
                        draft=draft,
                        password=data["password"],
                        from_draft=plan_draft,
                    )
                    messages.success(
                        request, "The plan is signed. Its proposed sessions are ready to book."
                    )
                    return redirect(chart_section_url(patient, "plan"))
        status = 400 if form_status(form) == 400 or not goals_valid else 200
    else:
        protocol = selectors.protocol_to_offer(patient, request.GET.get("protocol"), current)
        initial = (
            initial_from_protocol(
                protocol, indications=[c for c in patient.primary_conditions if c], reason=reason
            )
            if protocol
            else {}
        )
        initial.update(selectors.plan_values_carried(current, plan_draft))
        form = PlanForm(initial=initial)
        goals = goal_formset(goals=selectors.goals_carried(plan_draft, current))
    selectors.record_plan_viewed(request.user, patient, current)
    protocols = list(ProtocolTemplate.objects.filter(is_active=True))
    return render(
        request,
        "treatment/plan_form.html",
        {
            "patient": patient,
            "form": form,
            "goals": goals,
            "preview": preview,
            "current": current,
            "protocols": protocols,
            "eligible": evaluation is not None,
            "plan_draft": plan_draft,
        },
        status=status,
    )


@role_required(*REMS_CERTIFICATION_ROLES)
def rems_settings(request):
    """Each location's Spravato REMS certification in force and its history; record a new one (a
    first certification, or a re-certification when the authorised representative changes)."""
    locations = Location.objects.filter(is_active=True)
    form = RemsCertificationForm(posted_data(request), locations=locations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown_on(form):
            services.record_rems_certification(
                actor=request.user,
                location=data["location"],
                certification_number=data["certification_number"],
                authorised_representative=data["authorised_representative"],
                certified_on=data["certified_on"],
            )
            messages.success(request, f"The REMS certification of {data['location']} is recorded.")
            return redirect("treatment:rems_settings")
    rows = [
        (location, list(location.rems_certifications.select_related("recorded_by")))
        for location in locations
    ]
    return render(
        request,
        "treatment/rems_settings.html",
        {"form": form, "rows": rows},
        status=form_status(form) if request.method == "POST" else 200,
    )


@role_required(*REMS_ENROLMENT_ROLES)
def rems_enrolment(request, patient_public_id):
    """Record the patient's Spravato REMS enrolment, from the form the patient and prescriber
    signed before the first treatment."""
    patient = patient_or_404(request, patient_public_id)
    form = RemsEnrolmentForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            services.record_rems_enrolment(
                actor=request.user,
                patient=patient,
                patient_rems_id=form.cleaned_data["patient_rems_id"],
                enrolled_on=form.cleaned_data["enrolled_on"],
            )
            messages.success(request, "The REMS enrolment is recorded.")
            return redirect(chart_section_url(patient, "plan"))
    record_audit_event(
        actor=request.user,
        event_type=AuditEventType.PLAN_VIEWED,
        target=patient,
        about=patient,
        details={"page": "rems-enrolment"},
    )
    return render(
        request,
        "treatment/rems_enrolment.html",
        {
            "form": form,
            "patient": patient,
            "enrolments": list(patient.rems_enrolments.select_related("recorded_by")),
        },
        status=form_status(form) if request.method == "POST" else 200,
    )


@role_required(Role.PATIENT)
def my_goals(request):
    """The patient's own treatment goals, in plain words (their current plan version's). The
    record is the signed-in patient's own: no identifier in the address chooses it."""
    patient = portal_patient_or_404(request)
    record_chart_viewed(request.user, patient, section="portal goals")
    version = selectors.current_plan_version(patient)
    goals = [
        {"words": goal.get("words", ""), "target": describe_for_patient(goal)}
        for goal in (version.goals or [] if version else [])
    ]
    return render(request, "treatment/my_goals.html", {"patient": patient, "goals": goals})
