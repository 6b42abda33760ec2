"""The locations a signed-in person belongs to, read once per request."""

from __future__ import annotations

from django.apps import apps

from clinic.accounts.choices import Role


def user_location_rows(user) -> list[tuple[int, str]]:
    """(location id, time zone) of the person's locations, ordered by id: staff by where they
    work, a patient by their home location. Cached on the user object for the request."""
    cached = getattr(user, "_clinic_location_rows", None)
    if cached is None:
        Location = apps.get_model("core", "Location")
        if user.is_patient:
            # Patients rank above accounts; the home location is found by relation name.
            locations = Location.objects.filter(patients__user=user)
        elif user.role == Role.GUARDIAN:
            # A guardian: the home locations of the patients they currently represent.
            locations = Location.objects.filter(
                patients__guardians__user=user, patients__guardians__ended_at__isnull=True
            ).distinct()
        else:
            locations = Location.objects.filter(staff=user)
        cached = list(locations.order_by("pk").values_list("pk", "time_zone"))
        user._clinic_location_rows = cached
    return cached
