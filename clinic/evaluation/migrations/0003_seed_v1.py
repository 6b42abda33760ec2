"""Seed version 1 of the screening rules, medication interactions and consent documents, all
published, so that a new clinic can evaluate and consent from the first day. The data lives in
frozen modules clinic.evaluation.seeds.screening_rules_v1 and consent_documents_v1; later
versions are made by the medical director."""

from django.db import migrations
from django.utils import timezone

from clinic.evaluation.seeds.consent_documents_v1 import CONSENT_DOCUMENTS_V1
from clinic.evaluation.seeds.screening_rules_v1 import INTERACTIONS_V1, RULES_V1


def seed(apps, schema_editor):
    RuleSet = apps.get_model("evaluation", "ContraindicationRuleSet")
    Rule = apps.get_model("evaluation", "ContraindicationRule")
    Interaction = apps.get_model("evaluation", "MedicationInteraction")
    Consent = apps.get_model("evaluation", "ConsentDocument")
    now = timezone.now()
    if not RuleSet.objects.exists():
        # Written as a draft, then published: a published rule set takes no new rules (the
        # triggers of clinic.evaluation.guards refuse them).
        rule_set = RuleSet.objects.create(version=1, status="draft", notes="Seeded from the published sources.")
        for order, (code, label, severity, field, operator, value, advice, source) in enumerate(RULES_V1):
            Rule.objects.create(
                rule_set=rule_set, code=code, label=label, severity=severity, field=field, operator=operator,
                value=value, advice=advice, source=source, order=order,
            )
        RuleSet.objects.filter(pk=rule_set.pk).update(status="active", published_at=now)
    for name, terms, kind, effect, source in INTERACTIONS_V1:
        Interaction.objects.get_or_create(name=name, defaults={"match_terms": terms, "kind": kind, "effect": effect, "source": source})
    for document in CONSENT_DOCUMENTS_V1:
        Consent.objects.get_or_create(
            code=document["code"], version=1,
            defaults={"title": document["title"], "routes": document["routes"], "body": document["body"], "status": "active", "published_at": now},
        )


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
