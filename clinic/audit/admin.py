from django.contrib import admin

from clinic.audit.models import AuditEvent
from clinic.core.admin import is_director
from clinic.core.admin_site import clinic_admin_site


@admin.register(AuditEvent, site=clinic_admin_site)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: nobody, the medical director and superusers included, may change or delete."""

    list_display = [
        "occurred_at",
        "actor_label",
        "actor_role",
        "event_type",
        "outcome",
        "patient_id",
        "ip_address",
    ]
    list_filter = ["outcome", "event_type", "actor_role"]
    search_fields = ["actor_label", "target_id"]
    date_hierarchy = "occurred_at"

    def has_view_permission(self, request, obj=None):
        return is_director(request.user)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}
