"""Every read of the configuration pages, for the medical director and the clinicians who read
them: what each configured row holds now, who last published it, and the draft waiting."""

from __future__ import annotations

import difflib
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import models

from clinic.audit.choices import AuditEventType
from clinic.configuration.choices import OPEN_STATUSES, ChangeStatus, TargetKind
from clinic.configuration.documents import DOCUMENTS, VersionedText, document_for
from clinic.configuration.models import ClinicPolicyAcceptance, ConfigurationChange
from clinic.configuration.permissions import can_view_configuration
from clinic.configuration.screening import condition_in_words
from clinic.configuration.targets import TARGETS, ConfigTarget, target_for
from clinic.configuration.unverified import REGISTRY, Rows, UnverifiedValue
from clinic.core.dates import show_date
from clinic.core.exceptions import NotFoundError
from clinic.core.permissions import refuse
from clinic.evaluation.choices import RuleSetStatus
from clinic.evaluation.models import ConsentSignature, ContraindicationRuleSet


@dataclass(frozen=True)
class ConfiguredRow:
    target: ConfigTarget
    row: models.Model
    key: str
    label: str
    summary: str
    last_published: ConfigurationChange | None
    # The changes waiting to be published, newest first.
    waiting: list[ConfigurationChange]


@dataclass(frozen=True)
class ValueChange:
    label: str
    old: str
    new: str


def ensure_can_view(viewer) -> None:
    if not can_view_configuration(viewer):
        refuse(
            viewer,
            action="open the clinic's configuration",
            event_type=AuditEventType.PAGE_ACCESS_DENIED,
        )


def _latest_by_target(changes) -> tuple[dict, dict]:
    published: dict[tuple[str, str], ConfigurationChange] = {}
    waiting: dict[tuple[str, str], list[ConfigurationChange]] = {}
    for change in changes:
        where = (change.target_kind, change.target_key)
        if change.status in OPEN_STATUSES:
            waiting.setdefault(where, []).append(change)
        elif change.status == ChangeStatus.PUBLISHED:
            current = published.get(where)
            if current is None or (
                change.published_at is not None
                and current.published_at is not None
                and change.published_at > current.published_at
            ):
                published[where] = change
    return published, waiting


def list_configured_rows(viewer) -> list[tuple[ConfigTarget, list[ConfiguredRow]]]:
    """Every configured row, grouped by kind, with its summary, last publication and waiting
    draft: one query per kind and one for the changes."""
    ensure_can_view(viewer)
    changes = ConfigurationChange.objects.filter(
        status__in=[*OPEN_STATUSES, ChangeStatus.PUBLISHED]
    ).select_related("created_by", "published_by")
    published, waiting = _latest_by_target(changes)
    found = []
    for target in TARGETS.values():
        rows = []
        for row in target.rows():
            key = target.key_of(row)
            rows.append(
                ConfiguredRow(
                    target=target,
                    row=row,
                    key=key,
                    label=target.row_label(row),
                    summary=target.summary(row),
                    last_published=published.get((target.kind.value, key)),
                    waiting=waiting.get((target.kind.value, key), []),
                )
            )
        found.append((target, rows))
    return found


def get_configured_row(viewer, *, kind: str, key: str) -> ConfiguredRow:
    ensure_can_view(viewer)
    target = target_for(kind)
    row = target.row_for_key(key)
    key = target.key_of(row)
    changes = ConfigurationChange.objects.filter(
        target_kind=target.kind, target_key=key
    ).select_related("created_by", "published_by")
    published, waiting = _latest_by_target(changes)
    return ConfiguredRow(
        target=target,
        row=row,
        key=key,
        label=target.row_label(row),
        summary=target.summary(row),
        last_published=published.get((target.kind.value, key)),
        waiting=waiting.get((target.kind.value, key), []),
    )


def list_changes_of(viewer, *, kind: str, key: str) -> list[ConfigurationChange]:
    """The row's change history, newest first (drafts, reviews, publications, discards)."""
    ensure_can_view(viewer)
    return list(
        ConfigurationChange.objects.filter(target_kind=kind, target_key=key).select_related(
            "created_by", "reviewed_by", "published_by", "discarded_by"
        )[:100]
    )


def get_change(viewer, public_id: Any) -> ConfigurationChange:
    """The change `public_id` names, for someone who may read the configuration."""
    ensure_can_view(viewer)
    try:
        wanted = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFoundError("There is no such configuration change.") from None
    change = (
        ConfigurationChange.objects.select_related(
            "created_by", "reviewed_by", "published_by", "discarded_by"
        )
        .filter(public_id=wanted)
        .first()
    )
    if change is None:
        raise NotFoundError("There is no such configuration change.")
    return change


