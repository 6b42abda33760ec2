"""The register at the chair: what a treatment session draws, gives and wastes. Installed into
`clinic.sessions.stock` from the app's `ready()`, so the session's dose services draw the dose when
it is confirmed, enter the dose given as administered, and refuse to sign a session whose stock is
not reconciled, all inside their own transaction."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation

from django.template.loader import render_to_string
from django.utils import timezone

from clinic.core.choices import Route
from clinic.core.dates import show_date
from clinic.core.exceptions import ClinicError
from clinic.inventory import selectors, services
from clinic.inventory.choices import MovementKind, ProductForm
from clinic.inventory.forms import SessionWasteForm
from clinic.inventory.models import Container, Movement
from clinic.sessions.stock import ContainerChoice, Drawn

HUNDREDTH = Decimal("0.01")
# The most containers offered at once: a safe holds a few open vials and kits; the list names the
# first to expire first.
OFFERED_LIMIT = 40
# A label's QR code holds the container's page address; a scanner types it into the field.
_SCANNED_ADDRESS = re.compile(
    r"/containers/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/", re.IGNORECASE
)


def _today(session):
    return timezone.localtime(timezone.now(), session.location.zone).date()


def _offerable(session):
    """Containers at the session's location, for its route, in date and holding stock; the first
    to expire first (so the oldest stock is used before it expires)."""
    today = _today(session)
    form = ProductForm.NASAL_DEVICE if session.route == Route.INTRANASAL else ProductForm.VIAL
    containers = Container.objects.select_related("lot__product", "safe").filter(
        safe__location_id=session.location_id,
        lot__expiry_date__gte=today,
        lot__product__form=form,
        lot__product__is_active=True,
    )
    return (
        selectors.with_balances(containers)
        .filter(in_safe__gt=0)
        .order_by("lot__expiry_date", "identifier")
    )


def _label(container) -> str:
    product = container.product
    left = services.describe(product, selectors.exact(container.in_safe)).split(" (")[0]
    return (
        f"{container.identifier} · {product.name} · lot {container.lot.lot_number}, expires "
        f"{show_date(container.lot.expiry_date)} · {left} left ({container.safe.name})"
    )


def _find(session, text: str) -> list[Container]:
    """The containers named (an identifier each, or a label's scanned address; several separated
    by commas or spaces when one does not hold the whole dose), at the session's location."""
    text = (text or "").strip()[:300]
    if not text:
        raise ClinicError("Choose or scan the container you draw the dose from.", field="container")
    here = Container.objects.select_related("lot__product", "safe__location").filter(
        safe__location_id=session.location_id
    )
    found: list[Container] = []
    for token in re.split(r"[\s,;]+", text):
        if not token:
            continue
        scanned = _SCANNED_ADDRESS.search(token)
        if scanned:
            container = here.filter(public_id=scanned.group(1)).first()
        else:
            container = here.filter(identifier=token.upper()).first()
        if container is None:
            raise ClinicError(
                f"There is no container “{token[:40]}” in a safe at {session.location}.",
                field="container",
            )
        if container not in found:
            found.append(container)
    if len({container.lot.product_id for container in found}) > 1:
        raise ClinicError("Draw one dose from containers of one product.", field="container")
    return found


def _dose_quantity(product, dose_mg: Decimal, drawn_ml) -> Decimal:
    """The dose in the product's unit: whole devices, or mL rounded up to 0.01 mL (or the volume
    the nurse drew up, if more)."""
    if product.is_device:
        devices = dose_mg / product.device_strength_mg
        if devices != devices.to_integral_value() or devices < 1:
            raise ClinicError(
                f"{dose_mg} mg is not a whole number of {product.device_strength_mg.normalize()} "
                "mg devices.",
                field="container",
            )
        if drawn_ml not in (None, ""):
            raise ClinicError("Nasal spray is counted in whole devices, not mL.", field="drawn_ml")
        return devices
    needed_ml = (dose_mg / product.concentration_mg_per_ml).quantize(HUNDREDTH, ROUND_UP)
    if drawn_ml in (None, ""):
        return needed_ml
    try:
        drawn_ml = Decimal(str(drawn_ml))
    except InvalidOperation:
        raise ClinicError("Enter the volume drawn in mL.", field="drawn_ml") from None
    if drawn_ml < needed_ml:
        raise ClinicError(
            f"The dose of {dose_mg} mg needs {needed_ml} mL of "
            f"{product.concentration_mg_per_ml.normalize()} mg/mL: draw at least that.",
            field="drawn_ml",
        )
    return drawn_ml.quantize(HUNDREDTH)


def _open_draws(session):
    """The session's draws not reversed, latest first."""
    return (
        Movement.objects.filter(
            session=session,
            kind=MovementKind.DISPENSE,
            reverses__isnull=True,
            reversed_by__isnull=True,
        )
        .select_related("container__lot__product", "container__safe__location", "safe")
        .order_by("-occurred_at", "-pk")
    )


