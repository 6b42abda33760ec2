from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "clinic.treatment"
    label = "treatment"
    verbose_name = "Treatment plans and protocols"

    def ready(self) -> None:
        from clinic.treatment import (
            chart,  # noqa: F401  (registers the chart's "Plan" section)
            guards,
        )

        guards.register()

        from clinic.evaluation.hooks import provide_treatment_routes
        from clinic.treatment.selectors import plan_routes

        provide_treatment_routes(plan_routes)

        from clinic.treatment import integrity

        integrity.register()

        from clinic.core.template_choices import register_template_choices
        from clinic.treatment.choices import GoalStatus

        # What this app's templates compare statuses and kinds against, by name.
        register_template_choices(GoalStatus)