def describe_changes(
    target: ConfigTarget, row: models.Model, before: dict, after: dict
) -> list[ValueChange]:
    """Each field that differs, in words: "Highest dose allowed: 0.75 mg/kg → 1 mg/kg"."""
    return [
        ValueChange(
            label=f.label,
            old=target.show_value(row, f.name, before.get(f.name)),
            new=target.show_value(row, f.name, after.get(f.name)),
        )
        for f in target.fields
        if before.get(f.name) != after.get(f.name)
    ]


def current_values_shown(
    target: ConfigTarget, row: models.Model, standings: dict[str, str] | None = None
) -> list[tuple[str, str, str, str]]:
    """(group, label, value in words, standing when no source fixes it) for every field."""
    values = target.values_of(row)
    standings = standings or {}
    return [
        (
            f.group,
            f.label,
            target.show_value(row, f.name, values[f.name]),
            standings.get(f.name, ""),
        )
        for f in target.fields
    ]


@dataclass(frozen=True)
class UnverifiedShown:
    item: UnverifiedValue
    readings: list[tuple[str, str]]
    accepted: ClinicPolicyAcceptance | None
    # The value reads as it did when accepted (a change since makes it UNVERIFIED again).
    still_accepted: bool

    @property
    def standing(self) -> str:
        """ "UNVERIFIED", or "Clinic policy, accepted by Dr X on Dec 3, 2026"."""
        if self.accepted is None:
            return "UNVERIFIED"
        who = self.accepted.accepted_by.full_name
        when = show_date(self.accepted.accepted_at)
        if not self.still_accepted:
            return f"UNVERIFIED: changed since {who} accepted it on {when}"
        return f"Clinic policy, accepted by {who} on {when}"


def _shown_values(items) -> list[UnverifiedShown]:
    latest: dict[str, ClinicPolicyAcceptance] = {}
    for acceptance in ClinicPolicyAcceptance.objects.filter(
        key__in=[item.key for item in items]
    ).select_related("accepted_by"):
        latest.setdefault(acceptance.key, acceptance)
    rows = Rows()
    shown = []
    for item in items:
        readings = item.read(rows)
        accepted = latest.get(item.key)
        shown.append(
            UnverifiedShown(
                item=item,
                readings=readings,
                accepted=accepted,
                still_accepted=accepted is not None
                and accepted.accepted_values == [list(reading) for reading in readings],
            )
        )
    return shown


def unverified_standing_of_fields(viewer, kind: TargetKind) -> dict[str, str]:
    """For the fields of one configured kind that no source fixes: field name → its standing
    ("UNVERIFIED", or "Clinic policy, accepted by Dr X on …")."""
    ensure_can_view(viewer)
    found: dict[str, str] = {}
    for shown in _shown_values([item for item in REGISTRY if item.kind == kind]):
        for covered in shown.item.covers:
            found.setdefault(covered.rsplit(".", 1)[1], shown.standing)
    return found


def list_unverified_values(viewer) -> list[tuple[str, list[UnverifiedShown]]]:
    """Every UNVERIFIED value, by area, with what it reads now and its latest acceptance."""
    ensure_can_view(viewer)
    areas: dict[str, list[UnverifiedShown]] = {}
    for shown in _shown_values(REGISTRY):
        areas.setdefault(shown.item.area, []).append(shown)
    return list(areas.items())


@dataclass(frozen=True)
class VersionedDocument:
    kind: VersionedText
    code: str
    # Newest first.
    versions: list[Any]

    @property
    def active(self) -> Any | None:
        return next((v for v in self.versions if v.status == RuleSetStatus.ACTIVE), None)

    @property
    def draft(self) -> Any | None:
        return next((v for v in self.versions if v.status == RuleSetStatus.DRAFT), None)

    @property
    def title(self) -> str:
        shown = self.active or self.versions[0]
        return str(shown.title)


def list_documents(viewer) -> list[tuple[VersionedText, list[VersionedDocument]]]:
    """Every consent document and education page, by code, with its versions (one query each)."""
    ensure_can_view(viewer)
    found = []
    for kind in DOCUMENTS.values():
        by_code: dict[str, list[Any]] = {}
        for version in kind.model.objects.select_related("published_by").order_by(
            "code", "-version"
        ):
            by_code.setdefault(version.code, []).append(version)
        found.append(
            (
                kind,
                [VersionedDocument(kind, code, versions) for code, versions in by_code.items()],
            )
        )
    return found