class ChairsideRegister:
    """The register as the treatment session sees it (clinic.sessions.stock.StockRegister)."""

    def in_use(self) -> bool:
        return services.get_policy().sessions_draw_from_register

    def choices(self, session) -> list[ContainerChoice]:
        return [
            ContainerChoice(identifier=container.identifier, label=_label(container))
            for container in _offerable(session)[:OFFERED_LIMIT]
        ]

    def draw(self, *, actor, session, container: str, dose_mg: Decimal, drawn_ml) -> Drawn:
        """Draw the dose from the containers named, in the order named: each gives what it holds
        until the dose is drawn (a partly used vial, then a new one). All or nothing."""
        containers = _find(session, container)
        product = containers[0].product
        if product.is_device != (session.route == Route.INTRANASAL):
            raise ClinicError(
                f"{product.name} is not for this session's route ({session.get_route_display()}).",
                field="container",
            )
        wanted = _dose_quantity(product, Decimal(str(dose_mg)), drawn_ml)
        balances = dict(
            selectors.with_balances(
                Container.objects.filter(pk__in=[c.pk for c in containers])
            ).values_list("pk", "in_safe")
        )
        remaining, drawn = wanted, []
        for found in containers:
            if remaining <= 0:
                raise ClinicError(
                    f"The dose is drawn before container {found.identifier}: name only the "
                    "containers it is drawn from.",
                    field="container",
                )
            take = min(remaining, selectors.exact(balances.get(found.pk)))
            if take <= 0:
                raise ClinicError(f"Container {found.identifier} is empty.", field="container")
            # The service locks the container and refuses anything below zero or out of date.
            movement = services.dispense(
                actor=actor,
                container=found,
                session_public_id=session.public_id,
                amount_ml=None if product.is_device else take,
                devices=int(take) if product.is_device else None,
            )
            drawn.append(movement)
            remaining -= take
        if remaining > 0:
            raise ClinicError(
                f"{', '.join(c.identifier for c in containers)} hold "
                f"{services.describe(product, wanted - remaining)}; the dose needs "
                f"{services.describe(product, wanted)}: add another container.",
                field="container",
            )
        lots = list(dict.fromkeys(c.lot.lot_number for c in containers))
        return Drawn(
            container=", ".join(c.identifier for c in containers),
            lot=", ".join(lots)[:40],
            expiry=min(c.lot.expiry_date for c in containers),
            amount=services.describe(product, wanted),
        )

    def undo_draw(self, *, actor, session, reason: str) -> None:
        for movement in _open_draws(session):
            services.reverse_movement(actor=actor, movement=movement, reason=reason)

    def record_given(self, *, actor, session, dose_given_mg: Decimal) -> None:
        """The dose given, out of what is drawn and not yet accounted for (in the order drawn):
        mL to 0.01 (rounded half up, never more than drawn), or whole devices."""
        remaining_mg = Decimal(str(dose_given_mg))
        for draw in selectors.session_draws(session):
            if remaining_mg <= 0 or draw.outstanding <= 0:
                continue
            product = draw.container.product
            if product.is_device:
                quantity = (remaining_mg / product.mg_per_unit).quantize(
                    Decimal("1"), ROUND_HALF_UP
                )
            else:
                quantity = (remaining_mg / product.mg_per_unit).quantize(HUNDREDTH, ROUND_HALF_UP)
            quantity = min(quantity, draw.outstanding)
            if quantity <= 0:
                continue
            services.administer(
                actor=actor,
                container=draw.container,
                session_public_id=session.public_id,
                amount_ml=None if product.is_device else quantity,
                devices=int(quantity) if product.is_device else None,
            )
            remaining_mg -= product.mg_of(quantity)

    def unreconciled(self, session) -> list[str]:
        return [
            f"{services.describe(draw.container.product, draw.outstanding)} of container "
            f"{draw.container.identifier} is drawn for this session and neither given nor wasted."
            for draw in selectors.session_draws(session)
            if draw.outstanding != 0
        ]

    def panel(self, request, session, *, form=None, notice: str = "") -> str:
        """The session page's stock panel: what was drawn, given and wasted per container, and the
        witnessed waste of what is left."""
        draws = selectors.session_draws(session)
        outstanding = [draw for draw in draws if draw.outstanding > 0]
        if form is None and outstanding and session.locked_at is None:
            form = SessionWasteForm(
                draws=outstanding, actor=request.user, location=session.location
            )
        return render_to_string(
            "inventory/_session_stock.html",
            {
                "session": session,
                "draws": draws,
                "outstanding": outstanding,
                "form": form if session.locked_at is None else None,
                "notice": notice,
                "witness_required": services.get_policy().waste_witness_required,
            },
            request=request,
        )
