"""Asking for a password reset answers the same, after the same work, whether or not the address
has an account; the e-mail is sent by a background task (django-tasks), not during the request."""

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from clinic.accounts.tasks import send_password_reset_email

URL = "/accounts/password-reset/"


def ask(client, email, capture):
    with capture() as callbacks, CaptureQueriesContext(connection) as queries:
        response = client.post(URL, {"email": email})
    return response, callbacks, queries


def test_known_and_unknown_addresses_get_the_same_answer_after_the_same_work(
    client, nurse, mailoutbox, django_capture_on_commit_callbacks
):
    known, known_tasks, known_queries = ask(client, nurse.email, django_capture_on_commit_callbacks)
    unknown, unknown_tasks, unknown_queries = ask(
        client, "nobody@example.org", django_capture_on_commit_callbacks
    )
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/password-reset/sent/"
    assert known.content == unknown.content
    # No e-mail and no account lookup inside the request: one task queued after commit, either way.
    assert mailoutbox == []
    assert len(known_tasks) == len(unknown_tasks) == 1
    assert len(known_queries) == len(unknown_queries)
    assert not any("accounts_user" in query["sql"] for query in known_queries.captured_queries)
    # Run the queued tasks: only the known address gets a link.
    known_tasks[0]()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [nurse.email]
    assert "/accounts/password-reset/" in mailoutbox[0].body
    unknown_tasks[0]()
    assert len(mailoutbox) == 1


def test_the_task_sends_the_link_with_the_clinic_base_url(nurse, mailoutbox, settings):
    settings.CLINIC_BASE_URL = "https://clinic.example.org"
    send_password_reset_email.call(email=nurse.email.upper())
    assert len(mailoutbox) == 1
    assert "https://clinic.example.org/accounts/password-reset/" in mailoutbox[0].body


def test_with_the_database_backend_the_worker_sends_the_mail(
    client, transactional_db, settings, mailoutbox
):
    from clinic.accounts.tests.factories import UserFactory

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    user = UserFactory(role="nurse")
    response = client.post(URL, {"email": user.email})
    assert response.status_code == 302
    assert mailoutbox == []
    assert DBTaskResult.objects.count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [user.email]
