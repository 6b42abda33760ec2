from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The staff start page: it summarises every app, so it sits above them all."""

    name = "clinic.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"
