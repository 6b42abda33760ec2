from django.contrib import admin

from clinic.core.admin import ConfiguredThroughConfigurationPagesAdmin
from clinic.core.admin_site import clinic_admin_site
from clinic.monitoring.models import MonitoringProtocol


@admin.register(MonitoringProtocol, site=clinic_admin_site)
class MonitoringProtocolAdmin(ConfiguredThroughConfigurationPagesAdmin):
    list_display = [
        "route",
        "pre_dose_systolic_max",
        "systolic_max",
        "heart_rate_max",
        "spo2_min",
        "stop_systolic_mmhg",
        "stop_diastolic_mmhg",
        "alert_escalation_minutes",
        "minimum_observation_minutes",
    ]
