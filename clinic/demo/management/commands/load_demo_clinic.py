from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clinic.core.models import Organisation
from clinic.demo.data import (
    DEMO_MONITOR_TOKEN,
    PATIENT_ACCOUNTS,
    STAFF_ACCOUNTS,
    build_demo_clinic,
    demo_clinic_exists,
)


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
            build_demo_clinic()
        self.stdout.write(
            self.style.SUCCESS("\nDemo sign-ins (http://127.0.0.1:8000/accounts/login/):")
        )
        for account in [*STAFF_ACCOUNTS, *PATIENT_ACCOUNTS]:
            self.stdout.write(f"  {account.role:<17} {account.email:<24} {account.password}")
        self.stdout.write(
            f"\nDemo monitor (Boston, Chair 1) posts vitals with: Authorization: Bearer {DEMO_MONITOR_TOKEN}"
        )
        self.stdout.write("")
