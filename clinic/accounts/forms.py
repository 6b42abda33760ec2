from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db import transaction

from clinic.accounts.choices import STAFF_ROLES, Role
from clinic.accounts.tasks import send_password_reset_email
from clinic.core.models import Location


class EmailAuthenticationForm(AuthenticationForm):
    """Sign in with an e-mail address; the field keeps Django's name `username` for django-axes."""

    username = forms.EmailField(
        label="E-mail address",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": "That e-mail address and password do not match an active account. Check both and try again.",
        "inactive": "This account is deactivated. Ask the medical director to reactivate it.",
    }

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class PasswordResetRequestForm(PasswordResetForm):
    """Asks for a reset link. Whether or not the address has an account, the request does the same
    work: it queues one task with the address typed (after the transaction commits) and answers
    the same page; the task looks the address up and sends the e-mail (clinic.accounts.tasks)."""

    def save(self, **kwargs) -> None:  # type: ignore[override]  # keyword arguments only
        email = self.cleaned_data["email"]
        transaction.on_commit(lambda: send_password_reset_email.enqueue(email=email))


class TokenForm(forms.Form):
    token = forms.CharField(
        label="6-digit code",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "pattern": "[0-9]*",
            }
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError("The code is made of digits only.")
        return token


class EnrolmentCodeForm(forms.Form):
    code = forms.CharField(
        label="Enrolment code",
        max_length=40,
        help_text="The code the medical director gave you, e.g. ABCD-EFGH-JKMN.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autofocus": True, "autocapitalize": "characters"}
        ),
    )


class StaffAccountForm(forms.Form):
    full_name = forms.CharField(max_length=150)
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=[(r.value, r.label) for r in Role if r in STAFF_ROLES])
    credentials = forms.CharField(
        max_length=40, required=False, help_text="Printed beside signatures, e.g. MD, NP, RN."
    )
    locations = forms.ModelMultipleChoiceField(
        queryset=Location.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        help_text="Where this person works; they see the patients of these locations.",
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            # The e-mail address is the sign-in name; it is not changed here.
            self.fields["email"].disabled = True
            self.fields["email"].required = False
