"""Slices of the cube as a reader sees them: headline figures and tables for one scope and period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from reporting.cube import REGION, Cube, Key, Shown
from reporting.documents import Column, Figures, Headline, PeriodOut, Row, ScopeKind, ScopeOut, Table
from reporting.kpis import KPIS, kpi
from reporting.periods import Period, month_label
from reporting.supply_demand import readings, supply_demand_tables

__all__ = ["Column", "Figures", "Headline", "PeriodOut", "Row", "ScopeOut", "Table", "figures", "partner_figures"]

# The month-by-month trend: what a council letter plots.
TREND = (
    "volunteers_new",
    "volunteers_active",
    "tasks_posted",
    "tasks_filled",
    "tasks_expired",
    "matches_made",
    "hours",
)
# Per district (or municipality, or centrale): where things happen.
WHERE = (
    "volunteers_registered", "volunteers_new", "volunteers_active", "tasks_open", "tasks_waiting",
    "volunteers_waiting", "matches_made", "hours",
)  # fmt: skip
TEAM = ("team_days", "team_employees", "team_hours")


def _period(period: Period) -> PeriodOut:
    return PeriodOut(
        label=period.label,
        name=period.describe(),
        first_month=period.first_month.isoformat()[:7],
        last_month=period.last_month.isoformat()[:7],
        months=[m.isoformat()[:7] for m in period.months],
    )


def _columns(keys: Sequence[str]) -> list[Column]:
    return [Column(key=k, label=kpi(k).label, unit=kpi(k).unit) for k in keys]


def _row(cube: Cube, key: str, label: str, columns: Sequence[str], address: tuple[str, ...]) -> Row:
    """Values of ``columns`` at (scope, month, district, category) given by ``address`` (see Key)."""
    return Row(key=key, label=label, values={c: cube.shown(_key(c, address)) for c in columns})


def _key(column: str, address: tuple[str, ...]) -> Key:
    scope, month, district, category = address
    return (column, scope, date.fromisoformat(month + "-01") if month else None, district or None, category or None)


def _visible(cube: Cube, keys: Sequence[Key]) -> bool:
    """Whether any of the cells has something to show (a number other than 0, or a hidden marker)."""
    return any(cube.shown(k) not in (0, None) for k in keys)


def _trend(cube: Cube, scope: str) -> Table:
    months = cube.period.months
    rows = [_row(cube, m.isoformat()[:7], month_label(m), TREND, (scope, m.isoformat()[:7], "", "")) for m in months]
    return Table(
        id="monthly", title="Verloop per maand", row_header="Maand", columns=_columns(TREND), rows=rows,
        caption="Per maand; de laatste regel is de hele periode (actieve vrijwilligers: één keer geteld).",
        total=_row(cube, "period", "Hele periode", TREND, (scope, "", "", "")),
    )  # fmt: skip


def _where(cube: Cube, scope: str, table_id: str, title: str, header: str, rows: list[tuple[str, str, str]]) -> Table:
    """A WHERE table; ``rows`` are (key, label, scope-or-district) triples."""
    built = []
    for key, label, target in rows:
        address = (target, "", "", "") if target.startswith(("m:", "c:")) else (scope, "", target, "")
        row = _row(cube, key, label, WHERE, address)
        if _visible(cube, [_key(c, address) for c in WHERE]):
            built.append(row)
    return Table(
        id=table_id, title=title, row_header=header, columns=_columns(WHERE), rows=built,
        caption="Stand aan het eind van de periode, en wat er in de periode gebeurde.",
        total=_row(cube, "total", "Totaal", WHERE, (scope, "", "", "")),
    )  # fmt: skip


def _categories(cube: Cube, keys: Sequence[str]) -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    for k in keys:
        found.update(cube.categories.get(k, {}))
    return sorted(found.items(), key=lambda item: item[1].lower())


def _by_category(
    cube: Cube, scope: str, table_id: str, title: str, header: str, caption: str, columns: Sequence[str],
    total_label: str = "Totaal",
) -> Table:  # fmt: skip
    rows = [
        _row(cube, code, label, columns, (scope, "", "", code))
        for code, label in _categories(cube, columns)
        if _visible(cube, [_key(c, (scope, "", "", code)) for c in columns])
    ]
    return Table(
        id=table_id, title=title, caption=caption, row_header=header, columns=_columns(columns), rows=rows,
        total=_row(cube, "total", total_label, columns, (scope, "", "", "")),
    )  # fmt: skip


def _hours_by_theme_and_district(cube: Cube, scope: str) -> Table:
    """Hours: themes down, districts across, with totals both ways."""
    info = cube.scopes[scope]
    districts = [(d, name) for d, name in info.districts if _visible(cube, [("hours", scope, None, d, None)])]
    columns = [Column(key=d, label=name, unit="uren") for d, name in districts] + [
        Column(key="total", label="Totaal", unit="uren")
    ]
    rows = []
    for code, label in _categories(cube, ["hours"]):
        if not _visible(cube, [("hours", scope, None, None, code)]):
            continue
        values: dict[str, Shown] = {d: cube.shown(("hours", scope, None, d, code)) for d, _ in districts}
        values["total"] = cube.shown(("hours", scope, None, None, code))
        rows.append(Row(key=code, label=label, values=values))
    total: dict[str, Shown] = {d: cube.shown(("hours", scope, None, d, None)) for d, _ in districts}
    total["total"] = cube.shown(("hours", scope, None, None, None))
    return Table(
        id="hours_by_theme_and_district", title="Uren per thema en wijk", row_header="Thema", columns=columns,
        rows=rows, total=Row(key="total", label="Totaal", values=total),
        caption="Uren in de periode, naar het thema en de wijk van de taak.",
    )  # fmt: skip


def _gaps_by_district(cube: Cube, scope: str, rows: list[tuple[str, str, str]]) -> Table:
    columns = ("tasks_waiting", "volunteers_waiting")
    built = []
    for key, label, target in rows:
        address = (target, "", "", "") if target.startswith(("m:", "c:")) else (scope, "", target, "")
        if _visible(cube, [_key(c, address) for c in columns]):
            built.append(_row(cube, key, label, columns, address))
    return Table(
        id="gaps_by_district", title="Waar het niet lukt: per wijk", row_header="Wijk", columns=_columns(columns),
        rows=built, total=_row(cube, "total", "Totaal", columns, (scope, "", "", "")),
        caption="Taken die al een maand zonder match open staan, en vrijwilligers die al een maand wachten.",
    )  # fmt: skip


def _retention(cube: Cube, scope: str) -> Table:
    columns = [Column(key="due", label="Matches zo oud", unit="matches"),
               Column(key="active", label="Nog actief", unit="matches")]  # fmt: skip
    rows = [
        Row(key=f"{n}m", label=f"Na {n} maanden", values={
            "due": cube.shown((f"matches_due_{n}m", scope, None, None, None)),
            "active": cube.shown((f"matches_active_{n}m", scope, None, None, None)),
        })
        for n in (3, 6, 12)
    ]  # fmt: skip
    return Table(
        id="retention", title="Duurzaamheid van matches", row_header="Moment", columns=columns, rows=rows,
        caption="Matches die in de periode 3, 6 of 12 maanden bestonden, en hoeveel daarvan toen nog liepen.",
    )  # fmt: skip


def _headline(cube: Cube, scope: str) -> list[Headline]:
    return [
        Headline(kpi=k.key, label=k.label, explanation=k.explanation, unit=k.unit,
                 value=cube.shown((k.key, scope, None, None, None)))
        for k in KPIS
        if k.headline and (k.category is None or k.category_additive or k.key == "volunteers_waiting")
    ]  # fmt: skip


def figures(cube: Cube, scope: str) -> Figures:
    """The report of ``scope`` (``region``, ``m:<code>`` or ``c:<centrale>``) for the cube's period."""
    info = cube.scopes[scope]
    kind: ScopeKind = "region" if scope == REGION else "municipality" if scope.startswith("m:") else "centrale"
    tables = [_trend(cube, scope)]
    if kind == "region":
        places = [(m[2:], cube.scopes[m].name, m) for m in cube.municipalities()]
        tables.append(_where(cube, scope, "municipalities", "Per gemeente", "Gemeente", places))
        tables.append(
            _gaps_by_district(cube, scope, places).model_copy(update={"title": "Waar het niet lukt: per gemeente"})
        )
    elif kind == "municipality":
        districts = [(d, name, d) for d, name in info.districts]
        tables.append(_where(cube, scope, "districts", "Per wijk", "Wijk", districts))
        tables.append(_hours_by_theme_and_district(cube, scope))
        tables.append(_gaps_by_district(cube, scope, districts))
        if len(info.centrales) > 1:
            centrales = [(c, cube.scopes[f"c:{c}"].name, f"c:{c}") for c in info.centrales]
            tables.append(_where(cube, scope, "centrales", "Per centrale", "Centrale", centrales))
    if kind != "municipality":
        tables.append(_by_category(cube, scope, "hours_by_theme", "Uren per thema", "Thema",
                                   "Uren in de periode, naar het thema van de taak.", ["hours"]))  # fmt: skip
    tables += [
        _by_category(cube, scope, "gaps_by_theme", "Waar het niet lukt: per thema", "Thema",
                     "Taken zonder match per thema; wachtende vrijwilligers per thema waarin ze interesse hebben "
                     "(iemand met meer interesses telt bij elk thema, in het totaal één keer).",
                     ["tasks_waiting", "volunteers_waiting"]),
        _by_category(cube, scope, "target_groups", "Bereik per doelgroep", "Doelgroep",
                     "Alleen zelfgekozen labels van vrijwilligers die daar toestemming voor gaven; iemand kan meer "
                     "labels hebben.", ["target_group_new", "target_group_active"],
                     total_label="Alle vrijwilligers met een label"),
        _by_category(cube, scope, "partners", "Inzet van bedrijven", "Bedrijf",
                     "Teamdagen van bedrijven waarvoor de organisatie uren registreerde.", list(TEAM)),
        _retention(cube, scope),
        _by_category(cube, scope, "ended_by_reason", "Waarom matches stopten", "Reden",
                     "Matches die in de periode eindigden, naar de reden die de vrijwilliger, de organisatie of de "
                     "consulent opgaf.", ["matches_ended"]),
    ]  # fmt: skip
    target_groups = next(t for t in tables if t.id == "target_groups")
    target_groups.total = None  # labels overlap and not everyone has one: a sum of rows means nothing
    if kind != "centrale":  # what is needed where is a matter of places, not of a centrale
        tables += supply_demand_tables(cube, scope)
    return Figures(
        scope=ScopeOut(kind=kind, id=scope.split(":", 1)[-1], name=info.name),
        period=_period(cube.period),
        generated_at=datetime.now(UTC),
        headline=_headline(cube, scope),
        tables=tables,
        readings=readings(tables, info.name) if kind == "municipality" else [],
    )


