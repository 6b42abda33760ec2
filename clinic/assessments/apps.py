from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "clinic.assessments"
    label = "assessments"
    verbose_name = "Assessments and safety"

    def ready(self) -> None:
        from clinic.assessments import chart  # noqa: F401  (registers the chart's "Assessments" section)
        from clinic.assessments.summaries import refresh_patient_requirements
        from clinic.patients.hooks import on_care_changed

        # A patient's status or conditions changed: which questionnaires fall due follows.
        on_care_changed(refresh_patient_requirements)
        _register_audit_labels()

        from clinic.assessments.choices import (
            AlertStatus,
            RemissionStatus,
            Respondent,
            ResponseStatus,
            SideEffectCheckAnswer,
        )
        from clinic.core.template_choices import register_template_choices

        # What this app's templates compare statuses and kinds against, by name.
        register_template_choices(
            RemissionStatus,
            Respondent,
            ResponseStatus,
            SideEffectCheckAnswer,
            # The sessions app has its own AlertStatus (vital-sign alerts).
            SafetyAlertStatus=AlertStatus,
        )


def _register_audit_labels() -> None:
    """The audit log shows this app's codes in its details ({"item": "phq9_2"},
    {"flags": ["self_harm_risk"]}, {"symptoms": [...]}) as staff read them."""
    from clinic.assessments.choices import FLAG_LABELS
    from clinic.assessments.instruments import all_instruments
    from clinic.assessments.side_effects import SYMPTOMS
    from clinic.audit.labels import register_code_labels

    register_code_labels(FLAG_LABELS)
    register_code_labels({symptom.code: symptom.label for symptom in SYMPTOMS})
    for instrument in all_instruments():
        register_code_labels({instrument.code: instrument.short_name})
        register_code_labels(
            {
                item.link_id: f"{instrument.short_name} item {item.number}"
                for item in instrument.items
            }
        )
