"""Returning a container to the supplier from its page: recipient, shipping reference and a
witness with their password; refusals shown beside the field; the return listed on the
container's page."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.inventory import selectors
from clinic.inventory.choices import MovementKind
from clinic.inventory.models import Movement, SupplierReturn
from conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def return_form(witness, **changes):
    data = {
        "recipient": "Henry Schein returns",
        "recipient_address": "135 Duryea Road, Melville, NY 11747",
        "recipient_dea_number": "RH0123454",
        "reference": "RA-55120 / UPS 1Z999AA10123456784",
        "witness": witness.pk,
        "witness_password": PASSWORD,
    }
    data.update(changes)
    return data


def returned() -> bool:
    return Movement.objects.filter(kind=MovementKind.RETURN).exists()


def test_a_container_is_returned_from_its_page_and_listed_there(nurse, clinician, vial):
    client = client_for(nurse)
    container_page = client.get(reverse("inventory:container", args=[vial.public_id]))
    url = reverse("inventory:return", args=[vial.public_id])
    assert url in container_page.content.decode()
    form = client.get(url)
    assert form.status_code == 200 and "5.00 mL" in form.content.decode()
    assert AuditEvent.objects.filter(details__page="return form").exists()
    response = client.post(url, return_form(clinician))
    assert response.status_code == 302
    assert response["Location"] == reverse("inventory:container", args=[vial.public_id])
    entry = Movement.objects.get(kind=MovementKind.RETURN)
    assert entry.quantity == 5 and entry.witness == clinician and entry.performed_by == nurse
    assert selectors.container_balance(vial) == 0
    page = client.get(response["Location"]).content.decode()
    assert "Returned to supplier" in page and "Henry Schein returns" in page
    assert "RA-55120" in page and "Dr. Clinician" in page
    # Empty now: the page no longer offers a return.
    assert url not in page
    event = AuditEvent.objects.get(event_type=AuditEventType.STOCK_RETURNED)
    assert event.details["reference"].startswith("RA-55120") and event.actor == nurse


def test_a_wrong_witness_password_is_shown_beside_the_field_and_audited(nurse, clinician, vial):
    response = client_for(nurse).post(
        reverse("inventory:return", args=[vial.public_id]),
        return_form(clinician, witness_password="not it"),
    )
    assert response.status_code == 400
    assert "password" in response.context["form"].errors["witness_password"][0]
    assert not returned()
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.STOCK_WITNESS_FAILED, outcome=AuditOutcome.FAILED
    ).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"recipient": ""}, "recipient"),
        ({"recipient": "   "}, "recipient"),
        ({"reference": ""}, "reference"),
        ({"reference": "R" * 500}, "reference"),
        ({"witness": ""}, "witness"),
        ({"witness": "99999"}, "witness"),
        ({"witness": "x" * 5000}, "witness"),
        ({"witness_password": ""}, "witness_password"),
    ],
)
def test_missing_or_bad_fields_are_refused_beside_the_field(nurse, clinician, vial, changes, field):
    response = client_for(nurse).post(
        reverse("inventory:return", args=[vial.public_id]), {**return_form(clinician), **changes}
    )
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not returned()


def test_the_person_returning_is_not_their_own_witness(nurse, clinician, vial):
    client = client_for(nurse)
    url = reverse("inventory:return", args=[vial.public_id])
    witnesses = list(client.get(url).context["form"].fields["witness"].queryset)
    assert clinician in witnesses and nurse not in witnesses
    assert client.post(url, return_form(nurse)).status_code == 400
    assert not returned()


def test_an_empty_container_has_nothing_to_return(nurse, clinician, vial):
    url = reverse("inventory:return", args=[vial.public_id])
    client = client_for(nurse)
    assert client.post(url, return_form(clinician)).status_code == 302
    again = client.post(url, return_form(clinician, reference="RA-2"))
    assert again.status_code == 400
    assert "empty" in again.content.decode()
    assert Movement.objects.filter(kind=MovementKind.RETURN).count() == 1


def test_only_stock_staff_where_it_is_kept_may_return_it(
    clinician, front_desk, other_location_clinician, nurse, vial
):
    url = reverse("inventory:return", args=[vial.public_id])
    # A clinician reads the register but does not move stock; front desk sees none of it.
    assert client_for(clinician).get(url).status_code == 403
    assert client_for(front_desk).post(url, return_form(nurse)).status_code == 403
    # A container at another location is not one they can see.
    other_nurse = other_location_clinician
    other_nurse.role = "nurse"
    other_nurse.save(update_fields=["role"])
    assert client_for(other_nurse).post(url, return_form(clinician)).status_code == 404
    assert not returned()
    container_page = client_for(clinician).get(
        reverse("inventory:container", args=[vial.public_id])
    )
    assert url not in container_page.content.decode()


def test_the_return_keeps_the_recipients_address_and_checked_dea_number(nurse, clinician, vial):
    client = client_for(nurse)
    url = reverse("inventory:return", args=[vial.public_id])
    refused = client.post(url, return_form(clinician, recipient_dea_number="RH0123455"))
    assert refused.status_code == 400 and "DEA" in refused.content.decode()
    assert not returned()
    assert client.post(url, return_form(clinician)).status_code == 302
    record = SupplierReturn.objects.get()
    assert record.recipient_dea_number == "RH0123454"
    assert record.recipient_address.startswith("135 Duryea Road")
    assert record.movement.kind == MovementKind.RETURN and record.shipped_on == timezone.localdate()
    with pytest.raises(DatabaseError), transaction.atomic():
        SupplierReturn.objects.filter(pk=record.pk).update(reference="changed")
