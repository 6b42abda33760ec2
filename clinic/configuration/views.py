"""The medical director's configuration pages (clinicians read them): thin adapters from HTTP to
the configuration services and selectors."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinic.accounts.choices import Role
from clinic.configuration import selectors, services
from clinic.configuration.choices import ChangeStatus, DocumentKind
from clinic.configuration.forms import (
    AcceptanceForm,
    ConfigurationForm,
    DocumentDraftForm,
    ReviewForm,
    RuleSetNotesForm,
    ScreeningRuleForm,
)
from clinic.configuration.permissions import can_change_configuration
from clinic.configuration.screening import value_as_text
from clinic.configuration.targets import target_for
from clinic.configuration.unverified import BY_KEY
from clinic.core.exceptions import NotFoundError
from clinic.core.forms import form_status, posted_data, refusal_as_message, refusal_shown_on
from clinic.core.permissions import role_required
from clinic.evaluation.choices import RuleSetStatus

READERS = (Role.MEDICAL_DIRECTOR, Role.CLINICIAN)


@role_required(*READERS)
def home(request):
    return render(
        request,
        "configuration/home.html",
        {
            "kinds": selectors.list_configured_rows(request.user),
            "may_change": can_change_configuration(request.user),
        },
    )


def row_url(kind: str, key: str) -> str:
    return reverse("configuration:row", kwargs={"kind": kind, "key": key})


@role_required(*READERS)
def row(request, kind, key):
    configured = selectors.get_configured_row(request.user, kind=kind, key=key)
    return render(
        request,
        "configuration/row.html",
        {
            "configured": configured,
            "values": selectors.current_values_shown(
                configured.target,
                configured.row,
                selectors.unverified_standing_of_fields(request.user, configured.target.kind),
            ),
            "history": selectors.list_changes_of(
                request.user, kind=configured.target.kind, key=configured.key
            ),
            "may_change": can_change_configuration(request.user),
        },
    )


def _draft_page(request, configured, *, change, values: dict, reason: str, save, saved: str):
    """The draft form of one configured row, for a new draft (`change` None) or its author's
    edit of one: `save(form)` calls the service and returns the change shown next."""
    form = ConfigurationForm(
        posted_data(request),
        target=configured.target,
        row=configured.row,
        values=values,
        reason=reason,
    )
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            result = save(form)
            messages.success(request, saved)
            return redirect("configuration:change", public_id=result.public_id)
    return render(
        request,
        "configuration/edit.html",
        {"configured": configured, "form": form, "change": change},
        status=form_status(form),
    )


@role_required(Role.MEDICAL_DIRECTOR)
def new_draft(request, kind, key):
    configured = selectors.get_configured_row(request.user, kind=kind, key=key)
    return _draft_page(
        request,
        configured,
        change=None,
        values=configured.target.values_of(configured.row),
        reason="",
        save=lambda form: services.save_draft(
            actor=request.user,
            kind=configured.target.kind,
            key=configured.key,
            values=form.values(),
            reason=form.cleaned_data["reason"],
        ),
        saved="Draft saved: nothing live has changed yet.",
    )


@role_required(Role.MEDICAL_DIRECTOR)
def edit_draft(request, public_id):
    change = selectors.get_change(request.user, public_id)
    configured = selectors.get_configured_row(
        request.user, kind=change.target_kind, key=change.target_key
    )
    if change.status != ChangeStatus.DRAFT:
        messages.error(request, "Only a draft can be edited.")
        return redirect("configuration:change", public_id=change.public_id)
    return _draft_page(
        request,
        configured,
        change=change,
        values=change.proposed_values,
        reason=change.reason,
        save=lambda form: services.update_draft(
            actor=request.user,
            change=change,
            values=form.values(),
            reason=form.cleaned_data["reason"],
        ),
        saved="Draft updated.",
    )


@role_required(*READERS)
def change(request, public_id, review_form=None, status=200):
    change = selectors.get_change(request.user, public_id)
    target = target_for(change.target_kind)
    configured = selectors.get_configured_row(
        request.user, kind=change.target_kind, key=change.target_key
    )
    current = target.values_of(configured.row)
    own = change.created_by_id == request.user.pk
    self_review = services.self_review_allowed()
    return render(
        request,
        "configuration/change.html",
        {
            "change": change,
            "configured": configured,
            "differences": selectors.describe_changes(
                target, configured.row, change.based_on_values, change.proposed_values
            ),
            "in_words": target.change_in_words(
                configured.row, change.based_on_values, change.proposed_values
            ),
            # What publishing would change now, if the live values moved since the draft.
            "stale": change.status in (ChangeStatus.DRAFT, ChangeStatus.REVIEWED)
            and current != change.based_on_values,
            "may_change": can_change_configuration(request.user),
            "own": own,
            "self_review": self_review,
            "may_review": can_change_configuration(request.user)
            and change.status == ChangeStatus.DRAFT
            and (not own or self_review),
            "review_form": review_form or ReviewForm(),
        },
        status=status,
    )


@role_required(Role.MEDICAL_DIRECTOR)
@require_POST
def review(request, public_id):
    found = selectors.get_change(request.user, public_id)
    form = ReviewForm(request.POST)
    form.is_valid()
    with refusal_shown_on(form):
        services.review_change(
            actor=request.user, change=found, attested=bool(form.cleaned_data.get("attested"))
        )
        messages.success(request, "Reviewed: it can now be published.")
        return redirect("configuration:change", public_id=found.public_id)
    return change(request, public_id, review_form=form, status=form_status(form))


@role_required(Role.MEDICAL_DIRECTOR)
@require_POST
def publish(request, public_id):
    found = selectors.get_change(request.user, public_id)
    with refusal_as_message(request):
        services.publish_change(actor=request.user, change=found)
        messages.success(request, "Published: the clinic now works to these values.")
    return redirect("configuration:change", public_id=found.public_id)


@role_required(Role.MEDICAL_DIRECTOR)
@require_POST
def discard(request, public_id):
    found = selectors.get_change(request.user, public_id)
    with refusal_as_message(request):
        services.discard_change(actor=request.user, change=found)
        messages.success(request, "Draft discarded: the published values are unchanged.")
    return redirect("configuration:change", public_id=found.public_id)


@role_required(*READERS)
def unverified(request, bound_key=None, bound_form=None, status=200):
    areas = selectors.list_unverified_values(request.user)
    forms_by_key = {
        shown.item.key: (
            bound_form if shown.item.key == bound_key else AcceptanceForm(prefix=shown.item.key)
        )
        for _area, items in areas
        for shown in items
    }
    return render(
        request,
        "configuration/unverified.html",
        {
            "areas": [
                (area, [(shown, forms_by_key[shown.item.key]) for shown in items])
                for area, items in areas
            ],
            "may_change": can_change_configuration(request.user),
        },
        status=status,
    )


@role_required(Role.MEDICAL_DIRECTOR)
@require_POST
def accept(request, key):
    if key not in BY_KEY:
        raise NotFoundError("There is no such clinic-policy value.")
    form = AcceptanceForm(request.POST, prefix=key)
    if form.is_valid():
        with refusal_shown_on(form):
            services.accept_clinic_policy(
                actor=request.user, key=key, note=form.cleaned_data["note"]
            )
            messages.success(request, f"Accepted for this clinic: {BY_KEY[key].label}.")
            return redirect(reverse("configuration:unverified") + f"#value-{key}")
    return unverified(request, bound_key=key, bound_form=form, status=form_status(form))


@role_required(*READERS)
def documents(request):
    return render(
        request,
        "configuration/documents.html",
        {"kinds": selectors.list_documents(request.user)},
    )


@role_required(*READERS)
def document(request, kind, code):
    found = selectors.get_document(request.user, kind=kind, code=code)
    return render(
        request,
        "configuration/document.html",
        {
            "document": found,
            "shown": found.active or found.versions[0],
            "may_change": can_change_configuration(request.user),
        },
    )


@role_required(Role.MEDICAL_DIRECTOR)
@require_POST
def new_version(request, kind, code):
    found = selectors.get_document(request.user, kind=kind, code=code)
    with refusal_as_message(request):
        draft = services.draft_document_version(actor=request.user, kind=kind, code=found.code)
        messages.success(
            request, f"Draft version {draft.version} made from the current text: edit it below."
        )
        return redirect("configuration:document_version", kind, found.code, draft.version)
    return redirect("configuration:document", kind, found.code)


@role_required(*READERS)
def document_version(request, kind, code, version):
    found, row = selectors.get_document_version(request.user, kind=kind, code=code, version=version)
    is_draft = row.status == RuleSetStatus.DRAFT
    may_change = can_change_configuration(request.user)
    form = None
    if is_draft and may_change:
        form = DocumentDraftForm(
            posted_data(request), initial={"title": row.title, "body": row.body}
        )
        if request.method == "POST" and form.is_valid():
            with refusal_shown_on(form):
                services.update_document_draft(
                    actor=request.user,
                    kind=kind,
                    code=found.code,
                    version=row.version,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                )
                messages.success(request, "Draft saved: check the preview, then publish it.")
                return redirect("configuration:document_version", kind, found.code, row.version)
    elif request.method == "POST":
        messages.error(request, "This version is published: write a new version from it instead.")
        return redirect("configuration:document_version", kind, found.code, row.version)
    active = found.active
    return render(
        request,
        "configuration/document_version.html",
        {
            "document": found,
            "row": row,
            "is_draft": is_draft,
            "may_change": may_change,
            "form": form,
            "paragraphs": selectors.paragraphs(row.body),
            "text_changes": selectors.describe_text_changes(active.body, row.body)
            if is_draft and active is not None
            else [],
            "title_changed": is_draft and active is not None and active.title != row.title,
            "signers": selectors.consent_signers_of(active)
            if is_draft and active is not None and kind == DocumentKind.CONSENT
            else None,
        },
        status=form_status(form),
    )


@role_required(Role.MEDICAL_DIRECTOR)
@require_POST
def publish_version(request, kind, code, version):
    found, row = selectors.get_document_version(request.user, kind=kind, code=code, version=version)
    with refusal_as_message(request):
        services.publish_document_version(
            actor=request.user, kind=kind, code=found.code, version=row.version
        )
        messages.success(request, f"Version {row.version} is published: it is the current one.")
    return redirect("configuration:document_version", kind, found.code, row.version)


@role_required(Role.MEDICAL_DIRECTOR)
@require_POST
def discard_version(request, kind, code, version):
    found, row = selectors.get_document_version(request.user, kind=kind, code=code, version=version)
    with refusal_as_message(request):
        services.discard_document_draft(
            actor=request.user, kind=kind, code=found.code, version=row.version
        )
        messages.success(
            request, f"Draft version {row.version} is discarded: the current version is unchanged."
        )
        return redirect("configuration:document", kind, found.code)
    return redirect("configuration:document_version", kind, found.code, row.version)


@role_required(*READERS)
def screening(request):
    versions = selectors.list_rule_set_versions(request.user)
    active = next((v for v in versions if v.status == RuleSetStatus.ACTIVE), None)
    return render(
        request,
        "configuration/screening.html",
        {
            "versions": versions,
            "active": active,
            "rules": selectors.get_rule_set(request.user, active.version)[1] if active else [],
            "draft": next((v for v in versions if v.status == RuleSetStatus.DRAFT), None),
            "may_change": can_change_configuration(request.user),
        },
    )


@role_required(Role.MEDICAL_DIRECTOR)
@require_POST
def screening_new_version(request):
    with refusal_as_message(request):
        draft = services.draft_rule_set_version(actor=request.user)
        messages.success(request, f"Draft version {draft.version} made from the current rules.")
        return redirect("configuration:screening_version", draft.version)
    return redirect("configuration:screening")


@role_required(*READERS)
def screening_version(request, version):
    rule_set, rules = selectors.get_rule_set(request.user, version)
    is_draft = rule_set.status == RuleSetStatus.DRAFT
    may_change = can_change_configuration(request.user)
    form = None
    if is_draft and may_change:
        form = RuleSetNotesForm(posted_data(request), initial={"notes": rule_set.notes})
        if request.method == "POST" and form.is_valid():
            with refusal_shown_on(form):
                services.update_rule_set_notes(
                    actor=request.user, version=rule_set.version, notes=form.cleaned_data["notes"]
                )
                messages.success(request, "Notes saved.")
                return redirect("configuration:screening_version", rule_set.version)
    elif request.method == "POST":
        messages.error(request, "This version is published: make a new version from it.")
        return redirect("configuration:screening_version", rule_set.version)
    active = selectors.active_rule_set(request.user)
    return render(
        request,
        "configuration/screening_version.html",
        {
            "rule_set": rule_set,
            "rules": rules,
            "is_draft": is_draft,
            "may_change": may_change,
            "editable": is_draft and may_change,
            "form": form,
            "changes": selectors.describe_rule_changes(active, rule_set) if is_draft else [],
            "active": active,
        },
        status=form_status(form),
    )


def _rule_values(rule) -> dict:
    return {
        "label": rule.label,
        "severity": rule.severity,
        "field": rule.field,
        "operator": rule.operator,
        "value_text": value_as_text(rule.value),
        "advice": rule.advice,
        "source": rule.source,
    }


@role_required(Role.MEDICAL_DIRECTOR)
def screening_rule(request, version, code=None):
    if code is None:
        rule_set, _rules = selectors.get_rule_set(request.user, version)
        rule = None
        initial: dict = {}
    else:
        rule_set, rule = selectors.get_screening_rule(request.user, version, code)
        initial = _rule_values(rule)
    if rule_set.status != RuleSetStatus.DRAFT:
        messages.error(request, "This version is published: make a new version from it.")
        return redirect("configuration:screening_version", rule_set.version)
    form = ScreeningRuleForm(posted_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            services.save_screening_rule(
                actor=request.user,
                version=rule_set.version,
                code=rule.code if rule is not None else None,
                values=form.cleaned_data,
            )
            messages.success(request, "Rule saved in the draft.")
            return redirect("configuration:screening_version", rule_set.version)
    return render(
        request,
        "configuration/screening_rule.html",
        {"rule_set": rule_set, "rule": rule, "form": form},
        status=form_status(form),
    )


@role_required(Role.MEDICAL_DIRECTOR)
@require_POST
def screening_rule_remove(request, version, code):
    rule_set, rule = selectors.get_screening_rule(request.user, version, code)
    with refusal_as_message(request):
        services.remove_screening_rule(actor=request.user, version=rule_set.version, code=rule.code)
        messages.success(request, f"“{rule.label}” is left out of this draft.")
    return redirect("configuration:screening_version", rule_set.version)


@role_required(Role.MEDICAL_DIRECTOR)
@require_POST
def screening_publish(request, version):
    rule_set, _rules = selectors.get_rule_set(request.user, version)
    with refusal_as_message(request):
        services.publish_rule_set_version(actor=request.user, version=rule_set.version)
        messages.success(
            request, f"Version {rule_set.version} is published: new decisions are screened with it."
        )
    return redirect("configuration:screening_version", rule_set.version)


@role_required(Role.MEDICAL_DIRECTOR)
@require_POST
def screening_discard(request, version):
    rule_set, _rules = selectors.get_rule_set(request.user, version)
    with refusal_as_message(request):
        services.discard_rule_set_draft(actor=request.user, version=rule_set.version)
        messages.success(
            request,
            f"Draft version {rule_set.version} is discarded: the active rules are unchanged.",
        )
        return redirect("configuration:screening")
    return redirect("configuration:screening_version", rule_set.version)
