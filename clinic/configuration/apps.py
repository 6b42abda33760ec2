from django.apps import AppConfig


class ConfigurationConfig(AppConfig):
    name = "clinic.configuration"
    label = "configuration"
    verbose_name = "The medical director's configuration"

    def ready(self) -> None:
        from clinic.configuration.choices import ChangeStatus
        from clinic.configuration.pages import configuration_pages
        from clinic.core.admin import register_configuration_page
        from clinic.core.template_choices import register_template_choices

        # What this app's templates compare statuses against, by name.
        register_template_choices(ChangeStatus)
        # The admin shows these tables only, and links each row to its page here.
        for model, page in configuration_pages().items():
            register_configuration_page(model, page)
