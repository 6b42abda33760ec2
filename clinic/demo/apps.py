from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo clinic for development installations. Sits above every other app; nothing imports it."""

    name = "clinic.demo"
    label = "demo"
    verbose_name = "Demo data"
