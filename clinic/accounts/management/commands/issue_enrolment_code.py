"""Issue a two-factor enrolment code from the server, for a medical director who has nobody to
issue one (the first one, after createsuperuser)."""

from django.core.management.base import BaseCommand, CommandError

from clinic.accounts.models import User
from clinic.accounts.services import (
    ENROLMENT_CODE_VALID_HOURS,
    issue_two_factor_enrolment_code_on_server,
)
from clinic.core.exceptions import ClinicError


class Command(BaseCommand):
    help = "Print a one-time two-factor enrolment code for a staff account (audited)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The staff member's e-mail address")

    def handle(self, *args, email, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account has the e-mail address {email}.")
        try:
            code = issue_two_factor_enrolment_code_on_server(user=user)
        except ClinicError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"Enrolment code for {user.full_name}: {code}\n"
            f"It works once, within {ENROLMENT_CODE_VALID_HOURS} hours, after signing in."
        )
