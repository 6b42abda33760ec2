"""Every write of the configuration app: a medical director drafts new values for a protocol, a
route's monitoring limits or a policy; the draft is reviewed (by a second medical director, or in
a clinic with one by its author with an attestation); publishing applies it to the live row.

Two people checking a change before it reaches patients is clinic policy [UNVERIFIED: clinic
policy; the four-eyes check mirrors the two-person dose check the sessions already make]."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from clinic.accounts.choices import Role
from clinic.accounts.models import User
from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.configuration.choices import OPEN_STATUSES, ChangeStatus
from clinic.configuration.documents import document_for
from clinic.configuration.exceptions import (
    ConfigurationInvalidError,
    StaleChangeError,
)
from clinic.configuration.locks import (
    lock_configuration_change,
    lock_configured_row,
    lock_document_version,
)
from clinic.configuration.models import ClinicPolicyAcceptance, ConfigurationChange
from clinic.configuration.permissions import ensure_can_change_configuration
from clinic.configuration.screening import value_from_text
from clinic.configuration.targets import ConfigTarget, target_for
from clinic.configuration.unverified import BY_KEY, Rows
from clinic.core.dates import show_date
from clinic.core.exceptions import InvalidTransitionError, NotFoundError
from clinic.evaluation import services as evaluation_services
from clinic.evaluation.choices import RuleSetStatus
from clinic.evaluation.locks import lock_version
from clinic.evaluation.models import ContraindicationRule, ContraindicationRuleSet
from clinic.evaluation.rules import validate_rule

MAX_REASON = 500


def active_medical_directors() -> int:
    return User.objects.filter(role=Role.MEDICAL_DIRECTOR, is_active=True).count()


def self_review_allowed() -> bool:
    """The author may review their own draft only where the clinic has one medical director."""
    return active_medical_directors() < 2


def _checked_values(target: ConfigTarget, row: Any, values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` as the row would hold them, checked by the table's own rules (field validators,
    clean(), constraints): the clinical hard limits the live row enforces."""
    unknown = set(values) - {f.name for f in target.fields}
    if unknown:
        raise ConfigurationInvalidError(
            f"{target.label} has no setting called {', '.join(sorted(unknown))}."
        )
    try:
        candidate = target.would_be_row(row, values)
    except ValidationError as error:
        name = next(iter(error.message_dict)) if hasattr(error, "error_dict") else None
        raise ConfigurationInvalidError(" ".join(error.messages), field=name) from error
    errors = target.validation_errors(row, values)
    if errors:
        name, messages = next(iter(errors.items()))
        label = target.field(name).label if name in values else ""
        message = " ".join(str(m) for m in messages)
        raise ConfigurationInvalidError(
            f"{label}: {message}" if label else message,
            field=name if name in values else None,
            errors=errors,
        )
    return target.values_of(candidate)


def _clean_reason(reason: str) -> str:
    return (reason or "").strip()[:MAX_REASON]


def save_draft(
    *, actor, kind: str, key: str, values: Mapping[str, Any], reason: str = ""
) -> ConfigurationChange:
    """Save new values for one configured row as a draft: nothing live changes."""
    ensure_can_change_configuration(
        actor,
        action="draft configuration changes",
        event_type=AuditEventType.CONFIGURATION_DRAFT_SAVED,
    )
    target = target_for(kind)
    row = target.row_for_key(key)
    current = target.values_of(row)
    proposed = _checked_values(target, row, values)
    if proposed == current:
        raise ConfigurationInvalidError(
            "These are the values already published: change at least one before saving a draft."
        )
    key = target.key_of(row)
    with transaction.atomic(durable=True):
        change = ConfigurationChange.objects.create(
            target_kind=target.kind,
            target_key=key,
            target_label=target.row_label(row)[:200],
            proposed_values=proposed,
            based_on_values=current,
            reason=_clean_reason(reason),
            created_by=actor,
        )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.CONFIGURATION_DRAFT_SAVED,
            target=change,
            details={
                "kind": target.kind.value,
                "key": key,
                "fields": changed_fields(change),
            },
        )
    return change


