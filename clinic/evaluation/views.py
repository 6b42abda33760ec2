from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinic.accounts.choices import PORTAL_ROLES, Role
from clinic.assessments.selectors import patient_progress
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.context import client_ip
from clinic.audit.services import record_audit_event
from clinic.core.dates import show_date
from clinic.core.forms import form_status, posted_data, refusal_shown_on
from clinic.core.integrity import report_broken_seal
from clinic.core.permissions import role_required
from clinic.core.services import request_document
from clinic.evaluation import selectors, services
from clinic.evaluation.choices import ConsentChannel, RuleSetStatus, RuleSeverity
from clinic.evaluation.documents import CONSENT_PDF, signature_for
from clinic.evaluation.forms import (
    AddendumForm,
    AllergyForm,
    BaselineVitalsForm,
    ConsentSignForm,
    EvaluationForm,
    MedicineListForm,
    SignEvaluationForm,
)
from clinic.evaluation.integrity import evaluation_seal_problems
from clinic.evaluation.models import ConsentDocument, Evaluation
from clinic.evaluation.opioids import GUIDELINE, daily_mme
from clinic.evaluation.permissions import (
    CONSENT_WITNESS_ROLES,
    EVALUATE_ROLES,
    MEDICINE_LIST_ROLES,
    READ_ROLES,
)
from clinic.evaluation.svg import mme_svg
from clinic.patients.ages import patient_is_minor_today
from clinic.patients.selectors import record_chart_viewed
from clinic.patients.views import patient_or_404, portal_patient_or_404


def _evaluation_page(
    request,
    patient,
    evaluation,
    *,
    form=None,
    vitals_form=None,
    sign_form=None,
    addendum_form=None,
    allergy_form=None,
    status=200,
):
    selectors.record_evaluation_viewed(request.user, evaluation)
    seal = report_broken_seal(
        viewer=request.user,
        record=evaluation,
        problems=evaluation_seal_problems(evaluation),
        patient_id=patient.pk,
        location_id=evaluation.location_id,
    )
    rule_set, findings, interactions = selectors.run_screen(evaluation)
    can_edit = request.user.role in EVALUATE_ROLES and not evaluation.is_locked
    unanswered = selectors.unanswered_items(evaluation, rule_set)
    return render(
        request,
        "evaluation/evaluation.html",
        {
            "patient": patient,
            "evaluation": evaluation,
            "seal": seal,
            "rule_set": rule_set,
            "findings": findings,
            "interactions": interactions,
            "has_absolute": any(f.severity == RuleSeverity.ABSOLUTE for f in findings),
            "unanswered": unanswered,
            "missing_for_suitable": (
                selectors.missing_for_suitable(evaluation, rule_set) if can_edit else []
            ),
            "allergy_list": selectors.evaluation_allergies(evaluation),
            "allergy_form": allergy_form or (AllergyForm() if can_edit else None),
            "form": form or (EvaluationForm(instance=evaluation) if can_edit else None),
            "vitals_form": vitals_form or (BaselineVitalsForm() if can_edit else None),
            "sign_form": sign_form or (SignEvaluationForm(findings=findings) if can_edit else None),
            "addendum_form": addendum_form
            or (
                AddendumForm()
                if evaluation.is_locked and request.user.role in EVALUATE_ROLES
                else None
            ),
            "addenda": list(evaluation.addenda.select_related("author")),
            "can_edit": can_edit,
            "bmi": selectors.bmi(evaluation),
            "baseline_scores": _baseline_scores(patient),
        },
        status=status,
    )


def _baseline_scores(patient) -> list:
    """The baseline questionnaires (measurement-based care): each instrument's baseline score."""

    return [(p.instrument, p.baseline) for p in patient_progress(patient)]


def _evaluation_or_404(patient, public_id) -> Evaluation:
    evaluation = (
        Evaluation.objects.select_related("baseline_vitals", "rule_set", "signed_by", "clinician")
        .filter(patient=patient, public_id=public_id)
        .first()
    )
    if evaluation is None:
        raise Http404("No such evaluation.")
    return evaluation


@require_POST
@role_required(*EVALUATE_ROLES)
def start(request, patient_public_id):
    patient = patient_or_404(request, patient_public_id)
    evaluation = services.start_evaluation(actor=request.user, patient=patient)
    return redirect("evaluation:detail", patient.public_id, evaluation.public_id)


