"""The period's cells, assembled from the aggregates in a few grouped queries (no fact is read).

Each query places aggregate rows in their scopes and wijken the way ``queries`` always did (a centrale
counts for the region, its municipality and itself; a match also for the volunteer's centrale; a PC4
area lies in a wijk of that municipality, ``buiten`` it or ``onbekend``), resolved now, with today's
configuration; and groups them into exactly the cells a report has (``GROUPING SETS``): per month, for
the period, per category, per wijk. The rows returned are the cells; ``suppress`` then works on them
as before. How many rows a query reads depends on months, areas, centrales and themes, not on how many
volunteers, tasks or hours there are.
"""

from __future__ import annotations

import asyncio
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from common.db import Connection
from reporting.cube import OUTSIDE, REGION, UNKNOWN, Cell, Cube, Key, ScopeInfo, number, percentile, suppress
from reporting.kpis import END_REASONS, MIN_PEOPLE, Category, Kind, Kpi, kpi
from reporting.periods import Period, add_months, month_of

__all__ = ["Config", "assemble_cube", "dutch_now", "figures_change_by_time_at"]

# Each statement's rows, by name (``_statements``).
_Rows = dict[str, list[Any]]


# Where a row counts: the region, its centrale's municipality (with the wijk of its area there) and its
# centrale, and for a match and its hours also the volunteer's centrale and its municipality when they differ.
# Each query's `rows` has columns centrale_id (NULL: the region only), centrale2 and area ('' none).
def _wijk(municipality: str, district: str = "j.district_code") -> str:
    """SQL: the wijk of the area with ``districts`` code SQL ``district`` in the municipality SQL ``municipality``."""
    return (
        f"CASE WHEN {municipality} IS NULL THEN NULL WHEN {district} IS NULL THEN '{UNKNOWN}'"
        f" WHEN substr({district}, 3, 4) = substr({municipality}, 3, 4) THEN {district} ELSE '{OUTSIDE}' END"
    )


# `joined`: the rows with their centrales' municipalities and their area's wijk, once; `placed`: each row once
# per scope it counts in (plain selects, no per-row lateral lists), with its wijk there.
_PLACEMENT = """, joined AS (
        SELECT f.*, m1.municipality_code AS municipality1, m2.municipality_code AS municipality2, d.district_code
        FROM rows f
        LEFT JOIN centrale_municipalities m1 ON m1.centrale_id = f.centrale_id
        LEFT JOIN centrale_municipalities m2 ON m2.centrale_id = nullif(f.centrale2, '')
        LEFT JOIN districts d ON d.postcode_area = nullif(f.area, '')
    ), placed AS (
        SELECT j.*, 'region' AS scope, NULL::text AS district FROM joined j
        UNION ALL
        SELECT j.*, 'm:' || coalesce(j.municipality1, '-'), {wijk1} FROM joined j WHERE j.centrale_id IS NOT NULL
        UNION ALL
        SELECT j.*, 'm:' || coalesce(j.municipality2, '-'), {wijk2} FROM joined j
        WHERE nullif(j.centrale2, '') IS NOT NULL AND coalesce(j.municipality2, '-') <> coalesce(j.municipality1, '-')
        UNION ALL
        SELECT j.*, 'c:' || j.centrale_id, NULL FROM joined j WHERE j.centrale_id IS NOT NULL
        UNION ALL
        SELECT j.*, 'c:' || j.centrale2, NULL FROM joined j
        WHERE nullif(j.centrale2, '') IS NOT NULL AND j.centrale2 <> j.centrale_id
    )""".replace("{wijk1}", _wijk("j.municipality1")).replace("{wijk2}", _wijk("j.municipality2"))


def _placed(query: str) -> str:
    """``query`` with its ``{placed}`` (after its ``rows``) replaced by ``joined`` and ``placed`` (see above)."""
    return query.replace("{placed}", _PLACEMENT)


