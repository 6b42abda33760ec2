from django.core.management.base import BaseCommand

from clinic.messaging.notices import send_due_notices


class Command(BaseCommand):
    help = (
        'Retry the "a reply is waiting" e-mails and texts that could not be sent (run it every few '
        "minutes, beside send_reminders)."
    )

    def handle(self, *args, **options):
        counts = send_due_notices()
        summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
        self.stdout.write(summary or "No notices due.")
