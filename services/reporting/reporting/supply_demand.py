"""What is needed where: demand against supply per theme, per month and per wijk, and its plain-Dutch reading.

Everything here is read from the cube, so small cells stay hidden exactly as elsewhere: a derived figure
(volunteers per open place, the gap, responses per task) is shown only when the figures it comes from are;
otherwise it carries their marker. The ranked lists are ordered by shown figures only, so their order gives
nothing away either.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from reporting.cube import COMPLEMENT, SMALL, Cube, Key, Shown
from reporting.documents import Column, Row, Table
from reporting.kpis import kpi
from reporting.periods import month_label

__all__ = ["GAPS_SHOWN", "readings", "supply_demand_tables"]

# How many wijk x theme cells the ranked lists show.
GAPS_SHOWN = 10

_BY_THEME = (
    "places_open", "hours_asked", "tasks_unanswered", "supply", "ratio", "demand_tasks_posted", "demand_responses",
    "responses_per_task", "days_to_fill_median",
)  # fmt: skip
_DERIVED_LABELS = {
    "ratio": ("Vrijwilligers per open plek", "per plek"),
    "gap": ("Tekort", "plekken"),
    "responses_per_task": ("Reacties per taak", "per taak"),
}


def _number(value: Shown) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _hidden(*values: Shown) -> str | None:
    """The marker a derived figure carries when one of its parts is hidden (``<5`` before ``x``)."""
    markers = [value for value in values if value in (SMALL, COMPLEMENT)]
    return SMALL if SMALL in markers else (COMPLEMENT if markers else None)


def _ratio(numerator: Shown, denominator: Shown) -> Shown:
    """``numerator / denominator`` rounded to hundredths; a marker when a part is hidden; None without a denominator."""
    marker = _hidden(numerator, denominator)
    if marker is not None:
        return marker
    top, bottom = _number(numerator), _number(denominator)
    if top is None or not bottom:
        return None
    return round(top / bottom, 2)


def _gap(places: Shown, supply: Shown) -> Shown:
    """Open places without a fitting volunteer: places minus supply (never shown when supply is hidden)."""
    marker = _hidden(places, supply)
    if marker is not None:
        return marker
    return max(int(_number(places) or 0) - int(_number(supply) or 0), 0)


def _columns(keys: Sequence[str]) -> list[Column]:
    return [
        Column(key=key, label=_DERIVED_LABELS[key][0], unit=_DERIVED_LABELS[key][1]) if key in _DERIVED_LABELS
        else Column(key=key, label=kpi(key).label, unit=kpi(key).unit)
        for key in keys
    ]  # fmt: skip


def _values(cube: Cube, scope: str, month: date | None, district: str | None, theme: str | None) -> dict[str, Shown]:
    def shown(name: str) -> Shown:
        key: Key = (name, scope, month, district, theme)
        return cube.shown(key)

    values = {name: shown(name) for name in _BY_THEME if name not in ("ratio", "responses_per_task")}
    values["ratio"] = _ratio(values["supply"], values["places_open"])
    values["responses_per_task"] = _ratio(values["demand_responses"], values["demand_tasks_posted"])
    return values


def _themes(cube: Cube) -> list[str]:
    found: set[str] = set()
    for name in ("places_open", "supply", "demand_tasks_posted", "tasks_unanswered"):
        found |= set(cube.categories.get(name, {}))
    return sorted(found, key=str.lower)


def supply_demand_tables(cube: Cube, scope: str) -> list[Table]:
    """The section's tables for a region or municipality scope: per theme, per month, and (a municipality) the
    wijk x theme cells where demand outruns supply most and where volunteers wait without fitting tasks."""
    by_theme = [Row(key=theme, label=theme, values=_values(cube, scope, None, None, theme)) for theme in _themes(cube)]
    by_theme = [row for row in by_theme if any(v not in (0, None) for v in row.values.values())]
    tables = [Table(
        id="supply_demand", title="Vraag en aanbod per thema", row_header="Thema", columns=_columns(_BY_THEME),
        rows=by_theme, total=Row(key="total", label="Alle thema's", values=_values(cube, scope, None, None, None)),
        caption="Eind periode: open plekken en passende vrijwilligers (iemand past bij meer thema's en telt bij elk, "
                "in het totaal één keer); reacties op en vervulling van taken uit de periode.",
    )]  # fmt: skip
    trend = ("places_open", "supply", "ratio")
    months = []
    for month in cube.period.months:
        places = cube.shown(("places_open", scope, month, None, None))
        supply = cube.shown(("supply", scope, month, None, None))
        values = {"places_open": places, "supply": supply, "ratio": _ratio(supply, places)}
        months.append(Row(key=f"{month:%Y-%m}", label=month_label(month), values=values))
    tables.append(Table(
        id="supply_demand_trend", title="Vraag en aanbod per maand", row_header="Maand", columns=_columns(trend),
        rows=months, caption="Aan het eind van elke maand: open plekken, passende vrijwilligers en hoeveel per plek.",
    ))  # fmt: skip
    info = cube.scopes[scope]
    if not scope.startswith("m:") or not info.districts:
        return tables
    cells = []
    for district, name in info.districts:
        for theme in _themes(cube):
            places = cube.shown(("places_open", scope, None, district, theme))
            supply = cube.shown(("supply", scope, None, district, theme))
            if places in (0, None) and supply in (0, None):
                continue
            values = {"places_open": places, "supply": supply, "gap": _gap(places, supply)}
            cells.append(Row(key=f"{district}:{theme}", label=f"{name}, {theme}", values=values))
    # Ranked by shown figures only (a hidden supply counts as none), so the order tells nothing hidden.
    worst = sorted(
        (row for row in cells if (_number(row.values["places_open"]) or 0) > 0),
        key=lambda row: (-((_number(row.values["places_open"]) or 0) - (_number(row.values["supply"]) or 0)),
                         -(_number(row.values["places_open"]) or 0), row.key),
    )[:GAPS_SHOWN]  # fmt: skip
    waiting = sorted(
        (row for row in cells if row.values["places_open"] in (0, None) and row.values["supply"] not in (0, None)),
        key=lambda row: (-(_number(row.values["supply"]) or 0), row.key),
    )[:GAPS_SHOWN]
    columns = _columns(("places_open", "supply", "gap"))
    tables.append(Table(
        id="supply_demand_gaps", title="Waar de vraag het aanbod het meest overtreft", row_header="Wijk en thema",
        columns=columns, rows=worst,
        caption="Wijken en thema's met de meeste open plekken zonder passende vrijwilliger, eind periode.",
    ))  # fmt: skip
    tables.append(Table(
        id="supply_demand_waiting", title="Waar vrijwilligers wachten zonder passende taak", row_header="Wijk en thema",
        columns=columns, rows=waiting,
        caption="Wijken en thema's met passende vrijwilligers binnen bereik maar zonder open plekken, eind periode.",
    ))  # fmt: skip
    return tables


def _amount(value: Shown, one: str, many: str) -> str:
    """``14 plekken``, ``1 plek``, ``minder dan 5 vrijwilligers``, ``een verborgen aantal vrijwilligers``."""
    if value == SMALL:
        return f"minder dan 5 {many}"
    if value == COMPLEMENT:
        return f"een niet getoond aantal {many}"
    number = int(_number(value) or 0)
    return f"{number} {one if number == 1 else many}"


def readings(tables: Sequence[Table], municipality: str) -> list[str]:
    """The section in plain Dutch: the largest gaps, where volunteers wait, and the trend of the ratio."""
    by_id = {table.id: table for table in tables}
    sentences = []
    for row in by_id["supply_demand_gaps"].rows if "supply_demand_gaps" in by_id else []:
        wijk, theme = row.label.rsplit(", ", 1)
        places, supply = row.values["places_open"], row.values["supply"]
        verb = "is" if _number(places) == 1 else "zijn"
        sentences.append(
            f"In {wijk} {verb} {_amount(places, 'plek', 'plekken')} in {theme} open en "
            f"{_amount(supply, 'passende vrijwilliger', 'passende vrijwilligers')} beschikbaar."
        )
    for row in (by_id["supply_demand_waiting"].rows if "supply_demand_waiting" in by_id else [])[:3]:
        wijk, theme = row.label.rsplit(", ", 1)
        verb = "wacht" if _number(row.values["supply"]) == 1 else "wachten"
        sentences.append(
            f"In {wijk} {verb} {_amount(row.values['supply'], 'passende vrijwilliger', 'passende vrijwilligers')} "
            f"op een taak in {theme}, maar daar staat geen plek open."
        )
    if "supply_demand_trend" not in by_id:
        return []  # a report closed before the section existed
    trend = [row for row in by_id["supply_demand_trend"].rows if _number(row.values["ratio"]) is not None]
    if len(trend) >= 2:
        first, last = trend[0], trend[-1]
        before, now = _number(first.values["ratio"]) or 0.0, _number(last.values["ratio"]) or 0.0
        direction = "meer" if now > before else "minder" if now < before else "evenveel"
        sentences.append(
            f"In {municipality} waren er eind {last.label} {_format(now)} passende vrijwilligers per open plek, "
            f"{direction} dan eind {first.label} ({_format(before)})."
        )
    if not sentences:
        sentences.append(f"In {municipality} stonden eind van de periode geen plekken open.")
    return sentences


def _format(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