# Flows, months and period apart: each query sums what it does not place before placing it.
_FLOW_ROWS = """
    SELECT kpi, month, centrale_id, centrale2, area, category, n FROM agg_flows WHERE month BETWEEN $1 AND $2
    UNION ALL  -- every new volunteer counts in the target-group table's total (labels or not)
    SELECT 'target_group_new', month, centrale_id, centrale2, area, '', n FROM agg_flows
    WHERE kpi = 'volunteers_new' AND month BETWEEN $1 AND $2
"""
_FLOW_MONTHS = _placed(
    """
    WITH rows AS (
        SELECT kpi, month, centrale_id, centrale2, '' AS area, sum(n) AS n FROM ({flows}) r WHERE category = ''
        GROUP BY kpi, month, centrale_id, centrale2
    ){placed}
    SELECT f.kpi, f.month, f.scope, sum(f.n)::bigint AS n
    FROM placed f
    GROUP BY f.kpi, f.month, f.scope HAVING sum(f.n) > 0
""".replace("{flows}", _FLOW_ROWS)
)
_FLOW_PERIOD = _placed(
    """
    WITH rows AS (
        SELECT kpi, centrale_id, centrale2, area, category, sum(n) AS n FROM ({flows}) r
        GROUP BY kpi, centrale_id, centrale2, area, category
    ){placed}
    SELECT f.kpi, NULL::date AS month, f.scope, f.district, f.category, sum(f.n)::bigint AS n, false AS by_month,
           GROUPING(f.district) = 0 AS by_district
    FROM placed f
    GROUP BY GROUPING SETS ((f.kpi, f.scope, f.category), (f.kpi, f.scope, f.district, f.category))
    HAVING sum(f.n) > 0
""".replace("{flows}", _FLOW_ROWS)
)
# A state at each month's end: the changes up to then, per centrale (months), per area and category (the last).
_STOCK_MONTHS = _placed("""
    WITH changes AS (
        SELECT kpi, month, centrale_id, sum(delta) AS delta FROM agg_stocks WHERE category = '' AND month <= $1
        GROUP BY kpi, month, centrale_id
    ), rows AS (
        SELECT c.kpi, m.month, c.centrale_id, '' AS centrale2, '' AS area, sum(c.delta) AS n
        FROM changes c JOIN unnest($2::date[]) AS m(month) ON c.month <= m.month
        GROUP BY c.kpi, m.month, c.centrale_id
    ){placed}
    SELECT f.kpi, f.month, f.scope, sum(f.n)::bigint AS n
    FROM placed f
    GROUP BY f.kpi, f.month, f.scope HAVING sum(f.n) > 0
""")
_STOCK_LAST = _placed("""
    WITH rows AS (
        SELECT kpi, centrale_id, '' AS centrale2, area, category, sum(delta) AS n FROM agg_stocks WHERE month <= $1
        GROUP BY kpi, centrale_id, area, category HAVING sum(delta) <> 0
    ){placed}
    SELECT f.kpi, NULL::date AS month, f.scope, f.district, f.category, sum(f.n)::bigint AS n, false AS by_month,
           GROUPING(f.district) = 0 AS by_district
    FROM placed f
    GROUP BY GROUPING SETS ((f.kpi, f.scope, f.category), (f.kpi, f.scope, f.district, f.category))
    HAVING sum(f.n) > 0
""")
# People behind hours: the buckets' people merged (reporting_few_people, migration 0071: distinct, at most
# MIN_PEOPLE kept), in two steps so no cell merges more than it must: the buckets into the finest cells (per
# month, scope, wijk and theme), then those cells into the grouping sets a report shows. Two statements, one
# per kind of scope, which share nothing and so can run at once (``_fetch_all``): the region and the centrales,
# which have no wijk, merge their buckets over areas before they are placed (no configuration needed); the
# municipalities place each bucket in its centrales' municipalities, with the wijk of its area there. A bucket
# with more people than it keeps (``more``) makes every cell it is in count MIN_PEOPLE whatever the others hold, so
# its people are not merged at all (FILTER): two thirds of the bench's buckets, each a PL/pgSQL call saved.
_HOURS_PEOPLE = """
    SELECT f.kpi, f.month, f.scope, f.district, f.theme, sum(f.amount) AS amount,
           CASE WHEN bool_or(f.more) THEN $3
                ELSE least(cardinality(reporting_few_people(f.persons, $3) FILTER (WHERE NOT f.more)), $3)
           END AS people,
           GROUPING(f.month) = 0 AS by_month, GROUPING(f.district) = 0 AS by_district,
           GROUPING(f.theme) = 0 AS by_theme
    FROM cells f
    GROUP BY GROUPING SETS ((f.kpi, f.month, f.scope), (f.kpi, f.scope), (f.kpi, f.scope, f.theme),
                            (f.kpi, f.scope, f.district), (f.kpi, f.scope, f.district, f.theme))
"""
# (The district sets give the region and centrales rows without a wijk, which no cell is made of: kept, so the
# rows are exactly those of the single query before.)
_HOURS_CENTRALES = """
    WITH unplaced AS (  -- areas merged
        SELECT kpi, month, centrale_id, centrale2, theme, sum(amount) AS amount,
               reporting_few_people(persons, $3) FILTER (WHERE NOT more) AS persons, bool_or(more) AS more
        FROM agg_hours WHERE month BETWEEN $1 AND $2 AND facts > 0
        GROUP BY kpi, month, centrale_id, centrale2, theme
    ), placed AS (
        SELECT kpi, month, theme, amount, persons, more, 'region' AS scope FROM unplaced
        UNION ALL
        SELECT kpi, month, theme, amount, persons, more, 'c:' || centrale_id FROM unplaced
        UNION ALL
        SELECT kpi, month, theme, amount, persons, more, 'c:' || centrale2 FROM unplaced
        WHERE nullif(centrale2, '') IS NOT NULL AND centrale2 <> centrale_id
    ), cells AS (
        SELECT kpi, month, scope, NULL::text AS district, theme, sum(amount) AS amount,
               reporting_few_people(persons, $3) FILTER (WHERE NOT more) AS persons, bool_or(more) AS more
        FROM placed GROUP BY kpi, month, scope, theme
    ){people}""".replace("{people}", _HOURS_PEOPLE)
