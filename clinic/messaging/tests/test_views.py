import re
import uuid

import pytest
from django.urls import reverse

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.core.sms import twilio_signature
from clinic.messaging.models import Conversation, Message, ReplyTemplate
from clinic.messaging.tests.factories import patient_writes, reply
from clinic.patients.models import Patient
from conftest import client_for

pytestmark = pytest.mark.django_db


def _key(response) -> str:
    return re.search(r'name="submit_key" value="([^"]+)"', response.content.decode())[1]


def test_a_patient_writes_from_the_phone_page_and_sees_the_crisis_box(patient_alice):
    client = client_for(patient_alice.user)
    page = client.get(reverse("messaging:mine"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "988" in text and "not monitored around the clock" in text
    assert "Monday to Friday, 9 am to 5 pm" in text
    response = client.post(
        reverse("messaging:mine"),
        {"topic": "appointments", "body": "Can I come at 3 instead?", "submit_key": _key(page)},
        follow=True,
    )
    conversation = Conversation.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "messaging:my_conversation", args=[conversation.public_id]
    )
    thread = response.content.decode()
    assert "Can I come at 3 instead?" in thread and "Not read yet" in thread and "988" in thread


def test_sending_twice_with_the_same_key_writes_once(patient_alice):
    client = client_for(patient_alice.user)
    data = {"topic": "billing", "body": "Was I charged twice?", "submit_key": str(uuid.uuid4())}
    first = client.post(reverse("messaging:mine"), data)
    second = client.post(reverse("messaging:mine"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Message.objects.count() == 1


def test_a_refused_message_keeps_what_was_typed(patient_alice):
    client = client_for(patient_alice.user)
    response = client.post(
        reverse("messaging:mine"),
        {"topic": "", "body": "Kept text", "submit_key": str(uuid.uuid4())},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Choose what your message is about." in text and "Kept text" in text


def test_html_from_a_patient_is_shown_as_text(patient_alice, clinician):
    conversation = patient_writes(
        patient_alice, topic="other", body='<script>alert(1)</script><b onclick="x()">hi</b>'
    ).conversation
    for user, name in (
        (clinician, "messaging:conversation"),
        (patient_alice.user, "messaging:my_conversation"),
    ):
        text = client_for(user).get(reverse(name, args=[conversation.public_id])).content.decode()
        assert "<script>alert(1)" not in text and "<b onclick" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_every_url_answers_another_patient_with_404_and_audits_it(
    patient_alice, patient_bob, front_desk
):
    conversation = patient_writes(patient_alice).conversation
    reply(front_desk, conversation)
    bob = client_for(patient_bob.user)
    key = str(uuid.uuid4())
    probes = [
        ("get", "messaging:my_conversation", {}),
        ("post", "messaging:my_conversation", {"body": "intruding", "submit_key": key}),
    ]
    for method, name, data in probes:
        before = AuditEvent.objects.count()
        response = getattr(bob, method)(reverse(name, args=[conversation.public_id]), data)
        assert response.status_code == 404, name
        assert AuditEvent.objects.filter(
            actor=patient_bob.user, outcome=AuditOutcome.DENIED, id__gt=before
        ).exists()
    # The staff pages are not for patients at all.
    for name in ("messaging:conversation", "messaging:assign", "messaging:done"):
        assert bob.post(reverse(name, args=[conversation.public_id])).status_code == 403
    assert bob.get(reverse("messaging:inbox")).status_code == 403
    # Bob's own list shows none of Alice's conversations.
    assert str(conversation.public_id) not in bob.get(reverse("messaging:mine")).content.decode()
    assert not Message.objects.filter(body="intruding").exists()


def test_front_desk_gets_404_for_a_clinical_conversation(patient_alice, front_desk):
    conversation = patient_writes(patient_alice, topic="side_effects", body="Dizzy").conversation
    client = client_for(front_desk)
    url = reverse("messaging:conversation", args=[conversation.public_id])
    assert client.get(url).status_code == 404
    assert "Dizzy" not in client.get(reverse("messaging:inbox") + "?view=all").content.decode()


def test_the_inbox_lists_the_waiting_conversation_and_its_reply_page_answers(
    patient_alice, front_desk
):
    conversation = patient_writes(patient_alice).conversation
    client = client_for(front_desk)
    inbox = client.get(reverse("messaging:inbox")).content.decode()
    assert patient_alice.display_name in inbox and "1 unread" in inbox
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.CONVERSATIONS_LISTED, actor=front_desk
    ).exists()
    url = reverse("messaging:conversation", args=[conversation.public_id])
    page = client.get(url)
    assert "Appointment changed" in page.content.decode()  # a template for this topic
    response = client.post(url, {"body": "Moved to Thursday.", "submit_key": _key(page)})
    assert response.status_code == 302
    assert client.post(reverse("messaging:done", args=[conversation.public_id])).status_code == 302
    conversation.refresh_from_db()
    assert conversation.status == "done"
    # The patient sees the answer, and their message shows as read.
    thread = (
        client_for(patient_alice.user)
        .get(reverse("messaging:my_conversation", args=[conversation.public_id]))
        .content.decode()
    )
    assert "Moved to Thursday." in thread and "Read " in thread


def test_assigning_from_the_page(patient_alice, front_desk, clinician):
    conversation = patient_writes(patient_alice).conversation
    client = client_for(clinician)
    response = client.post(
        reverse("messaging:assign", args=[conversation.public_id]),
        {"assignee": str(front_desk.public_id)},
    )
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.assigned_to == front_desk
    response = client.post(
        reverse("messaging:assign", args=[conversation.public_id]),
        {"assignee": "nobody-such"},
        follow=True,
    )
    assert "Choose someone from the list." in response.content.decode()


def test_the_patient_says_yes_to_texts_and_a_verified_stop_ends_them(
    patient_alice, client, settings
):
    settings.TWILIO_AUTH_TOKEN = "hook-token"
    client_for(patient_alice.user).post(reverse("messaging:sms_preference"), {"sms_opt_in": "on"})
    patient_alice.refresh_from_db()
    assert patient_alice.may_be_texted
    url = reverse("messaging:sms_inbound")
    params = {"From": "+16175550199", "Body": "Stop", "MessageSid": "SM1"}
    # A forged request (no or a wrong signature) changes nothing.
    assert client.post(url, params).status_code == 403
    assert client.post(url, params, HTTP_X_TWILIO_SIGNATURE="bad").status_code == 403
    patient_alice.refresh_from_db()
    assert patient_alice.may_be_texted
    signature = twilio_signature("hook-token", settings.CLINIC_BASE_URL + url, params)
    response = client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 200 and b"<Response>" in response.content
    patient_alice.refresh_from_db()
    assert not patient_alice.may_be_texted
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.SMS_OPT_OUT_RECEIVED, patient_id=patient_alice.pk
    ).exists()


def test_a_patient_without_a_phone_cannot_say_yes_to_texts(patient_alice):
    Patient.objects.filter(pk=patient_alice.pk).update(phone="")
    response = client_for(patient_alice.user).post(
        reverse("messaging:sms_preference"), {"sms_opt_in": "on"}, follow=True
    )
    assert "no phone number on your record" in response.content.decode()


def test_the_pages_script_is_told_where_to_go_without_using_up_the_notice(patient_alice):
    client = client_for(patient_alice.user)
    response = client.post(
        reverse("messaging:mine"),
        {"topic": "billing", "body": "Hello", "submit_key": str(uuid.uuid4())},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    conversation = Conversation.objects.get()
    assert response.status_code == 204
    assert response["X-Location"] == reverse(
        "messaging:my_conversation", args=[conversation.public_id]
    )
    page = client.get(response["X-Location"]).content.decode()
    assert "Your message is sent to the care team." in page


def test_the_director_writes_and_switches_off_reply_templates(medical_director, clinician):
    client = client_for(medical_director)
    assert "Reply templates" in client.get("/inbox/").content.decode()
    page = client.get("/inbox/templates/")
    assert page.status_code == 200
    added = client.post(
        "/inbox/templates/",
        {
            "title": "Moving an appointment",
            "topic": "appointments",
            "body": "We can move it; which days suit you?",
            "is_active": "on",
        },
    )
    assert added.status_code == 302
    template = ReplyTemplate.objects.get(title="Moving an appointment")
    assert template.topic == "appointments" and template.is_active
    # Bad input is refused with a message and nothing typed is lost.
    refused = client.post(
        "/inbox/templates/", {"title": "moving an APPOINTMENT", "topic": "x", "body": ""}
    )
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Choose a topic, or every topic." in body and "Write the template" in body
    assert "moving an APPOINTMENT" in body
    duplicate = client.post(
        "/inbox/templates/", {"title": "moving an APPOINTMENT", "topic": "", "body": "Hi"}
    )
    assert duplicate.status_code == 400
    assert "Another template has this title" in duplicate.content.decode()
    # Switched off (never deleted): no longer offered.
    edit = f"/inbox/templates/{template.pk}/"
    assert client.get(edit).status_code == 200
    assert (
        client.post(
            edit, {"title": template.title, "topic": "appointments", "body": template.body}
        ).status_code
        == 302
    )
    template.refresh_from_db()
    assert not template.is_active
    events = AuditEvent.objects.filter(
        event_type=AuditEventType.MESSAGING_SETTINGS_CHANGED, actor=medical_director
    )
    assert [e.details["changed"] for e in events.order_by("id")] == [
        ["title", "topic", "body", "is_active"],
        ["is_active"],
    ]
    # Only the medical director edits them.
    assert client_for(clinician).get("/inbox/templates/").status_code == 403
    assert client_for(clinician).post(edit, {"title": "x", "body": "y"}).status_code == 403
    assert client.get("/inbox/templates/999999/").status_code == 404
