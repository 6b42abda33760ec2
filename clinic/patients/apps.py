from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "clinic.patients"
    label = "patients"
    verbose_name = "Patients"

    def ready(self) -> None:
        from clinic.core.template_choices import register_template_choices
        from clinic.patients.choices import Sex

        # What this app's templates compare statuses and kinds against, by name.
        register_template_choices(Sex)
