from django.contrib import admin

from clinic.audit.choices import AuditEventType
from clinic.core.admin import DirectorModelAdmin
from clinic.core.admin_site import clinic_admin_site
from clinic.core.services import save_configuration
from clinic.treatment.models import ProtocolTemplate


@admin.register(ProtocolTemplate, site=clinic_admin_site)
class ProtocolTemplateAdmin(DirectorModelAdmin):
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

    def save_model(self, request, obj, form, change):
        save_configuration(
            actor=request.user,
            record=obj,
            changed_fields=form.changed_data,
            event=AuditEventType.PROTOCOL_CHANGED,
        )
