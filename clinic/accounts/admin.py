"""Monitors that post vital signs through the API: registered by the medical director, who sees
each new token once."""

from django.contrib import admin, messages

from clinic.accounts import services
from clinic.accounts.models import MonitorDevice
from clinic.core.admin import DirectorModelAdmin
from clinic.core.admin_site import clinic_admin_site


@admin.register(MonitorDevice, site=clinic_admin_site)
class MonitorDeviceAdmin(DirectorModelAdmin):
    list_display = ["name", "location", "is_active", "last_seen_at", "created_at"]
    list_filter = ["location", "is_active"]
    fields = ["name", "location"]
    actions = ["new_token", "revoke"]

    def save_model(self, request, obj, form, change):
        device, token = services.issue_device_token(
            actor=request.user,
            name=form.cleaned_data["name"],
            location=form.cleaned_data["location"],
            device=obj if change else None,
        )
        obj.pk = device.pk
        messages.warning(
            request,
            f"Token for “{device.name}” (shown only now; enter it in the monitor): {token}",
        )

    @admin.action(description="Issue a new token (the old one stops working)")
    def new_token(self, request, queryset):
        for device in queryset:
            _, token = services.issue_device_token(
                actor=request.user, name=device.name, location=device.location, device=device
            )
            messages.warning(request, f"New token for “{device.name}” (shown only now): {token}")

    @admin.action(description="Revoke (the monitor can no longer post)")
    def revoke(self, request, queryset):
        for device in queryset:
            services.revoke_device(actor=request.user, device=device)
        messages.success(request, f"{queryset.count()} monitor(s) revoked.")
