"""The page where each table these pages manage is changed: the admin only shows those tables
(clinic.core.admin.ConfiguredThroughConfigurationPagesAdmin) and links each row here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.urls import reverse

from clinic.configuration.documents import DOCUMENTS
from clinic.configuration.targets import TARGETS, ConfigTarget
from clinic.evaluation.models import ContraindicationRule, ContraindicationRuleSet


def _row_page(target: ConfigTarget) -> Callable[[Any], str]:
    def page(row: Any) -> str:
        if row is None:
            return reverse("configuration:home")
        return reverse("configuration:row", kwargs={"kind": target.kind, "key": target.key_of(row)})

    return page


def _document_page(kind: str) -> Callable[[Any], str]:
    def page(version: Any) -> str:
        if version is None:
            return reverse("configuration:documents")
        return reverse("configuration:document_version", args=[kind, version.code, version.version])

    return page


def _screening_page(rule_set: Any) -> str:
    if rule_set is None:
        return reverse("configuration:screening")
    return reverse("configuration:screening_version", args=[rule_set.version])


def configuration_pages() -> dict[type[models.Model], Callable[[Any], str]]:
    """Every table changed only through these pages → the page of one of its rows (or None)."""
    pages: dict[type[models.Model], Callable[[Any], str]] = {
        target.model: _row_page(target) for target in TARGETS.values()
    }
    pages.update({text.model: _document_page(text.kind) for text in DOCUMENTS.values()})
    pages[ContraindicationRuleSet] = _screening_page
    pages[ContraindicationRule] = lambda rule: _screening_page(rule and rule.rule_set)
    return pages
