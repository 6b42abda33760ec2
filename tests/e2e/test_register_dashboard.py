"""The register on the medical director's dashboard, in the browser: a count's difference is
listed with its safe, container and difference until it is resolved from the page the panel links
to; a lot about to expire and a safe never counted are listed too, and front desk sees none of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.inventory import services
from clinic.inventory.choices import CountKind, CountTiming
from clinic.inventory.tests.factories import SafeFactory, receive
from conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_director_resolves_a_discrepancy_from_the_dashboard(
    open_page, medical_director, clinician, nurse, front_desk, location
):
    safe = SafeFactory(location=location, name="Main safe")
    SafeFactory(location=location, name="Night safe")
    (vial,) = receive(
        nurse,
        clinician,
        safe,
        lot="KT-0417",
        expiry_date=timezone.localdate() + timedelta(days=25),
    ).containers.all()
    services.take_count(
        actor=nurse,
        safe=safe,
        counted={vial.pk: "4.70"},
        kind=CountKind.DAILY,
        timing=CountTiming.CLOSE,
        witness=clinician,
        witness_password=PASSWORD,
    )

    page = open_page()
    sign_in(page, medical_director.email, PASSWORD)
    page.goto("/dashboard/")
    panel = page.locator("#register-panel")
    expect(panel.get_by_role("heading", name="Controlled-substance register")).to_be_visible()
    row = panel.get_by_role("row").filter(has_text=vial.identifier)
    expect(row).to_contain_text("Main safe")
    expect(row).to_contain_text("-0.30 mL")
    expect(panel).to_contain_text("KT-0417")
    expect(panel).to_contain_text("in 25 days")
    expect(panel.locator("li").filter(has_text="Night safe")).to_contain_text("Never counted")

    row.get_by_role("link", name="Open the discrepancy").click()
    expect(page.get_by_role("heading", name=f"Discrepancy: {vial.identifier}")).to_be_visible()
    page.get_by_label("Counting error: the ledger was right").check()
    page.get_by_label("Explanation").fill("Recounted with the witness: 5.00 mL, misread the scale.")
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_text("The discrepancy is resolved.")).to_be_visible()

    page.goto("/dashboard/")
    expect(page.locator("#register-discrepancies + p")).to_have_text("None open.")

    desk = open_page()
    sign_in(desk, front_desk.email, PASSWORD)
    desk.goto("/dashboard/")
    expect(desk.get_by_role("heading", name="Patients")).to_be_visible()
    expect(desk.locator("#register-panel")).to_have_count(0)