# Each bucket once in its centrale's municipality and once in the volunteer's where that is another (a lateral
# list of one or two, so the joined buckets are not kept aside to be read twice).
_HOURS_MUNICIPALITIES = """
    WITH placed AS (
        SELECT f.kpi, f.month, f.theme, f.amount, f.persons, f.more, 'm:' || coalesce(p.municipality, '-') AS scope,
               {wijk} AS district
        FROM agg_hours f
        LEFT JOIN centrale_municipalities m1 ON m1.centrale_id = f.centrale_id
        LEFT JOIN centrale_municipalities m2 ON m2.centrale_id = nullif(f.centrale2, '')
        LEFT JOIN districts j ON j.postcode_area = nullif(f.area, ''),
        LATERAL (
            SELECT m1.municipality_code AS municipality
            UNION ALL
            SELECT m2.municipality_code
            WHERE nullif(f.centrale2, '') IS NOT NULL
              AND coalesce(m2.municipality_code, '-') <> coalesce(m1.municipality_code, '-')
        ) p
        WHERE f.month BETWEEN $1 AND $2 AND f.facts > 0
    ), cells AS (
        SELECT kpi, month, scope, district, theme, sum(amount) AS amount,
               reporting_few_people(persons, $3) FILTER (WHERE NOT more) AS persons, bool_or(more) AS more
        FROM placed GROUP BY kpi, month, scope, district, theme
    ){people}""".replace("{wijk}", _wijk("p.municipality")).replace("{people}", _HOURS_PEOPLE)
# The matches made 3, 6 or 12 months before the current month ($3, when the period $1..$2 holds it), each with
# the moment it reaches that age.
_CURRENT_MARKS = """
    current AS (
        SELECT n.months, (m.made_at AT TIME ZONE 'Europe/Amsterdam') + make_interval(months => n.months) AS mark,
               m.ended_at AT TIME ZONE 'Europe/Amsterdam' AS ended, m.centrale_id, m.volunteer_centrale_id,
               coalesce(m.task_area, '') AS area
        FROM unnest(ARRAY[3, 6, 12]) AS n(months)
        JOIN LATERAL (
            SELECT * FROM match_facts
            WHERE made_at >= (($3::date - make_interval(months => n.months))::timestamp AT TIME ZONE 'Europe/Amsterdam')
              AND made_at < (($3::date - make_interval(months => n.months) + interval '1 month')::timestamp
                             AT TIME ZONE 'Europe/Amsterdam')
        ) m ON true
        WHERE $3::date BETWEEN $1 AND $2
    )"""
