from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "clinic.inventory"
    label = "inventory"
    verbose_name = "Controlled-substance register"

    def ready(self) -> None:
        from clinic.inventory import documents, guards
        from clinic.inventory.chairside import ChairsideRegister
        from clinic.sessions import stock

        guards.register()
        documents.register()
        stock.install(ChairsideRegister())

        from clinic.core.template_choices import register_template_choices
        from clinic.inventory.choices import DiscrepancyStatus, MovementKind

        # What this app's templates compare statuses and kinds against, by name.
        register_template_choices(DiscrepancyStatus, MovementKind)
