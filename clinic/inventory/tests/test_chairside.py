"""The register at the chair: the dose drawn from a container when it is confirmed, the dose given
entered as administered, the rest wasted before a witness, and no signature until it balances."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError
from clinic.inventory import selectors
from clinic.inventory import services as register_services
from clinic.inventory.choices import MovementKind
from clinic.inventory.models import Movement
from clinic.inventory.tests.factories import SafeFactory, SprayKitFactory, receive
from clinic.sessions import selectors as session_selectors
from clinic.sessions import services as session_services
from clinic.sessions import stock
from clinic.sessions.choices import SessionStatus
from clinic.sessions.models import TreatmentSession
from clinic.sessions.tests import factories as session_factories
from clinic.sessions.tests.test_discharge import ALL_TWOS
from conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def ago(minutes: float):
    return timezone.now() - timedelta(minutes=minutes)


def fresh(session) -> TreatmentSession:
    return TreatmentSession.objects.get(pk=session.pk)


@pytest.fixture
def ready(clinician, nurse, patient_alice, safe):
    """An IV session ready to dose (35 mg: 0.5 mg/kg at 70 kg) at the safe's location."""
    return session_factories.ready_to_dose(clinician, nurse, patient_alice)


def confirm(nurse, session, container, **changes):
    working = session_selectors.compute_dose(session, session.plan_version, session.weight_kg)
    return session_services.confirm_dose(
        actor=nurse,
        session=session,
        expected_dose_mg=working.dose_mg,
        container=container if isinstance(container, str) else container.identifier,
        **changes,
    )


def verify_and_start(clinician, nurse, session, *, lot="KT-2291", at=None):
    session_services.verify_dose(
        actor=clinician,
        session=session,
        dose_mg=fresh(session).dose_mg,
        vial_lot=lot,
        password=PASSWORD,
    )
    session_services.record_infusion_event(actor=nurse, session=session, kind="start", at=at)


def draw_of(session):
    (draw,) = selectors.session_draws(session)
    return draw


def discharged_after_stop(clinician, nurse, session):
    """Started 30 minutes ago at the plan's rate, stopped a minute ago, good vital signs, and
    discharged: 52.5 mg/h × 29 min ≈ 25.4 mg given of the 35 mg drawn."""
    verify_and_start(clinician, nurse, session, at=ago(30))
    session_services.record_infusion_event(
        actor=nurse, session=session, kind="stop", at=ago(1), reason="Patient asked to stop"
    )
    session_services.record_reading(
        actor=nurse, session=session, values=dict(session_factories.GOOD_DURING), taken_at=ago(0.5)
    )
    session_services.discharge(
        actor=clinician,
        session=session,
        aldrete=dict(ALL_TWOS),
        escort_present=True,
        instructions_given=True,
        override_reason="Observed for the protocol's time after a stopped infusion",
    )
    return fresh(session)


# --- drawing at confirmation ---------------------------------------------------------------
def test_confirming_the_dose_draws_it_from_the_container_and_takes_its_lot(nurse, ready, vial):
    confirmed = confirm(nurse, ready, vial)
    assert confirmed.vial_lot == vial.lot.lot_number
    assert confirmed.vial_expiry == vial.lot.expiry_date
    entry = Movement.objects.get(session=ready, kind=MovementKind.DISPENSE)
    # 35 mg of 100 mg/mL is 0.35 mL; the multi-dose vial keeps the rest.
    assert entry.quantity == Decimal("0.35") and entry.amount_mg == Decimal("35.00")
    assert selectors.container_balance(vial) == Decimal("4.65")
    event = AuditEvent.objects.get(event_type=AuditEventType.SESSION_DOSE_CONFIRMED)
    assert event.details["container"] == vial.identifier and event.details["drawn"].startswith(
        "0.35 mL"
    )


def test_a_scanned_label_names_the_container(nurse, ready, vial):
    scanned = f"https://clinic.example/inventory/containers/{vial.public_id}/"
    confirm(nurse, ready, scanned)
    assert draw_of(ready).container == vial


