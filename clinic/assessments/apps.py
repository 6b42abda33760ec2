from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "clinic.assessments"
    label = "assessments"
    verbose_name = "Assessments and safety"

    def ready(self) -> None:
        from clinic.assessments import chart  # noqa: F401  (registers the chart's "Assessments" section)
