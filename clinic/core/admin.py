from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.urls import reverse

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


# Where the Configuration pages change each table they manage: model → (row or None → URL). The
# configuration app fills it from its AppConfig.ready(): it sits above every app it configures.
_CONFIGURATION_PAGES: dict[type[models.Model], Callable[[Any], str]] = {}


def register_configuration_page(model: type[models.Model], page: Callable[[Any], str]) -> None:
    _CONFIGURATION_PAGES[model] = page


def configuration_page_of(model: type[models.Model], obj: Any = None) -> str:
    page = _CONFIGURATION_PAGES.get(model)
    return page(obj) if page is not None else reverse("configuration:home")


def configured_through_configuration_pages() -> frozenset[type[models.Model]]:
    return frozenset(_CONFIGURATION_PAGES)


class ConfiguredThroughConfigurationPagesAdmin(DirectorModelAdmin):
    """A table the medical director changes on the Configuration pages, where each change is
    drafted, reviewed by a second director and published with its audit entry. An edit here
    would skip that review, so the admin only shows the rows, with a link to where they change."""

    change_form_template = "admin/configured_through_configuration_pages/change_form.html"
    change_list_template = "admin/configured_through_configuration_pages/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Unreachable while nothing may be added or changed; refuse rather than write unreviewed.
        raise PermissionDenied("This table is changed on the Configuration pages.")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        context = {"configuration_page": configuration_page_of(self.model, obj)}
        return super().changeform_view(
            request, object_id, form_url, context | (extra_context or {})
        )

    def changelist_view(self, request, extra_context=None):
        context = {"configuration_page": configuration_page_of(self.model)}
        return super().changelist_view(request, context | (extra_context or {}))


class ConfiguredThroughConfigurationPagesInline(admin.StackedInline):
    """The rows of a table shown read-only inside a ConfiguredThroughConfigurationPagesAdmin."""

    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True
