"""The Django admin, for configuration by the medical director only."""

from django.contrib import admin


class ClinicAdminSite(admin.AdminSite):
    site_header = "Ketamine Clinic configuration"
    site_title = "Clinic configuration"
    index_title = "Configuration"

    def has_permission(self, request) -> bool:
        user = request.user
        if not (user.is_active and user.is_authenticated):
            return False
        return user.is_superuser or (user.is_staff and user.role == "medical_director")


clinic_admin_site = ClinicAdminSite(name="admin")