def test_more_drawn_up_than_the_dose_is_drawn_and_less_is_refused(nurse, ready, vial):
    with pytest.raises(ClinicError) as refused:
        confirm(nurse, ready, vial, drawn_ml=Decimal("0.30"))
    assert refused.value.field == "drawn_ml" and "0.35 mL" in refused.value.message
    assert not Movement.objects.filter(session=ready).exists()
    confirm(nurse, ready, vial, drawn_ml=Decimal("0.50"))
    assert draw_of(ready).drawn == Decimal("0.50")


def test_a_dose_is_drawn_from_a_partly_used_vial_then_a_new_one(
    clinician, nurse, ready, safe, patient_bob
):
    first, second = receive(nurse, clinician, safe, containers=2).containers.order_by("pk")
    # Another patient's session took 4.80 mL of the first vial: 0.20 mL is left in it.
    earlier = session_factories.started_session(clinician, nurse, patient_bob)
    register_services.dispense(
        actor=nurse, container=first, session_public_id=earlier.public_id, amount_ml="4.80"
    )
    with pytest.raises(ClinicError, match="add another container"):
        confirm(nurse, ready, first)
    confirm(nurse, ready, f"{first.identifier}, {second.identifier}")
    draws = {draw.container: draw.drawn for draw in selectors.session_draws(ready)}
    assert draws == {first: Decimal("0.20"), second: Decimal("0.15")}
    assert fresh(ready).vial_lot == "KT-2291"


def test_an_unknown_container_is_refused_beside_the_field(nurse, ready, vial):
    with pytest.raises(ClinicError) as refused:
        confirm(nurse, ready, "NOPE-1")
    assert refused.value.field == "container" and "NOPE-1" in refused.value.message
    with pytest.raises(ClinicError) as refused:
        confirm(nurse, ready, "   ")
    assert refused.value.field == "container"
    assert fresh(ready).dose_confirmed_at is None


def test_an_expired_container_is_neither_offered_nor_drawn(nurse, clinician, ready, safe):
    container = receive(nurse, clinician, safe, lot="OLD-1").containers.get()
    # The lot expires (the clock moves on): "today" read the day after its expiry.
    later = container.lot.expiry_date + timedelta(days=1)
    with (
        mock.patch("clinic.inventory.chairside._today", return_value=later),
        mock.patch("clinic.inventory.services._local_today", return_value=later),
    ):
        offered = [choice.identifier for choice in stock.active().choices(ready)]
        assert container.identifier not in offered
        with pytest.raises(ClinicError, match="expired"):
            confirm(nurse, ready, container)
    assert fresh(ready).dose_confirmed_at is None


def test_only_this_locations_containers_for_this_route_are_offered(
    nurse, clinician, ready, vial, other_location, other_location_clinician, medical_director
):
    far = receive(
        medical_director,
        other_location_clinician,
        SafeFactory(location=other_location),
        lot="FAR-1",
    ).containers.get()
    kit = receive(nurse, clinician, vial.safe, product=SprayKitFactory(), lot="SP-1")
    offered = [choice.identifier for choice in stock.active().choices(ready)]
    assert offered == [vial.identifier]
    with pytest.raises(ClinicError, match="not for this session's route"):
        confirm(nurse, ready, kit.containers.get())
    with pytest.raises(ClinicError, match="no container"):
        confirm(nurse, ready, far)


def test_withdrawing_the_confirmation_puts_the_draw_back_by_a_reversing_entry(nurse, ready, vial):
    confirm(nurse, ready, vial)
    session_services.withdraw_dose_confirmation(actor=nurse, session=ready)
    assert selectors.container_balance(vial) == Decimal("5.00")
    assert selectors.session_draws(ready)[0].drawn == Decimal("0.00")
    reversal = Movement.objects.get(session=ready, reverses__isnull=False)
    assert "withdrawn" in reversal.reason
    # Confirmed again, it draws again.
    confirm(nurse, ready, vial)
    assert selectors.container_balance(vial) == Decimal("4.65")


