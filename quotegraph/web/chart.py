"""Statements over time as bars, laid out here and drawn by the template as inline SVG.

Laying the chart out in Python keeps the page free of chart libraries (no CDN, no build step)
and lets the template escape every label like any other text. Short spans get a bar per day;
long ones a bar per month, so a speaker quoted over years still fits the width.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from quotegraph.store.queries import Count

WIDTH = 640
HEIGHT = 180
_PLOT_TOP = 12
_PLOT_BOTTOM = 150  # the baseline; labels go below it
_PLOT_LEFT = 36
_DAILY_UP_TO_DAYS = 92
_MAX_BAR_WIDTH = 36.0  # a few days of data should still look like a timeline


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    count: int


@dataclass
class Chart:
    """Everything the SVG needs: bars, the y scale's top, a few x labels."""

    bars: list[Bar] = field(default_factory=list)
    peak: int = 0
    unit: str = "day"
    ticks: list[tuple[float, str]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    baseline: int = _PLOT_BOTTOM
    left: int = _PLOT_LEFT
    top: int = _PLOT_TOP


def timeline(per_day: list[Count]) -> Chart:
    """Bars for a speaker's statements per day (``Count(key="YYYY-MM-DD", count)``)."""
    dated = [(date.fromisoformat(c.key), c.count) for c in per_day if _is_day(c.key)]
    if not dated:
        return Chart()
    first, last = dated[0][0], dated[-1][0]
    if (last - first).days < _DAILY_UP_TO_DAYS:
        buckets, unit = _days(first, last), "day"
        counts = Counter({day.isoformat(): n for day, n in dated})
    else:
        buckets, unit = _months(first, last), "month"
        counts = Counter()
        for day, n in dated:
            counts[day.isoformat()[:7]] += n
    return _layout([(key, counts.get(key, 0)) for key in buckets], unit)


def _layout(series: list[tuple[str, int]], unit: str) -> Chart:
    peak = max(n for _, n in series)
    slot = (WIDTH - _PLOT_LEFT - 4) / len(series)
    scale = (_PLOT_BOTTOM - _PLOT_TOP) / peak
    width = min(max(slot * 0.8, 1.0), _MAX_BAR_WIDTH)
    bars = [
        Bar(
            x=round(_PLOT_LEFT + (i + 0.5) * slot - width / 2, 2),
            y=round(_PLOT_BOTTOM - n * scale, 2), width=round(width, 2),
            height=round(n * scale, 2), label=key, count=n,
        )
        for i, (key, n) in enumerate(series)
    ]
    step = max(1, len(series) // 6)
    ticks = [(round(bars[i].x + bars[i].width / 2, 2), series[i][0]) for i in range(0, len(series), step)]
    return Chart(bars=bars, peak=peak, unit=unit, ticks=ticks)


def _days(first: date, last: date) -> list[str]:
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


def _months(first: date, last: date) -> list[str]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _is_day(key: str) -> bool:
    try:
        date.fromisoformat(key)
    except ValueError:
        return False
    return True
