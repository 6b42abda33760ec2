from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from clinic.accounts.choices import PORTAL_ROLES, STAFF_ROLES, Role
from clinic.core.exceptions import NotFoundError
from clinic.core.forms import (
    form_status,
    posted_data,
    refusal_as_message,
    refusal_shown_on,
)
from clinic.core.models import Location
from clinic.core.permissions import role_required
from clinic.patients import services
from clinic.patients.chart import banners_for, sections_for, summaries_for
from clinic.patients.choices import ALLOWED_STATUS_CHANGES
from clinic.patients.forms import (
    DuplicateCheckForm,
    EndGuardianshipForm,
    GuardianForm,
    PatientForm,
    PatientSearchForm,
    PatientStatusForm,
)
from clinic.patients.models import Patient
from clinic.patients.permissions import (
    REGISTRATION_ROLES,
    STATUS_CHANGE_ROLES,
    can_change_patient_status,
    can_edit_patient,
    can_invite_patient_to_portal,
    can_manage_guardians,
    can_view_clinical_details,
    staff_location_ids,
)
from clinic.patients.policy import get_patient_policy
from clinic.patients.portal import portal_panels_for
from clinic.patients.selectors import (
    check_possible_duplicates,
    find_possible_duplicates,
    get_guardian,
    get_own_patient_record,
    get_patient,
    list_guarded_patients,
    list_patients,
    open_patient_chart,
    record_chart_viewed,
)

STAFF = tuple(STAFF_ROLES)


def locations_for(viewer):
    locations = Location.objects.filter(is_active=True)
    if viewer.role != Role.MEDICAL_DIRECTOR:
        locations = locations.filter(pk__in=staff_location_ids(viewer))
    return locations


@role_required(*STAFF)
def patient_list(request):
    form = PatientSearchForm(request.GET or None)
    query, status = "", ""
    if form.is_valid():
        query, status = form.cleaned_data["q"], form.cleaned_data["status"]
    page = list_patients(
        request.user, query=query, status=status, page_number=request.GET.get("page", 1)
    )
    context = {
        "form": form,
        "page": page,
        "query": query,
        "status": status,
        "can_register": request.user.role in REGISTRATION_ROLES,
    }
    template = (
        "patients/_patient_rows.html"
        if request.headers.get("HX-Request")
        else "patients/patient_list.html"
    )
    return render(request, template, context)


def _chart(request, patient_public_id):
    sections = sections_for(request.user)
    keys = [s.key for s in sections]
    key = request.GET.get("section", "overview")
    if key not in keys:
        key = "overview"
    section = sections[keys.index(key)]
    patient = open_patient_chart(request.user, patient_public_id, section=key)
    viewer = request.user
    # Switching tabs swaps the section only: banners and summaries are not shown again.
    partial = (
        request.headers.get("HX-Request") and request.headers.get("HX-Target") == "chart-section"
    )
    context = {
        "patient": patient,
        "sections": sections,
        "section": section,
        "can_edit": can_edit_patient(viewer, patient),
        "can_invite": can_invite_patient_to_portal(viewer, patient)
        and (patient.user is None or not patient.user.has_usable_password()),
        "show_measurements": can_view_clinical_details(viewer),
        "banners": [] if partial else banners_for(viewer, patient),
        "summaries": [] if partial else summaries_for(viewer, patient),
        **section.context(viewer, patient),
    }
    allowed = {
        s
        for s in ALLOWED_STATUS_CHANGES[patient.status]
        if can_change_patient_status(viewer, patient, s)
    }
    if allowed:
        context["status_form"] = PatientStatusForm(
            current_status=patient.status, allowed=frozenset(allowed)
        )
    if partial:
        return render(request, "patients/_chart_section.html", context)
    return render(request, "patients/chart.html", context)


@role_required(*STAFF)
def patient_chart(request, patient_public_id):
    return _chart(request, patient_public_id)


@role_required(*PORTAL_ROLES)
def my_record(request):
    """The patient's first page: their next appointment, what waits for them, their progress in
    plain words and their signed consent forms (panels the apps register), never the staff
    chart."""
    patient = portal_patient_or_404(request)
    record_chart_viewed(request.user, patient, section="portal home")
    return render(
        request,
        "patients/my_record.html",
        {
            "patient": patient,
            "guarded_patients": list_guarded_patients(request.user),
            "banners": banners_for(request.user, patient),
            "panels": portal_panels_for(
                patient,
                with_answers=request.user.role != Role.GUARDIAN
                or get_patient_policy().guardians_see_questionnaire_answers,
            ),
        },
    )


