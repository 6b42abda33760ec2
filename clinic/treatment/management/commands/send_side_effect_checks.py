from django.core.management.base import BaseCommand
from django.utils import timezone

from clinic.treatment.side_effect_checks import send_side_effect_checks


class Command(BaseCommand):
    help = (
        "Ask the patients in maintenance who are due a side-effect check (their protocol's "
        "interval), by e-mail and text with a portal link. Run it once a day from cron or a "
        "systemd timer; a second run on the same day asks nobody twice, and a notice that could "
        "not be sent is queued again."
    )

    def handle(self, *args, **options):
        asked, again = send_side_effect_checks(timezone.localdate())
        self.stdout.write(f"Asked {asked} patient(s); queued {again} notice(s) again.")