@role_required(*READ_ROLES)
def detail(request, patient_public_id, public_id):
    patient = patient_or_404(request, patient_public_id)
    evaluation = _evaluation_or_404(patient, public_id)
    if request.method != "POST":
        return _evaluation_page(request, patient, evaluation)
    if request.user.role not in EVALUATE_ROLES:
        raise PermissionDenied("Only a prescribing clinician changes an evaluation.")
    action = request.POST.get("action", "save")
    if action == "save":
        form = EvaluationForm(request.POST, instance=Evaluation.objects.get(pk=evaluation.pk))
        if not form.is_valid():
            return _evaluation_page(request, patient, evaluation, form=form, status=400)
        with refusal_shown_on(form) as refusal:
            services.update_evaluation(
                actor=request.user, evaluation=evaluation, changes=form.changes()
            )
        if refusal.error is not None:
            return _evaluation_page(request, patient, evaluation, form=form, status=400)
        messages.success(request, "The evaluation is saved; the screen below is updated.")
    elif action == "vitals":
        vitals_form = BaselineVitalsForm(request.POST)
        if vitals_form.is_valid():
            with refusal_shown_on(vitals_form):
                services.record_baseline_vitals(
                    actor=request.user,
                    evaluation=evaluation,
                    values=vitals_form.values(),
                    taken_at=vitals_form.cleaned_data["taken_at"],
                )
        if vitals_form.errors:
            return _evaluation_page(
                request, patient, evaluation, vitals_form=vitals_form, status=400
            )
        messages.success(request, "Baseline vital signs recorded.")
    elif action == "allergy":
        allergy_form = AllergyForm(request.POST)
        if allergy_form.is_valid():
            with refusal_shown_on(allergy_form):
                services.add_allergy(
                    actor=request.user, evaluation=evaluation, **allergy_form.cleaned_data
                )
        if allergy_form.errors:
            return _evaluation_page(
                request, patient, evaluation, allergy_form=allergy_form, status=400
            )
        messages.success(request, "Allergy recorded.")
    elif action == "remove_allergy":
        try:
            allergy_id = int(request.POST.get("allergy", ""))
        except ValueError as error:
            raise Http404("No such allergy.") from error
        services.remove_allergy(actor=request.user, evaluation=evaluation, allergy_id=allergy_id)
        messages.success(request, "Allergy removed.")
    elif action == "sign":
        sign_form = SignEvaluationForm(request.POST, findings=selectors.run_screen(evaluation)[1])
        if sign_form.is_valid():
            data = sign_form.cleaned_data
            with refusal_shown_on(sign_form):
                services.sign_evaluation(
                    actor=request.user,
                    evaluation=evaluation,
                    decision=data["decision"],
                    reasoning=data["reasoning"],
                    password=data["password"],
                    override_absolute=data["override_absolute"],
                    acknowledgements=sign_form.acknowledgements(),
                )
        if sign_form.errors:
            return _evaluation_page(request, patient, evaluation, sign_form=sign_form, status=400)
        messages.success(request, "The evaluation and decision are signed and locked.")
    elif action == "addendum":
        addendum_form = AddendumForm(request.POST)
        if addendum_form.is_valid():
            with refusal_shown_on(addendum_form):
                services.add_evaluation_addendum(
                    actor=request.user,
                    evaluation=evaluation,
                    text=addendum_form.cleaned_data["text"],
                    password=addendum_form.cleaned_data["password"],
                )
        if addendum_form.errors:
            return _evaluation_page(
                request, patient, evaluation, addendum_form=addendum_form, status=400
            )
        messages.success(request, "The addendum is signed and added.")
    else:
        raise Http404("Unknown action.")
    return redirect("evaluation:detail", patient.public_id, evaluation.public_id)


def _consent_document(public_id) -> ConsentDocument:
    document = ConsentDocument.objects.filter(pk=public_id, status=RuleSetStatus.ACTIVE).first()
    if document is None:
        raise Http404("That consent document is not current.")
    return document


def _current_guardians(patient):
    return list(patient.guardians.filter(ended_at__isnull=True).order_by("full_name"))


def _sign_consent_page(request, patient, document, *, channel, portal_guardian=None):
    """The consent form and its signature. In the portal the signer is the person signed in
    (the patient, or a guardian of a minor); on the tablet for a minor, staff choose who signs
    (the patient's assent or a guardian's consent)."""
    minor = channel == ConsentChannel.TABLET and patient_is_minor_today(patient)
    form = ConsentSignForm(
        posted_data(request), guardians=_current_guardians(patient) if minor else ()
    )
    if request.method == "POST" and form.is_valid():
        guardian = portal_guardian if channel == ConsentChannel.PORTAL else form.chosen_guardian()
        with refusal_shown_on(form):
            services.sign_consent(
                actor=request.user,
                patient=patient,
                document=document,
                typed_full_name=form.cleaned_data["typed_full_name"],
                signed_on=form.cleaned_data["signed_on"],
                channel=channel,
                ip_address=client_ip(request),
                guardian=guardian,
            )
            messages.success(
                request, f"Thank you. “{document.title}” (version {document.version}) is signed."
            )
            if channel == ConsentChannel.PORTAL and portal_guardian is not None:
                return redirect(f"{reverse('evaluation:my_consent')}?patient={patient.public_id}")
            if channel == ConsentChannel.PORTAL:
                return redirect("evaluation:my_consent")
            return redirect("patients:chart", patient.public_id)
    selectors.record_consent_form_viewed(request.user, patient, document, channel=channel)
    paragraphs = [p.strip() for p in document.body.split("\n\n") if p.strip()]
    return render(
        request,
        "evaluation/consent_sign.html",
        {
            "patient": patient,
            "document": document,
            "form": form,
            "paragraphs": paragraphs,
            "tablet": channel == ConsentChannel.TABLET,
            "portal_guardian": portal_guardian,
            "minor": minor or portal_guardian is not None,
        },
        status=form_status(form),
    )


