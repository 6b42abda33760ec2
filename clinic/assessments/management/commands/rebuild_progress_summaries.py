"""`manage.py rebuild_progress_summaries`: recompute every patient's progress summaries (what the
clinical dashboard reads) from their questionnaire responses. They are kept up to date as
responses are completed; this is for after a restore or an import that bypassed the services."""

from django.core.management.base import BaseCommand

from clinic.assessments.summaries import rebuild_all


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        series = rebuild_all()
        self.stdout.write(f"Rebuilt {series} progress series.")