def update_draft(
    *, actor, change: ConfigurationChange, values: Mapping[str, Any], reason: str = ""
) -> ConfigurationChange:
    """Change a draft's proposed values (only its author, only while it is a draft)."""
    ensure_can_change_configuration(
        actor,
        action="draft configuration changes",
        event_type=AuditEventType.CONFIGURATION_DRAFT_SAVED,
    )
    target = target_for(change.target_kind)
    row = target.row_for_key(change.target_key)
    proposed = _checked_values(target, row, values)
    with transaction.atomic(durable=True):
        change = lock_configuration_change(change.pk)
        if change.status != ChangeStatus.DRAFT:
            raise InvalidTransitionError(
                f"This change is {change.get_status_display().lower()}: it can no longer be edited."
            )
        if change.created_by_id != actor.pk:
            raise InvalidTransitionError(
                f"Only {change.created_by.full_name}, who drafted it, can edit this draft."
            )
        change.proposed_values = proposed
        change.reason = _clean_reason(reason)
        change.save(update_fields=["proposed_values", "reason", "updated_at"])
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.CONFIGURATION_DRAFT_SAVED,
            target=change,
            details={
                "kind": change.target_kind,
                "key": change.target_key,
                "edited": True,
                "fields": changed_fields(change),
            },
        )
    return change


def changed_fields(change: ConfigurationChange) -> list[str]:
    return [
        name
        for name, value in change.proposed_values.items()
        if change.based_on_values.get(name) != value
    ]


def _refuse_if_stale(target: ConfigTarget, row: Any, change: ConfigurationChange) -> None:
    """A draft made against values that have changed since would undo that change unseen."""
    if target.values_of(row) == change.based_on_values:
        return
    last = (
        ConfigurationChange.objects.filter(
            target_kind=change.target_kind,
            target_key=change.target_key,
            status=ChangeStatus.PUBLISHED,
            published_at__gt=change.created_at,
        )
        .select_related("published_by")
        .order_by("-published_at")
        .first()
    )
    noun = f"These {target.values_noun}"
    if last is not None and last.published_by is not None and last.published_at is not None:
        raise StaleChangeError(
            f"{noun} were changed by {last.published_by.full_name} on "
            f"{show_date(last.published_at)}; start a new draft."
        )
    when = getattr(row, "updated_at", None)
    raise StaleChangeError(
        f"{noun} were changed{f' on {show_date(when)}' if when else ''} after this draft was "
        "made; start a new draft."
    )


def review_change(
    *, actor, change: ConfigurationChange, attested: bool = False
) -> ConfigurationChange:
    """Mark a draft as checked: by a second medical director, or (one director) by its author
    after attesting that the values were checked against their sources."""
    ensure_can_change_configuration(
        actor,
        action="review configuration changes",
        event_type=AuditEventType.CONFIGURATION_REVIEWED,
    )
    target = target_for(change.target_kind)
    with transaction.atomic(durable=True):
        row = lock_configured_row(target, change.target_key)
        change = lock_configuration_change(change.pk)
        if change.status != ChangeStatus.DRAFT:
            raise InvalidTransitionError(
                f"This change is {change.get_status_display().lower()}: only a draft is reviewed."
            )
        own = change.created_by_id == actor.pk
        if own and not self_review_allowed():
            raise InvalidTransitionError(
                "The clinic has a second medical director: they review this draft, not its author."
            )
        if own and not attested:
            raise ConfigurationInvalidError(
                "Tick “I have checked these values against their sources” to review your own "
                "draft.",
                field="attested",
            )
        _refuse_if_stale(target, row, change)
        change.status = ChangeStatus.REVIEWED
        change.reviewed_by = actor
        change.reviewed_at = timezone.now()
        change.self_review_attested = own
        change.save(
            update_fields=[
                "status",
                "reviewed_by",
                "reviewed_at",
                "self_review_attested",
                "updated_at",
            ]
        )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.CONFIGURATION_REVIEWED,
            target=change,
            details={
                "kind": change.target_kind,
                "key": change.target_key,
                "self_review_attested": own,
            },
        )
    return change


