"""The "a reply is waiting" notices: after commit, once, no health details, retried, visible."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from clinic.core import sms
from clinic.core.tests.fake_sms_provider import fake_twilio, twilio_settings
from clinic.messaging.choices import NoticeStatus
from clinic.messaging.models import Notice
from clinic.messaging.notices import MAX_ATTEMPTS, send_due_notices, send_one
from clinic.messaging.selectors import inbox
from clinic.messaging.tests.factories import patient_writes, reply
from clinic.patients.models import Patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def texted_alice(patient_alice):
    now = timezone.now()
    Patient.objects.filter(pk=patient_alice.pk).update(sms_opted_in_at=now)
    patient_alice.refresh_from_db()
    return patient_alice


@pytest.fixture
def provider(settings):
    with fake_twilio() as fake, twilio_settings(settings, fake):
        yield fake


def test_a_reply_is_announced_after_commit_by_email_and_text_with_no_health_details(
    texted_alice, clinician, provider, django_capture_on_commit_callbacks
):
    conversation = patient_writes(
        texted_alice, topic="side_effects", body="Dizzy since Monday"
    ).conversation
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reply(
            clinician, conversation, body="Please drink water and rest; the dizziness should pass."
        )
        # Nothing is sent inside the transaction.
        assert mail.outbox == [] and provider.received == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1 and len(provider.received) == 1
    email, text = mail.outbox[0], provider.received[0]
    assert email.to == [texted_alice.email]
    assert text["To"] == texted_alice.phone == "+16175550199"
    for words in (email.subject + email.body, text["Body"]):
        assert str(conversation.public_id) in words
        for health in ("Dizzy", "dizziness", "water", "Side effect", "side effect"):
            assert health not in words
    assert "988" in email.body and "STOP" in text["Body"]
    assert set(Notice.objects.values_list("status", flat=True)) == {NoticeStatus.SENT}


def test_without_the_patients_yes_no_text_is_sent(
    patient_alice, clinician, provider, django_capture_on_commit_callbacks
):
    conversation = patient_writes(patient_alice).conversation
    with django_capture_on_commit_callbacks(execute=True):
        reply(clinician, conversation)
    assert provider.received == [] and len(mail.outbox) == 1


def test_a_notice_is_sent_once_even_if_asked_twice(
    texted_alice, clinician, provider, django_capture_on_commit_callbacks
):
    conversation = patient_writes(texted_alice).conversation
    with django_capture_on_commit_callbacks(execute=True):
        reply(clinician, conversation)
    for notice in Notice.objects.all():
        assert send_one(notice.pk) == "skipped"
    assert send_due_notices(now=timezone.now() + timedelta(days=1)) == {}
    assert len(provider.received) == 1 and len(mail.outbox) == 1


def test_a_provider_that_is_down_is_retried_and_a_last_failure_shows_in_the_inbox(
    texted_alice, front_desk, provider, django_capture_on_commit_callbacks
):
    provider.mode = "down"
    conversation = patient_writes(texted_alice).conversation
    with django_capture_on_commit_callbacks(execute=True):
        reply(front_desk, conversation)
    notice = Notice.objects.get(channel="sms")
    assert notice.status == NoticeStatus.RETRYING and notice.attempts == 1
    assert "HTTP 500" in notice.last_error
    # The message itself is there whatever happens to the notice.
    assert conversation.messages.count() == 2
    # Not retried before its time; retried after it.
    assert send_due_notices(now=timezone.now()) == {}
    later = timezone.now()
    for _ in range(MAX_ATTEMPTS - 1):
        later += timedelta(days=1)
        send_due_notices(now=later)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.FAILED and notice.attempts == MAX_ATTEMPTS
    row = next(r for r in inbox(front_desk, view="all") if r.conversation.pk == conversation.pk)
    assert row.notice_failed


def test_a_provider_back_up_delivers_on_the_retry(
    texted_alice, clinician, provider, django_capture_on_commit_callbacks
):
    provider.mode = "down"
    conversation = patient_writes(texted_alice).conversation
    with django_capture_on_commit_callbacks(execute=True):
        reply(clinician, conversation)
    provider.mode = "ok"
    assert send_due_notices(now=timezone.now() + timedelta(hours=1)) == {"sent": 1}
    assert len(provider.received) == 1


def test_a_mail_server_that_is_down_is_retried(
    patient_alice, clinician, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("clinic.messaging.notices.send_mail", refuse)
    conversation = patient_writes(patient_alice).conversation
    with django_capture_on_commit_callbacks(execute=True):
        reply(clinician, conversation)
    notice = Notice.objects.get(channel="email")
    assert notice.status == NoticeStatus.RETRYING and "mail server down" in notice.last_error
    monkeypatch.undo()
    assert send_due_notices(now=timezone.now() + timedelta(hours=1)) == {"sent": 1}
    assert len(mail.outbox) == 1


def test_the_memory_backend_is_the_default_in_tests(
    texted_alice, clinician, django_capture_on_commit_callbacks
):
    sms.outbox.clear()
    conversation = patient_writes(texted_alice).conversation
    with django_capture_on_commit_callbacks(execute=True):
        reply(clinician, conversation)
    assert [m.to for m in sms.outbox] == ["+16175550199"]