# Matches reaching 3, 6 or 12 months: per month from the aggregate before the current month ($3); the current
# month's, which count only once their moment has come ($4, now), from the facts made N months before it.
_RETENTION = _placed(
    """
    WITH {current}, rows AS (
        SELECT months, mark_month AS month, centrale_id, centrale2, area, active, n FROM agg_retention
        WHERE mark_month BETWEEN $1 AND $2 AND mark_month < $3::date AND n <> 0
        UNION ALL
        SELECT months, $3::date, centrale_id, volunteer_centrale_id, area, ended IS NULL OR ended >= mark, 1
        FROM current WHERE mark <= $4
    ){placed}
    SELECT f.months, f.month, f.scope, f.district,
           sum(f.n)::bigint AS due, coalesce(sum(f.n) FILTER (WHERE f.active), 0)::bigint AS active,
           GROUPING(f.month) = 0 AS by_month, GROUPING(f.district) = 0 AS by_district
    FROM placed f
    GROUP BY GROUPING SETS ((f.months, f.month, f.scope), (f.months, f.scope), (f.months, f.scope, f.district))
""".replace("{current}", _CURRENT_MARKS)
)
# The first moment after now ($4) at which one of the current month's matches reaches its mark: the retention
# figures change then, with no event (``figures_change_by_time_at``).
_NEXT_MARK = "WITH {current} SELECT min(mark) FROM current WHERE mark > $4".replace("{current}", _CURRENT_MARKS)
_DURATIONS = _placed("""
    WITH rows AS (
        SELECT month, centrale_id, '' AS centrale2, area, seconds FROM agg_durations
        WHERE month BETWEEN $1 AND $2 AND cardinality(seconds) > 0
    ){placed}
    SELECT f.month, f.scope, f.district, reporting_concat(f.seconds) AS seconds,
           GROUPING(f.month) = 0 AS by_month, GROUPING(f.district) = 0 AS by_district
    FROM placed f
    GROUP BY GROUPING SETS ((f.month, f.scope), (f.scope), (f.scope, f.district))
""")
# Person-level figures: a unit's people (see person_activity) are the scope's people. A municipality of one
# centrale has no unit of its own: that centrale's people are the municipality's.
_ACTIVE_UNITS = """
    WITH u AS ({source}), joined AS (
        SELECT u.*, CASE WHEN u.unit LIKE 'm:%' THEN nullif(substr(u.unit, 3), '-') END AS own,
               single.municipality_code AS single, d.district_code
        FROM u
        LEFT JOIN centrale_municipalities cm ON cm.centrale_id = CASE WHEN u.unit LIKE 'c:%' THEN substr(u.unit, 3) END
        LEFT JOIN (SELECT municipality_code FROM centrale_municipalities GROUP BY municipality_code
                   HAVING count(*) = 1) single ON single.municipality_code = cm.municipality_code
        LEFT JOIN districts d ON d.postcode_area = nullif(u.area, '')
    ), scoped AS (
        SELECT j.*, j.unit AS scope, {wijk_unit} AS district FROM joined j
        UNION ALL
        SELECT j.*, 'm:' || j.single, {wijk_single} FROM joined j WHERE j.single IS NOT NULL
    )
"""
_ACTIVE = """
    SELECT period, scope, district, sum(n_any)::bigint AS any, sum(n_active)::bigint AS active,
           sum(n_nldoet)::bigint AS nldoet,
           coalesce(sum(n_any) FILTER (WHERE mdt), 0)::bigint AS any_mdt,
           coalesce(sum(n_active) FILTER (WHERE mdt), 0)::bigint AS active_mdt,
           coalesce(sum(n_any) FILTER (WHERE labels <> '{}'), 0)::bigint AS any_labelled,
           coalesce(sum(n_active) FILTER (WHERE labels <> '{}'), 0)::bigint AS active_labelled,
           GROUPING(district) = 0 AS by_district
    FROM scoped
    GROUP BY GROUPING SETS ((period, scope), (period, scope, district))
    UNION ALL
    SELECT period, scope, label, sum(n_any)::bigint, sum(n_active)::bigint, 0, 0, 0, 0, 0, NULL
    FROM scoped, unnest(labels) AS label
    WHERE period = $2
    GROUP BY period, scope, label
"""
_ACTIVE_STORED = (
    "SELECT period, unit, area, mdt, labels, n_any, n_active, n_nldoet FROM agg_active WHERE period = ANY($1)"
)
# A period that is no standard one (2026-02..2026-05): its people from the per-person months ($3, $4: first
# and last month).
_ACTIVE_RANGE = """
    SELECT $2 AS period, unit, home_area AS area, mdt, labels, count(*) FILTER (WHERE entries > 0) AS n_any,
           count(*) FILTER (WHERE centi >= 100) AS n_active, count(*) FILTER (WHERE nldoet > 0) AS n_nldoet
    FROM (
        SELECT p.person_key, p.unit, p.home_area, p.mdt, p.labels, sum(t.e) AS entries, sum(t.h) AS centi,
               sum(t.n) AS nldoet
        FROM person_activity p, unnest(p.entries, p.centi, p.nldoet) WITH ORDINALITY AS t(e, h, n, month)
        WHERE p.year BETWEEN extract(year FROM $3::date) AND extract(year FROM $4::date)
          AND make_date(p.year, t.month::integer, 1) BETWEEN $3 AND $4
        GROUP BY p.person_key, p.unit, p.home_area, p.mdt, p.labels
    ) people
    GROUP BY unit, home_area, mdt, labels
"""
_MDT = _placed("""
    WITH rows AS (
        SELECT c.kind AS kpi, c.centrale_id, '' AS centrale2, coalesce(v.postcode_area, '') AS area,
               reporting_booked_month(date_trunc('month', c.worked_on)::date, c.recorded_at, c.centrale_id) AS month
        FROM mdt_crossings c JOIN volunteer_facts v ON v.person_key = c.person_key
        WHERE reporting_mdt(v.age_band)
    ){placed}
    SELECT f.kpi, f.month, f.scope, f.district, '' AS category, count(*)::bigint AS n,
           GROUPING(f.month) = 0 AS by_month, GROUPING(f.district) = 0 AS by_district
    FROM placed f
    WHERE f.month BETWEEN $1 AND $2
    GROUP BY GROUPING SETS ((f.kpi, f.month, f.scope), (f.kpi, f.scope), (f.kpi, f.scope, f.district))
""")
# Business partners' team days: few, read as they are (booked and placed like any flow).
_TEAM_DAYS = _placed("""
    WITH days AS (
        SELECT d.partner_id::text AS partner, coalesce(d.participants, 0) AS participants, d.hours_total,
               coalesce(d.on_date, (d.hours_logged_at AT TIME ZONE 'Europe/Amsterdam')::date) AS on_day,
               coalesce(d.hours_centrale_id, d.task_centrale_id, d.posted_centrale_id) AS centrale_id,
               coalesce(t.postcode_area, d.postcode_area, '') AS area, d.hours_recorded_at
        FROM volunteer_day_facts d LEFT JOIN task_facts t ON t.task_id = d.task_id
        WHERE d.hours_recorded_at IS NOT NULL
    ), rows AS (
        SELECT days.*, '' AS centrale2, on_day IN (SELECT day FROM nldoet_days) AS nldoet,
               reporting_booked_month(date_trunc('month', on_day)::date, hours_recorded_at, centrale_id) AS month
        FROM days
    ){placed}
    SELECT f.month, f.scope, f.district, f.partner, count(*)::bigint AS days,
           sum(f.participants)::bigint AS employees, sum(f.hours_total) AS hours,
           count(*) FILTER (WHERE f.nldoet)::bigint AS nldoet_days,
           coalesce(sum(f.participants) FILTER (WHERE f.nldoet), 0)::bigint AS nldoet_employees,
           coalesce(sum(f.hours_total) FILTER (WHERE f.nldoet), 0) AS nldoet_hours,
           GROUPING(f.month) = 0 AS by_month, GROUPING(f.district) = 0 AS by_district,
           GROUPING(f.partner) = 0 AS by_partner
    FROM placed f
    WHERE f.month BETWEEN $1 AND $2
    GROUP BY GROUPING SETS ((f.month, f.scope), (f.month, f.scope, f.partner), (f.scope), (f.scope, f.partner),
                            (f.scope, f.district))
""")
# Days from posting to filled, per theme (what is needed where).
_FILL_DURATIONS = _placed("""
    WITH rows AS (
        SELECT month, centrale_id, '' AS centrale2, area, theme, seconds FROM agg_fill_durations
        WHERE month BETWEEN $1 AND $2 AND cardinality(seconds) > 0
    ){placed}
    SELECT f.month, f.scope, f.district, f.theme, reporting_concat(f.seconds) AS seconds,
           GROUPING(f.month) = 0 AS by_month, GROUPING(f.district) = 0 AS by_district,
           GROUPING(f.theme) = 0 AS by_theme
    FROM placed f
    GROUP BY GROUPING SETS ((f.month, f.scope), (f.scope), (f.scope, f.theme), (f.scope, f.district),
                            (f.scope, f.district, f.theme))
""")
# Fitting volunteers within reach, per scope ('region', 'm:<code>' or a wijk code) and theme ('' any): each
# month's end for the region and municipalities, the last month's for every scope and theme.
_SUPPLY_MONTHS = """
    SELECT s.scope, m.month, sum(s.delta)::bigint AS n
    FROM agg_supply s JOIN unnest($2::date[]) AS m(month) ON s.month <= m.month
    WHERE s.theme = '' AND s.scope NOT LIKE 'WK%' AND s.month <= $1
    GROUP BY s.scope, m.month HAVING sum(s.delta) > 0
"""
_SUPPLY_LAST = """
    SELECT scope, theme, sum(delta)::bigint AS n FROM agg_supply WHERE month <= $1
    GROUP BY scope, theme HAVING sum(delta) > 0
"""
_RETENTION_MONTHS = (3, 6, 12)


