"""The live region's version (its ETag) and what a poll sends when it changed.

The tablet polls the region every second. Each answer carries the region's version as an ETag
(also kept in the page, `#live-state`'s data-etag) and the tablet sends it back (If-None-Match):
- nothing changed: `304 Not Modified`, no body;
- something changed and the tablet's copy can be brought up to date: only what changed (the new
  readings' rows, the alerts, the chart and limits when a reading or the protocol changed, the
  small status line), so the bytes of a poll do not grow with the session's readings;
- otherwise (no version, another format, a reading taken earlier than one shown): the whole region.

The version is worked out from what the region shows: the readings (their count and newest id;
they are never changed once recorded), the open alerts, the session, the protocol's values, the
CADSS-6 ratings, and everything worked out from the time (minutes since the dose, the infusion's
progress, overdue readings, escalated alerts), so a change of any of them reaches the next poll.
Only the "Updated" time is left out (the page sets it from the X-Live-Updated header)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

# Changed whenever the region's markup changes: a tablet holding the older markup gets it whole.
LIVE_FORMAT = "live2"


def _digest(*parts) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=6).hexdigest()


@dataclass(frozen=True)
class LiveVersion:
    reading_count: int
    last_reading_pk: int
    chart: str
    alerts: str
    rest: str

    @property
    def etag(self) -> str:
        return (
            f'"{LIVE_FORMAT}.{self.reading_count}.{self.last_reading_pk}.'
            f'{self.chart}.{self.alerts}.{self.rest}"'
        )

    @classmethod
    def parse(cls, etag: str | None) -> LiveVersion | None:
        """The version a tablet holds, from its If-None-Match; None when it holds none (or one
        of another format)."""
        if not etag:
            return None
        parts = etag.strip().removeprefix("W/").strip('"').split(".")
        if len(parts) != 6 or parts[0] != LIVE_FORMAT:
            return None
        try:
            return cls(int(parts[1]), int(parts[2]), parts[3], parts[4], parts[5])
        except ValueError:
            return None


def version_of(
    *,
    session,
    marks,
    protocol,
    limits,
    alerts,
    ratings,
    schedule,
    progress,
    minutes_since_dose,
    can_close_stop_level,
) -> LiveVersion:
    """The region's version from what it shows (see the module's docstring)."""
    zone = str(session.location.zone)
    # The newest id, not the latest in time: a reading typed in late for an earlier time has it.
    last_pk = max((m.pk for m in marks), default=0)
    chart = _digest(
        len(marks),
        last_pk,
        [(r.pk, r.taken_at, r.response.total, r.moment) for r in ratings],
        limits,
        session.dosed_at,
        zone,
    )
    alert_part = _digest(
        [
            (a.pk, a.status, a.interim_action, a.escalated, a.acknowledged_at, a.breaches)
            for a in alerts
        ],
        can_close_stop_level,
        zone,
    )
    rest = _digest(
        session.status,
        session.version,
        session.updated_at,
        session.route,
        session.dose_mg,
        [(f.attname, getattr(protocol, f.attname)) for f in protocol._meta.concrete_fields],
        schedule,
        (
            progress.mg,
            progress.dose_drawn_mg,
            progress.running_minutes,
            progress.ended,
            progress.working,
        )
        if progress
        else None,
        minutes_since_dose,
    )
    return LiveVersion(len(marks), last_pk, chart, alert_part, rest)


@dataclass(frozen=True)
class Delta:
    send_chart: bool
    send_alerts: bool
    # Ids of the readings the tablet does not have yet (to add at the top of its table).
    new_reading_pks: tuple[int, ...]


def delta_since(held: LiveVersion | None, current: LiveVersion, marks) -> Delta | None:
    """What to send a tablet holding `held` to bring it to `current`; None when it must have the
    whole region: it holds no version, an empty table (its "no readings yet" row), or a reading
    came in older than one it shows (a row would go in the middle of its table)."""
    if held is None or held.reading_count == 0:
        return None
    new = [m for m in marks if m.pk > held.last_reading_pk]
    old = [m for m in marks if m.pk <= held.last_reading_pk]
    if len(old) != held.reading_count:
        return None
    if new and old and min(m.taken_at for m in new) < max(m.taken_at for m in old):
        return None
    return Delta(
        send_chart=held.chart != current.chart,
        send_alerts=held.alerts != current.alerts,
        new_reading_pks=tuple(m.pk for m in new),
    )