def publish_change(*, actor, change: ConfigurationChange) -> ConfigurationChange:
    """Apply a reviewed change to the live row, in one transaction with its audit entry.

    A protocol is edited in place: a treatment plan version copies the dose, the infusion time
    and the schedule it was signed with, so signed plans keep their values; the limits they are
    checked against from now on are the published ones. A condition's questionnaire set is saved
    by the assessments service (its own audit entry, and the questionnaires due recomputed)."""
    ensure_can_change_configuration(
        actor,
        action="publish configuration changes",
        event_type=AuditEventType.CONFIGURATION_PUBLISHED,
    )
    target = target_for(change.target_kind)
    with transaction.atomic(durable=True):
        row = lock_configured_row(target, change.target_key)
        change = lock_configuration_change(change.pk)
        if change.status != ChangeStatus.REVIEWED:
            raise InvalidTransitionError(
                "Only a reviewed change is published: review this draft first."
                if change.status == ChangeStatus.DRAFT
                else f"This change is {change.get_status_display().lower()} already."
            )
        _refuse_if_stale(target, row, change)
        before = target.values_of(row)
        _checked_values(target, row, change.proposed_values)
        live = target.publish(actor=actor, row=row, values=change.proposed_values)
        change.status = ChangeStatus.PUBLISHED
        change.published_by = actor
        change.published_at = timezone.now()
        change.save(update_fields=["status", "published_by", "published_at", "updated_at"])
        after = target.values_of(live)
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.CONFIGURATION_PUBLISHED,
            target=change,
            details={
                "kind": change.target_kind,
                "key": change.target_key,
                "changes": {
                    name: [before.get(name), value]
                    for name, value in after.items()
                    if before.get(name) != value
                },
            },
        )
    return change


def discard_change(*, actor, change: ConfigurationChange) -> ConfigurationChange:
    """Abandon a draft or a reviewed change; it stays in the history as discarded."""
    ensure_can_change_configuration(
        actor,
        action="discard configuration changes",
        event_type=AuditEventType.CONFIGURATION_DISCARDED,
    )
    with transaction.atomic(durable=True):
        change = lock_configuration_change(change.pk)
        if change.status not in OPEN_STATUSES:
            raise InvalidTransitionError(
                f"This change is {change.get_status_display().lower()}: it can no longer be "
                "discarded."
            )
        change.status = ChangeStatus.DISCARDED
        change.discarded_by = actor
        change.discarded_at = timezone.now()
        change.save(update_fields=["status", "discarded_by", "discarded_at", "updated_at"])
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.CONFIGURATION_DISCARDED,
            target=change,
            details={"kind": change.target_kind, "key": change.target_key},
        )
    return change


def accept_clinic_policy(*, actor, key: str, note: str = "") -> ClinicPolicyAcceptance:
    """Record that the medical director reviewed an UNVERIFIED value and accepts it for this
    clinic, as it reads now (a value changed later shows as UNVERIFIED again)."""
    ensure_can_change_configuration(
        actor,
        action="accept clinic-policy values",
        event_type=AuditEventType.CLINIC_POLICY_ACCEPTED,
    )
    item = BY_KEY.get(str(key))
    if item is None:
        raise NotFoundError("There is no such clinic-policy value.")
    values = [list(reading) for reading in item.read(Rows())]
    with transaction.atomic(durable=True):
        acceptance = ClinicPolicyAcceptance.objects.create(
            key=item.key,
            accepted_values=values,
            note=_clean_reason(note),
            accepted_by=actor,
            accepted_at=timezone.now(),
        )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.CLINIC_POLICY_ACCEPTED,
            target=acceptance,
            details={"key": item.key, "values": values, "note": acceptance.note},
        )
    return acceptance