@dataclass
class Config:
    """What ops loaded: centrales' municipalities, PC4 → wijk, NLdoet days; plus partner names."""

    centrales: dict[str, tuple[str, str]] = field(default_factory=dict)
    centrale_names: dict[str, str] = field(default_factory=dict)
    districts: dict[str, tuple[str, str]] = field(default_factory=dict)
    partners: dict[str, str] = field(default_factory=dict)

    def municipality_name(self, code: str) -> str | None:
        """The name ops gave the municipality, or None when no centrale maps to it."""
        return next((name for c, name in self.centrales.values() if c == code), None)


def _scopes(config: Config) -> dict[str, ScopeInfo]:
    """The region, then every municipality ops mapped a centrale to (its wijken, buiten, onbekend) and its centrales."""
    scopes = {REGION: ScopeInfo("Regio")}
    by_municipality: dict[str, list[str]] = defaultdict(list)
    for centrale, (code, _) in sorted(config.centrales.items()):
        by_municipality[code].append(centrale)
    districts: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for code, name in sorted(set(config.districts.values())):
        districts["GM" + code[2:6]].append((code, name))
    for code, centrales in by_municipality.items():
        name = config.municipality_name(code) or code
        own = [*districts.get(code, []), (OUTSIDE, "Buiten de gemeente"), (UNKNOWN, "Onbekend")]
        scopes[f"m:{code}"] = ScopeInfo(name, centrales=list(centrales), districts=own)
        for centrale in centrales:
            scopes[f"c:{centrale}"] = ScopeInfo(config.centrale_names[centrale])
    return scopes


