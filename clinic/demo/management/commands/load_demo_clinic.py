import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.urls import reverse

from clinic.core.models import Organisation
from clinic.demo.data import (
    DEMO_MONITOR_TOKEN,
    PATIENT_ACCOUNTS,
    STAFF_ACCOUNTS,
    build_demo_clinic,
    demo_clinic_exists,
)

# The demo's own e-mails (portal invitations, questionnaire links, alerts to the fictional staff)
# go nowhere, and its background work runs as it is queued, so that nothing the load did is printed
# later by the worker: the sign-ins are the last thing on the screen.
QUIET_LOAD = {
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "TASKS": {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    },
}


class Command(BaseCommand):
    help = "Load the demo clinic (development databases only) and print the demo sign-ins."

    def handle(self, *args, **options):
        if settings.CLINIC_ENVIRONMENT != "development":
            raise CommandError(
                "Demo data goes only into a development database (CLINIC_ENVIRONMENT=development)."
            )
        if demo_clinic_exists():
            self.stdout.write("The demo clinic is already loaded.")
        else:
            if Organisation.objects.exists():
                raise CommandError(
                    "This database already holds a clinic; demo data is loaded only into an empty one."
                )
            self.stdout.write(
                "Loading the demo clinic (about 50 patients and 16 consultation requests)…"
            )
            # The services' progress lines (each request announced, each alert sent) too.
            logging.disable(logging.INFO)
            try:
                with override_settings(**QUIET_LOAD):
                    build_demo_clinic()
            finally:
                logging.disable(logging.NOTSET)
        self.stdout.write(
            f"\nDemo monitor (Boston, Chair 1) posts vitals with: Authorization: Bearer {DEMO_MONITOR_TOKEN}"
        )
        sign_in = settings.CLINIC_BASE_URL + reverse("accounts:login")
        self.stdout.write(self.style.SUCCESS(f"\nDemo sign-ins ({sign_in}):"))
        for account in [*STAFF_ACCOUNTS, *PATIENT_ACCOUNTS]:
            self.stdout.write(f"  {account.label:<29} {account.email:<24} {account.password}")
        self.stdout.write("")
