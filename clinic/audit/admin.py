from django.contrib import admin

from clinic.audit.models import AuditEvent
from clinic.core.admin import is_director
from clinic.core.admin_site import clinic_admin_site


class ActorRoleFilter(admin.AllValuesFieldListFilter):
    """The roles found in the trail; an event with no signed-in person (a refused sign-in, a
    public page) has a blank role, listed in words so its link has a name."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice["display"] == "":
                choice = {**choice, "display": "No signed-in person"}
            yield choice


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
    list_filter = ["outcome", "event_type", ("actor_role", ActorRoleFilter)]
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
