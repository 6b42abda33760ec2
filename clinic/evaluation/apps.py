from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "clinic.evaluation"
    label = "evaluation"
    verbose_name = "Evaluation, screening and consent"

    def ready(self) -> None:
        from clinic.evaluation import (
            chart,  # noqa: F401  (registers the chart's "Evaluation" section)
            guards,
        )

        guards.register()

        from clinic.evaluation import documents

        documents.register()

        from clinic.evaluation import integrity

        integrity.register()

        from clinic.core.template_choices import register_template_choices
        from clinic.evaluation.choices import RuleSeverity

        # What this app's templates compare statuses and kinds against, by name.
        register_template_choices(RuleSeverity)