def partner_figures(cube: Cube, partner_id: str, partner_name: str | None = None) -> Figures:
    """A business partner's own teams: per month and per municipality, nothing of anyone else.

    ``partner_name``: the company's name, so the figures name it also in a period without its teams.
    """
    name = partner_name or cube.categories.get("team_days", {}).get(partner_id, partner_id)
    months = [
        _row(cube, m.isoformat()[:7], month_label(m), TEAM, (REGION, m.isoformat()[:7], "", partner_id))
        for m in cube.period.months
    ]
    monthly = Table(
        id="monthly", title="Teamdagen per maand", row_header="Maand", columns=_columns(TEAM), rows=months,
        caption="Teamdagen waarvoor de organisatie uren registreerde, in de maand van de teamdag.",
        total=_row(cube, "period", "Hele periode", TEAM, (REGION, "", "", partner_id)),
    )  # fmt: skip
    places = [
        _row(cube, m[2:], cube.scopes[m].name, TEAM, (m, "", "", partner_id))
        for m in cube.municipalities()
        if _visible(cube, [(k, m, None, None, partner_id) for k in TEAM])
    ]
    by_place = Table(
        id="municipalities", title="Per gemeente", row_header="Gemeente", columns=_columns(TEAM), rows=places,
        caption="Waar de teams zich inzetten.",
        total=_row(cube, "total", "Totaal", TEAM, (REGION, "", "", partner_id)),
    )  # fmt: skip
    headline = [
        Headline(kpi=k, label=kpi(k).label, explanation=kpi(k).explanation, unit=kpi(k).unit,
                 value=cube.shown((k, REGION, None, None, partner_id)))
        for k in TEAM
    ]  # fmt: skip
    return Figures(
        scope=ScopeOut(kind="partner", id=partner_id, name=name),
        period=_period(cube.period),
        generated_at=datetime.now(UTC),
        headline=headline,
        tables=[monthly, by_place],
    )