class _Cells:
    """The cells of one period as the queries give them, with the categories and scopes they name."""

    def __init__(self, period: Period, config: Config) -> None:
        self.period = period
        self.config = config
        self.scopes = _scopes(config)
        self.cells: dict[Key, Cell] = {}
        self.categories: dict[str, dict[str, str]] = defaultdict(dict)
        self.unmapped: set[str] = set()

    def put(self, key: Key, cell: Cell) -> None:
        """Keep a cell; a scope ops have not configured (a centrale not mapped yet) is noted."""
        scope = key[1]
        if scope not in self.scopes and scope.startswith("c:"):
            self.unmapped.add(scope[2:])
        if key[4] is not None and key[4] not in (labels := self.categories[key[0]]):
            labels[key[4]] = self._label(kpi(key[0]), key[4])
        self.cells[key] = cell

    def _label(self, definition: Kpi, code: str) -> str:
        """A category's name in the reports: a partner's company, an end reason in Dutch, else the code itself."""
        if definition.category is Category.PARTNER:
            return self.config.partners.get(code, code)
        if definition.category is Category.END_REASON:
            return END_REASONS.get(code, code)
        return code

    def counted(self, definition: Kpi, key: Key, n: int) -> None:
        """A count of facts (people, when the KPI counts people)."""
        self.put(key, Cell(n, n if definition.people else None))

    def summed(self, definition: Kpi, key: Key, amount: Decimal, people: int) -> None:
        """A sum and (up to MIN_PEOPLE) the people behind it."""
        self.put(key, Cell(number(amount), people if definition.people else None))

    def cube(self) -> Cube:
        """The cube with suppression; centrales without a municipality go under ``m:-`` (by id)."""
        if self.unmapped:
            unmapped = self.scopes.setdefault("m:-", ScopeInfo("Geen gemeente gekoppeld"))
            for centrale in sorted(self.unmapped):
                unmapped.centrales.append(centrale)
                self.scopes[f"c:{centrale}"] = ScopeInfo(centrale)
        cube = Cube(self.period, self.scopes, {k: dict(v) for k, v in self.categories.items()}, self.cells, {})
        cube.hidden = suppress(self.cells, cube.relations())
        return cube


def _key(definition: Kpi, row: Any, category: str | None = None) -> Key | None:
    """The cell a grouped row is, for a KPI: per month, per wijk, per category or the period; None if it has none.

    ``row`` has ``scope``, ``month``/``by_month``, ``district``/``by_district``; ``category`` ('' for none).
    """
    code = category or None
    if row["by_month"]:
        if code is not None and definition.category is not Category.PARTNER:
            return None
        return (definition.key, row["scope"], row["month"], None, code)
    if row["by_district"]:
        if row["district"] is None or definition.location is None:
            return None
        if code is not None and definition.category is not Category.THEME:
            return None
        return (definition.key, row["scope"], None, row["district"], code)
    if code is not None and definition.category is None:
        return None
    return (definition.key, row["scope"], None, None, code)


def _flows(cells: _Cells, rows: _Rows) -> None:
    for row in rows["flow_months"]:
        definition = kpi(row["kpi"])
        cells.counted(definition, (definition.key, row["scope"], row["month"], None, None), row["n"])
    for row in rows["flow_period"]:
        definition = kpi(row["kpi"])
        if (key := _key(definition, row, row["category"])) is not None:
            cells.counted(definition, key, row["n"])
    for row in rows["mdt"]:
        definition = kpi(row["kpi"])
        if (key := _key(definition, row)) is not None:
            cells.counted(definition, key, row["n"])


def _stocks(cells: _Cells, rows: _Rows) -> None:
    """States at each month's end; the period's cells are the last month's."""
    for row in rows["stock_months"]:
        definition = kpi(row["kpi"])
        _stock(cells, definition, (definition.key, row["scope"], row["month"], None, None), row["n"])
    for row in rows["stock_last"]:
        definition = kpi(row["kpi"])
        if (key := _key(definition, row, row["category"])) is not None:
            _stock(cells, definition, key, row["n"])


def _stock(cells: _Cells, definition: Kpi, key: Key, n: int) -> None:
    """A state's cell: a count, or a sum (hours asked are kept in hundredths)."""
    if definition.key == "hours_asked":
        cells.summed(definition, key, Decimal(n) / 100, 0)
    else:
        cells.counted(definition, key, n)


def _hours(cells: _Cells, rows: _Rows) -> None:
    for row in [*rows["hours_centrales"], *rows["hours_municipalities"]]:
        definition = kpi(row["kpi"])
        if row["by_theme"] and definition.category is None:
            continue
        key = _key(definition, row, row["theme"] if row["by_theme"] else None)
        if key is not None:
            cells.summed(definition, key, row["amount"], row["people"])


