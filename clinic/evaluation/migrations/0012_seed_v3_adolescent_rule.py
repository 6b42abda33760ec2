"""Publish version 3 of the screening rules: the active version's rules plus the rule on an
adolescent patient and the cognitive screen of an older adult (clinic.evaluation.seeds.screening_rules_v3). A published rule set takes no new rules (the triggers of
clinic.evaluation.guards refuse them), so the new version is written as a draft, filled, and
then published: the old version retires first (only one may be active)."""

from django.db import migrations
from django.utils import timezone

from clinic.evaluation.seeds.screening_rules_v3 import RULES_V3_ADDED

NEW_CODE = "adolescent-patient"


def seed(apps, schema_editor):
    RuleSet = apps.get_model("evaluation", "ContraindicationRuleSet")
    Rule = apps.get_model("evaluation", "ContraindicationRule")
    if Rule.objects.filter(code=NEW_CODE).exists():
        return
    active = RuleSet.objects.filter(status="active").first()
    if active is None:
        return
    latest = RuleSet.objects.order_by("-version").first()
    draft = RuleSet.objects.create(
        version=latest.version + 1,
        status="draft",
        notes=f"Version {active.version} plus rules on an adolescent and an older adult.",
    )
    fields = ("code", "label", "severity", "field", "operator", "value", "advice", "source", "order")
    copied = list(Rule.objects.filter(rule_set=active).order_by("order", "id"))
    for rule in copied:
        Rule.objects.create(rule_set=draft, **{name: getattr(rule, name) for name in fields})
    next_order = max((rule.order for rule in copied), default=-1) + 1
    for offset, (code, label, severity, field, operator, value, advice, source) in enumerate(
        RULES_V3_ADDED
    ):
        Rule.objects.create(
            rule_set=draft, code=code, label=label, severity=severity, field=field,
            operator=operator, value=value, advice=advice, source=source, order=next_order + offset,
        )
    RuleSet.objects.filter(pk=active.pk).update(status="retired")
    RuleSet.objects.filter(pk=draft.pk).update(status="active", published_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0011_rule_operator_less_than")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