def _portal_patient(request):
    """The patient whose consent forms the portal shows, and the guardian signing for them
    (None when the patient signs in themself)."""
    patient = portal_patient_or_404(request)
    guardian = None
    if request.user.role == Role.GUARDIAN:
        guardian = patient.guardians.filter(user=request.user, ended_at__isnull=True).first()
        if guardian is None:
            raise Http404("There is no patient record linked to your account.")
    return patient, guardian


@role_required(*PORTAL_ROLES)
def my_consent(request):
    patient, guardian = _portal_patient(request)
    record_chart_viewed(request.user, patient, section="portal consent")
    return render(
        request,
        "evaluation/my_consent.html",
        {
            "patient": patient,
            "rows": selectors.consent_status(patient),
            "portal_guardian": guardian,
        },
    )


@role_required(*PORTAL_ROLES)
def sign_in_portal(request, document_id):
    patient, guardian = _portal_patient(request)
    return _sign_consent_page(
        request,
        patient,
        _consent_document(document_id),
        channel=ConsentChannel.PORTAL,
        portal_guardian=guardian,
    )


@role_required(*CONSENT_WITNESS_ROLES)
def sign_on_tablet(request, patient_public_id, document_id):
    patient = patient_or_404(request, patient_public_id)
    return _sign_consent_page(
        request, patient, _consent_document(document_id), channel=ConsentChannel.TABLET
    )


@role_required(Role.PATIENT)
def my_education(request):
    patient = portal_patient_or_404(request)
    record_chart_viewed(request.user, patient, section="portal education")
    opened = {o.page_id: o for o in reversed(selectors.education_pages_opened(patient))}
    pages = selectors.education_pages_for(patient)
    phases: dict[str, list] = {}
    for page in pages:
        phases.setdefault(page.get_phase_display(), []).append((page, opened.get(page.pk)))
    return render(
        request, "evaluation/my_education.html", {"patient": patient, "phases": phases.items()}
    )


@role_required(Role.PATIENT)
def my_education_page(request, code):
    patient = portal_patient_or_404(request)
    page = selectors.education_page_for(patient, code)
    if page is None:
        raise Http404("We could not find that page.")
    services.record_education_page_opened(actor=request.user, patient=patient, page=page)
    return render(request, "evaluation/my_education_page.html", {"patient": patient, "page": page})


@require_POST
def consent_pdf(request, public_id):
    """Ask for a signed consent form as a PDF (the patient's own, or a patient's the clinical
    viewer may see), then wait for it on the document's page."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    signature = signature_for(request.user, public_id)
    if signature is None:
        record_audit_event(
            actor=request.user,
            event_type=AuditEventType.PATIENT_RECORD_EXPORTED,
            outcome=AuditOutcome.DENIED,
            details={"consent_signature": str(public_id)},
        )
        raise Http404("We could not find that signed form.")
    document = request_document(
        actor=request.user,
        kind=CONSENT_PDF,
        title=f"{signature.document.title} v{signature.document.version}, signed {show_date(signature.signed_on)}",
        parameters={"signature": str(signature.public_id)},
        location=signature.patient.location,
        patient_id=signature.patient_id,
    )
    return redirect("documents:detail", public_id=document.public_id)


@role_required(*READ_ROLES)
def medicines(request, patient_public_id):
    """The patient's medicine lists over the course of care with the daily opioid dose in
    morphine milligram equivalents (MME) worked from each, and the form to record the list as
    it is now (nurses and clinicians)."""
    patient = patient_or_404(request, patient_public_id)
    record_chart_viewed(request.user, patient, section="medicines")
    series = selectors.mme_series(patient)
    form = MedicineListForm(
        posted_data(request), initial={"medicines": series[-1].medicines if series else ""}
    )
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            services.record_medicine_list(actor=request.user, patient=patient, **form.cleaned_data)
            messages.success(request, "The medicine list is recorded.")
            return redirect("evaluation:medicines", patient.public_id)
    preview = daily_mme(form.data.get("medicines", "")) if form.is_bound else None
    return render(
        request,
        "evaluation/medicines.html",
        {
            "patient": patient,
            "series": list(reversed(series)),
            "latest": series[-1] if series else None,
            "chart": mme_svg(series),
            "form": form,
            "preview": preview,
            "guideline": GUIDELINE,
            "can_record": request.user.role in MEDICINE_LIST_ROLES,
        },
        status=form_status(form),
    )