def get_document(viewer, *, kind: str, code: str) -> VersionedDocument:
    ensure_can_view(viewer)
    document = document_for(kind)
    versions: list[Any] = list(
        document.model.objects.filter(code=str(code)[:60])
        .select_related("published_by")
        .order_by("-version")
    )
    if not versions:
        raise NotFoundError("There is no such document.")
    return VersionedDocument(document, versions[0].code, versions)


def get_document_version(
    viewer, *, kind: str, code: str, version: int
) -> tuple[VersionedDocument, Any]:
    found = get_document(viewer, kind=kind, code=code)
    row = next((v for v in found.versions if v.version == version), None)
    if row is None:
        raise NotFoundError("There is no such document version.")
    return found, row


def paragraphs(text: str) -> list[str]:
    return [
        part.strip() for part in (text or "").replace("\r\n", "\n").split("\n\n") if part.strip()
    ]


@dataclass(frozen=True)
class TextChange:
    """One paragraph of the new text against the current one: added, removed or kept."""

    text: str
    added: bool = False
    removed: bool = False


def describe_text_changes(before: str, after: str) -> list[TextChange]:
    """The new text against the current one, paragraph by paragraph."""
    old, new = paragraphs(before), paragraphs(after)
    found: list[TextChange] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            found.extend(TextChange(text) for text in old[i1:i2])
            continue
        found.extend(TextChange(text, removed=True) for text in old[i1:i2])
        found.extend(TextChange(text, added=True) for text in new[j1:j2])
    return found


def consent_signers_of(document: Any) -> int:
    """How many patients hold a signature on this consent version (they sign the next one)."""
    return (
        ConsentSignature.objects.filter(document=document, withdrawn_at__isnull=True)
        .values("patient")
        .distinct()
        .count()
    )


@dataclass(frozen=True)
class RuleShown:
    rule: Any
    condition: str


@dataclass(frozen=True)
class RuleChange:
    label: str
    # "added", "removed" or each changed part in words ("Severity: Relative → Absolute").
    added: bool = False
    removed: bool = False
    changes: tuple[str, ...] = ()


def list_rule_set_versions(viewer) -> list[Any]:
    """Every version of the screening rules, newest first."""
    ensure_can_view(viewer)
    return list(ContraindicationRuleSet.objects.select_related("published_by").order_by("-version"))


def get_rule_set(viewer, version: int) -> tuple[Any, list[RuleShown]]:
    ensure_can_view(viewer)
    found = (
        ContraindicationRuleSet.objects.select_related("published_by")
        .filter(version=version)
        .first()
        if 0 < version < 2**31
        else None
    )
    if found is None:
        raise NotFoundError("There is no such version of the screening rules.")
    return found, _rules_shown(found)


def _rules_shown(rule_set: Any) -> list[RuleShown]:
    return [
        RuleShown(rule, condition_in_words(rule.field, rule.operator, rule.value))
        for rule in rule_set.rules.order_by("order", "id")
    ]


def active_rule_set(viewer) -> Any | None:
    ensure_can_view(viewer)
    return ContraindicationRuleSet.objects.filter(status=RuleSetStatus.ACTIVE).first()


def get_screening_rule(viewer, version: int, code: str) -> tuple[Any, Any]:
    rule_set, rules = get_rule_set(viewer, version)
    rule = next((shown.rule for shown in rules if shown.rule.code == str(code)[:60]), None)
    if rule is None:
        raise NotFoundError("This version has no such rule.")
    return rule_set, rule


def describe_rule_changes(before: Any | None, after: Any) -> list[RuleChange]:
    """The draft's rules against the active version's, rule by rule, in words."""
    old = {shown.rule.code: shown for shown in (_rules_shown(before) if before else [])}
    new = {shown.rule.code: shown for shown in _rules_shown(after)}
    found = []
    for code, shown in new.items():
        if code not in old:
            found.append(RuleChange(f"{shown.rule.label}: {shown.condition}", added=True))
            continue
        was = old[code]
        parts = []
        for name, label in (("label", "Name"), ("advice", "Advice"), ("source", "Source")):
            if getattr(was.rule, name) != getattr(shown.rule, name):
                parts.append(
                    f"{label}: “{getattr(was.rule, name)}” → “{getattr(shown.rule, name)}”"
                )
        if was.rule.severity != shown.rule.severity:
            parts.append(
                f"Severity: {was.rule.get_severity_display()} → {shown.rule.get_severity_display()}"
            )
        if was.condition != shown.condition:
            parts.append(f"When: {was.condition} → {shown.condition}")
        if parts:
            found.append(RuleChange(shown.rule.label, changes=tuple(parts)))
    found.extend(
        RuleChange(f"{shown.rule.label}: {shown.condition}", removed=True)
        for code, shown in old.items()
        if code not in new
    )
    return found