# --- given, wasted, signed ---------------------------------------------------------------------
def test_a_completed_infusion_is_entered_as_administered_and_balances(
    clinician, nurse, ready, vial
):
    confirm(nurse, ready, vial)
    verify_and_start(clinician, nurse, ready, at=ago(45))
    session_services.record_infusion_event(actor=nurse, session=ready, kind="complete", at=ago(4))
    draw = draw_of(ready)
    assert draw.administered == Decimal("0.35") and draw.outstanding == 0
    assert stock.active().unreconciled(ready) == []


def test_a_stopped_infusion_leaves_the_rest_to_waste_before_the_session_is_signed(
    clinician, nurse, medical_director, ready, vial
):
    confirm(nurse, ready, vial)
    session = discharged_after_stop(clinician, nurse, ready)
    draw = draw_of(session)
    given_ml = (session.dose_given_mg / Decimal("100")).quantize(Decimal("0.01"))
    assert draw.administered == given_ml and draw.outstanding == Decimal("0.35") - given_ml
    with pytest.raises(ClinicError) as refused:
        session_services.sign_session(actor=nurse, session=session, role="nurse", password=PASSWORD)
    assert "not reconciled" in refused.value.message and vial.identifier in refused.value.message
    response = client_for(nurse).post(
        f"/inventory/sessions/{session.public_id}/waste/",
        {
            "container": vial.identifier,
            "amount": str(draw.outstanding),
            "reason": "Drawn and not given: infusion stopped",
            "witness": medical_director.pk,
            "witness_password": PASSWORD,
        },
        **HX,
    )
    assert response.status_code == 200, response.content.decode()
    html = response.content.decode()
    assert 'id="stock-reconciled"' in html and response["HX-Trigger"] == "session-changed"
    waste = Movement.objects.get(session=session, kind=MovementKind.WASTE)
    assert waste.witness == medical_director and waste.quantity == draw.outstanding
    signed = session_services.sign_session(
        actor=nurse, session=session, role="nurse", password=PASSWORD
    )
    assert signed.signatures.count() == 1


def test_the_waste_form_refuses_a_wrong_witness_password_and_keeps_what_was_typed(
    clinician, nurse, ready, vial
):
    confirm(nurse, ready, vial)
    session = discharged_after_stop(clinician, nurse, ready)
    response = client_for(nurse).post(
        f"/inventory/sessions/{session.public_id}/waste/",
        {
            "container": vial.identifier,
            "amount": "0.01",
            "reason": "Spilled while priming",
            "witness": clinician.pk,
            "witness_password": "not-it",
        },
        **HX,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "not Dr. Clinician" in html or "password" in html
    assert 'value="Spilled while priming"' in html
    assert not Movement.objects.filter(session=session, kind=MovementKind.WASTE).exists()
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.STOCK_WITNESS_FAILED, outcome=AuditOutcome.FAILED
    ).exists()


def test_more_than_is_left_cannot_be_wasted(clinician, nurse, medical_director, ready, vial):
    confirm(nurse, ready, vial)
    session = discharged_after_stop(clinician, nurse, ready)
    response = client_for(nurse).post(
        f"/inventory/sessions/{session.public_id}/waste/",
        {
            "container": vial.identifier,
            "amount": "3.00",
            "reason": "Too much",
            "witness": medical_director.pk,
            "witness_password": PASSWORD,
        },
        **HX,
    )
    assert response.status_code == 400
    assert "not yet given or wasted" in response.content.decode()


def test_front_desk_cannot_waste_and_another_locations_session_is_not_found(
    clinician, nurse, front_desk, other_location_clinician, ready, vial
):
    confirm(nurse, ready, vial)
    url = f"/inventory/sessions/{ready.public_id}/waste/"
    assert client_for(front_desk).post(url, {}).status_code == 403
    assert client_for(other_location_clinician).post(url, {}).status_code == 404


