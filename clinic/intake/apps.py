from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "clinic.intake"
    label = "intake"
    verbose_name = "Consultation requests"

    def ready(self) -> None:
        from clinic.core.template_choices import register_template_choices
        from clinic.intake import chart  # noqa: F401  (registers the chart's "Consultation" section)
        from clinic.intake.choices import ConsultationStatus

        # What this app's templates compare statuses and kinds against, by name.
        register_template_choices(ConsultationStatus)
