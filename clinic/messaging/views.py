"""Pages of messaging: the patient's conversations (phone first; a minor's guardian sees and
writes in those of the patient they represent) and the staff inbox."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from clinic.accounts.choices import PORTAL_ROLES, STAFF_ROLES, Role
from clinic.core.forms import form_status, posted_data, refusal_as_message, refusal_shown_on
from clinic.core.models import Location
from clinic.core.permissions import role_required
from clinic.core.phone import for_display, to_e164
from clinic.core.sms import is_stop_word, is_valid_twilio_request
from clinic.messaging import selectors, services
from clinic.messaging.forms import (
    AssignForm,
    NewConversationForm,
    ReplyForm,
    ReplyTemplateForm,
    SmsPreferenceForm,
    StaffReplyForm,
)
from clinic.messaging.models import MessagingPolicy, ReplyTemplate
from clinic.messaging.permissions import can_be_assigned
from clinic.patients.services import record_sms_opt_out, set_sms_preference
from clinic.patients.views import portal_patient_or_404

STAFF = tuple(STAFF_ROLES)
PORTAL = tuple(PORTAL_ROLES)


def _conversation_or_404(request, public_id):
    return selectors.get_conversation(request.user, public_id)


def _sent(request, to: str, *args):
    """Where the page goes once a message is written: a redirect; for the page's own script (its
    fetch would follow a redirect and use up the "sent" notice), the address in a header."""
    url = reverse(to, args=args)
    if request.headers.get("X-Requested-With") == "fetch":
        response = HttpResponse(status=204)
        response["X-Location"] = url
        return response
    return redirect(url)


def _policy_context():
    return {"policy": MessagingPolicy.current()}


@role_required(*PORTAL)
def my_messages(request):
    patient = portal_patient_or_404(request)
    form = NewConversationForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            message = services.start_conversation(
                actor=request.user,
                patient=patient,
                topic=form.cleaned_data["topic"],
                body=form.cleaned_data["body"],
                submit_key=form.cleaned_data["submit_key"],
            )
            messages.success(request, "Your message is sent to the care team.")
            return _sent(request, "messaging:my_conversation", message.conversation.public_id)
    conversations = selectors.own_conversations(patient)
    selectors.record_own_listing(request.user, patient, conversations)
    return render(
        request,
        "messaging/my_messages.html",
        {
            "patient": patient,
            "conversations": conversations,
            "form": form,
            # Texts go to the patient's own phone: their choice, not a guardian's.
            "sms_form": SmsPreferenceForm(initial={"sms_opt_in": patient.may_be_texted})
            if request.user.role == Role.PATIENT
            else None,
            "phone_shown": for_display(patient.phone),
            **_policy_context(),
        },
        status=form_status(form),
    )


@require_POST
@role_required(Role.PATIENT)
def my_sms_preference(request):
    patient = portal_patient_or_404(request)
    form = SmsPreferenceForm(request.POST)
    if form.is_valid():
        with refusal_as_message(request):
            opted_in = form.cleaned_data["sms_opt_in"]
            set_sms_preference(actor=request.user, patient=patient, opted_in=opted_in)
            messages.success(
                request,
                "We will text you when a reply is waiting."
                if opted_in
                else "We will not send you text messages.",
            )
    return redirect("messaging:mine")


@role_required(*PORTAL)
def my_conversation(request, public_id):
    conversation = _conversation_or_404(request, public_id)
    form = ReplyForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            services.write_message(
                actor=request.user,
                conversation=conversation,
                body=form.cleaned_data["body"],
                submit_key=form.cleaned_data["submit_key"],
            )
            messages.success(request, "Your message is sent.")
            return _sent(request, "messaging:my_conversation", conversation.public_id)
    services.open_conversation(viewer=request.user, conversation=conversation)
    return render(
        request,
        "messaging/my_conversation.html",
        {
            "conversation": conversation,
            "thread": selectors.messages_of(conversation),
            "form": form,
            **_policy_context(),
        },
        status=form_status(form),
    )


@role_required(*STAFF)
def inbox(request):
    view = request.GET.get("view", "waiting")
    if view not in selectors.INBOX_VIEWS:
        view = "waiting"
    visible = Location.objects.filter(is_active=True)
    if request.user.role != Role.MEDICAL_DIRECTOR:
        visible = visible.filter(staff=request.user)
    locations = list(visible.order_by("name"))
    location = next(
        (loc for loc in locations if str(loc.public_id) == request.GET.get("location")), None
    )
    rows = selectors.inbox(request.user, view=view, location_id=location.pk if location else None)
    return render(
        request,
        "messaging/inbox.html",
        {
            "rows": rows,
            "view": view,
            "views": selectors.INBOX_VIEWS,
            "locations": locations,
            "location": location,
            "counts": selectors.waiting_counts(request.user),
            **_policy_context(),
        },
    )


@role_required(Role.MEDICAL_DIRECTOR)
def reply_templates(request):
    """The team's reply templates: the list, and a form to add one."""
    form = ReplyTemplateForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            template = services.save_reply_template(
                actor=request.user, template=None, **form.cleaned_data
            )
            messages.success(request, f"The template “{template.title}” is saved.")
            return redirect("messaging:templates")
    return render(
        request,
        "messaging/templates.html",
        {"templates": ReplyTemplate.objects.order_by("-is_active", "title"), "form": form},
        status=form_status(form),
    )


