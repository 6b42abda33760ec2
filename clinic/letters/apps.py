from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "clinic.letters"
    label = "letters"
    verbose_name = "Progress letters"

    def ready(self) -> None:
        from clinic.letters import (
            chart,  # noqa: F401  (registers the chart's "Letters" section)
            documents,
            guards,
        )

        documents.register()
        guards.register()
