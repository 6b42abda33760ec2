"""The register's configuration, edited by the medical director in the admin: DEA
registrations, safes and products (its settings are changed on the Configuration pages). The ledger itself is never edited here (nor anywhere)."""

from django.contrib import admin

from clinic.audit.choices import AuditEventType
from clinic.core.admin import (
    AuditedConfigurationAdmin,
    ConfiguredThroughConfigurationPagesAdmin,
)
from clinic.core.admin_site import clinic_admin_site
from clinic.inventory.models import InventoryPolicy, Product, Registration, Safe


class InventoryConfigurationAdmin(AuditedConfigurationAdmin):
    audit_event = AuditEventType.INVENTORY_SETTINGS_CHANGED


@admin.register(InventoryPolicy, site=clinic_admin_site)
class InventoryPolicyAdmin(ConfiguredThroughConfigurationPagesAdmin):
    list_display = ["__str__", "expiry_warning_days", "waste_witness_required"]


@admin.register(Registration, site=clinic_admin_site)
class RegistrationAdmin(InventoryConfigurationAdmin):
    list_display = ["location", "registrant_name", "dea_number", "expires_on"]


@admin.register(Safe, site=clinic_admin_site)
class SafeAdmin(InventoryConfigurationAdmin):
    list_display = ["name", "location", "is_active"]
    list_filter = ["location", "is_active"]


@admin.register(Product, site=clinic_admin_site)
class ProductAdmin(InventoryConfigurationAdmin):
    list_display = ["name", "ndc", "form", "strength_label", "package_label", "is_active"]
    list_filter = ["form", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        # A product's strength and package are what past entries' milligrams were worked out
        # from: once stock has been received, they stay as they were (a new NDC is a new product).
        if obj is not None and obj.lots.exists():
            return [
                "ndc",
                "form",
                "concentration_mg_per_ml",
                "container_volume_ml",
                "device_strength_mg",
                "devices_per_container",
            ]
        return []
