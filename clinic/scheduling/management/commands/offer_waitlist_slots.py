from django.core.management.base import BaseCommand

from clinic.scheduling.waitlist import expire_offers


class Command(BaseCommand):
    help = (
        "Expire the waitlist offers nobody answered in time (the scheduling policy's "
        "waitlist_offer_hours) and offer each freed time to the next suitable patient waiting. "
        "Run it every 5–10 minutes from cron or a systemd timer, like send_reminders; runs that "
        "overlap share the work."
    )

    def handle(self, *args, **options):
        expired = expire_offers()
        self.stdout.write(f"Expired {expired} offer(s) and offered their times again.")
