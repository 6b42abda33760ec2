from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "clinic.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring"
