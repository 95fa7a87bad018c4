"""The desk's statistics: the figures, computed once and kept a while; the chart; the CSV.

Figures count every dossier of the desk, read as their few facts (engine.facts) from the
store's JSON rather than as parsed dossiers: on TinyDB each shard's facts are read once and
again only when that shard changes (numbers in bench/README.md, bench/stats.py). They are
still kept ``STATS_CACHE_SECONDS`` (60 s) per set of agencies in the worker, and computed
again sooner when a dossier changes state (the number of dossiers in each state, one cheap
``query_page(limit=0)`` total per state, is what a kept result is checked against) or
when this worker records a rating (:func:`forget`). Another worker shows a rating at the
latest a minute later.

The chart is SVG written here rather than drawn by a plotting library: bars and a line
are a few dozen elements, matplotlib would add tens of megabytes and half a second of
import for them, and markup written here follows the portal's content security policy
(no style attribute: colours come from classes of site.css) and carries its own title
and description for screen readers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask import current_app
from markupsafe import Markup, escape

from engine.stats import MonthFigures, ServiceFigures, figures, monthly_figures
from web import resources

_CACHE = "dvc_statistics"


@dataclass(frozen=True)
class Figures:
    services: list[ServiceFigures]
    months: list[MonthFigures]


def _stamp(agencies: Sequence[str] | None) -> tuple[int, ...]:
    repository, workflow = resources.dossiers(), resources.workflow()
    return tuple(repository.query_page(agencies=agencies, statuses=[s], limit=0).total for s in workflow.desk_order)


def current(agencies: Sequence[str] | None, today: dt.date) -> Figures:
    """The figures of ``agencies`` (None: every agency), from the worker's copy while it holds."""
    kept: dict = current_app.extensions.setdefault(_CACHE, {})
    key = (None if agencies is None else tuple(agencies), today)
    stamp = _stamp(agencies)
    hit = kept.get(key)
    if hit is not None and time.monotonic() - hit[0] < current_app.config.get("STATS_CACHE_SECONDS", 60) \
            and hit[1] == stamp:
        return hit[2]
    workflow = resources.workflow()
    everything = resources.dossiers().facts(agencies=agencies, statuses=list(workflow.desk_order))
    result = Figures(figures(everything, today, workflow), monthly_figures(everything, today, workflow))
    kept.clear() if len(kept) > 64 else None  # one entry per set of agencies seen: a few
    kept[key] = (time.monotonic(), stamp, result)
    return result


def forget() -> None:
    """A rating was given: the next statistics page counts it."""
    current_app.extensions.get(_CACHE, {}).clear()


def by_month(rows: Iterable[MonthFigures], months: Sequence[str], service: str | None) -> list[MonthFigures]:
    """One row per month of ``months`` (those with nothing, zeros): ``service``'s, or summed
    over every service (None)."""
    out = {m: MonthFigures(service or "", m) for m in months}
    for row in rows:
        if row.month in out and (service is None or row.service == service):
            out[row.month] = out[row.month] + row
    return list(out.values())


# -- the chart ------------------------------------------------------------------------------------

BARS = (("received", "bar-received"), ("on_time", "bar-on-time"), ("late", "bar-late"), ("rejected", "bar-rejected"))
LEFT, RIGHT, TOP, BOTTOM = 48, 44, 16, 64  # margins: the counts' axis, the satisfaction axis, the legend
GROUP = 56  # the width of one month
HEIGHT = 300


