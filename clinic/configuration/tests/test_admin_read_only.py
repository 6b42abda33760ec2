"""The admin only shows the tables the Configuration pages change (draft → review → publish):
even a superuser can neither add, change nor delete a row there, and each page links to the
Configuration page where the row is changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.assessments.models import InstrumentAssignment
from clinic.configuration.pages import configuration_pages
from clinic.configuration.targets import TARGETS
from clinic.core.admin import (
    ConfiguredThroughConfigurationPagesAdmin,
    configured_through_configuration_pages,
)
from clinic.core.admin_site import clinic_admin_site
from clinic.core.choices import Condition
from clinic.evaluation.models import ContraindicationRule
from conftest import client_for

NOTE_ID = 'id="configured-through-configuration-pages"'


@pytest.fixture
def superuser(location):
    user = UserFactory(role=Role.MEDICAL_DIRECTOR, is_staff=True, is_superuser=True)
    user.locations.set([location])
    return user


def _shown_models():
    # The rules are shown inside their version's page (an inline), not on an admin page of
    # their own.
    return sorted(
        (model for model in configuration_pages() if model is not ContraindicationRule),
        key=lambda model: model._meta.label,
    )


def _a_row(model):
    """One saved row of the table (a policy or a questionnaire set may have none yet)."""
    row = model._default_manager.order_by("pk").first()
    if row is not None:
        return row
    if model is InstrumentAssignment:
        return InstrumentAssignment.objects.create(
            condition=Condition.DEPRESSION, instrument_codes=["phq9", "cssrs"]
        )
    return model._default_manager.create(singleton=True)


def _admin_url(model, view: str, *args) -> str:
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def test_every_table_the_configuration_pages_change_is_only_shown_in_the_admin(db):
    managed = set(configuration_pages())
    assert {target.model for target in TARGETS.values()} <= managed
    assert managed == set(configured_through_configuration_pages())
    for model in _shown_models():
        assert isinstance(
            clinic_admin_site._registry[model], ConfiguredThroughConfigurationPagesAdmin
        ), model


@pytest.mark.parametrize("model", _shown_models(), ids=lambda model: model._meta.label)
def test_a_superuser_cannot_add_change_or_delete_in_the_admin(superuser, model):
    client = client_for(superuser)
    row = _a_row(model)

    assert client.get(_admin_url(model, "add")).status_code == 403
    assert client.post(_admin_url(model, "add"), {}).status_code == 403
    assert client.post(_admin_url(model, "change", row.pk), {}).status_code == 403
    assert client.get(_admin_url(model, "delete", row.pk)).status_code == 403
    assert client.post(_admin_url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    assert model._default_manager.filter(pk=row.pk).exists()

    changelist = client.get(_admin_url(model, "changelist"))
    assert changelist.status_code == 200
    assert NOTE_ID in changelist.content.decode()
    assert 'name="_selected_action"' not in changelist.content.decode()

    page = client.get(_admin_url(model, "change", row.pk))
    assert page.status_code == 200
    text = page.content.decode()
    assert NOTE_ID in text
    assert f'href="{configuration_pages()[model](row)}"' in text
    assert 'name="_save"' not in text


def test_the_admin_links_a_protocol_to_its_configuration_page(medical_director, iv_protocol):
    page = client_for(medical_director).get(_admin_url(type(iv_protocol), "change", iv_protocol.pk))
    assert (
        f'href="{reverse("configuration:row", args=["protocol", iv_protocol.pk])}"'
        in page.content.decode()
    )
