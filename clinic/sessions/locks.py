"""Row locks on treatment sessions and their monitoring alerts, held until the transaction ends.

Each lock takes only the session's row (`of=("self",)`): the patient, location and plan rows
joined in are shared with other sessions. A step that also locks the patient locks the session
first (`clinic.patients.locks.lock_patient_row`), and an alert after its session, the order
every session step keeps.
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict
from uuid import UUID

from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import JSONObject

from clinic.core.compiled import CompiledQuery
from clinic.monitoring.limits import Limits
from clinic.monitoring.models import MonitoringProtocol
from clinic.sessions import selectors
from clinic.sessions.models import (
    MonitoringAlert,
    SessionReading,
    SessionSignature,
    TreatmentSession,
)

_LIMIT_FIELDS = tuple(f.name for f in fields(Limits))


class _LockAnnotations(TypedDict):
    signed: bool
    route_limits: dict[str, Any] | None
    stored_baseline: dict[str, Any] | None


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # A session as `lock_session_for_reading` reads it, with what a reading is checked against.
    LockedSession: TypeAlias = WithAnnotations[TreatmentSession, _LockAnnotations]
else:
    LockedSession = TreatmentSession


def _sessions_to_lock_for_reading():
    """The session row for a reading, locked for the transaction (only it), read narrowly in one
    statement with all a reading is checked against: whether anyone has signed, the route's
    limits, and the pre-dose baseline (the latest pre-dose reading with a blood pressure, found
    through its index: the cost does not grow with the readings taken since the dose)."""
    patient_columns = ("patient__id", "patient__location_id", "patient__user_id")
    return (
        TreatmentSession.objects.select_for_update(of=("self",))
        .select_related("patient", "location")
        .only(
            *(f.name for f in TreatmentSession._meta.concrete_fields),
            *patient_columns,
            "location__id",
            "location__time_zone",
        )
        .annotate(
            signed=Exists(SessionSignature.objects.filter(session=OuterRef("pk"))),
            route_limits=Subquery(
                MonitoringProtocol.objects.filter(route=OuterRef("route")).values(
                    limits=JSONObject(**{name: name for name in _LIMIT_FIELDS})
                )[:1]
            ),
            stored_baseline=Subquery(
                SessionReading.objects.filter(
                    session=OuterRef("pk"), pre_dose=True, vital_signs__systolic_mmhg__isnull=False
                )
                .order_by("-taken_at", "-id")
                .values(
                    values=JSONObject(
                        **{name: f"vital_signs__{name}" for name in selectors.VITAL_VALUE_FIELDS}
                    )
                )[:1]
            ),
        )
    )


# Compiled once per connection: Django would take longer to build and compile this read on every
# reading than the database takes to answer it.
_LOCK_BY_ID = CompiledQuery(
    lambda pk: _sessions_to_lock_for_reading().filter(pk=pk), pk=TreatmentSession._meta.pk
)
_LOCK_BY_PUBLIC_ID = CompiledQuery(
    lambda public_id, location_id: _sessions_to_lock_for_reading().filter(
        public_id=public_id, location_id=location_id
    ),
    public_id=TreatmentSession._meta.get_field("public_id"),
    location_id=TreatmentSession._meta.get_field("location"),
)


def lock_session_for_reading(session_id: int) -> LockedSession:
    """The session's row, locked, read with what a reading is checked against (DoesNotExist if
    there is none)."""
    return _LOCK_BY_ID.get(pk=session_id)


def lock_sessions_for_reading_by_public_id(
    public_id: UUID, location_id: int
) -> list[LockedSession]:
    """The session with this public id at this location (none or one), locked as
    `lock_session_for_reading` reads it: a monitor knows the session only by its public id."""
    return _LOCK_BY_PUBLIC_ID.all(public_id=public_id, location_id=location_id)


def lock_session(session_id: int) -> TreatmentSession:
    """The session's row, locked, read with its patient, location, plan version and protocol,
    and appointment in one statement (DoesNotExist if there is none)."""
    return (
        TreatmentSession.objects.select_for_update(of=("self",))
        .select_related(
            "patient", "location", "plan_version", "plan_version__protocol", "appointment"
        )
        .get(pk=session_id)
    )


def lock_monitoring_alert(alert_id: int) -> MonitoringAlert:
    """The alert's row, locked (DoesNotExist if there is none)."""
    return MonitoringAlert.objects.select_for_update().get(pk=alert_id)
