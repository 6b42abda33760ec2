from django.contrib import admin

from clinic.audit.choices import AuditEventType
from clinic.core.admin import (
    AuditedConfigurationAdmin,
    ConfiguredThroughConfigurationPagesAdmin,
    ConfiguredThroughConfigurationPagesInline,
)
from clinic.core.admin_site import clinic_admin_site
from clinic.evaluation.models import (
    ConsentDocument,
    ContraindicationRule,
    ContraindicationRuleSet,
    EducationPage,
    MedicationInteraction,
)


class RuleInline(ConfiguredThroughConfigurationPagesInline):
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


@admin.register(ContraindicationRuleSet, site=clinic_admin_site)
class RuleSetAdmin(ConfiguredThroughConfigurationPagesAdmin):
    """The versions of the screening rules, shown here; a new version is drafted and published
    on the Configuration pages, and every signed decision keeps the version it used."""

    list_display = ["version", "status", "published_at", "published_by"]
    inlines = [RuleInline]


@admin.register(MedicationInteraction, site=clinic_admin_site)
class MedicationInteractionAdmin(AuditedConfigurationAdmin):
    list_display = ["name", "kind", "is_active"]
    audit_event = AuditEventType.PROTOCOL_CHANGED


@admin.register(ConsentDocument, site=clinic_admin_site)
class ConsentDocumentAdmin(ConfiguredThroughConfigurationPagesAdmin):
    """The consent documents' versions, shown here; a new version is written and published on
    the Configuration pages (patients are then asked to sign it again)."""

    list_display = ["title", "code", "version", "status", "published_at"]
    list_filter = ["status", "code"]


@admin.register(EducationPage, site=clinic_admin_site)
class EducationPageAdmin(ConfiguredThroughConfigurationPagesAdmin):
    """The patient education library's versions, shown here; a new version is written and
    published on the Configuration pages (each published version stays as it was, with every
    patient's opening of it)."""

    list_display = ["title", "code", "phase", "routes", "version", "status", "published_at"]
    list_filter = ["status", "phase"]
