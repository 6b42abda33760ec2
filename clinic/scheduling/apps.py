from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "clinic.scheduling"
    label = "scheduling"
    verbose_name = "Scheduling"

    def ready(self) -> None:
        from clinic.scheduling import chart  # noqa: F401  (registers the chart's "Appointments" section)
