"""The daily opioid dose (MME) over the course of care, drawn on the server as SVG (no chart
library, no network). Each recorded medicine list is a point; a total with an opioid not
converted is drawn hollow (the patient's dose is at least that)."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from clinic.core.dates import show_date
from clinic.evaluation.opioids import shown

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 14, 30


def mme_svg(series) -> str:
    """`series`: clinic.evaluation.selectors.MmeEntry, oldest first. "" without two points."""
    if len(series) < 2 or not any(entry.mme.has_opioids for entry in series):
        return ""
    high = max(Decimal(entry.mme.total) for entry in series)
    high = max(high * Decimal("1.1"), Decimal(10))
    first, last = series[0].recorded_at, series[-1].recorded_at
    span = (last - first).total_seconds() or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(moment) -> float:
        return LEFT + plot_w * (moment - first).total_seconds() / span

    def y(value) -> float:
        return TOP + plot_h * (1 - float(value) / float(high))

    parts = [
        f'<svg class="progress-chart" id="mme-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        'aria-labelledby="mme-chart-title" xmlns="http://www.w3.org/2000/svg">',
        '<title id="mme-chart-title">Daily opioid dose in morphine milligram equivalents over '
        "time</title>",
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        'stroke="#888"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="11">{shown(high)}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    points = " ".join(f"{x(e.recorded_at):.1f},{y(e.mme.total):.1f}" for e in series)
    parts.append(f'<polyline points="{points}" fill="none" stroke="#2a5d9f" stroke-width="2"/>')
    for entry in series:
        day = show_date(entry.recorded_at)
        fill = "#2a5d9f" if entry.mme.complete else "#fff"
        label = f"{day}: {shown(entry.mme.total)} MME a day"
        if not entry.mme.complete:
            label += " (at least: an opioid not converted)"
        parts.append(
            f'<circle cx="{x(entry.recorded_at):.1f}" cy="{y(entry.mme.total):.1f}" r="4" '
            f'fill="{fill}" stroke="#2a5d9f"><title>{escape(label)}</title></circle>'
        )
    parts.append(
        f'<text x="{LEFT}" y="{HEIGHT - 8}" font-size="11">{escape(show_date(first))}</text>'
    )
    parts.append(
        f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 8}" text-anchor="end" font-size="11">'
        f"{escape(show_date(last))}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)
