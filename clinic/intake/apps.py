from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "clinic.intake"
    label = "intake"
    verbose_name = "Consultation requests"

    def ready(self) -> None:
        from clinic.intake import chart  # noqa: F401  (registers the chart's "Consultation" section)