MAX_TITLE = 200
MAX_BODY = 20_000


# --- Versioned texts: consent documents, education pages and the screening rules -------------
# Each has numbered versions, at most one draft among them: a new draft copies the active
# version (else the latest); the draft is edited, then published or discarded.


def _version_number(version: int, *, missing: str) -> int:
    """A version number an integer column can hold (NotFoundError with `missing` if not)."""
    if not 0 < version < 2**31:
        raise NotFoundError(missing)
    return version


def _next_draft_of(versions: list[Any], *, of_what: str = "") -> tuple[Any, int]:
    """From every version of one text (newest first): the version a new draft copies and the
    new draft's number; refused while a draft is already waiting."""
    waiting = next((v for v in versions if v.status == RuleSetStatus.DRAFT), None)
    if waiting is not None:
        raise InvalidTransitionError(
            f"Draft version {waiting.version}{of_what} is already waiting: edit it, publish it "
            "or discard it before starting another."
        )
    current = next((v for v in versions if v.status == RuleSetStatus.ACTIVE), versions[0])
    return current, versions[0].version + 1


def _refuse_unless_draft(version: Any, *, then: str) -> None:
    """Only a draft version changes: a published (active or retired) one stays as it was,
    because signed records name it."""
    if version.status != RuleSetStatus.DRAFT:
        raise InvalidTransitionError(f"Version {version.version} has been published: {then}")


def draft_document_version(*, actor, kind: str, code: str):
    """Copy the current version of a consent document or education page (the active one, else
    the latest) into a new draft version for the director to edit."""
    ensure_can_change_configuration(
        actor,
        action="write consent documents and education pages",
        event_type=AuditEventType.DOCUMENT_VERSION_DRAFTED,
    )
    document = document_for(kind)
    model = document.model
    with transaction.atomic(durable=True):
        versions: list[Any] = list(model.objects.filter(code=str(code)[:60]).order_by("-version"))
        if not versions:
            raise NotFoundError("There is no such document.")
        current, number = _next_draft_of(versions)
        draft = copy.copy(current)
        draft.pk = None
        draft._state.adding = True
        draft.version = number
        draft.status = RuleSetStatus.DRAFT
        draft.published_at = None
        draft.published_by = None
        draft.full_clean()
        draft.save()
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.DOCUMENT_VERSION_DRAFTED,
            target=draft,
            details={
                "kind": document.kind.value,
                "code": draft.code,
                "version": draft.version,
                "copied_from": current.version,
            },
        )
    return draft


def update_document_draft(*, actor, kind: str, code: str, version: int, title: str, body: str):
    """Change a draft version's title and text (a published version never changes)."""
    ensure_can_change_configuration(
        actor,
        action="write consent documents and education pages",
        event_type=AuditEventType.DOCUMENT_VERSION_DRAFTED,
    )
    document = document_for(kind)
    title = (title or "").strip()
    body = (body or "").replace("\r\n", "\n").strip()
    if not title or len(title) > MAX_TITLE:
        raise ConfigurationInvalidError(
            f"Give the title, at most {MAX_TITLE} characters.", field="title"
        )
    if not body or len(body) > MAX_BODY:
        raise ConfigurationInvalidError(
            f"Write the text the patient reads, at most {MAX_BODY} characters.", field="body"
        )
    with transaction.atomic(durable=True):
        draft = lock_document_version(document, code=code, version=version)
        _refuse_unless_draft(draft, then="write a new version from it instead.")
        draft.title = title
        draft.body = body
        draft.full_clean()
        draft.save(update_fields=["title", "body", "updated_at"])
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.DOCUMENT_VERSION_DRAFTED,
            target=draft,
            details={
                "kind": document.kind.value,
                "code": draft.code,
                "version": draft.version,
                "edited": True,
            },
        )
    return draft


