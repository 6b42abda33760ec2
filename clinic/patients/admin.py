from django.contrib import admin

from clinic.audit.choices import AuditEventType
from clinic.core.admin import AuditedConfigurationAdmin
from clinic.core.admin_site import clinic_admin_site
from clinic.patients.models import PatientPolicy


@admin.register(PatientPolicy, site=clinic_admin_site)
class PatientPolicyAdmin(AuditedConfigurationAdmin):
    """The medical director's minimum age and what guardians see (clinic policy, UNVERIFIED)."""

    list_display = ["__str__", "minimum_age_years", "guardians_see_questionnaire_answers"]
    audit_event = AuditEventType.PATIENT_SETTINGS_CHANGED

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not PatientPolicy.objects.exists()
