from typing import Any

from django.conf import settings
from django.core.cache import cache

from clinic.accounts.choices import PORTAL_ROLES, Role
from clinic.core.models import Location
from clinic.core.template_choices import template_choices
from clinic.navigation import navigation_for
from clinic.patients.models import Patient

# The clinic's contact details change rarely; a minute's cache spares every page a query.
CONTACTS_CACHE_SECONDS = 60


def clinic_contacts(request) -> list[Any]:
    """The clinic's address, phone and hours shown at the foot of every patient and public page:
    a patient's own location when a patient is signed in (a guardian: the locations of the
    patients they represent), else every active location. Staff pages leave it out (staff know
    the number, and their pages count their queries)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        if user.role not in PORTAL_ROLES:
            return []

        def own():
            if user.role == Role.GUARDIAN:
                return list(
                    Location.objects.filter(
                        patients__guardians__user=user, patients__guardians__ended_at__isnull=True
                    )
                    .distinct()
                    .order_by("name")
                )
            patient = Patient.objects.select_related("location").filter(user=user).first()
            return [patient.location] if patient is not None else []

        found = cache.get_or_set(f"clinic:contacts:patient:{user.pk}", own, CONTACTS_CACHE_SECONDS)
        return list(found or [])
    found = cache.get_or_set(
        "clinic:contacts:public",
        lambda: list(Location.objects.filter(is_active=True).order_by("name")[:5]),
        CONTACTS_CACHE_SECONDS,
    )
    return list(found or [])


def clinic(request):
    return {
        "clinic_name": settings.OTP_TOTP_ISSUER,
        "clinic_environment": settings.CLINIC_ENVIRONMENT,
        "navigation": navigation_for(request),
        # Read only by the templates that show it (the footer, the 429 and consent pages).
        "clinic_contacts": lambda: clinic_contacts(request),
        # SessionStatus, Route, Role …: what templates compare statuses and kinds against.
        **template_choices(),
    }
