from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "clinic.reviews"
    label = "reviews"
    verbose_name = "Follow-up reviews"

    def ready(self) -> None:
        from clinic.reviews import (
            chart,  # noqa: F401  (registers the chart's "Reviews" section and relapse banner)
            guards,
            integrity,
            scheduling,
        )

        guards.register()
        integrity.register()
        scheduling.register()
