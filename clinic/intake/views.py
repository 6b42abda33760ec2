from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clinic.audit.context import client_ip
from clinic.core.caching import cacheable_public_page
from clinic.core.exceptions import (
    RateLimitedError,
)
from clinic.core.forms import (
    choice_field,
    form_status,
    model_choice_field,
    posted_data,
    refusal_shown_on,
)
from clinic.core.permissions import role_required
from clinic.intake import selectors, services
from clinic.intake.choices import ALLOWED_QUEUE_STEPS, OPEN_STATUSES, ConsultationStatus
from clinic.intake.forms import (
    ConsultationRequestForm,
    DeclineForm,
    NoteForm,
    QueueFilterForm,
    QueueStepForm,
)
from clinic.intake.permissions import QUEUE_ROLES
from clinic.patients.forms import PatientForm
from clinic.patients.permissions import can_view_clinical_details
from clinic.patients.views import locations_for, register_after_duplicate_check

QUEUE = tuple(QUEUE_ROLES)


def public_page(template: str):
    @cacheable_public_page
    def view(request):
        return render(request, template)

    return view


home = public_page("intake/home.html")
treatment = public_page("intake/treatment.html")
conditions = public_page("intake/conditions.html")
safety = public_page("intake/safety.html")


def consultation_request(request):
    form = ConsultationRequestForm(posted_data(request))
    locations = model_choice_field(form, "location").queryset
    if locations is None or not locations.exists():
        # A new installation whose medical director has not opened a location yet.
        return render(request, "intake/not_accepting.html", status=503)
    if request.method == "POST" and form.is_valid():
        ip_address = client_ip(request)
        try:
            services.check_consultation_rate_limit(ip_address=ip_address)
        except RateLimitedError as error:
            return render(
                request, "intake/rate_limited.html", {"message": error.message}, status=429
            )
        with refusal_shown_on(form):
            if not form.is_bot:
                services.submit_consultation_request(
                    data=form.request_data(),
                    location=form.cleaned_data["location"],
                    ip_address=ip_address,
                )
            # A bot that filled the honeypot sees the same confirmation and learns nothing.
            request.session["consultation_first_name"] = form.cleaned_data["first_name"]
            return redirect("intake:thanks")
    return render(
        request, "intake/request_form.html", {"form": form}, status=400 if form.errors else 200
    )


def consultation_thanks(request):
    first_name = request.session.pop("consultation_first_name", "")
    return render(request, "intake/thanks.html", {"first_name": first_name})


@role_required(*QUEUE)
def queue(request):
    form = QueueFilterForm(request.GET or None)
    status, query = "open", ""
    if form.is_valid():
        status = form.cleaned_data["status"] or "open"
        query = form.cleaned_data["q"]
    page = selectors.list_consultation_requests(
        request.user, status=status, query=query, page_number=request.GET.get("page", 1)
    )
    counts = selectors.count_requests_by_status(request.user)
    return render(
        request,
        "intake/queue.html",
        {"form": form, "page": page, "status": status, "query": query, "counts": counts},
    )


def _get_request(request, public_id, *, audit=True):
    return selectors.get_consultation_request(request.user, public_id, audit=audit)


def _detail_context(consultation, **forms):
    allowed = ALLOWED_QUEUE_STEPS[consultation.status]
    step_form = forms.pop("step_form", None) or QueueStepForm(prefix="step")
    # The box opens on the request's current status, not on the first step it could take
    # (which read as if the request were already there); a step is a deliberate choice.
    choice_field(step_form, "to_status").choices = [
        ("", f"{consultation.get_status_display()} (now)"),
        *((v, label) for v, label in ConsultationStatus.choices if v in allowed),
    ]
    return {
        "consultation": consultation,
        "activities": selectors.list_activities(consultation),
        "is_open": consultation.status in OPEN_STATUSES,
        "step_form": step_form if allowed or step_form.errors else None,
        "note_form": forms.pop("note_form", None) or NoteForm(prefix="note"),
        "decline_form": forms.pop("decline_form", None) or DeclineForm(prefix="decline"),
    }


@role_required(*QUEUE)
def detail(request, public_id):
    consultation = _get_request(request, public_id)
    return render(request, "intake/detail.html", _detail_context(consultation))


def _queue_action(request, public_id, *, form_class, prefix: str, perform, success: str):
    """Run one queue action from its posted form. On a refusal the request page is shown again
    with the message beside the field and the typed text kept."""
    consultation = _get_request(request, public_id, audit=False)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        with refusal_shown_on(form):
            perform(consultation, form.cleaned_data)
            messages.success(request, success)
            return redirect("intake:detail", consultation.public_id)
    context = _detail_context(consultation, **{f"{prefix}_form": form})
    return render(request, "intake/detail.html", context, status=400)


@require_POST
@role_required(*QUEUE)
def record_step(request, public_id):
    return _queue_action(
        request,
        public_id,
        form_class=QueueStepForm,
        prefix="step",
        success="The request is updated.",
        perform=lambda consultation, data: services.record_consultation_step(
            actor=request.user, request=consultation, to_status=data["to_status"], note=data["note"]
        ),
    )


@require_POST
@role_required(*QUEUE)
def add_note(request, public_id):
    return _queue_action(
        request,
        public_id,
        form_class=NoteForm,
        prefix="note",
        success="The note is added.",
        perform=lambda consultation, data: services.add_consultation_note(
            actor=request.user, request=consultation, note=data["note"]
        ),
    )


@require_POST
@role_required(*QUEUE)
def decline(request, public_id):
    return _queue_action(
        request,
        public_id,
        form_class=DeclineForm,
        prefix="decline",
        success="The request is declined.",
        perform=lambda consultation, data: services.decline_consultation_request(
            actor=request.user, request=consultation, reason=data["reason"], details=data["details"]
        ),
    )


@role_required(*QUEUE)
def convert(request, public_id):
    """Register the patient from the request: the form arrives filled in from what they told us."""
    viewer = request.user
    consultation = _get_request(request, public_id, audit=request.method == "GET")
    if consultation.status not in OPEN_STATUSES:
        messages.error(
            request,
            f"This request is “{consultation.get_status_display()}”; only open requests can be converted.",
        )
        return redirect("intake:detail", consultation.public_id)
    locations = locations_for(viewer)
    initial = {
        **services.patient_details_from_request(consultation),
        "home_location": consultation.location_id,
    }
    form = PatientForm(
        posted_data(request),
        initial=initial,
        locations=locations,
        show_measurements=can_view_clinical_details(viewer),
    )
    patient, duplicates = register_after_duplicate_check(
        request,
        form,
        lambda: services.convert_request_to_patient(
            actor=viewer,
            request=consultation,
            location=form.cleaned_data["home_location"],
            details=form.patient_details(),
        ),
    )
    if patient is not None:
        return redirect("patients:chart", patient.public_id)
    return render(
        request,
        "intake/convert.html",
        {"form": form, "consultation": consultation, "duplicates": duplicates},
        status=form_status(form),
    )
