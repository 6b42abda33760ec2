from django.contrib import admin

from clinic.core.admin import ConfiguredThroughConfigurationPagesAdmin
from clinic.core.admin_site import clinic_admin_site
from clinic.patients.models import PatientPolicy


@admin.register(PatientPolicy, site=clinic_admin_site)
class PatientPolicyAdmin(ConfiguredThroughConfigurationPagesAdmin):
    """The minimum age and what guardians see (clinic policy, UNVERIFIED), shown here."""

    list_display = ["__str__", "minimum_age_years", "guardians_see_questionnaire_answers"]
