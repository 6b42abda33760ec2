"""People who sign in: staff of every role and patients using the portal."""

from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

from clinic.accounts.choices import CLINICAL_ROLES, PRESCRIBER_ROLES, STAFF_ROLES, Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        # E-mail addresses are matched without regard to case, as people type them.
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.setdefault("role", Role.MEDICAL_DIRECTOR)
        fields.update(is_staff=True, is_superuser=True)
        fields.setdefault("full_name", "Administrator")
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their e-mail address; `role` decides what they may do."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=20, choices=Role.choices)
    # Credentials printed beside a clinician's signature, e.g. "MD" or "RN".
    credentials = models.CharField(max_length=40, blank=True)
    locations = models.ManyToManyField(
        "core.Location", blank=True, related_name="staff", help_text="Where this person works."
    )
    is_active = models.BooleanField(default=True)
    # Django admin access; granted to the medical director only.
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_role_display()})"

    def clean(self) -> None:
        self.email = self.email.strip().lower()

    @property
    def is_clinic_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_clinical(self) -> bool:
        return self.role in CLINICAL_ROLES

    @property
    def is_prescriber(self) -> bool:
        return self.role in PRESCRIBER_ROLES

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT

    @property
    def is_medical_director(self) -> bool:
        return self.role == Role.MEDICAL_DIRECTOR

    @property
    def signature_name(self) -> str:
        return f"{self.full_name}, {self.credentials}" if self.credentials else self.full_name


class MonitorDevice(models.Model):
    """A vital-signs monitor allowed to post readings through the API. It authenticates with a
    bearer token whose SHA-256 is stored (the token is shown once, when issued); it may post only
    to sessions at its own location. Revoking deactivates it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=80)
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="devices")
    token_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["location", "name"]
        constraints = [
            models.UniqueConstraint(fields=["location", "name"], name="device_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_label(self) -> str:
        return f"device:{self.name}"[:254]


class TwoFactorEnrolmentCode(models.Model):
    """The one-time code a member of staff needs, beside their password, to set up an
    authenticator: the medical director issues it (Team page) and hands it over in person, so that
    knowing a staff password is not enough to enrol one's own authenticator on that account. Only
    the code's SHA-256 is stored (it is shown once); one code per person (a new one replaces the
    old); it expires and works once."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="two_factor_enrolment_code"
    )
    code_sha256 = models.CharField(max_length=64, editable=False)
    # Null when issued from the server's command line (the first medical director).
    issued_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Enrolment code for {self.user.full_name}"

    def is_usable(self, now) -> bool:
        return self.used_at is None and now < self.expires_at
