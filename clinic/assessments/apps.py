from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "clinic.assessments"
    label = "assessments"
    verbose_name = "Assessments and safety"

    def ready(self) -> None:
        from clinic.assessments import chart  # noqa: F401  (registers the chart's "Assessments" section)
        from clinic.assessments.summaries import refresh_patient_requirements
        from clinic.patients.hooks import on_care_changed

        # A patient's status or conditions changed: which questionnaires fall due follows.
        on_care_changed(refresh_patient_requirements)