def register_after_duplicate_check(request, form, register):
    """Register from a valid patient form, unless patients with the same name and birth date
    exist and the person has not confirmed this is someone else. Returns (patient, duplicates)."""
    if request.method != "POST" or not form.is_valid():
        return None, []
    data = form.cleaned_data
    duplicates = find_possible_duplicates(
        request.user,
        first_name=data["legal_first_name"],
        last_name=data["legal_last_name"],
        date_of_birth=data["date_of_birth"],
    )
    if duplicates and request.POST.get("confirm_not_duplicate") != "yes":
        return None, duplicates
    with refusal_shown_on(form):
        patient = register()
        messages.success(request, f"{patient.display_name} is registered as {patient.mrn}.")
        return patient, duplicates
    return None, duplicates


@require_GET
@role_required(*REGISTRATION_ROLES)
def possible_duplicates(request):
    """The registration form's live check (htmx, as the name and birth date are typed): the
    patients already on record, among those the viewer may see, who may be the same person."""
    form = DuplicateCheckForm(request.GET)
    found = []
    if form.is_valid():
        found = check_possible_duplicates(
            request.user,
            first_name=form.cleaned_data["legal_first_name"],
            last_name=form.cleaned_data["legal_last_name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
        )
    if not found:
        # An empty answer empties the live region (a screen reader hears nothing new).
        return HttpResponse(b"")
    return render(request, "patients/_possible_duplicates.html", {"possible_duplicates": found})


def chart_section_url(patient, section: str) -> str:
    """The address of one section of a patient's chart."""

    return reverse("patients:chart", args=[patient.public_id]) + f"?section={section}"


# The ward a guardian last chose (their public id), so that every portal page, reached from the
# menu without `?patient=`, stays on the same child.
PORTAL_PATIENT_SESSION_KEY = "portal_patient"


def portal_patient_or_404(request) -> Patient:
    """The patient whose portal pages the request opens: the signed-in patient's own record; for
    a guardian, the ward `?patient=` names (remembered for the next pages), else the one last
    chosen, else the first by name. Anyone else, or a ward no longer theirs: a 404 page."""
    viewer = request.user
    named = request.GET.get("patient")
    remembered = (
        request.session.get(PORTAL_PATIENT_SESSION_KEY)
        if getattr(viewer, "role", None) == Role.GUARDIAN
        else None
    )
    try:
        patient = get_own_patient_record(viewer, named or remembered)
    except NotFoundError as error:
        if named or not remembered:
            raise Http404(error.message) from error
        # The guardianship of the remembered ward ended: fall back to the first ward.
        try:
            patient = get_own_patient_record(viewer)
        except NotFoundError as first_error:
            raise Http404(first_error.message) from first_error
    if viewer.role == Role.GUARDIAN and remembered != str(patient.public_id):
        request.session[PORTAL_PATIENT_SESSION_KEY] = str(patient.public_id)
    return patient


def patient_or_404(request, public_id):
    """The patient with this public id if the viewer may see them, else a 404 page (audited)."""
    return get_patient(request.user, public_id)


@role_required(*REGISTRATION_ROLES)
def patient_register(request):
    viewer = request.user
    locations = locations_for(viewer)
    show_measurements = can_view_clinical_details(viewer)
    form = PatientForm(
        posted_data(request), locations=locations, show_measurements=show_measurements
    )
    patient, duplicates = register_after_duplicate_check(
        request,
        form,
        lambda: services.register_patient(
            actor=viewer,
            location=form.cleaned_data["home_location"],
            details=form.patient_details(),
        ),
    )
    if patient is not None:
        return redirect("patients:chart", patient.public_id)
    return render(
        request,
        "patients/patient_form.html",
        {"form": form, "duplicates": duplicates, "title": "Register a patient"},
        status=form_status(form),
    )


@role_required(*STAFF)
def patient_edit(request, patient_public_id):
    viewer = request.user
    patient = patient_or_404(request, patient_public_id)
    if not can_edit_patient(viewer, patient):
        raise PermissionDenied("Your role does not allow you to change this record.")
    record_chart_viewed(viewer, patient, section="edit")
    form = PatientForm(
        posted_data(request),
        instance=patient,
        locations=locations_for(viewer) | Location.objects.filter(pk=patient.location_id),
        show_measurements=can_view_clinical_details(viewer),
    )
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            services.update_patient(
                actor=viewer,
                patient=patient,
                changes=form.patient_details(),
                location=form.cleaned_data["home_location"],
            )
            messages.success(request, "The patient record is saved.")
            return redirect("patients:chart", patient.public_id)
    return render(
        request,
        "patients/patient_form.html",
        {"form": form, "patient": patient, "title": f"Edit {patient.display_name}"},
        status=form_status(form),
    )


@require_POST
@role_required(*STATUS_CHANGE_ROLES)
def patient_change_status(request, patient_public_id):
    viewer = request.user
    patient = patient_or_404(request, patient_public_id)
    form = PatientStatusForm(
        request.POST,
        current_status=patient.status,
        allowed=frozenset(ALLOWED_STATUS_CHANGES[patient.status]),
    )
    if form.is_valid():
        with refusal_as_message(request):
            services.change_patient_status(
                actor=viewer,
                patient=patient,
                to_status=form.cleaned_data["to_status"],
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, "The status is changed.")
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("patients:chart", patient.public_id)


@require_POST
@role_required(*REGISTRATION_ROLES)
def patient_invite(request, patient_public_id):
    viewer = request.user
    patient = patient_or_404(request, patient_public_id)
    with refusal_as_message(request):
        services.invite_patient_to_portal(actor=viewer, patient=patient)
        messages.success(
            request, f"An invitation to the patient portal was e-mailed to {patient.email}."
        )
    return redirect("patients:chart", patient.public_id)


# --- Guardians of a minor patient -------------------------------------------------------------
def _guardian_or_404(request, patient, guardian_public_id):
    return get_guardian(request.user, patient, guardian_public_id)


def _guardian_page(request, patient, form, *, guardian=None):
    return render(
        request,
        "patients/guardian_form.html",
        {
            "patient": patient,
            "guardian": guardian,
            "form": form,
            "end_form": EndGuardianshipForm() if guardian is not None else None,
            "title": f"Edit guardian {guardian.full_name}"
            if guardian
            else f"Add a guardian for {patient.display_name}",
        },
        status=form_status(form),
    )


def _guardians_url(patient) -> str:
    return reverse("patients:chart", args=[patient.public_id]) + "?section=guardians"


@role_required(*REGISTRATION_ROLES)
def guardian_add(request, patient_public_id):
    viewer = request.user
    patient = patient_or_404(request, patient_public_id)
    if not can_manage_guardians(viewer, patient):
        raise PermissionDenied("Your role does not record guardians.")
    record_chart_viewed(viewer, patient, section="add guardian")
    form = GuardianForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            guardian = services.add_guardian(
                actor=viewer, patient=patient, details=form.cleaned_data
            )
            messages.success(request, f"{guardian.full_name} is recorded as a guardian.")
            return redirect(_guardians_url(patient))
    return _guardian_page(request, patient, form)


@role_required(*REGISTRATION_ROLES)
def guardian_edit(request, patient_public_id, guardian_public_id):
    viewer = request.user
    patient = patient_or_404(request, patient_public_id)
    guardian = _guardian_or_404(request, patient, guardian_public_id)
    if not can_manage_guardians(viewer, patient):
        raise PermissionDenied("Your role does not record guardians.")
    record_chart_viewed(viewer, patient, section="edit guardian")
    initial = {name: getattr(guardian, name) for name in services.GUARDIAN_FIELDS}
    form = GuardianForm(posted_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            services.update_guardian(actor=viewer, guardian=guardian, changes=form.cleaned_data)
            messages.success(request, "The guardian's details are saved.")
            return redirect(_guardians_url(patient))
    return _guardian_page(request, patient, form, guardian=guardian)


@require_POST
@role_required(*REGISTRATION_ROLES)
def guardian_end(request, patient_public_id, guardian_public_id):
    viewer = request.user
    patient = patient_or_404(request, patient_public_id)
    guardian = _guardian_or_404(request, patient, guardian_public_id)
    form = EndGuardianshipForm(request.POST)
    if form.is_valid():
        with refusal_as_message(request):
            services.end_guardianship(
                actor=viewer, guardian=guardian, reason=form.cleaned_data["reason"]
            )
            messages.success(request, f"{guardian.full_name} no longer represents the patient.")
    else:
        messages.error(request, "Say why the guardianship ends.")
    return redirect(_guardians_url(patient))


@require_POST
@role_required(*REGISTRATION_ROLES)
def guardian_invite(request, patient_public_id, guardian_public_id):
    viewer = request.user
    patient = patient_or_404(request, patient_public_id)
    guardian = _guardian_or_404(request, patient, guardian_public_id)
    with refusal_as_message(request):
        services.invite_guardian_to_portal(actor=viewer, guardian=guardian)
        messages.success(request, f"An invitation to the portal was e-mailed to {guardian.email}.")
    return redirect(_guardians_url(patient))
