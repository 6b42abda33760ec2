"""A draft version of a consent document, an education page or the screening rules can be
thrown away before it is published: only by the medical director, never a published version,
with an audit entry in the same transaction."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.configuration import services
from clinic.configuration.choices import DocumentKind
from clinic.core.exceptions import InvalidTransitionError, NotFoundError, PermissionDeniedError
from clinic.evaluation.choices import RuleSetStatus
from clinic.evaluation.models import (
    ConsentDocument,
    ContraindicationRule,
    ContraindicationRuleSet,
    EducationPage,
)
from conftest import client_for

pytestmark = pytest.mark.django_db

CONSENT = "ketamine-infusion-injection"


def _education_page() -> EducationPage:
    return EducationPage.objects.filter(status=RuleSetStatus.ACTIVE).order_by("code").first()


def _draft(director, kind: DocumentKind, code: str):
    return services.draft_document_version(actor=director, kind=kind, code=code)


@pytest.mark.parametrize("kind", [DocumentKind.CONSENT, DocumentKind.EDUCATION])
def test_the_director_discards_a_draft_version(medical_director, kind):
    model = ConsentDocument if kind == DocumentKind.CONSENT else EducationPage
    code = CONSENT if kind == DocumentKind.CONSENT else _education_page().code
    current = model.objects.get(code=code, status=RuleSetStatus.ACTIVE)
    draft = _draft(medical_director, kind, code)

    services.discard_document_draft(
        actor=medical_director, kind=kind, code=code, version=draft.version
    )

    assert not model.objects.filter(pk=draft.pk).exists()
    assert model.objects.get(code=code, status=RuleSetStatus.ACTIVE) == current
    event = AuditEvent.objects.get(event_type=AuditEventType.DOCUMENT_VERSION_DISCARDED)
    assert (event.actor, event.outcome) == (medical_director, AuditOutcome.SUCCESS)
    assert event.details == {
        "kind": kind.value,
        "code": code,
        "version": draft.version,
        "title": draft.title,
    }
    assert event.target_id == str(draft.pk)
    # The next draft takes the number again: no published version ever had it.
    assert _draft(medical_director, kind, code).version == draft.version


def test_a_published_version_is_never_discarded(medical_director):
    current = ConsentDocument.objects.get(code=CONSENT, status=RuleSetStatus.ACTIVE)
    with pytest.raises(InvalidTransitionError, match="has been published: it stays as it was"):
        services.discard_document_draft(
            actor=medical_director,
            kind=DocumentKind.CONSENT,
            code=CONSENT,
            version=current.version,
        )
    assert ConsentDocument.objects.filter(pk=current.pk, status=RuleSetStatus.ACTIVE).exists()
    assert not AuditEvent.objects.filter(event_type=AuditEventType.DOCUMENT_VERSION_DISCARDED)


@pytest.mark.parametrize("persona", ["clinician", "nurse"])
def test_only_the_medical_director_discards_a_draft(persona, request, medical_director):
    draft = _draft(medical_director, DocumentKind.CONSENT, CONSENT)
    with pytest.raises(PermissionDeniedError):
        services.discard_document_draft(
            actor=request.getfixturevalue(persona),
            kind=DocumentKind.CONSENT,
            code=CONSENT,
            version=draft.version,
        )
    assert ConsentDocument.objects.filter(pk=draft.pk).exists()
    assert (
        AuditEvent.objects.get(event_type=AuditEventType.DOCUMENT_VERSION_DISCARDED).outcome
        == AuditOutcome.DENIED
    )


def test_discarding_an_unknown_version_is_not_found(medical_director):
    for version in (0, 999, 2**31):
        with pytest.raises(NotFoundError):
            services.discard_document_draft(
                actor=medical_director, kind=DocumentKind.CONSENT, code=CONSENT, version=version
            )
    with pytest.raises(NotFoundError):
        services.discard_rule_set_draft(actor=medical_director, version=999)


def test_the_director_discards_a_draft_of_the_screening_rules(medical_director):
    active = ContraindicationRuleSet.objects.get(status=RuleSetStatus.ACTIVE)
    draft = services.draft_rule_set_version(actor=medical_director)
    codes = list(draft.rules.order_by("order", "id").values_list("code", flat=True))

    services.discard_rule_set_draft(actor=medical_director, version=draft.version)

    assert not ContraindicationRuleSet.objects.filter(pk=draft.pk).exists()
    assert not ContraindicationRule.objects.filter(rule_set_id=draft.pk).exists()
    assert ContraindicationRuleSet.objects.get(status=RuleSetStatus.ACTIVE) == active
    assert active.rules.count() == len(codes)
    event = AuditEvent.objects.get(event_type=AuditEventType.SCREENING_RULES_DISCARDED)
    assert event.details["version"] == draft.version and event.details["rules"] == codes
    assert services.draft_rule_set_version(actor=medical_director).version == draft.version


def test_published_screening_rules_are_never_discarded(medical_director, clinician):
    active = ContraindicationRuleSet.objects.get(status=RuleSetStatus.ACTIVE)
    with pytest.raises(InvalidTransitionError, match="only a draft version can be discarded"):
        services.discard_rule_set_draft(actor=medical_director, version=active.version)
    draft = services.draft_rule_set_version(actor=medical_director)
    with pytest.raises(PermissionDeniedError):
        services.discard_rule_set_draft(actor=clinician, version=draft.version)
    assert ContraindicationRuleSet.objects.filter(pk=draft.pk).exists()
    assert list(
        AuditEvent.objects.filter(event_type=AuditEventType.SCREENING_RULES_DISCARDED).values_list(
            "outcome", flat=True
        )
    ) == [AuditOutcome.DENIED]


def test_the_discard_button_throws_a_document_draft_away(medical_director, clinician):
    draft = _draft(medical_director, DocumentKind.CONSENT, CONSENT)
    args = ["consent", CONSENT, draft.version]
    discard_url = reverse("configuration:discard_version", args=args)
    client = client_for(medical_director)

    page = client.get(reverse("configuration:document_version", args=args)).content.decode()
    assert f'action="{discard_url}"' in page
    assert "Discarding deletes draft version" in page
    assert client.get(discard_url).status_code == 405
    assert client_for(clinician).post(discard_url).status_code == 403

    response = client.post(discard_url, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "configuration:document", args=["consent", CONSENT]
    )
    assert f"Draft version {draft.version} is discarded" in response.content.decode()
    assert not ConsentDocument.objects.filter(pk=draft.pk).exists()


def test_a_published_version_has_no_discard_button_and_refuses_one(medical_director):
    current = ConsentDocument.objects.get(code=CONSENT, status=RuleSetStatus.ACTIVE)
    args = ["consent", CONSENT, current.version]
    client = client_for(medical_director)
    page = client.get(reverse("configuration:document_version", args=args)).content.decode()
    assert "Discard draft" not in page

    response = client.post(reverse("configuration:discard_version", args=args), follow=True)
    assert response.redirect_chain[-1][0] == reverse("configuration:document_version", args=args)
    assert "only a draft version can be discarded" in response.content.decode()
    assert ConsentDocument.objects.filter(pk=current.pk).exists()


def test_the_discard_button_throws_a_screening_draft_away(medical_director):
    draft = services.draft_rule_set_version(actor=medical_director)
    client = client_for(medical_director)
    discard_url = reverse("configuration:screening_discard", args=[draft.version])
    page = client.get(reverse("configuration:screening_version", args=[draft.version]))
    assert f'action="{discard_url}"' in page.content.decode()

    response = client.post(discard_url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("configuration:screening")
    assert f"Draft version {draft.version} is discarded" in response.content.decode()
    assert not ContraindicationRuleSet.objects.filter(pk=draft.pk).exists()
