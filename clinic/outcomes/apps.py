from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "clinic.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes and retention"

    def ready(self) -> None:
        from clinic.outcomes.courses import course_changed, session_changed
        from clinic.patients.hooks import on_course_changed, on_session_changed

        on_course_changed(course_changed)
        on_session_changed(session_changed)