def publish_document_version(*, actor, kind: str, code: str, version: int):
    """Publish a draft version with the evaluation app's own service: the version it replaces
    retires and, for a consent document, patients sign the new one (consent_status and
    has_current_consent read only the active version)."""
    document = document_for(kind)
    ensure_can_change_configuration(
        actor, action=f"publish {document.label.lower()}s", event_type=document.published_event
    )
    missing = "There is no such document version."
    number = _version_number(version, missing=missing)
    row = document.model.objects.filter(code=str(code)[:60], version=number).first()
    if row is None:
        raise NotFoundError(missing)
    with transaction.atomic(durable=True):
        return document.publish(actor=actor, version=row)


def discard_document_draft(*, actor, kind: str, code: str, version: int) -> None:
    """Throw away a draft version of a consent document or education page before it is
    published. Nobody has read or signed a draft, so it is deleted; the audit entry keeps what
    it was."""
    ensure_can_change_configuration(
        actor,
        action="discard draft versions of consent documents and education pages",
        event_type=AuditEventType.DOCUMENT_VERSION_DISCARDED,
    )
    document = document_for(kind)
    with transaction.atomic(durable=True):
        draft = lock_document_version(document, code=code, version=version)
        _refuse_unless_draft(
            draft, then="it stays as it was; only a draft version can be discarded."
        )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.DOCUMENT_VERSION_DISCARDED,
            target=draft,
            details={
                "kind": document.kind.value,
                "code": draft.code,
                "version": draft.version,
                "title": draft.title,
            },
        )
        draft.delete()


SCREENING_ACTION = "change the screening rules"
RULE_FIELDS = ("label", "severity", "field", "operator", "value", "advice", "source")


def _ensure_can_change_screening(actor) -> None:
    ensure_can_change_configuration(
        actor, action=SCREENING_ACTION, event_type=AuditEventType.SCREENING_RULES_DRAFTED
    )


def _rule_set(version: int) -> ContraindicationRuleSet:
    missing = "There is no such version of the screening rules."
    found = ContraindicationRuleSet.objects.filter(
        version=_version_number(version, missing=missing)
    ).first()
    if found is None:
        raise NotFoundError(missing)
    return found


def _locked_draft_rule_set(
    version: int, *, then: str = "make a new version from it."
) -> ContraindicationRuleSet:
    locked = lock_version(ContraindicationRuleSet, _rule_set(version).pk)
    _refuse_unless_draft(locked, then=then)
    return locked


def draft_rule_set_version(*, actor) -> ContraindicationRuleSet:
    """Copy the active screening rules (else the latest version) into a new draft version."""
    _ensure_can_change_screening(actor)
    with transaction.atomic(durable=True):
        versions = list(ContraindicationRuleSet.objects.order_by("-version"))
        if not versions:
            raise NotFoundError("There are no screening rules to copy.")
        current, number = _next_draft_of(versions, of_what=" of the screening rules")
        draft = ContraindicationRuleSet.objects.create(
            version=number, notes=f"Made from version {current.version}."
        )
        ContraindicationRule.objects.bulk_create(
            ContraindicationRule(
                rule_set=draft,
                **{name: getattr(rule, name) for name in (*RULE_FIELDS, "code", "order")},
            )
            for rule in current.rules.order_by("order", "id")
        )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.SCREENING_RULES_DRAFTED,
            target=draft,
            details={"version": draft.version, "copied_from": current.version},
        )
    return draft


