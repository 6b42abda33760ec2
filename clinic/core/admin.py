from __future__ import annotations

from django.contrib import admin

from clinic.audit.choices import AuditEventType
from clinic.core.admin_site import clinic_admin_site
from clinic.core.models import Location, Organisation
from clinic.core.roles import Role
from clinic.core.services import save_configuration


def is_director(user) -> bool:
    """The medical director (or a superuser). The admin asks this on its own sign-in page too,
    where a visitor (AnonymousUser) has no role at all."""
    return user.is_authenticated and (
        user.is_superuser or getattr(user, "role", "") == Role.MEDICAL_DIRECTOR
    )


class DirectorModelAdmin(admin.ModelAdmin):
    """Configuration tables: the medical director may view, add and change; nobody deletes."""

    def _is_director(self, request) -> bool:
        return is_director(request.user)

    def has_view_permission(self, request, obj=None):
        return self._is_director(request)

    def has_add_permission(self, request):
        return self._is_director(request)

    def has_change_permission(self, request, obj=None):
        return self._is_director(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_module_permission(self, request):
        return self._is_director(request)

    # The audit event of a save; None: the organisation/location events (save_configuration).
    audit_event: AuditEventType | None = None

    def save_model(self, request, obj, form, change):
        save_configuration(
            actor=request.user, record=obj, changed_fields=form.changed_data, event=self.audit_event
        )


@admin.register(Organisation, site=clinic_admin_site)
class OrganisationAdmin(DirectorModelAdmin):
    list_display = ["name", "phone", "email", "mrn_prefix"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not Organisation.objects.exists()


@admin.register(Location, site=clinic_admin_site)
class LocationAdmin(DirectorModelAdmin):
    list_display = ["name", "city", "phone", "time_zone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "city"]


class AuditedConfigurationAdmin(DirectorModelAdmin):
    """A configuration table whose every save is audited under its own `audit_event`."""
