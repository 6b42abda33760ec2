"""The session's vital-signs chart as inline SVG (no JavaScript, prints as is): blood pressure
and heart rate over the session with the protocol's limits drawn as dashed lines, and SpO₂ below.
The numbers themselves are in the table beside it."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from clinic.core.dates import show_time

WIDTH, LEFT, RIGHT = 640, 40, 10
SERIES = (
    ("systolic_mmhg", "Systolic", "#b42318"),
    ("diastolic_mmhg", "Diastolic", "#e07b39"),
    ("heart_rate_bpm", "Heart rate", "#2563a8"),
)


def _panel(points_by_series, *, low, high, height, top, x_of, limits, title) -> list[str]:
    def y_of(value):
        value = max(low, min(high, float(value)))
        return top + height - (value - low) / (high - low) * height

    parts = [
        f'<text x="4" y="{top + 10}" class="axis">{high}</text>',
        f'<text x="4" y="{top + height}" class="axis">{low}</text>',
        f'<line x1="{LEFT}" y1="{top + height}" x2="{WIDTH - RIGHT}" y2="{top + height}" class="axis-line"/>',
        f'<text x="{LEFT + 4}" y="{top + 10}" class="panel-title">{escape(title)}</text>',
    ]
    for value, label, colour in limits:
        y = y_of(value)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{colour}" '
            f'stroke-dasharray="5 4" stroke-width="1"><title>{escape(label)}</title></line>'
            f'<text x="{WIDTH - RIGHT - 2}" y="{y - 3:.1f}" text-anchor="end" class="limit" fill="{colour}">{escape(label)}</text>'
        )
    for label, colour, points in points_by_series.values():
        coords = [(x_of(at), y_of(v), v, at) for at, v in points if v is not None]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in coords)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        for x, y, v, at in coords:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"><title>{escape(label)} {v} at {show_time(at)}</title></circle>'
            )
    return parts


def vitals_chart(readings, *, limits, dosed_at: datetime | None, zone, markers=()) -> SafeString:
    """`readings`: SessionReading rows (with vital_signs) in time order. `markers`: (time, short
    label, description) of other entries drawn as ticks under the chart (the CADSS-6 ratings)."""
    if not readings:
        return mark_safe("")
    times = [r.taken_at for r in readings] + [at for at, _, _ in markers]
    start, end = min(times), max(times)
    if dosed_at is not None:
        start, end = min(start, dosed_at), max(end, dosed_at)
    span = max((end - start).total_seconds(), 60)

    def x_of(at):
        return LEFT + (at - start).total_seconds() / span * (WIDTH - LEFT - RIGHT - 40)

    def local(at):
        # Times are aware: the zone changes the labels, not the positions.
        return timezone.localtime(at, zone)

    series = {
        name: (label, colour, [(local(r.taken_at), getattr(r.vital_signs, name)) for r in readings])
        for name, label, colour in SERIES
    }
    parts = [
        f'<svg class="vitals-chart" viewBox="0 0 {WIDTH} 330" role="img" '
        'aria-labelledby="vitals-chart-title" xmlns="http://www.w3.org/2000/svg">',
        '<title id="vitals-chart-title">Vital signs over the session, with the protocol limits dashed</title>',
    ]
    parts += _panel(
        series,
        low=40,
        high=200,
        height=200,
        top=10,
        x_of=x_of,
        limits=[
            (limits.systolic_max, f"Systolic limit {limits.systolic_max}", "#b42318"),
            (limits.diastolic_max, f"Diastolic limit {limits.diastolic_max}", "#e07b39"),
            (limits.heart_rate_max, f"HR limit {limits.heart_rate_max}", "#2563a8"),
        ],
        title="BP (mmHg) and heart rate (/min)",
    )
    parts += _panel(
        {
            "spo2_pct": (
                "SpO₂",
                "#1f7a4d",
                [(local(r.taken_at), r.vital_signs.spo2_pct) for r in readings],
            )
        },
        low=80,
        high=100,
        height=70,
        top=235,
        x_of=x_of,
        limits=[(limits.spo2_min, f"SpO₂ limit {limits.spo2_min} %", "#1f7a4d")],
        title="SpO₂ (%)",
    )
    if dosed_at is not None:
        x = x_of(dosed_at)
        parts.append(
            f'<line x1="{x:.1f}" y1="10" x2="{x:.1f}" y2="305" stroke="#555" stroke-width="1">'
            f"<title>Dose given at {show_time(local(dosed_at))}</title></line>"
            f'<text x="{x + 3:.1f}" y="322" class="axis">dose {show_time(local(dosed_at))}</text>'
        )
    for at, label, description in markers:
        x = x_of(at)
        parts.append(
            f'<g class="chart-marker"><line x1="{x:.1f}" y1="235" x2="{x:.1f}" y2="305" '
            'stroke="#6b3fa0" stroke-width="1" stroke-dasharray="2 2"/>'
            f'<text x="{x + 3:.1f}" y="232" class="axis" fill="#6b3fa0">{escape(label)}</text>'
            f"<title>{escape(description)} at {show_time(local(at))}</title></g>"
        )
    parts.append(f'<text x="{LEFT}" y="322" class="axis">{show_time(local(start))}</text>')
    parts.append(
        f'<text x="{WIDTH - RIGHT - 40}" y="322" text-anchor="end" class="axis">{show_time(local(end))}</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))
