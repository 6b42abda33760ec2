from django.contrib import admin

from clinic.audit.choices import AuditEventType
from clinic.core.admin import AuditedConfigurationAdmin
from clinic.core.admin_site import clinic_admin_site
from clinic.reviews.models import ReviewPolicy


@admin.register(ReviewPolicy, site=clinic_admin_site)
class ReviewPolicyAdmin(AuditedConfigurationAdmin):
    """The medical director's review intervals (clinic policy, UNVERIFIED)."""

    list_display = [
        "__str__",
        "review_after_induction_days",
        "maintenance_review_interval_weeks",
        "review_after_urgent_alert_days",
    ]
    audit_event = AuditEventType.REVIEW_SETTINGS_CHANGED

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ReviewPolicy.objects.exists()
