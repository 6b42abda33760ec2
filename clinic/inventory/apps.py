from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "clinic.inventory"
    label = "inventory"
    verbose_name = "Controlled-substance register"

    def ready(self) -> None:
        from clinic.inventory import guards
        from clinic.inventory.chairside import ChairsideRegister
        from clinic.sessions import stock

        guards.register()
        stock.install(ChairsideRegister())
