"""Progress letters: write and sign one from the record (with a preview of what it will say), read
a signed one, draw it as a PDF and record how it was sent."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.forms import form_status, posted_data, refusal_as_message, refusal_shown_on
from clinic.core.permissions import role_required
from clinic.letters import selectors, services
from clinic.letters.documents import request_letter_pdf
from clinic.letters.forms import LetterForm, SentForm
from clinic.letters.permissions import LETTER_READ_ROLES, LETTER_WRITE_ROLES, can_write_letters
from clinic.patients.views import chart_section_url, patient_or_404


@role_required(*LETTER_WRITE_ROLES)
def write_letter(request, patient_public_id):
    """The next progress letter: what the record says now, the clinician's next steps and
    comment, signed with their password."""
    patient = patient_or_404(request, patient_public_id)
    form = LetterForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            letter = services.sign_progress_letter(
                actor=request.user,
                patient=patient,
                next_steps=form.cleaned_data["next_steps"],
                comment=form.cleaned_data["comment"],
                password=form.cleaned_data["password"],
            )
            messages.success(request, f"Progress letter {letter.number} is signed.")
            return redirect("letters:detail", letter.public_id)
    record_audit_event(
        actor=request.user,
        event_type=AuditEventType.LETTER_VIEWED,
        target=patient,
        about=patient,
        details={"view": "compose"},
    )
    preview = selectors.letter_content(
        patient,
        signer=request.user,
        next_steps=form["next_steps"].value() or "",
        comment=form["comment"].value() or "",
    )
    return render(
        request,
        "letters/write.html",
        {"patient": patient, "form": form, "content": preview},
        status=form_status(form) if request.method == "POST" else 200,
    )


@role_required(*LETTER_READ_ROLES)
def letter_detail(request, public_id):
    """A signed letter as it was signed: draw it as a PDF, record how it was sent."""
    letter = selectors.letters_for_query(request.user, public_id)
    if letter is None:
        raise Http404("We could not find that letter.")
    sent_form = SentForm(posted_data(request) if request.POST.get("action") == "sent" else None)
    if request.method == "POST" and request.POST.get("action") == "pdf":
        with refusal_as_message(request):
            document = request_letter_pdf(request.user, letter=letter)
            return redirect("documents:detail", document.public_id)
        return redirect("letters:detail", letter.public_id)
    if request.method == "POST" and sent_form.is_valid():
        with refusal_shown_on(sent_form):
            services.record_letter_sent(
                actor=request.user, letter=letter, sent_via=sent_form.cleaned_data["sent_via"]
            )
            messages.success(request, "The letter is recorded as sent.")
            return redirect("letters:detail", letter.public_id)
    record_audit_event(
        actor=request.user,
        event_type=AuditEventType.LETTER_VIEWED,
        target=letter,
        about=letter,
        details={"number": letter.number, "view": "page"},
    )
    return render(
        request,
        "letters/detail.html",
        {
            "letter": letter,
            "patient": letter.patient,
            "content": letter.content,
            "sent_form": sent_form,
            "can_write": can_write_letters(request.user),
            "chart_url": chart_section_url(letter.patient, "letters"),
        },
        status=form_status(sent_form) if request.method == "POST" else 200,
    )