@role_required(Role.MEDICAL_DIRECTOR)
def reply_template_edit(request, pk):
    template = ReplyTemplate.objects.filter(pk=pk).first()
    if template is None:
        raise Http404("We could not find that template.")
    initial = {
        "title": template.title,
        "topic": template.topic,
        "body": template.body,
        "is_active": template.is_active,
    }
    form = ReplyTemplateForm(posted_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            services.save_reply_template(actor=request.user, template=template, **form.cleaned_data)
            messages.success(request, f"The template “{form.cleaned_data['title']}” is saved.")
            return redirect("messaging:templates")
    return render(
        request,
        "messaging/template_edit.html",
        {"template": template, "form": form},
        status=form_status(form),
    )


def _assignable(conversation):
    User = get_user_model()
    people = User.objects.filter(is_active=True, role__in=STAFF).order_by("full_name")
    return [p for p in people if can_be_assigned(p, conversation)]


@role_required(*STAFF)
def conversation(request, public_id):
    conversation = _conversation_or_404(request, public_id)
    form = StaffReplyForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            services.write_message(
                actor=request.user,
                conversation=conversation,
                body=form.cleaned_data["body"],
                submit_key=form.cleaned_data["submit_key"],
            )
            messages.success(request, "Your reply is sent; the patient is told a reply is waiting.")
            return _sent(request, "messaging:conversation", conversation.public_id)
    services.open_conversation(viewer=request.user, conversation=conversation)
    conversation.refresh_from_db()
    return render(
        request,
        "messaging/conversation.html",
        {
            "conversation": conversation,
            "thread": selectors.messages_of(conversation),
            "notices": selectors.notices_of(conversation),
            "templates": selectors.templates_for(conversation),
            "form": form,
            "assign_form": AssignForm(
                initial={
                    "assignee": str(conversation.assigned_to.public_id)
                    if conversation.assigned_to
                    else ""
                },
                people=_assignable(conversation),
            ),
            **_policy_context(),
        },
        status=form_status(form),
    )


@require_POST
@role_required(*STAFF)
def assign(request, public_id):
    conversation = _conversation_or_404(request, public_id)
    form = AssignForm(request.POST, people=_assignable(conversation))
    if form.is_valid():
        with refusal_as_message(request):
            services.assign_conversation(
                actor=request.user,
                conversation=conversation,
                assignee=form.cleaned_data["assignee"],
            )
            messages.success(request, "The conversation is assigned.")
    else:
        messages.error(request, "Choose someone from the list.")
    return redirect("messaging:conversation", conversation.public_id)


@require_POST
@role_required(*STAFF)
def mark_done(request, public_id):
    conversation = _conversation_or_404(request, public_id)
    done = request.POST.get("done") != "no"
    with refusal_as_message(request):
        services.set_conversation_done(actor=request.user, conversation=conversation, done=done)
        messages.success(request, "Marked done." if done else "Opened again.")
    return redirect("messaging:conversation", conversation.public_id)


@csrf_exempt
@require_POST
def sms_inbound(request):
    """The SMS provider's webhook for texts patients send to the clinic's number. Only requests
    signed with the clinic's Twilio auth token are read; an opt-out word (STOP) is recorded."""
    params = {key: request.POST.get(key, "") for key in request.POST}
    url = settings.CLINIC_BASE_URL + request.get_full_path()
    if not is_valid_twilio_request(url, params, request.headers.get("X-Twilio-Signature", "")):
        return HttpResponseForbidden("Signature refused.")
    if is_stop_word(params.get("Body", "")):
        try:
            phone = to_e164(params.get("From", ""))
        except Exception:
            phone = ""
        if phone:
            record_sms_opt_out(phone_e164=phone, source="SMS provider (STOP)")
    # An empty TwiML answer: the provider sends its own opt-out confirmation.
    return HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?><Response></Response>', content_type="text/xml"
    )
