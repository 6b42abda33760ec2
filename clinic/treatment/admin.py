from django.contrib import admin

from clinic.core.admin import ConfiguredThroughConfigurationPagesAdmin
from clinic.core.admin_site import clinic_admin_site
from clinic.treatment.models import ProtocolTemplate


@admin.register(ProtocolTemplate, site=clinic_admin_site)
class ProtocolTemplateAdmin(ConfiguredThroughConfigurationPagesAdmin):
    """The protocols (default dose, allowed range, schedule and source), shown here."""

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
