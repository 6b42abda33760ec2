"""Background work of messaging (django-tasks; the database backend's worker runs it)."""

from __future__ import annotations

from django_tasks import task

from clinic.messaging.models import Notice
from clinic.messaging.notices import send_one


@task()
def send_notice(*, notice_id: str) -> str:
    """Send one "a reply is waiting" notice, queued when the reply is committed. A failure is
    recorded on the notice and retried by `manage.py send_message_notices`."""
    pk = Notice.objects.filter(public_id=notice_id).values_list("pk", flat=True).first()
    if pk is None:
        return "missing"
    return send_one(pk)
