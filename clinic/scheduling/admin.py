from django.contrib import admin

from clinic.audit.choices import AuditEventType
from clinic.core.admin import (
    AuditedConfigurationAdmin,
    ConfiguredThroughConfigurationPagesAdmin,
)
from clinic.core.admin_site import clinic_admin_site
from clinic.scheduling.models import AppointmentType, Room, SchedulingPolicy, StaffHours


class AuditedAdmin(AuditedConfigurationAdmin):
    audit_event = AuditEventType.PROTOCOL_CHANGED


@admin.register(Room, site=clinic_admin_site)
class RoomAdmin(AuditedAdmin):
    list_display = ["name", "location", "kind", "is_active"]
    list_filter = ["location", "kind", "is_active"]


@admin.register(StaffHours, site=clinic_admin_site)
class StaffHoursAdmin(AuditedAdmin):
    list_display = ["user", "location", "weekday", "starts", "ends"]
    list_filter = ["location", "weekday"]


@admin.register(AppointmentType, site=clinic_admin_site)
class AppointmentTypeAdmin(AuditedAdmin):
    list_display = ["name", "kind", "route", "duration_minutes", "staff_role", "is_active"]


@admin.register(SchedulingPolicy, site=clinic_admin_site)
class SchedulingPolicyAdmin(ConfiguredThroughConfigurationPagesAdmin):
    list_display = ["__str__", "nurse_chair_capacity", "reminder_hours"]
