from django.contrib import admin

from clinic.core.admin import ConfiguredThroughConfigurationPagesAdmin
from clinic.core.admin_site import clinic_admin_site
from clinic.reviews.models import ReviewPolicy


@admin.register(ReviewPolicy, site=clinic_admin_site)
class ReviewPolicyAdmin(ConfiguredThroughConfigurationPagesAdmin):
    """The review intervals (clinic policy, UNVERIFIED), shown here."""

    list_display = [
        "__str__",
        "review_after_induction_days",
        "maintenance_review_interval_weeks",
        "review_after_urgent_alert_days",
    ]
