"""The controlled-substance register in the browser, from the delivery to the inventory: a nurse
receives two vials with a clinician witnessing and prints their QR labels; at the chair she draws
the dose from one of them when she confirms it, a second nurse checks it blind on the same
tablet, the infusion is stopped early, signing is refused until the rest is wasted before a
witness, and the stock panel then says "Reconciled"; a two-person blind count of the safe finds
no difference; and the session's stock report, the register's balances and the inventory at the
close of the day agree: drawn = administered + wasted to 0.01 mL, and the vial holds 5.00 mL less
what was drawn."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
import segno
from django.utils import timezone
from playwright.sync_api import expect

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.core.dates import show_date
from clinic.core.tests.factories import LocationFactory, OrganisationFactory
from clinic.inventory import selectors
from clinic.inventory.models import Container, Count, Discrepancy, Receipt
from clinic.inventory.tests.factories import SafeFactory, VialFactory, registration
from clinic.patients.models import VitalSigns
from clinic.patients.tests.factories import register_test_patient
from clinic.sessions import services as session_services
from clinic.sessions.models import InfusionEvent, SessionReading, TreatmentSession
from clinic.sessions.tests.factories import ready_to_dose
from conftest import PASSWORD
from tests.e2e.conftest import sign_in
from tests.e2e.test_session import TABLET

pytestmark = pytest.mark.django_db(transaction=True)

HUNDREDTH = Decimal("0.01")
FULL_VIAL_ML = Decimal("5.00")
LOT = "KT-3301"


@pytest.fixture
def clinic():
    """The Boston clinic (New York time) with its safe, DEA registration and the ketamine vial
    product (products are set up in the admin: made here with the register's test factory)."""
    location = LocationFactory(
        organisation=OrganisationFactory(), name="Boston", time_zone="America/New_York"
    )
    clinician = UserFactory(
        role=Role.CLINICIAN, email="doc@clinic.test", full_name="Dr. Doc", credentials="MD"
    )
    nurse = UserFactory(
        role=Role.NURSE, email="nurse@clinic.test", full_name="Nurse Nora", credentials="RN"
    )
    nadia = UserFactory(
        role=Role.NURSE, email="nadia@clinic.test", full_name="Nurse Nadia", credentials="RN"
    )
    for user in (clinician, nurse, nadia):
        user.locations.set([location])
    alice = register_test_patient(
        actor=clinician, location=location, first_name="Alice", last_name="Moreno", portal=True
    )
    registration(location)
    return {
        "location": location,
        "clinician": clinician,
        "nurse": nurse,
        "alice": alice,
        "safe": SafeFactory(location=location, name="Main safe"),
        "product": VialFactory(),
    }


def millilitres(text: str) -> Decimal:
    """The mL in a cell such as "0.35 mL" or "0.18 mL (18.00 mg)"; "0" is 0.00."""
    match = re.match(r"\s*(\d+(?:\.\d+)?)", text)
    assert match, f"no amount in {text!r}"
    return Decimal(match.group(1)).quantize(HUNDREDTH)


def cells(row) -> list[str]:
    return [text.strip() for text in row.get_by_role("cell").all_inner_texts()]


def field(scope, label: str):
    """The field labelled exactly `label` (a required field's label ends in " *")."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def stock_panel(page):
    return page.locator("#session-stock")


def qr_path(address: str) -> str:
    """The drawing of the QR code that holds `address`, as the labels page draws it (segno)."""
    svg = segno.make(address, error="m").svg_inline(scale=3)
    return re.search(r' d="([^"]+)"', svg).group(1)


def test_received_drawn_given_wasted_counted_and_reported(open_page, live_server, clinic):
    location, safe, product = clinic["location"], clinic["safe"], clinic["product"]
    today = timezone.localtime(timezone.now(), location.zone).date()
    expiry = today + timedelta(days=400)

    # --- 1. the delivery: two vials received, a clinician witnessing with their password ------
    tablet = open_page(TABLET)
    sign_in(tablet, "nurse@clinic.test", PASSWORD)
    tablet.get_by_role("navigation", name="Main").get_by_role("link", name="Register").click()
    expect(tablet.get_by_role("heading", name="Controlled-substance register")).to_be_visible()
    tablet.get_by_role("link", name="Receive stock").click()
    expect(tablet.get_by_role("heading", name="Receive controlled stock")).to_be_visible()
    field(tablet, "Safe").select_option(label=str(safe))
    field(tablet, "Product").select_option(label=str(product))
    tablet.get_by_label("Lot number").fill(LOT)
    tablet.get_by_label("Expiry date").fill(expiry.isoformat())
    tablet.get_by_label("Number of vials or kits").fill("2")
    tablet.get_by_label("Supplier name").fill("Henry Schein")
    tablet.get_by_label("Supplier address").fill("135 Duryea Road, Melville, NY 11747")
    tablet.get_by_label("Supplier's DEA number").fill("RH0123454")
    tablet.get_by_label("Invoice or packing slip number").fill("INV-2291")
    expect(tablet.get_by_label("Date received")).to_have_value(today.isoformat())
    field(tablet, "Witness").select_option(label="Dr. Doc, MD")
    tablet.get_by_label("Witness's password").fill(PASSWORD)
    tablet.get_by_role("button", name="Receive and print labels").click()

    expect(tablet.get_by_role("heading", name="Labels for invoice INV-2291")).to_be_visible()
    expect(tablet.get_by_text(f"Received 2 × {product.name}, lot {LOT}.")).to_be_visible()
    receipt = Receipt.objects.get(invoice_reference="INV-2291")
    assert receipt.witness == clinic["clinician"] and receipt.received_by == clinic["nurse"]
    containers = list(receipt.containers.order_by("identifier"))
    assert len(containers) == 2
    labels = tablet.locator(".stock-label")
    expect(labels).to_have_count(2)
    for container in containers:
        label = labels.filter(has_text=container.identifier)
        expect(label).to_contain_text(f"Lot {LOT} · Exp {show_date(expiry)}")
        # One QR code per container, titled with its identifier (it encodes its page's address).
        expect(label.locator(".stock-label-qr svg")).to_have_count(1)
        expect(label.locator(".stock-label-qr svg title")).to_have_text(
            f"Container {container.identifier}"
        )
        page_address = f"{live_server.url}/inventory/containers/{container.public_id}/"
        assert label.locator(".stock-label-qr svg path").get_attribute("d") == qr_path(page_address)

    # --- 2. at the chair: the dose drawn from a received vial when it is confirmed ------------
    session = ready_to_dose(clinic["clinician"], clinic["nurse"], clinic["alice"])
    session_path = f"/sessions/{session.public_id}/"
    tablet.goto(session_path)
    tablet.wait_for_load_state("load")
    expect(tablet.locator("#dose-mg")).to_have_text("35.0 mg")
    offered = tablet.locator("#containers-in-stock option")
    expect(offered).to_have_count(2)
    # The nurse takes the first vial offered (both are of the same lot, full).
    expect(offered.first).to_have_text(re.compile(rf"lot {LOT}, expires .* 5\.00 mL left"))
    chosen = offered.first.get_attribute("value")
    (vial,) = [container for container in containers if container.identifier == chosen]
    (unopened,) = [container for container in containers if container != vial]
    tablet.get_by_label(re.compile(r"^Container \(choose or scan its label\)")).fill(
        vial.identifier
    )
    tablet.get_by_role("button", name="Confirm dose and vial").click()
    expect(tablet.get_by_text("Second check, blind:")).to_be_visible()
    # Blind: nothing on the page gives away the lot or the volume drawn (35 mg of 100 mg/mL).
    expect(tablet.locator("#panels")).not_to_contain_text(LOT)
    expect(tablet.locator("#panels")).not_to_contain_text("0.35 mL")
    expect(stock_panel(tablet)).to_have_count(0)

    # Nurse Nadia steps up to the same tablet and checks with her own e-mail and password.
    verify = tablet.locator("#form-verify")
    verify.get_by_label(re.compile(r"^Dose you worked out")).fill("35")
    verify.get_by_label(re.compile(r"^Lot number on the vial")).fill(LOT)
    verify.get_by_label(re.compile(r"^Checker's e-mail")).fill("nadia@clinic.test")
    verify.get_by_label(re.compile(r"^Checker's password")).fill(PASSWORD)
    verify.get_by_role("button", name="Verify dose").click()
    expect(tablet.get_by_text("Verified by Nurse Nadia")).to_be_visible()
    panel = stock_panel(tablet)
    expect(panel).to_be_visible()
    expect(panel.locator(f"#outstanding-{vial.identifier}")).to_have_text("0.35 mL")
    expect(panel).to_contain_text("The dose given is entered as administered when the dose ends")

    tablet.get_by_role("button", name="Start the infusion").click()
    expect(tablet.get_by_role("heading", name="Infusion", exact=True)).to_be_visible()
    expect(tablet.get_by_role("status").filter(has_text="infusion started")).to_be_visible()

    # Twenty minutes into the 40-minute infusion (the session's clock moved back rather than
    # waited), the patient asks to stop: 52.5 mg/h × 20 min ≈ 17.5 mg of the 35 mg is given.
    shift = timedelta(minutes=20)
    session.refresh_from_db()
    TreatmentSession.objects.filter(pk=session.pk).update(dosed_at=session.dosed_at - shift)
    for event in InfusionEvent.objects.filter(session=session):
        InfusionEvent.objects.filter(pk=event.pk).update(at=event.at - shift)
    for reading in SessionReading.objects.filter(session=session).select_related("vital_signs"):
        SessionReading.objects.filter(pk=reading.pk).update(taken_at=reading.taken_at - shift)
        VitalSigns.objects.filter(pk=reading.vital_signs_id).update(
            taken_at=reading.vital_signs.taken_at - shift
        )
    tablet.reload()
    tablet.wait_for_load_state("load")
    tablet.get_by_label("Event").select_option(label="Stopped")
    tablet.locator("#id_infusion_reason").fill("Patient asked to stop")
    tablet.get_by_role("button", name="Record", exact=True).click()
    expect(tablet.get_by_role("status").filter(has_text="Stopped at")).to_be_visible()
    expect(tablet.locator("#dose-given")).to_contain_text(
        re.compile(r"Stopped early: 52\.5 mg/h × 2[01]\.\d min")
    )

    session.refresh_from_db()
    assert Decimal("17.5") <= session.dose_given_mg <= Decimal("19.2"), session.dose_given_mg
    # The register's administration: the dose given in mL of 100 mg/mL, to 0.01 mL.
    given_ml = (session.dose_given_mg / product.concentration_mg_per_ml).quantize(
        HUNDREDTH, ROUND_HALF_UP
    )
    drawn_ml = Decimal("0.35")
    left_ml = drawn_ml - given_ml
    assert left_ml > 0
    panel = stock_panel(tablet)
    row = panel.get_by_role("row").filter(has_text=vial.identifier)
    assert cells(row)[1:] == [
        f"{drawn_ml} mL",
        f"{given_ml} mL",
        "0.00 mL",
        f"{left_ml} mL",
    ]
    expect(panel).to_contain_text("Not reconciled")

    # A clinician discharges with the criteria overridden (the observation after a stopped
    # infusion is not waited for here); the signatures follow.
    session_services.discharge(
        actor=clinic["clinician"],
        session=session,
        aldrete=dict.fromkeys(
            ("activity", "respiration", "circulation", "consciousness", "oxygen_saturation"), 2
        ),
        escort_present=True,
        instructions_given=True,
        override_reason="Observed at the chair after the infusion was stopped; back to baseline",
    )
    tablet.reload()
    tablet.wait_for_load_state("load")
    expect(tablet.get_by_role("heading", name="Signatures")).to_be_visible()

    # Signing is refused while part of what was drawn is neither given nor wasted.
    sign = tablet.locator("#form-sign")
    expect(sign.get_by_label(re.compile(r"^Sign as"))).to_have_value("nurse")
    sign.get_by_label(re.compile(r"^Signer's password")).fill(PASSWORD)
    sign.get_by_role("button", name="Sign", exact=True).click()
    refused = tablet.locator("#refused")
    expect(refused).to_contain_text(
        f"The controlled stock is not reconciled: {left_ml} mL "
        f"({product.mg_of(left_ml)} mg) of container {vial.identifier} is drawn for this "
        "session and neither given nor wasted. Record the waste, with a witness, before signing."
    )
    assert not session.signatures.exists()

    # The nurse wastes the rest; Dr. Doc witnesses, choosing his name and typing his password.
    panel = stock_panel(tablet)
    waste = panel.locator("#form-waste")
    expect(waste).to_be_visible()
    expect(field(waste, "Container")).to_have_value(vial.identifier)
    expect(waste.get_by_label("Amount wasted")).to_have_value(str(left_ml))
    field(waste, "Witness").select_option(label="Dr. Doc, MD")
    waste.get_by_label("Witness's password").fill(PASSWORD)
    waste.get_by_role("button", name="Record the waste").click()
    panel = stock_panel(tablet)
    expect(panel.get_by_role("status")).to_have_text(
        "Waste recorded. Everything drawn for this session is accounted for."
    )
    expect(panel.locator("#stock-reconciled")).to_have_text("Reconciled")
    row = panel.get_by_role("row").filter(has_text=vial.identifier)
    expect(row.get_by_role("cell").nth(3)).to_have_text(f"{left_ml} mL")
    expect(panel.locator(f"#outstanding-{vial.identifier}")).to_have_text("0")

    # Now it is signed: the nurse, then Dr. Doc co-signs on the same tablet.
    sign = tablet.locator("#form-sign")
    sign.get_by_label(re.compile(r"^Signer's password")).fill(PASSWORD)
    sign.get_by_role("button", name="Sign", exact=True).click()
    expect(tablet.get_by_role("status")).to_have_text(
        "Signed. The second signature locks the record."
    )
    sign = tablet.locator("#form-sign")
    sign.get_by_label(re.compile(r"^Sign as")).select_option(label="Supervising clinician")
    sign.get_by_label(re.compile(r"^Signer's e-mail")).fill("doc@clinic.test")
    sign.get_by_label(re.compile(r"^Signer's password")).fill(PASSWORD)
    sign.get_by_role("button", name="Sign", exact=True).click()
    expect(tablet.get_by_role("status")).to_have_text("Signed and locked.")
    session.refresh_from_db()
    assert session.status == "signed" and session.locked_at is not None

    # --- 3. a two-person blind count of the safe: no difference ----------------------------
    balance_ml = FULL_VIAL_ML - drawn_ml
    tablet.goto("/inventory/")
    tablet.wait_for_load_state("load")
    tablet.get_by_role("link", name="Count this safe").click()
    expect(tablet.get_by_role("heading", name=re.compile(r"^Count Main safe"))).to_be_visible()
    counted = tablet.locator("form fieldset")
    # Blind: what the register says each vial holds is not on the page.
    expect(counted).not_to_contain_text(str(balance_ml))
    expect(counted).not_to_contain_text("5.00")
    for container, found in ((vial, balance_ml), (unopened, FULL_VIAL_ML)):
        tablet.get_by_label(re.compile(rf"^{container.identifier} · ")).fill(str(found))
    field(tablet, "Witness").select_option(label="Dr. Doc, MD")
    tablet.get_by_label("Second counter's password").fill(PASSWORD)
    tablet.get_by_role("button", name="Save the count").click()
    expect(tablet.get_by_text("Count saved: everything matches the register.")).to_be_visible()
    expect(tablet.get_by_role("heading", name="Controlled-substance register")).to_be_visible()
    count = Count.objects.get(safe=safe)
    assert count.witness == clinic["clinician"] and count.counted_by == clinic["nurse"]
    assert not Discrepancy.objects.exists()

    # --- 4. the session's report, the register's balances and the inventory agree -----------
    # The register's own page: the vial holds 5.00 mL less what was drawn, nothing left drawn.
    register_row = tablet.get_by_role("row").filter(has_text=vial.identifier)
    register_cells = cells(register_row)
    assert millilitres(register_cells[4]) == balance_ml
    assert register_cells[5] == ""
    totals = tablet.get_by_role("table").filter(
        has=tablet.locator("caption", has_text="Totals by product")
    )
    assert cells(totals.get_by_role("row").filter(has_text=product.ndc))[2:4] == [
        "2",
        f"{FULL_VIAL_ML + balance_ml} mL",
    ]

    # The session's stock report: drawn = administered + wasted, reconciled.
    tablet.goto(f"/inventory/sessions/{session.public_id}/")
    tablet.wait_for_load_state("load")
    report = tablet.locator("section.panel").first
    expect(report).to_contain_text("Reconciled")
    (drawn, administered, wasted, unaccounted) = cells(
        report.get_by_role("row").filter(has_text=vial.identifier)
    )[2:]
    assert millilitres(drawn) == drawn_ml
    assert millilitres(administered) == given_ml
    assert millilitres(wasted) == left_ml
    assert millilitres(drawn) == millilitres(administered) + millilitres(wasted)
    assert unaccounted == "0"
    assert f"({product.mg_of(given_ml)} mg)" in administered
    entries = tablet.locator("section.panel").nth(1)
    for kind in ("Drawn for a session", "Administered", "Wasted"):
        expect(entries).to_contain_text(kind)

    # The inventory as the ledger stood at the close of today.
    tablet.goto("/inventory/as-of/")
    tablet.wait_for_load_state("load")
    field(tablet, "Safe").select_option(label=str(safe))
    field(tablet, "Date").fill(today.isoformat())
    field(tablet, "Timing").select_option(label="Close of business")
    tablet.get_by_role("button", name="Show").click()
    expect(
        tablet.get_by_role(
            "heading", name=re.compile(rf"close of business, {re.escape(show_date(today))}")
        )
    ).to_be_visible()
    inventory_cells = cells(tablet.get_by_role("row").filter(has_text=vial.identifier))
    assert millilitres(inventory_cells[4]) == balance_ml
    assert inventory_cells[5] == "Opened"
    assert cells(tablet.get_by_role("row").filter(has_text=unopened.identifier))[4:] == [
        "5.00 mL",
        "Full",
    ]

    # And the ledger's own sum says the same.
    assert selectors.container_balance(Container.objects.get(pk=vial.pk)) == balance_ml
