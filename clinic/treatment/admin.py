from django.contrib import admin

from clinic.audit.choices import AuditEventType
from clinic.core.admin import AuditedConfigurationAdmin
from clinic.core.admin_site import clinic_admin_site
from clinic.treatment.models import ProtocolTemplate


@admin.register(ProtocolTemplate, site=clinic_admin_site)
class ProtocolTemplateAdmin(AuditedConfigurationAdmin):
    """The medical director's protocols: default dose, allowed range, schedule and source."""

    list_display = [
        "name",
        "route",
        "dose_unit",
        "default_dose",
        "minimum_dose",
        "maximum_dose",
        "induction_sessions",
        "is_active",
    ]
    list_filter = ["route", "indication", "is_active"]
    audit_event = AuditEventType.PROTOCOL_CHANGED
