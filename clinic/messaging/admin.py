from django.contrib import admin

from clinic.audit.choices import AuditEventType
from clinic.core.admin import (
    AuditedConfigurationAdmin,
    ConfiguredThroughConfigurationPagesAdmin,
)
from clinic.core.admin_site import clinic_admin_site
from clinic.messaging.models import MessagingPolicy, ReplyTemplate


class AuditedAdmin(AuditedConfigurationAdmin):
    audit_event = AuditEventType.MESSAGING_SETTINGS_CHANGED


@admin.register(ReplyTemplate, site=clinic_admin_site)
class ReplyTemplateAdmin(AuditedAdmin):
    list_display = ["title", "topic", "is_active"]
    list_filter = ["topic", "is_active"]


@admin.register(MessagingPolicy, site=clinic_admin_site)
class MessagingPolicyAdmin(ConfiguredThroughConfigurationPagesAdmin):
    list_display = ["__str__", "staffed_hours", "reply_target_hours", "emergency_number"]