def _retention(cells: _Cells, rows: _Rows) -> None:
    for row in rows["retention"]:
        for kind, n in (("due", row["due"]), ("active", row["active"])):
            definition = kpi(f"matches_{kind}_{row['months']}m")
            if n > 0 and (key := _key(definition, row)) is not None:
                cells.counted(definition, key, n)


def _fill_durations(cells: _Cells, rows: _Rows) -> None:
    definition = kpi("days_to_fill_median")
    for row in rows["fill_durations"]:
        if row["by_month"] and row["by_theme"]:
            continue
        if (key := _key(definition, row, row["theme"] if row["by_theme"] else None)) is not None:
            days = [seconds / 86_400 for seconds in row["seconds"]]
            cells.put(key, Cell(round(statistics.median(days), 1), None))


def _supply(cells: _Cells, rows: _Rows) -> None:
    """Fitting volunteers within reach: per month for the region and each municipality, per wijk and theme."""
    definition = kpi("supply")
    for row in rows["supply_months"]:
        if row["scope"] in cells.scopes:
            cells.counted(definition, (definition.key, row["scope"], row["month"], None, None), row["n"])
    for row in rows["supply_last"]:
        scope, district = row["scope"], None
        if scope.startswith("WK"):
            scope, district = f"m:GM{scope[2:6]}", scope
        if scope in cells.scopes:
            cells.counted(definition, (definition.key, scope, None, district, row["theme"] or None), row["n"])


def _durations(cells: _Cells, rows: _Rows) -> None:
    median, p90 = kpi("days_to_first_match_median"), kpi("days_to_first_match_p90")
    for row in rows["durations"]:
        keys = [(definition, key) for definition in (median, p90) if (key := _key(definition, row)) is not None]
        if not keys:
            continue
        days = _days(row["seconds"])
        for definition, key in keys:
            value = statistics.median(days) if definition is median else percentile(days, 0.9)
            cells.put(key, Cell(round(value, 1), None))


def _days(seconds: Sequence[float]) -> list[float]:
    """Durations in days, sorted: by numpy (a region's year is tens of thousands), as Python floats.

    Sorted, they cost ``statistics.median`` and ``percentile`` one linear pass each (their own sort finds one run).
    """
    # Imported at the first read, not at the service's start (numpy takes a quarter of a second to import).
    import numpy as np

    ordered: list[float] = (np.sort(np.asarray(seconds, dtype=np.float64)) / 86_400).tolist()
    return ordered


_ACTIVE_SCOPED = _ACTIVE_UNITS.replace("{wijk_unit}", _wijk("j.own")).replace("{wijk_single}", _wijk("j.single"))


def _people_statement(period: Period) -> tuple[str, tuple[Any, ...]]:
    """The people query of ``period`` and its arguments: stored per standard period, else from the months."""
    months = [f"{month:%Y-%m}" for month in period.months]
    standard = period.standard_label
    label = standard or period.label
    if standard is not None:
        source = _ACTIVE_STORED
        arguments: tuple[Any, ...] = (list({*months, standard}), label)
    else:
        source = f"{_ACTIVE_STORED} UNION ALL {_ACTIVE_RANGE}"
        arguments = (months, label, period.first_month, period.last_month)
    return _ACTIVE_SCOPED.replace("{source}", source) + _ACTIVE, arguments


def _people(cells: _Cells, rows: _Rows, period: Period) -> None:
    """Active volunteers, MDT ages, target groups and NLdoet participants, counted once per scope."""
    months = [f"{month:%Y-%m}" for month in period.months]
    label = period.standard_label or period.label
    kpis = {name: kpi(name) for name in ("volunteers_active", "mdt_active", "target_group_active", "nldoet_volunteers")}
    key: Key | None
    for row in rows["people"]:
        if row["by_district"] is None:  # a target-group label
            if row["any"] > 0:
                key = ("target_group_active", row["scope"], None, None, row["district"])
                cells.put(key, Cell(row["active"], row["active"]))
            continue
        figures = {
            "volunteers_active": (row["any"], row["active"]),
            "mdt_active": (row["any_mdt"], row["active_mdt"]),
            "target_group_active": (row["any_labelled"], row["active_labelled"]),
            "nldoet_volunteers": (row["nldoet"], row["nldoet"]),
        }
        addresses: list[tuple[date | None, bool]] = []
        if row["period"] in months and not row["by_district"]:
            addresses.append((date.fromisoformat(row["period"] + "-01"), True))
        if row["period"] == label:
            addresses.append((None, False))
        for month, by_month in addresses:
            grouped = {**dict(row), "month": month, "by_month": by_month}
            for name, (present, value) in figures.items():
                if present > 0 and (key := _key(kpis[name], grouped)) is not None:
                    cells.put(key, Cell(value, value))


