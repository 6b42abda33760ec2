from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages

from clinic.audit.choices import AuditEventType
from clinic.core.admin import AuditedConfigurationAdmin
from clinic.core.admin_site import clinic_admin_site
from clinic.core.exceptions import ClinicError
from clinic.core.services import save_configuration
from clinic.evaluation import services
from clinic.evaluation.choices import RuleSetStatus
from clinic.evaluation.models import (
    ConsentDocument,
    ContraindicationRule,
    ContraindicationRuleSet,
    EducationPage,
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
        super().clean()
        cleaned = self.cleaned_data
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


class VersionedDraftAdmin(AuditedConfigurationAdmin):
    """Versions are written as drafts and published; published versions are read-only, so every
    signed record keeps the version it used."""

    readonly_fields = ["status", "published_at", "published_by"]
    actions = ["publish"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or obj.status == RuleSetStatus.DRAFT
        )

    # The service that publishes one draft: (actor, obj) -> obj. Set by each subclass.
    publish_one: Callable[[Any, Any], Any]

    @admin.action(description="Publish the selected draft (it becomes the current version)")
    def publish(self, request, queryset):
        for obj in queryset:
            try:
                self.publish_one(request.user, obj)
            except ClinicError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, f"{obj} is now the current version.")


@admin.register(ContraindicationRuleSet, site=clinic_admin_site)
class RuleSetAdmin(VersionedDraftAdmin):
    list_display = ["version", "status", "published_at", "published_by"]
    inlines = [RuleInline]
    actions = ["publish", "copy_to_new_draft"]
    audit_event = AuditEventType.PROTOCOL_CHANGED

    publish_one = staticmethod(
        lambda actor, obj: services.publish_rule_set(actor=actor, rule_set=obj)
    )

    @admin.action(description="Copy to a new draft version")
    def copy_to_new_draft(self, request, queryset):
        for rule_set in queryset:
            latest = ContraindicationRuleSet.objects.order_by("-version").first()
            draft = ContraindicationRuleSet(
                version=(latest.version if latest else 0) + 1,
                notes=f"Copied from v{rule_set.version}.",
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
class MedicationInteractionAdmin(AuditedConfigurationAdmin):
    list_display = ["name", "kind", "is_active"]
    audit_event = AuditEventType.PROTOCOL_CHANGED


@admin.register(ConsentDocument, site=clinic_admin_site)
class ConsentDocumentAdmin(VersionedDraftAdmin):
    """Write a new version as a draft, then publish it: patients are asked to sign it again."""

    list_display = ["title", "code", "version", "status", "published_at"]
    list_filter = ["status", "code"]
    audit_event = AuditEventType.CONSENT_DOCUMENT_PUBLISHED

    publish_one = staticmethod(
        lambda actor, obj: services.publish_consent_document(actor=actor, document=obj)
    )


@admin.register(EducationPage, site=clinic_admin_site)
class EducationPageAdmin(VersionedDraftAdmin):
    """The patient education library: write a new version of a page as a draft, then publish it
    (the published version stays as it was, with every patient's opening of it)."""

    list_display = ["title", "code", "phase", "routes", "version", "status", "published_at"]
    list_filter = ["status", "phase"]
    actions = ["publish", "copy_to_new_draft"]
    audit_event = AuditEventType.EDUCATION_PAGE_PUBLISHED

    publish_one = staticmethod(
        lambda actor, obj: services.publish_education_page(actor=actor, page=obj)
    )

    @admin.action(description="Copy to a new draft version")
    def copy_to_new_draft(self, request, queryset):
        for page in queryset:
            latest = EducationPage.objects.filter(code=page.code).order_by("-version").first()
            draft = EducationPage(
                code=page.code,
                version=(latest.version if latest is not None else 0) + 1,
                title=page.title,
                phase=page.phase,
                routes=page.routes,
                body=page.body,
            )
            save_configuration(
                actor=request.user,
                record=draft,
                changed_fields=["code", "version", "title", "phase", "routes", "body"],
                event=AuditEventType.EDUCATION_PAGE_PUBLISHED,
            )
            self.message_user(request, f"Draft v{draft.version} created; edit it, then publish it.")