def test_an_esketamine_dose_draws_and_gives_whole_devices(clinician, nurse, patient_bob, safe):
    session = session_factories.ready_to_dose(
        clinician, nurse, patient_bob, protocol_name=session_factories.ESKETAMINE
    )
    kit = receive(nurse, clinician, safe, product=SprayKitFactory(), lot="SP-1").containers.get()
    with pytest.raises(ClinicError, match="mL"):
        confirm(nurse, session, kit, drawn_ml=Decimal("1"))
    confirm(nurse, session, kit)
    verify_and_start(clinician, nurse, session, lot="SP-1")
    draw = draw_of(session)
    assert draw.drawn == draw.administered == Decimal("2") and draw.outstanding == 0


# --- the page ----------------------------------------------------------------------------------
def test_the_dose_form_offers_the_containers_in_stock_first_to_expire_first(
    nurse, clinician, ready, safe
):
    later = receive(nurse, clinician, safe, lot="LATE-1").containers.get()
    sooner = receive(
        nurse, clinician, safe, lot="SOON-1", expiry_date=timezone.localdate() + timedelta(days=9)
    ).containers.get()
    html = client_for(nurse).get(f"/sessions/{ready.public_id}/").content.decode()
    assert 'list="containers-in-stock"' in html and 'name="vial_lot"' not in html
    assert html.index(sooner.identifier) < html.index(later.identifier)


def test_with_no_stock_the_dose_form_says_to_receive_it_first(nurse, ready):
    html = client_for(nurse).get(f"/sessions/{ready.public_id}/").content.decode()
    assert 'id="no-containers"' in html


def test_confirming_from_the_tablet_draws_and_the_stock_panel_waits_for_the_blind_check(
    clinician, nurse, ready, vial
):
    working = session_selectors.compute_dose(ready, ready.plan_version, ready.weight_kg)
    response = client_for(nurse).post(
        reverse("sessions:act", args=[ready.public_id, "confirm"]),
        {
            "expected_dose_mg": str(working.dose_mg),
            "version": fresh(ready).version,
            "container": vial.identifier.lower(),
        },
        **HX,
    )
    assert response.status_code == 200, response.content.decode()
    assert fresh(ready).status == SessionStatus.PREPARATION and fresh(ready).dose_confirmed_at
    assert draw_of(ready).outstanding == Decimal("0.35")
    # The second check is blind: the panel would show the vial's lot and the volume drawn.
    html = response.content.decode()
    assert 'id="session-stock"' not in html
    assert vial.lot.lot_number not in html and "0.35 mL" not in html

    session_services.verify_dose(
        actor=clinician,
        session=ready,
        dose_mg=working.dose_mg,
        vial_lot=vial.lot.lot_number,
        password=PASSWORD,
    )
    html = client_for(nurse).get(f"/sessions/{ready.public_id}/").content.decode()
    assert 'id="session-stock"' in html and f'id="outstanding-{vial.identifier}"' in html
    # Verified and not yet started: the dose is to be given, not yet a remainder to waste.
    assert "entered as administered when the dose ends" in html and "Not reconciled" not in html


def test_a_session_stopped_after_the_confirmation_shows_the_draw_to_waste(nurse, ready, vial):
    confirm(nurse, ready, vial)
    session_services.stop_before_dosing(actor=nurse, session=ready, reason="Patient felt unwell")
    html = client_for(nurse).get(f"/sessions/{ready.public_id}/").content.decode()
    assert 'id="session-stock"' in html and 'id="form-waste"' in html
    assert f'id="outstanding-{vial.identifier}"><strong>0.35 mL' in html


def test_a_refused_container_is_shown_beside_the_field_and_kept(nurse, ready, vial):
    working = session_selectors.compute_dose(ready, ready.plan_version, ready.weight_kg)
    response = client_for(nurse).post(
        reverse("sessions:act", args=[ready.public_id, "confirm"]),
        {
            "expected_dose_mg": str(working.dose_mg),
            "version": fresh(ready).version,
            "container": "K-NOPE",
        },
        **HX,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is no container" in html and 'value="K-NOPE"' in html


def test_with_the_register_off_the_lot_is_typed(typed_lots, nurse, ready):
    html = client_for(nurse).get(f"/sessions/{ready.public_id}/").content.decode()
    assert 'name="vial_lot"' in html and "containers-in-stock" not in html
