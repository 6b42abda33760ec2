from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.accounts import services
from clinic.accounts.choices import PORTAL_ROLES, STAFF_ROLES, Role
from clinic.accounts.forms import (
    EmailAuthenticationForm,
    EnrolmentCodeForm,
    PasswordResetRequestForm,
    StaffAccountForm,
    TokenForm,
)
from clinic.accounts.models import TwoFactorEnrolmentCode, User
from clinic.accounts.selectors import list_team
from clinic.core.forms import form_status, posted_data, refusal_as_message, refusal_shown_on
from clinic.core.permissions import role_required


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = PasswordResetRequestForm
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.record_password_set(user=form.user)
        return response


def _safe_next(request) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return str(reverse_lazy("accounts:home"))


@login_required
def two_factor(request):
    """Verify a sign-in code, or set up an authenticator first if the person has none."""
    user = request.user
    if not user.is_clinic_staff:
        return redirect("accounts:home")
    if user.is_verified():
        return redirect(_safe_next(request))
    form = TokenForm(posted_data(request))
    has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if has_device:
        if request.method == "POST" and form.is_valid():
            with refusal_shown_on(form):
                services.verify_two_factor(
                    request=request, user=user, token=form.cleaned_data["token"]
                )
                return redirect(_safe_next(request))
        return render(
            request, "accounts/two_factor_verify.html", {"form": form}, status=form_status(form)
        )
    device = services.pending_two_factor_enrolment(request=request, user=user)
    if device is None:
        # Knowing the password is not enough to set up an authenticator: the enrolment code the
        # medical director hands over comes first, before any secret is shown.
        code_form = EnrolmentCodeForm(posted_data(request))
        if request.method == "POST" and code_form.is_valid():
            with refusal_shown_on(code_form):
                services.redeem_two_factor_enrolment_code(
                    request=request, user=user, code=code_form.cleaned_data["code"]
                )
                return redirect(request.get_full_path())
        return render(
            request,
            "accounts/two_factor_code.html",
            {"form": code_form},
            status=form_status(code_form),
        )
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            services.confirm_two_factor_enrolment(
                request=request, user=user, token=form.cleaned_data["token"]
            )
            messages.success(request, "Two-factor sign-in is set up.")
            return redirect(_safe_next(request))
    secret = base64.b32encode(device.bin_key).decode()
    qr_svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, title="Authenticator set-up code"
    )
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "qr_svg": qr_svg, "secret": secret},
        status=form_status(form),
    )


@login_required
def home(request):
    user = request.user
    if user.role in PORTAL_ROLES:
        return redirect("patients:my_record")
    if user.role not in STAFF_ROLES:
        raise PermissionDenied
    # The dashboard app sits above every app it summarises, so accounts imports none of them.
    return redirect("dashboard:home")


@role_required(Role.MEDICAL_DIRECTOR)
def team(request):
    return render(
        request,
        "accounts/team.html",
        {"members": list_team(request.user), "require_2fa": settings.CLINIC_REQUIRE_2FA},
    )


@role_required(Role.MEDICAL_DIRECTOR)
def team_add(request):
    form = StaffAccountForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            member = services.create_staff_account(
                actor=request.user,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                role=form.cleaned_data["role"],
                locations=form.cleaned_data["locations"],
                credentials=form.cleaned_data["credentials"],
            )
            messages.success(
                request,
                f"{member.full_name} is added; a link to choose a password was e-mailed to {member.email}.",
            )
            return redirect("accounts:team")
    return render(
        request,
        "accounts/team_form.html",
        {"form": form, "title": "Add a member of staff"},
        status=form_status(form),
    )


def _team_member(public_id) -> User:
    member = User.objects.filter(public_id=public_id, role__in=STAFF_ROLES).first()
    if member is None:
        raise Http404("We could not find that member of staff.")
    return member


@role_required(Role.MEDICAL_DIRECTOR)
def team_edit(request, public_id):
    member = _team_member(public_id)
    initial = {
        "full_name": member.full_name,
        "email": member.email,
        "role": member.role,
        "credentials": member.credentials,
        "locations": list(member.locations.all()),
    }
    form = StaffAccountForm(posted_data(request), initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            services.update_staff_account(
                actor=request.user,
                user=member,
                full_name=form.cleaned_data["full_name"],
                role=form.cleaned_data["role"],
                locations=form.cleaned_data["locations"],
                credentials=form.cleaned_data["credentials"],
            )
            messages.success(request, f"{member.full_name}'s account is saved.")
            return redirect("accounts:team")
    has_device = TOTPDevice.objects.filter(user=member, confirmed=True).exists()
    return render(
        request,
        "accounts/team_form.html",
        {
            "form": form,
            "member": member,
            "has_device": has_device,
            "enrolment_code": TwoFactorEnrolmentCode.objects.filter(user=member).first(),
            "enrolment_code_valid_hours": services.ENROLMENT_CODE_VALID_HOURS,
            "title": f"Edit {member.full_name}",
        },
        status=form_status(form),
    )


@require_POST
@role_required(Role.MEDICAL_DIRECTOR)
def team_set_active(request, public_id):
    member = _team_member(public_id)
    active = request.POST.get("active") == "1"
    with refusal_as_message(request):
        services.set_account_active(actor=request.user, user=member, active=active)
        messages.success(
            request, f"{member.full_name} is {'reactivated' if active else 'deactivated'}."
        )
    return redirect("accounts:team")


@require_POST
@role_required(Role.MEDICAL_DIRECTOR)
def team_reset_two_factor(request, public_id):
    member = _team_member(public_id)
    services.reset_two_factor(actor=request.user, user=member)
    messages.success(
        request, f"{member.full_name} will set up a new authenticator at their next sign-in."
    )
    return redirect("accounts:team_edit", member.public_id)


@require_POST
@role_required(Role.MEDICAL_DIRECTOR)
def team_issue_enrolment_code(request, public_id):
    """Issue a two-factor enrolment code and show it this once (it is not stored)."""
    member = _team_member(public_id)
    with refusal_as_message(request):
        code = services.issue_two_factor_enrolment_code(actor=request.user, user=member)
        response = render(
            request,
            "accounts/enrolment_code.html",
            {
                "member": member,
                "code": code,
                "enrolment_code": TwoFactorEnrolmentCode.objects.get(user=member),
            },
        )
        response["Cache-Control"] = "no-store"
        return response
    return redirect("accounts:team_edit", member.public_id)
