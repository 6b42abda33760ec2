"""`manage.py rebuild_course_summaries`: recompute every patient's course summary and outcome
scores (what the outcomes page reads) from their evaluations, plans, sessions and responses. They
are kept up to date by the services; this is for after a restore or an import that bypassed them.
Run it after `rebuild_progress_summaries`, whose baselines it copies."""

from django.core.management.base import BaseCommand

from clinic.outcomes.courses import rebuild_all


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        patients = rebuild_all()
        self.stdout.write(f"Rebuilt the course summaries of {patients} patients.")
