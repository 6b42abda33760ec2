from django import forms
from django.contrib import admin, messages

from clinic.audit.choices import AuditEventType
from clinic.core.admin import DirectorModelAdmin
from clinic.core.admin_site import clinic_admin_site
from clinic.core.exceptions import ClinicError
from clinic.core.services import save_configuration
from clinic.evaluation import services
from clinic.evaluation.choices import RuleSetStatus
from clinic.evaluation.models import (
    ConsentDocument,
    ContraindicationRule,
    ContraindicationRuleSet,
    MedicationInteraction,
)
from clinic.evaluation.rules import SCREENABLE_FIELDS, validate_rule


class ContraindicationRuleForm(forms.ModelForm):
    field = forms.ChoiceField(choices=list(SCREENABLE_FIELDS.items()))

    class Meta:
        model = ContraindicationRule
        fields = [
            "order",
            "code",
            "label",
            "severity",
            "field",
            "operator",
            "value",
            "advice",
            "source",
        ]

    def clean(self):
        cleaned = super().clean()
        try:
            validate_rule(
                cleaned.get("field", ""), cleaned.get("operator", ""), cleaned.get("value")
            )
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
        return cleaned


class RuleInline(admin.StackedInline):
    model = ContraindicationRule
    form = ContraindicationRuleForm
    extra = 0

    def _editable(self, obj) -> bool:
        return obj is None or obj.status == RuleSetStatus.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._editable(obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj)

    def has_view_permission(self, request, obj=None):
        return True


@admin.register(ContraindicationRuleSet, site=clinic_admin_site)
class RuleSetAdmin(DirectorModelAdmin):
    """Rules are edited in a draft version; publishing it retires the active one. Published
    versions are read-only so that every signed decision keeps the rules it was screened with."""

    list_display = ["version", "status", "published_at", "published_by"]
    inlines = [RuleInline]
    actions = ["publish", "copy_to_new_draft"]
    readonly_fields = ["status", "published_at", "published_by"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or obj.status == RuleSetStatus.DRAFT
        )

    def save_model(self, request, obj, form, change):
        save_configuration(
            actor=request.user,
            record=obj,
            changed_fields=form.changed_data,
            event=AuditEventType.PROTOCOL_CHANGED,
        )

    @admin.action(description="Publish the selected draft (it becomes the active rule set)")
    def publish(self, request, queryset):
        for rule_set in queryset:
            try:
                services.publish_rule_set(actor=request.user, rule_set=rule_set)
            except ClinicError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, f"Rules v{rule_set.version} are now active.")

    @admin.action(description="Copy to a new draft version")
    def copy_to_new_draft(self, request, queryset):
        for rule_set in queryset:
            latest = ContraindicationRuleSet.objects.order_by("-version").first()
            draft = ContraindicationRuleSet(
                version=latest.version + 1, notes=f"Copied from v{rule_set.version}."
            )
            save_configuration(
                actor=request.user,
                record=draft,
                changed_fields=["version"],
                event=AuditEventType.PROTOCOL_CHANGED,
            )
            for rule in rule_set.rules.all():
                rule.pk = None
                rule.rule_set = draft
                rule.save()
            self.message_user(request, f"Draft v{draft.version} created; edit it, then publish it.")


@admin.register(MedicationInteraction, site=clinic_admin_site)
class MedicationInteractionAdmin(DirectorModelAdmin):
    list_display = ["name", "kind", "is_active"]

    def save_model(self, request, obj, form, change):
        save_configuration(
            actor=request.user,
            record=obj,
            changed_fields=form.changed_data,
            event=AuditEventType.PROTOCOL_CHANGED,
        )


@admin.register(ConsentDocument, site=clinic_admin_site)
class ConsentDocumentAdmin(DirectorModelAdmin):
    """Write a new version as a draft, then publish it: patients are asked to sign it again."""

    list_display = ["title", "code", "version", "status", "published_at"]
    list_filter = ["status", "code"]
    actions = ["publish"]
    readonly_fields = ["status", "published_at", "published_by"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or obj.status == RuleSetStatus.DRAFT
        )

    def save_model(self, request, obj, form, change):
        save_configuration(
            actor=request.user,
            record=obj,
            changed_fields=form.changed_data,
            event=AuditEventType.CONSENT_DOCUMENT_PUBLISHED,
        )

    @admin.action(description="Publish the selected draft (patients must sign it again)")
    def publish(self, request, queryset):
        for document in queryset:
            try:
                services.publish_consent_document(actor=request.user, document=document)
            except ClinicError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(
                    request, f"{document.title} v{document.version} is now the current version."
                )