def _team_days(cells: _Cells, rows: _Rows) -> None:
    team = [kpi(name) for name in ("team_days", "team_employees", "team_hours")]
    nldoet = [kpi(name) for name in ("nldoet_team_employees", "nldoet_team_hours")]
    for row in rows["team_days"]:
        partner = row["partner"] if row["by_partner"] else None
        for definition in team:
            if (key := _key(definition, row, partner)) is None:
                continue
            if definition.kind is Kind.COUNT:
                cells.counted(definition, key, row["days"])
            else:
                amount = Decimal(row["employees"]) if definition.key == "team_employees" else row["hours"]
                cells.summed(definition, key, amount, row["employees"])
        if partner is None and row["nldoet_days"] > 0:
            for definition in nldoet:
                if (key := _key(definition, row)) is not None:
                    amount = (
                        Decimal(row["nldoet_employees"]) if definition.key == "nldoet_team_employees"
                        else row["nldoet_hours"]
                    )  # fmt: skip
                    cells.summed(definition, key, amount, row["nldoet_employees"])


def _statements(period: Period, now: datetime) -> dict[str, tuple[str, tuple[Any, ...]]]:
    """Every statement of the read with its arguments, the slowest first (see ``_fetch_all``)."""
    first, last = period.first_month, period.last_month
    return {
        "hours_municipalities": (_HOURS_MUNICIPALITIES, (first, last, MIN_PEOPLE)),
        "hours_centrales": (_HOURS_CENTRALES, (first, last, MIN_PEOPLE)),
        "stock_months": (_STOCK_MONTHS, (last, period.months)),
        "stock_last": (_STOCK_LAST, (last,)),
        "people": _people_statement(period),
        "flow_months": (_FLOW_MONTHS, (first, last)),
        "flow_period": (_FLOW_PERIOD, (first, last)),
        "retention": (_RETENTION, (first, last, month_of(now), now)),
        "durations": (_DURATIONS, (first, last)),
        "fill_durations": (_FILL_DURATIONS, (first, last)),
        "mdt": (_MDT, (first, last)),
        "team_days": (_TEAM_DAYS, (first, last)),
        "supply_months": (_SUPPLY_MONTHS, (last, period.months)),
        "supply_last": (_SUPPLY_LAST, (last,)),
    }


async def _fetch_all(conns: Sequence[Connection], statements: dict[str, tuple[str, tuple[Any, ...]]]) -> _Rows:
    """Each statement's rows; the connections (one snapshot) each take the next statement not yet started."""
    waiting = list(statements)
    rows: _Rows = {}

    async def work(conn: Connection) -> None:
        while waiting:
            name = waiting.pop(0)
            query, arguments = statements[name]
            rows[name] = await conn.fetch(query, *arguments)

    workers = [asyncio.ensure_future(work(conn)) for conn in conns]
    try:
        await asyncio.gather(*workers)
    except BaseException:
        # gather leaves the others running: stop them, so no statement of this read is still on a connection
        # when its transaction ends and the connection goes back to the pool.
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        raise
    return rows


async def figures_change_by_time_at(conn: Connection, period: Period, now: datetime) -> datetime:
    """When the period's figures next change with no event: the next month, or a match reaching 3, 6 or 12 months.

    ``now``: the Dutch wall-clock time the figures were read at (naive, as ``dutch_now`` gives it).
    """
    month = month_of(now)
    next_month = datetime.combine(add_months(month, 1), time())
    mark: datetime | None = await conn.fetchval(_NEXT_MARK, period.first_month, period.last_month, month, now)
    return next_month if mark is None else min(mark, next_month)


async def dutch_now(conn: Connection) -> datetime:
    """The transaction's moment on the Dutch wall clock (naive): what the figures are read as of."""
    now: datetime = await conn.fetchval("SELECT now() AT TIME ZONE 'Europe/Amsterdam'")
    return now


async def assemble_cube(
    conn: Connection, period: Period, config: Config, *helpers: Connection, now: datetime | None = None
) -> Cube:
    """The period's cube for the whole region from the aggregates; call inside one (repeatable read) transaction.

    ``helpers``: more connections in the same snapshot (``SET TRANSACTION SNAPSHOT``), to run statements on
    at the same time. ``now``: the transaction's ``dutch_now``, when the caller read it already.
    """
    cells = _Cells(period, config)
    now = now or await dutch_now(conn)
    rows = await _fetch_all([conn, *helpers], _statements(period, now))
    # Placed in the order the statements always ran in: the cube's categories keep their order.
    _flows(cells, rows)
    _stocks(cells, rows)
    _hours(cells, rows)
    _retention(cells, rows)
    _durations(cells, rows)
    _fill_durations(cells, rows)
    _supply(cells, rows)
    _people(cells, rows, period)
    _team_days(cells, rows)
    return cells.cube()
