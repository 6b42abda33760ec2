from django.contrib import admin

from clinic.assessments.models import AssessmentPolicy, InstrumentAssignment
from clinic.core.admin import ConfiguredThroughConfigurationPagesAdmin
from clinic.core.admin_site import clinic_admin_site


@admin.register(AssessmentPolicy, site=clinic_admin_site)
class AssessmentPolicyAdmin(ConfiguredThroughConfigurationPagesAdmin):
    list_display = [
        "__str__",
        "active_interval_days",
        "maintenance_interval_days",
        "link_valid_days",
        "pcl5_cutoff",
    ]


@admin.register(InstrumentAssignment, site=clinic_admin_site)
class InstrumentAssignmentAdmin(ConfiguredThroughConfigurationPagesAdmin):
    list_display = ["condition", "instrument_codes", "suicide_screen_omitted_reason"]
