"""Charts for a council letter, as plain SVG: trends, hours by theme, gaps by district, supply against demand.

Written by hand rather than with a plotting library: a few hundred lines give accessible markup
(``role="img"``, ``<title>``, ``<desc>`` with the figures in words), crisp printing, no fonts or caches
on disk, and exactly the suppression markers the tables show. Colour is never the only cue: lines
differ in dash and marker and carry their name at the end; bars carry their value and unit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

from reporting.cube import Shown
from reporting.views import Figures, Row, Table

__all__ = [
    "CHARTS",
    "INK",
    "PALETTE",
    "display",
    "gaps_chart",
    "hours_by_theme_chart",
    "supply_demand_chart",
    "top_gaps_chart",
    "trend_chart",
]

# Text and axes; series colours with at least 3:1 contrast against white (WCAG 2.1 1.4.11), checked in tests.
INK = "#1a1a1a"
GRID = "#767676"
PALETTE = ("#1f4e79", "#b45309", "#2e7d32", "#6a1b9a")
_DASHES = ("", "6 4", "2 3", "10 3 2 3")
_FONT = "font-family=\"'Segoe UI', Arial, sans-serif\""
_SHORT_MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def _number(value: Shown) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def display(value: Shown) -> str:
    """A value as reports print it: Dutch decimal comma, a narrow space between thousands, markers as they are."""
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".rstrip("0").replace(",", "\u202f").replace(".", ",")
    if isinstance(value, int | float):
        return f"{int(value):,}".replace(",", "\u202f")
    return value


_text = display


def _nice_max(value: float) -> tuple[float, float]:
    """An axis of counts: a maximum ≥ value and its tick step (1, 2 or 5 times a power of ten, at least 1)."""
    if value <= 0:
        return 5.0, 1.0
    raw = value / 5
    power = 10 ** math.floor(math.log10(raw))
    # Counts are whole: a step of 0.2 under a maximum of 1 printed its ticks rounded, as 0, 0, 0, 1, 1, 1.
    step = max(1.0, next(s * power for s in (1, 2, 5, 10) if s * power >= raw))
    return step * math.ceil(value / step), step


def _frame(chart_id: str, width: int, height: int, title: str, desc: str, body: list[str]) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" {_FONT} font-size="13" fill="{INK}">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>'
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>'
        f'<text x="16" y="26" font-size="16" font-weight="bold">{escape(title)}</text>'
    )
    return head + "".join(body) + "</svg>"


def _month_tick(month: str) -> str:
    year, number = month.split("-")
    return f"{_SHORT_MONTHS[int(number) - 1]} {year[2:]}"


def trend_chart(figures: Figures, chart_id: str = "trends") -> str:
    """Lines per month: new and active volunteers, tasks posted and matches made."""
    series = ("volunteers_new", "volunteers_active", "tasks_posted", "matches_made")
    table = figures.table("monthly")
    assert table is not None
    labels = {c.key: c.label for c in table.columns}
    months = [row.key for row in table.rows]
    width, height, left, right, top, bottom = 760, 380, 56, 190, 48, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [_number(row.values[s]) for row in table.rows for s in series]
    top_value, step = _nice_max(max((v for v in values if v is not None), default=0))
    body: list[str] = []
    ticks = round(top_value / step)
    for i in range(ticks + 1):
        y = top + plot_h - plot_h * i / ticks
        body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"'
                    f' stroke-width="{1 if i == 0 else 0.5}"/>')  # fmt: skip
        body.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{_text(round(step * i))}</text>')

    def x_of(index: int) -> float:
        return left + (plot_w * (index + 0.5) / max(len(months), 1))

    for index, month in enumerate(months):
        body.append(
            f'<text x="{x_of(index):.1f}" y="{top + plot_h + 20}" text-anchor="middle">{_month_tick(month)}</text>'
        )
    described = []
    hidden_points = False
    for number, key in enumerate(series):
        colour, dash = PALETTE[number], _DASHES[number]
        points = [(x_of(i), _number(row.values[key])) for i, row in enumerate(table.rows)]
        segment: list[str] = []
        segments: list[list[str]] = []
        for x, value in points:
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{x:.1f},{top + plot_h - plot_h * value / top_value:.1f}")
        if segment:
            segments.append(segment)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for part in segments:
            body.append(f'<polyline points="{" ".join(part)}" fill="none" stroke="{colour}" stroke-width="2.5"'
                        f"{dash_attr}/>")  # fmt: skip
        for (x, value), row in zip(points, table.rows, strict=True):
            if value is None:
                # Hidden values are written above the axis instead of plotted, one line per series.
                hidden_points = True
                body.append(f'<text x="{x:.1f}" y="{top + plot_h - 6 - 13 * number}" text-anchor="middle"'
                            f' font-size="11" fill="{colour}">{escape(_text(row.values[key]))}</text>')  # fmt: skip
            else:
                y = top + plot_h - plot_h * value / top_value
                body.append(_marker(number, x, y, colour))
        legend_y = top + 10 + number * 26
        body.append(f'<line x1="{left + plot_w + 16}" x2="{left + plot_w + 44}" y1="{legend_y}" y2="{legend_y}"'
                    f' stroke="{colour}" stroke-width="2.5"{dash_attr}/>')  # fmt: skip
        body.append(_marker(number, left + plot_w + 30, legend_y, colour))
        body.append(f'<text x="{left + plot_w + 52}" y="{legend_y + 4}">{escape(labels[key])}</text>')
        readings = (f"{_month_tick(m)} {_text(row.values[key])}" for m, row in zip(months, table.rows, strict=True))
        described.append(f"{labels[key]}: " + ", ".join(readings))
    if hidden_points:
        body.append(_footnote(left, height - 10))
    note = f" {_NOTE}" if hidden_points else ""
    title = f"Verloop per maand, {figures.scope.name}, {figures.period.name}"
    return _frame(chart_id, width, height, title, "; ".join(described) + "." + note, body)


_NOTE = "<5: minder dan 5 personen; x: verborgen, zodat een <5 niet uit totalen terug te rekenen is."


def _footnote(x: float, y: float) -> str:
    return f'<text x="{x:.0f}" y="{y:.0f}" font-size="11">{escape(_NOTE)}</text>'


def _marker(number: int, x: float, y: float, colour: str) -> str:
    """A different marker shape per series: circle, square, triangle, diamond."""
    if number == 0:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
    if number == 1:
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if number == 2:
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}" fill="{colour}"/>'
        )
    diamond = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"
    return f'<polygon points="{diamond}" fill="{colour}"/>'


def _with_unit(value: Shown, unit: tuple[str, str]) -> str:
    """``1 taak``, ``3 taken``, ``<5 vrijwilligers``."""
    return f"{_text(value)} {unit[0] if value == 1 else unit[1]}"


def _bars(
    chart_id: str, title: str, rows: Sequence[tuple[str, Sequence[Shown]]],
    series: Sequence[tuple[str, tuple[str, str]]], intro: str,
) -> str:  # fmt: skip
    """Horizontal bars, one group per row, one bar per series, each labelled with value and unit."""
    label_w, value_w, bar_h, gap, top = 190, 130, 18, 14, 56
    width = 760
    plot_w = width - label_w - value_w - 16
    group_h = bar_h * len(series) + gap
    hidden = any(value in ("<5", "x") for _, values in rows for value in values)
    height = top + max(len(rows), 1) * group_h + (34 if len(series) > 1 else 10) + (22 if hidden else 0)
    largest = max((v for _, values in rows for value in values if (v := _number(value)) is not None), default=0.0)
    scale = plot_w / largest if largest else 0.0
    body: list[str] = []
    described = []
    for index, (label, values) in enumerate(rows):
        y = top + index * group_h
        body.append(f'<text x="{label_w - 8}" y="{y + bar_h * len(series) / 2 + 4:.1f}" text-anchor="end">'
                    f"{escape(label)}</text>")  # fmt: skip
        parts = []
        for number, ((_, unit), value) in enumerate(zip(series, values, strict=True)):
            bar_y = y + number * bar_h
            amount = _number(value)
            length = (amount or 0) * scale
            if amount:
                body.append(f'<rect x="{label_w}" y="{bar_y + 2}" width="{max(length, 1):.1f}" height="{bar_h - 4}"'
                            f' fill="{PALETTE[number]}"/>')  # fmt: skip
            text = _with_unit(value, unit)
            body.append(f'<text x="{label_w + length + 6:.1f}" y="{bar_y + bar_h - 5}">{escape(text)}</text>')
            parts.append(text)
        described.append(f"{label}: {', '.join(parts)}")
    if len(series) > 1:
        legend_y = top + len(rows) * group_h + 14
        x = float(label_w)
        for number, (name, _) in enumerate(series):
            body.append(f'<rect x="{x:.0f}" y="{legend_y - 10}" width="14" height="12" fill="{PALETTE[number]}"/>')
            body.append(f'<text x="{x + 20:.0f}" y="{legend_y}">{escape(name)}</text>')
            x += 28 + 8 * len(name)
    if not rows:
        body.append(f'<text x="16" y="{top + 10}">Geen gegevens in deze periode.</text>')
        described.append("geen gegevens")
    if hidden:
        body.append(_footnote(16, height - 10))
    note = f" {_NOTE}" if hidden else ""
    return _frame(chart_id, width, height, title, intro + " " + "; ".join(described) + "." + note, body)


def _theme_rows(figures: Figures) -> list[tuple[str, Sequence[Shown]]]:
    table = figures.table("hours_by_theme") or figures.table("hours_by_theme_and_district")
    assert table is not None
    column = "hours" if table.id == "hours_by_theme" else "total"
    return [(row.label, [row.values[column]]) for row in _sorted(table, column)]


def _sorted(table: Table, column: str) -> list[Row]:
    return sorted(table.rows, key=lambda row: -(_number(row.values[column]) or 0))


def hours_by_theme_chart(figures: Figures, chart_id: str = "hours-by-theme") -> str:
    """Hours per theme, largest first."""
    title = f"Uren per thema, {figures.scope.name}, {figures.period.name}"
    return _bars(chart_id, title, _theme_rows(figures), [("Uren", ("uur", "uur"))], "Uren vrijwillige inzet per thema.")


def gaps_chart(figures: Figures, chart_id: str = "gaps-by-district") -> str:
    """Per district (municipality, or for a centrale theme): tasks open a month without a match, volunteers waiting."""
    table = figures.table("gaps_by_district") or figures.table("gaps_by_theme")
    assert table is not None, "every report has one of them"
    where = {"region": "gemeente", "municipality": "wijk"}.get(figures.scope.kind, "thema")
    rows = [(row.label, [row.values["tasks_waiting"], row.values["volunteers_waiting"]]) for row in table.rows]
    title = f"Waar het niet lukt, per {where}: {figures.scope.name}, {figures.period.name}"
    series = [("Taken zonder match", ("taak", "taken")), ("Wachtende vrijwilligers", ("vrijwilliger", "vrijwilligers"))]
    intro = "Aan het eind van de periode: taken al een maand open zonder match en vrijwilligers al een maand wachtend."
    return _bars(chart_id, title, rows, series, intro)


_SUPPLY_SERIES = [
    ("Open plekken", ("plek", "plekken")),
    ("Passende vrijwilligers", ("vrijwilliger", "vrijwilligers")),
]


def supply_demand_chart(figures: Figures, chart_id: str = "supply-demand") -> str:
    """Per theme: open places against fitting volunteers within reach, at the end of the period."""
    table = figures.table("supply_demand")
    rows = [(row.label, [row.values["places_open"], row.values["supply"]]) for row in table.rows] if table else []
    title = f"Vraag en aanbod per thema: {figures.scope.name}, {figures.period.name}"
    intro = ("Aan het eind van de periode: open plekken en passende vrijwilligers binnen hun eigen maximale afstand "
             "(iemand die bij meer thema's past, telt bij elk).")  # fmt: skip
    return _bars(chart_id, title, rows, _SUPPLY_SERIES, intro)


def top_gaps_chart(figures: Figures, chart_id: str = "top-gaps") -> str:
    """The wijk x theme cells where open places outnumber fitting volunteers most."""
    table = figures.table("supply_demand_gaps")
    rows = [(row.label, [row.values["places_open"], row.values["supply"]]) for row in table.rows] if table else []
    title = f"Grootste tekorten per wijk en thema: {figures.scope.name}, {figures.period.name}"
    intro = "De wijken en thema's met de meeste open plekken zonder passende vrijwilliger, eind periode."
    return _bars(chart_id, title, rows, _SUPPLY_SERIES, intro)


CHARTS: dict[str, Callable[[Figures, str], str]] = {
    "trends": trend_chart,
    "hours-by-theme": hours_by_theme_chart,
    "gaps-by-district": gaps_chart,
    "supply-demand": supply_demand_chart,
    "top-gaps": top_gaps_chart,
}
