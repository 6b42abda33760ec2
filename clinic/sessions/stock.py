"""The controlled-stock register as a treatment session sees it, without sessions importing the
register (clinic.inventory sits above sessions): the register installs its implementation here from
its `AppConfig.ready()`, and the dose services call it inside their own transaction.

With a register installed and in use (its policy's `sessions_draw_from_register`), the nurse picks
the container at dose confirmation and the lot and expiry come from it; the dose given is entered
as administered; the rest is wasted before a witness; and the session cannot be signed while
anything drawn for it is unaccounted for. Without one, the lot and expiry are typed as read off the
vial."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from clinic.sessions.models import TreatmentSession


@dataclass(frozen=True)
class ContainerChoice:
    """A container the nurse may draw from for this session: in stock, in date, at its location,
    for its route."""

    identifier: str
    label: str


@dataclass(frozen=True)
class Drawn:
    """What was drawn for the dose: the container, its lot and expiry, and how much."""

    container: str
    lot: str
    expiry: date
    amount: str


class StockRegister(Protocol):
    def in_use(self) -> bool:
        """Whether sessions draw their doses from the register (a clinic setting)."""

    def choices(self, session: TreatmentSession) -> list[ContainerChoice]:
        """The containers the nurse may draw this session's dose from."""

    def draw(
        self,
        *,
        actor,
        session: TreatmentSession,
        container: str,
        dose_mg: Decimal,
        drawn_ml: Decimal | None,
    ) -> Drawn:
        """Draw the dose (or `drawn_ml`, if more was drawn up) from the container for the session;
        refuses an expired, empty or wrong container with a ClinicError."""

    def undo_draw(self, *, actor, session: TreatmentSession, reason: str) -> None:
        """Reverse what was drawn and not yet given or wasted (the confirmation is withdrawn)."""

    def record_given(self, *, actor, session: TreatmentSession, dose_given_mg: Decimal) -> None:
        """Enter the dose given as administered out of what was drawn for the session."""

    def unreconciled(self, session: TreatmentSession) -> list[str]:
        """What is drawn for the session and neither given nor wasted, in words; empty when every
        milligram is accounted for."""

    def panel(self, request, session: TreatmentSession) -> str:
        """The session page's stock panel (rendered HTML): what was drawn, given and wasted, and
        the witnessed waste of what is left."""


_register: StockRegister | None = None


def install(register: StockRegister) -> None:
    global _register
    _register = register


def active() -> StockRegister | None:
    """The register, when one is installed and the clinic draws its doses from it."""
    if _register is not None and _register.in_use():
        return _register
    return None
