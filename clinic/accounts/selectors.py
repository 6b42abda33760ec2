from __future__ import annotations

from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.accounts.choices import STAFF_ROLES, Role
from clinic.accounts.models import User


def list_team(viewer) -> list[User]:
    if viewer.role != Role.MEDICAL_DIRECTOR:
        return []
    return list(
        User.objects.filter(role__in=STAFF_ROLES)
        .annotate(has_device=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
        .prefetch_related("locations")
        .order_by("-is_active", "full_name")
    )