def _step(top: int) -> int:
    """A round step (1, 2, 5, 10, 20, ...) giving at most 5 gridlines up to ``top``."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if top <= step * factor * 5:
                return step * factor
        step *= 10


def chart(rows: Sequence[MonthFigures], chart_id: str, title: str, description: str,
          legend: dict[str, str]) -> Markup:
    """Bars per month (received, on time, late, rejected) against the left axis and the
    average satisfaction (1-5) as a line against the right one. ``legend``: each figure's
    words (the four bars' names and "satisfaction")."""
    width = LEFT + RIGHT + GROUP * len(rows)
    plot = HEIGHT - TOP - BOTTOM
    top = max([getattr(r, name) for r in rows for name, _ in BARS] + [1])
    step = _step(top)
    ceiling = step * -(-top // step)

    def y(value: float, scale: float) -> float:
        return round(TOP + plot - plot * value / scale, 1)

    parts = [f'<svg class="chart" viewBox="0 0 {width} {HEIGHT}" role="img" '
             f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}-title">{escape(title)}</title>',
             f'<desc id="{chart_id}-desc">{escape(description)}</desc>']
    for tick in range(0, ceiling + 1, step):
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{width - RIGHT}" y1="{y(tick, ceiling)}" y2="{y(tick, ceiling)}"/>'
                     f'<text class="axis" x="{LEFT - 6}" y="{y(tick, ceiling) + 4}" text-anchor="end">{tick}</text>')
    for score in range(0, 6):
        parts.append(f'<text class="axis axis-score" x="{width - RIGHT + 6}" y="{y(score, 5) + 4}">{score}</text>')
    bar = (GROUP - 12) / len(BARS)
    points: list[list[str]] = [[]]
    for i, row in enumerate(rows):
        x0 = LEFT + GROUP * i + 6
        for j, (name, css) in enumerate(BARS):
            value = getattr(row, name)
            if value:
                parts.append(f'<rect class="{css}" x="{x0 + bar * j:.1f}" y="{y(value, ceiling)}" width="{bar - 1:.1f}" '
                             f'height="{round(plot * value / ceiling, 1)}"/>')
        label = f"{row.month[5:]}/{row.month[2:4]}"
        parts.append(f'<text class="axis" x="{x0 + (GROUP - 12) / 2:.1f}" y="{TOP + plot + 16}" '
                     f'text-anchor="middle">{label}</text>')
        if row.satisfaction is None:
            points.append([])
        else:
            points[-1].append(f"{x0 + (GROUP - 12) / 2:.1f},{y(row.satisfaction, 5)}")
    for line in points:
        if len(line) > 1:
            parts.append(f'<polyline class="line-satisfaction" points="{" ".join(line)}"/>')
        for point in line:
            cx, cy = point.split(",")
            parts.append(f'<circle class="dot-satisfaction" cx="{cx}" cy="{cy}" r="4"/>')
    x = LEFT
    for name, css in (*BARS, ("satisfaction", "dot-satisfaction")):
        parts.append(f'<rect class="swatch {css}" x="{x}" y="{HEIGHT - 22}" width="12" height="12"/>'
                     f'<text class="legend" x="{x + 16}" y="{HEIGHT - 12}">{escape(legend[name])}</text>')
        x += 16 + 7 * len(legend[name]) + 16
    parts.append("</svg>")
    return Markup("".join(parts))


# -- the CSV --------------------------------------------------------------------------------------

def csv_text(rows: Iterable[MonthFigures], names: dict[str, str]) -> str:
    """One row per service and month, with a byte-order mark so that spreadsheet programs
    read the Vietnamese as UTF-8 (as the inbox's CSV)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["Mã dịch vụ", "Dịch vụ", "Tháng", "Đã tiếp nhận", "Trực tuyến", "Tỷ lệ trực tuyến (%)",
                     "Đúng hạn", "Trễ hạn", "Từ chối", "Số lượt đánh giá", "Mức độ hài lòng trung bình (1-5)"])
    for r in rows:
        writer.writerow([r.service, names.get(r.service, r.service), r.month, r.received, r.online,
                         "" if r.online_share is None else f"{r.online_share:.1f}", r.on_time, r.late, r.rejected,
                         r.ratings, "" if r.satisfaction is None else f"{r.satisfaction:.2f}"])
    return out.getvalue()
