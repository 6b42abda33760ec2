"""The inventory as of a date answers from database sums: the same number of queries however long
the ledger, and every query that reads the ledger sums it (never a loop over its entries).
`make bench` times it over ten years of a busy clinic (bench/register.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.inventory.choices import MovementKind
from clinic.inventory.models import Movement
from clinic.inventory.tests.factories import receive
from conftest import client_for

pytestmark = pytest.mark.django_db

TENTH = Decimal("0.10")


def report_queries(client, safe) -> tuple[list[str], str]:
    url = reverse("inventory:inventory")
    params = {"safe": safe.pk, "on": timezone.localdate().isoformat(), "timing": "close"}
    client.get(url, params)  # the sign-in's activity stamp is written on a first request
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url, params)
    assert page.status_code == 200
    return [query["sql"] for query in queries.captured_queries], page.content.decode()


def adjustments(nurse, containers, *, each: int) -> list[Movement]:
    """Volume only: `each` count adjustments of 0.10 mL out of every container, in bulk rows (the
    adjustment service is tested in test_services.py)."""
    return Movement.objects.bulk_create(
        Movement(
            container=container,
            safe=container.safe,
            kind=MovementKind.ADJUST,
            quantity=TENTH,
            amount_mg=container.product.mg_of(TENTH),
            safe_change=-TENTH,
            drawn_change=Decimal("0"),
            occurred_at=timezone.now(),
            performed_by=nurse,
            reason="Bulk adjustment",
        )
        for container in containers
        for _ in range(each)
    )


def test_the_report_makes_the_same_queries_however_long_the_ledger(
    medical_director, nurse, clinician, safe, vial
):
    client = client_for(medical_director)
    few, _ = report_queries(client, safe)

    kept = list(receive(nurse, clinician, safe, containers=40, lot="KT-3001").containers.all())
    emptied = list(receive(nurse, clinician, safe, containers=20, lot="KT-3002").containers.all())
    adjustments(nurse, kept, each=30)  # 5.00 − 3.00 = 2.00 mL left in each
    adjustments(nurse, emptied, each=50)  # nothing left
    assert Movement.objects.count() == 1 + 60 + 40 * 30 + 20 * 50
    many, page = report_queries(client, safe)

    assert len(many) == len(few)
    ledger = connection.ops.quote_name(Movement._meta.db_table)
    reads = [sql for sql in many if ledger in sql and not sql.startswith("INSERT")]
    assert reads and all("SUM(" in sql.upper() for sql in reads)
    # 1 full vial and 40 containers of 2.00 mL: 85.00 mL in 41 containers; the emptied are absent.
    assert "85.00 mL" in page and ">41<" in page
    assert kept[0].identifier in page and emptied[0].identifier not in page
