from django.apps import AppConfig


class SessionsConfig(AppConfig):
    name = "clinic.sessions"
    # "sessions" is Django's own session framework.
    label = "treatment_sessions"
    verbose_name = "Treatment sessions"

    def ready(self) -> None:
        from clinic.sessions import (
            chart,  # noqa: F401  (registers the chart section)
            guards,
        )

        guards.register()

        from clinic.sessions import documents, dose_history, integrity

        documents.register()

        integrity.register()
        dose_history.register()

        from clinic.core.template_choices import register_template_choices
        from clinic.sessions.choices import SessionStatus

        # What this app's templates compare statuses and kinds against, by name.
        register_template_choices(SessionStatus)
