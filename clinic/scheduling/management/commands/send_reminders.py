from django.core.management.base import BaseCommand

from clinic.scheduling.reminders import send_due_reminders


class Command(BaseCommand):
    help = (
        "E-mail the appointment reminders that are due (the scheduling policy's windows, e.g. 24 h "
        "and 2 h before). Run it every 5–10 minutes from cron or a systemd timer; each reminder is "
        "sent once, even if runs overlap or one is repeated after a crash."
    )

    def handle(self, *args, **options):
        sent = send_due_reminders()
        self.stdout.write(f"Sent {sent} reminder(s).")
