from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clinic.core.forms import (
    add_service_error,
    refusal_as_message,
    refusal_caught,
    refusal_shown_on,
)
from clinic.core.integrity import report_broken_seal
from clinic.core.permissions import role_required
from clinic.patients.views import chart_section_url, patient_or_404
from clinic.reviews import selectors, services
from clinic.reviews.choices import PLAN_CHANGING_DECISIONS
from clinic.reviews.forms import AddendumForm, OpenReviewForm, ReviewForm, SignReviewForm
from clinic.reviews.integrity import review_seal_problems
from clinic.reviews.models import FollowUpReview
from clinic.reviews.permissions import REVIEW_READ_ROLES, REVIEW_WRITE_ROLES


def _review_or_404(patient, public_id) -> FollowUpReview:
    review = selectors.review_for(patient, public_id)
    if review is None:
        raise Http404("No such review.")
    return review


def _review_page(request, patient, review, *, form=None, sign_form=None, addendum_form=None):
    selectors.record_review_viewed(request.user, review)
    seal = report_broken_seal(
        viewer=request.user,
        record=review,
        problems=review_seal_problems(review),
        patient_id=patient.pk,
        location_id=review.location_id,
    )
    writer = request.user.role in REVIEW_WRITE_ROLES
    can_edit = writer and not review.is_locked
    status = (
        400 if any(f is not None and f.errors for f in (form, sign_form, addendum_form)) else 200
    )
    return render(
        request,
        "reviews/review.html",
        {
            "patient": patient,
            "review": review,
            "facts": selectors.facts_of(review),
            "seal": seal,
            "can_edit": can_edit,
            "form": form or (ReviewForm(instance=review) if can_edit else None),
            "sign_form": sign_form or (SignReviewForm() if can_edit else None),
            "addendum_form": addendum_form
            or (AddendumForm() if writer and review.is_locked else None),
            "addenda": list(review.addenda.select_related("author")),
            "plan_changing": [str(d) for d in PLAN_CHANGING_DECISIONS],
        },
        status=status,
    )


@require_POST
@role_required(*REVIEW_WRITE_ROLES)
def open_review(request, patient_public_id):
    patient = patient_or_404(request, patient_public_id)
    form = OpenReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how you are meeting the patient.")
        return redirect(chart_section_url(patient, "reviews"))
    follow_up = None
    if form.cleaned_data["follow_up"]:
        follow_up = selectors.due_review_follow_up(patient, form.cleaned_data["follow_up"])
        if follow_up is None:
            raise Http404("That review is not due for this patient.")
    with refusal_as_message(request):
        review = services.open_review(
            actor=request.user, patient=patient, kind=form.cleaned_data["kind"], follow_up=follow_up
        )
        return redirect("reviews:detail", patient.public_id, review.public_id)
    return redirect(chart_section_url(patient, "reviews"))


@role_required(*REVIEW_READ_ROLES)
def detail(request, patient_public_id, public_id):
    patient = patient_or_404(request, patient_public_id)
    review = _review_or_404(patient, public_id)
    if request.method != "POST":
        return _review_page(request, patient, review)
    if request.user.role not in REVIEW_WRITE_ROLES:
        raise PermissionDenied("Only a prescribing clinician writes a follow-up review.")
    action = request.POST.get("action", "save")
    if action in {"save", "sign"}:
        if review.is_locked:
            messages.error(request, "This review is signed; add an addendum instead.")
            return redirect("reviews:detail", patient.public_id, review.public_id)
        form = ReviewForm(request.POST, instance=FollowUpReview.objects.get(pk=review.pk))
        sign_form = SignReviewForm(request.POST) if action == "sign" else None
        if not form.is_valid() or (sign_form is not None and not sign_form.is_valid()):
            return _review_page(request, patient, review, form=form, sign_form=sign_form)
        with refusal_caught(permission_too=True) as refusal:
            review = services.update_review(
                actor=request.user, review=review, changes=form.changes()
            )
            if sign_form is not None:
                review = services.sign_review(
                    actor=request.user,
                    review=review,
                    password=sign_form.cleaned_data["password"],
                )
        if refusal.error is not None:
            # A wrong password is said on the signing form, anything else on the review's.
            target = sign_form if refusal.error.field == "password" and sign_form else form
            add_service_error(target, refusal.error)
            review = _review_or_404(patient, public_id)
            return _review_page(request, patient, review, form=form, sign_form=sign_form)
        if sign_form is None:
            messages.success(request, "The review is saved.")
        elif review.plan_draft_id:
            messages.success(
                request,
                "The review is signed. The next plan version is drafted: check and sign it "
                "on the plan page.",
            )
        else:
            messages.success(request, "The review and decision are signed and locked.")
    elif action == "addendum":
        addendum_form = AddendumForm(request.POST)
        if addendum_form.is_valid():
            with refusal_shown_on(addendum_form, permission_too=True):
                services.add_review_addendum(
                    actor=request.user,
                    review=review,
                    text=addendum_form.cleaned_data["text"],
                    password=addendum_form.cleaned_data["password"],
                )
        if addendum_form.errors:
            return _review_page(request, patient, review, addendum_form=addendum_form)
        messages.success(request, "The addendum is signed and added.")
    else:
        raise Http404("Unknown action.")
    return redirect("reviews:detail", patient.public_id, review.public_id)
