from django.apps import AppConfig


class ConfigurationConfig(AppConfig):
    name = "clinic.configuration"
    label = "configuration"
    verbose_name = "The medical director's configuration"

    def ready(self) -> None:
        from clinic.configuration.choices import ChangeStatus
        from clinic.core.template_choices import register_template_choices

        # What this app's templates compare statuses against, by name.
        register_template_choices(ChangeStatus)
