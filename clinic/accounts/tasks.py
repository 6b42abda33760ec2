"""Background work of the accounts app (django-tasks; the database backend's worker runs it)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django_tasks import task


@task()
def send_password_reset_email(*, email: str) -> None:
    """E-mail a set-password link to the active account with this address, if there is one. Looking
    the address up here, after the response, is what keeps the reset page from telling (by its
    answer or by its timing) whether an address has an account."""
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return
    base = urlsplit(settings.CLINIC_BASE_URL)
    form.save(
        domain_override=base.netloc,
        use_https=base.scheme == "https",
        subject_template_name="accounts/password_reset_subject.txt",
        email_template_name="accounts/password_reset_email.txt",
        extra_email_context={"site_name": settings.OTP_TOTP_ISSUER},
    )
