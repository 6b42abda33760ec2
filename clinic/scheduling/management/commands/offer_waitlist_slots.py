from django.core.management.base import BaseCommand

from clinic.scheduling.waitlist import close_passed_entries, expire_offers


class Command(BaseCommand):
    help = (
        "Expire the waitlist offers nobody answered in time (the scheduling policy's "
        "waitlist_offer_hours) and offer each freed time to the next suitable patient waiting; "
        "then close the waitlist entries whose every wanted date has passed (reason: dates "
        "passed), telling each patient. Run it every 5–10 minutes from cron or a systemd timer, "
        "like send_reminders; runs that overlap share the work."
    )

    def handle(self, *args, **options):
        expired = expire_offers()
        # After the offers: an entry whose dates passed may still hold an offer for a past time,
        # which this run has just expired.
        closed = close_passed_entries()
        self.stdout.write(
            f"Expired {expired} offer(s) and offered their times again; closed {closed} "
            "waitlist entr" + ("y" if closed == 1 else "ies") + " whose dates had passed."
        )