def save_screening_rule(
    *, actor, version: int, code: str | None, values: Mapping[str, Any]
) -> ContraindicationRule:
    """Write one rule of a draft version (a new one when `code` is None): its condition must be
    one the screen can evaluate (clinic.evaluation.rules.validate_rule)."""
    _ensure_can_change_screening(actor)
    operator = str(values.get("operator") or "")
    try:
        value = value_from_text(operator, str(values.get("value_text") or ""))
        validate_rule(str(values.get("field") or ""), operator, value)
    except ValueError as error:
        raise ConfigurationInvalidError(str(error), field="value_text") from error
    with transaction.atomic(durable=True):
        rule_set = _locked_draft_rule_set(version)
        if code is None:
            new_code = slugify(str(values.get("label") or ""))[:60] or "rule"
            taken = set(rule_set.rules.values_list("code", flat=True))
            base, number = new_code, 2
            while new_code in taken:
                new_code = f"{base[:55]}-{number}"
                number += 1
            last = rule_set.rules.order_by("-order").first()
            rule = ContraindicationRule(
                rule_set=rule_set, code=new_code, order=(last.order + 1) if last else 0
            )
        else:
            found = rule_set.rules.filter(code=str(code)[:60]).first()
            if found is None:
                raise NotFoundError("This version has no such rule.")
            rule = found
        for name in ("label", "severity", "field", "operator", "advice", "source"):
            setattr(rule, name, str(values.get(name) or "").strip())
        rule.value = value
        try:
            rule.full_clean()
        except ValidationError as error:
            name = next(iter(error.message_dict))
            raise ConfigurationInvalidError(
                " ".join(error.message_dict[name]), field=name if name in RULE_FIELDS else None
            ) from error
        rule.save()
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.SCREENING_RULES_DRAFTED,
            target=rule_set,
            details={
                "version": rule_set.version,
                "rule": rule.code,
                "action": "added" if code is None else "changed",
            },
        )
    return rule


def remove_screening_rule(*, actor, version: int, code: str) -> None:
    """Leave a rule out of a draft version (the published versions keep it)."""
    _ensure_can_change_screening(actor)
    with transaction.atomic(durable=True):
        rule_set = _locked_draft_rule_set(version)
        removed, _ = rule_set.rules.filter(code=str(code)[:60]).delete()
        if not removed:
            raise NotFoundError("This version has no such rule.")
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.SCREENING_RULES_DRAFTED,
            target=rule_set,
            details={"version": rule_set.version, "rule": code, "action": "removed"},
        )


def update_rule_set_notes(*, actor, version: int, notes: str) -> ContraindicationRuleSet:
    """Say what changed in a draft version and why (shown with the version)."""
    _ensure_can_change_screening(actor)
    notes = (notes or "").strip()[:2000]
    with transaction.atomic(durable=True):
        rule_set = _locked_draft_rule_set(version)
        rule_set.notes = notes
        rule_set.save(update_fields=["notes", "updated_at"])
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.SCREENING_RULES_DRAFTED,
            target=rule_set,
            details={"version": rule_set.version, "action": "notes"},
        )
    return rule_set


def publish_rule_set_version(*, actor, version: int) -> ContraindicationRuleSet:
    """Publish a draft version with the evaluation app's own service: new decisions are screened
    with it; a signed decision keeps the version it was screened with."""
    ensure_can_change_configuration(
        actor, action="publish screening rules", event_type=AuditEventType.PROTOCOL_CHANGED
    )
    found = _rule_set(version)
    if not found.rules.exists():
        raise ConfigurationInvalidError("A version with no rule would screen nothing.")
    with transaction.atomic(durable=True):
        return evaluation_services.publish_rule_set(actor=actor, rule_set=found)


def discard_rule_set_draft(*, actor, version: int) -> None:
    """Throw away a draft version of the screening rules, with its rules, before it is published.
    No decision is screened with a draft, so it is deleted; the audit entry keeps what it held."""
    ensure_can_change_configuration(
        actor,
        action="discard draft versions of the screening rules",
        event_type=AuditEventType.SCREENING_RULES_DISCARDED,
    )
    with transaction.atomic(durable=True):
        rule_set = _locked_draft_rule_set(
            version, then="it stays as it was; only a draft version can be discarded."
        )
        codes = list(rule_set.rules.order_by("order", "id").values_list("code", flat=True))
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.SCREENING_RULES_DISCARDED,
            target=rule_set,
            details={"version": rule_set.version, "rules": codes, "notes": rule_set.notes},
        )
        rule_set.rules.all().delete()
        rule_set.delete()
