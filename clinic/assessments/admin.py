from django import forms
from django.contrib import admin

from clinic.assessments.instruments import INSTRUMENTS
from clinic.assessments.models import AssessmentPolicy, InstrumentAssignment
from clinic.assessments.policy import check_assignment
from clinic.assessments.services import save_instrument_assignment
from clinic.audit.choices import AuditEventType
from clinic.core.admin import AuditedConfigurationAdmin
from clinic.core.admin_site import clinic_admin_site
from clinic.core.exceptions import ClinicError


class AuditedSettingsAdmin(AuditedConfigurationAdmin):
    audit_event = AuditEventType.ASSESSMENT_SETTINGS_CHANGED


@admin.register(AssessmentPolicy, site=clinic_admin_site)
class AssessmentPolicyAdmin(AuditedSettingsAdmin):
    list_display = [
        "__str__",
        "active_interval_days",
        "maintenance_interval_days",
        "link_valid_days",
        "pcl5_cutoff",
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not AssessmentPolicy.objects.exists()


class InstrumentAssignmentForm(forms.ModelForm):
    instrument_codes = forms.MultipleChoiceField(
        choices=[(code, f"{i.short_name} — {i.purpose}") for code, i in INSTRUMENTS.items()],
        widget=forms.CheckboxSelectMultiple,
        label="Instruments",
    )

    class Meta:
        model = InstrumentAssignment
        fields = ["condition", "instrument_codes", "suicide_screen_omitted_reason"]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        try:
            check_assignment(
                list(cleaned.get("instrument_codes") or []),
                cleaned.get("suicide_screen_omitted_reason") or "",
            )
        except ClinicError as error:
            self.add_error(error.field or None, error.message)
        return cleaned


@admin.register(InstrumentAssignment, site=clinic_admin_site)
class InstrumentAssignmentAdmin(AuditedSettingsAdmin):
    form = InstrumentAssignmentForm
    list_display = ["condition", "instrument_codes", "suicide_screen_omitted_reason"]

    def save_model(self, request, obj, form, change):
        save_instrument_assignment(
            actor=request.user, assignment=obj, changed_fields=form.changed_data
        )
