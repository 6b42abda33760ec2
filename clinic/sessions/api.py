"""Session vital signs through the API. Monitors post batches of readings with their own bearer
token (`Authorization: Bearer kcm_…`, issued in the admin); each reading carries the monitor's
reading id, so a retry is stored once, and comes back with the alerts it raised."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Router, Schema
from ninja.security import HttpBearer

from clinic.accounts.services import authenticate_device
from clinic.core.validators import EntryDatetime
from clinic.patients.choices import Consciousness
from clinic.patients.ranges import PLAUSIBLE
from clinic.sessions import selectors, services

router = Router(tags=["sessions"])


class DeviceToken(HttpBearer):
    openapi_scheme = "bearer"

    def __call__(self, request):
        scheme = request.headers.get("Authorization", "").split(" ")[0]
        if scheme.lower() != self.openapi_scheme:
            # No bearer token at all (Ninja then skips `authenticate`): refused and audited like
            # a wrong one. A bare "Bearer" reaches `authenticate` with an empty token, once.
            authenticate_device("")
            return None
        return super().__call__(request)

    def authenticate(self, request, token):
        # Ninja puts the device in `request.auth`.
        return authenticate_device(token)


def _strict_int(name: str, description: str) -> Any:
    """A whole number within the vital sign's plausible range (clinic.patients.ranges), never a
    string or a float that happens to be whole."""
    plausible = PLAUSIBLE[name]
    return Field(None, strict=True, ge=plausible.low, le=plausible.high, description=description)


class ReadingIn(Schema):
    reading_id: str = Field(
        ..., min_length=1, max_length=80, description="The monitor's own id for this reading."
    )
    taken_at: EntryDatetime = Field(..., description="When it was measured, with its time zone.")
    systolic_mmhg: Annotated[
        int | None, _strict_int("systolic_mmhg", "Systolic blood pressure, mmHg")
    ] = None
    diastolic_mmhg: Annotated[
        int | None, _strict_int("diastolic_mmhg", "Diastolic blood pressure, mmHg")
    ] = None
    heart_rate_bpm: Annotated[
        int | None, _strict_int("heart_rate_bpm", "Heart rate, beats/min")
    ] = None
    respiratory_rate_per_min: Annotated[
        int | None, _strict_int("respiratory_rate_per_min", "Respiratory rate, breaths/min")
    ] = None
    spo2_pct: Annotated[int | None, _strict_int("spo2_pct", "SpO₂, %")] = None
    temperature_c: Decimal | None = Field(
        None,
        ge=PLAUSIBLE["temperature_c"].low,
        le=PLAUSIBLE["temperature_c"].high,
        max_digits=3,
        decimal_places=1,
    )
    consciousness: Literal[tuple(Consciousness.values)] | None = None  # type: ignore[valid-type]
    on_supplemental_oxygen: bool = Field(False, strict=True)


class ReadingsIn(Schema):
    readings: list[ReadingIn] = Field(..., min_length=1, max_length=500)


class BreachOut(Schema):
    parameter: str
    value: str
    limit: str
    message: str
    stop: bool
    source: str


class AlertOut(Schema):
    """One alert per reading; `breaches` lists every limit it broke (the first is repeated in
    parameter, value and limit). A stop-level alert waits for a prescriber."""

    id: uuid.UUID
    parameter: str
    value: Decimal | None
    limit: str
    message: str
    stop_level: bool
    breaches: list[BreachOut]


class ReadingResult(Schema):
    reading_id: str
    status: Literal["stored", "duplicate"]
    alerts: list[AlertOut]


class ReadingsOut(Schema):
    stored: int
    duplicates: int
    readings: list[ReadingResult]


def _alert(alert) -> dict:
    return {
        "id": alert.public_id,
        "parameter": alert.parameter,
        "value": alert.value,
        "limit": alert.limit,
        "message": alert.message,
        "stop_level": alert.stop_level,
        "breaches": [
            {
                "parameter": b["parameter"],
                "value": b["value"],
                "limit": b["limit"],
                "message": b["message"],
                "stop": b.get("stop", False),
                "source": b.get("source", ""),
            }
            for b in alert.breach_list
        ],
    }


@router.post(
    "/sessions/{session_id}/vitals",
    auth=DeviceToken(),
    response=ReadingsOut,
    summary="Post vital-sign readings from a monitor",
)
def post_vitals(request, session_id: uuid.UUID, payload: ReadingsIn):
    readings = [
        services.DeviceReading(
            reading_id=item.reading_id,
            taken_at=item.taken_at,
            values=item.model_dump(exclude={"reading_id", "taken_at"}, exclude_none=True),
        )
        for item in payload.readings
    ]
    outcomes = services.ingest_device_readings(
        device=request.auth, session_public_id=session_id, readings=readings
    )
    stored = sum(1 for o in outcomes if not o.duplicate)
    return {
        "stored": stored,
        "duplicates": len(outcomes) - stored,
        "readings": [
            {
                "reading_id": o.reading.device_reading_id,
                "status": "duplicate" if o.duplicate else "stored",
                "alerts": [_alert(a) for a in o.alerts],
            }
            for o in outcomes
        ],
    }


class ReadingOut(Schema):
    taken_at: datetime
    source: str
    pre_dose: bool
    systolic_mmhg: int | None
    diastolic_mmhg: int | None
    heart_rate_bpm: int | None
    respiratory_rate_per_min: int | None
    spo2_pct: int | None
    temperature_c: Decimal | None


@router.get(
    "/sessions/{session_id}/vitals",
    response=list[ReadingOut],
    summary="A session's vital signs (staff)",
)
def list_vitals(request, session_id: uuid.UUID):
    session = selectors.open_session(request.user, session_id, view="api vitals")
    return [
        {
            "taken_at": r.taken_at,
            "source": r.source,
            "pre_dose": r.pre_dose,
            **selectors.values_of(r),
        }
        for r in selectors.readings(session)
    ]
