"""Today's figures, the way reporting computed them before the aggregates: every fact row, every read.

Kept as the oracle the aggregate reads are compared with, cell by cell (``test_aggregate_reads.py``):
this is the code of ``reporting.queries`` and ``reporting.cube`` as it was at commit 282521c, unchanged
but for names, reading the same fact tables (which still hold every column it reads).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg

from common.db import Connection
from reporting.cube import OUTSIDE, REGION, UNKNOWN, Cell, Cube, Key, Placement, ScopeInfo, percentile, suppress
from reporting.kpis import END_REASONS, KPIS, MDT_AGE_BANDS, WAITING_DAYS, Category, Kind, Kpi, kpi
from reporting.periods import Closure, Period, add_months, book, month_of, shift_months

__all__ = ["build_reference_cube"]


@dataclass
class Config:
    """What ops loaded: centrales' municipalities, PC4 → wijk, NLdoet days; plus closures and partner names."""

    centrales: dict[str, tuple[str, str]] = field(default_factory=dict)
    centrale_names: dict[str, str] = field(default_factory=dict)
    districts: dict[str, tuple[str, str]] = field(default_factory=dict)
    closures: dict[str, list[Closure]] = field(default_factory=dict)
    nldoet_days: set[date] = field(default_factory=set)
    partners: dict[str, str] = field(default_factory=dict)

    def municipality_name(self, code: str) -> str | None:
        """The name ops gave the municipality, or None when no centrale maps to it."""
        return next((name for c, name in self.centrales.values() if c == code), None)


async def load_config(conn: Connection) -> Config:
    """Read the configuration tables."""
    config = Config()
    for row in await conn.fetch("SELECT * FROM centrale_municipalities"):
        config.centrales[row["centrale_id"]] = (row["municipality_code"], row["municipality_name"])
        config.centrale_names[row["centrale_id"]] = row["centrale_name"] or row["centrale_id"]
    for row in await conn.fetch("SELECT postcode_area, district_code, district_name FROM districts"):
        config.districts[row["postcode_area"]] = (row["district_code"], row["district_name"])
    for row in await conn.fetch("SELECT municipality_code, closed_at, last_month FROM period_closures"):
        config.closures.setdefault(row["municipality_code"], []).append(Closure(row["closed_at"], row["last_month"]))
    config.nldoet_days = {row["day"] for row in await conn.fetch("SELECT day FROM nldoet_days")}
    for row in await conn.fetch("SELECT partner_id, partner_name FROM partner_facts"):
        config.partners[str(row["partner_id"])] = row["partner_name"]
    return config


_MDT_BASIS_HOURS = Decimal(80)
_MDT_BASIS_MONTHS = 6
_MDT_PLUS_HOURS = Decimal(200)
_RETENTION_MONTHS = (3, 6, 12)


def _number(value: Decimal) -> int | float:
    rounded = round(value, 2)
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)


@dataclass
class _Acc:
    """What falls in one cell while the cube is built."""

    ids: set[Hashable] = field(default_factory=set)
    amounts: dict[Hashable, Decimal] = field(default_factory=dict)
    persons: dict[Hashable, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    headcount: dict[Hashable, int] = field(default_factory=dict)


def _finish(kpi: Kpi, acc: _Acc) -> Cell:
    if kpi.kind is Kind.COUNT:
        return Cell(len(acc.ids), len(acc.ids) if kpi.people else None)
    if kpi.kind is Kind.SUM:
        people = len(acc.persons) + sum(acc.headcount.values())
        return Cell(_number(sum(acc.amounts.values(), Decimal(0))), people if kpi.people else None)
    if kpi.kind is Kind.ACTIVE:
        active = sum(1 for hours in acc.persons.values() if hours >= 1)
        return Cell(active, active)
    if kpi.kind is Kind.DISTINCT:
        return Cell(len(acc.persons), len(acc.persons))
    durations = [float(amount) for amount in acc.amounts.values()]
    if not durations:
        return Cell(None, None)
    value = statistics.median(durations) if kpi.kind is Kind.MEDIAN else percentile(durations, 0.9)
    return Cell(round(value, 1), None)


class CubeBuilder:
    """Collects facts into cells; ``build`` computes values and suppression."""

    def __init__(self, period: Period) -> None:
        self.period = period
        self.scopes: dict[str, ScopeInfo] = {REGION: ScopeInfo("Regio")}
        self.categories: dict[str, dict[str, str]] = defaultdict(dict)
        self._accs: dict[Key, _Acc] = defaultdict(_Acc)

    def add(
        self,
        kpi: Kpi,
        placement: Placement,
        *,
        month: date | None,
        in_total: bool,
        fact: Hashable,
        amount: Decimal | float | int | None = None,
        person: Hashable | None = None,
        headcount: int | None = None,
        categories: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Count one fact in the month's cell (if given) and, when ``in_total``, the period's cells.

        ``categories`` are ``(key, label)`` pairs; a fact in several (interests, labels) counts in each.
        """
        cats = list(categories)
        for code, label in cats:
            self.categories[kpi.key][code] = label
        for scope, district in placement:
            keys: list[Key] = []
            if month is not None:
                keys.append((kpi.key, scope, month, None, None))
                if kpi.category is Category.PARTNER:
                    keys += [(kpi.key, scope, month, None, code) for code, _ in cats]
            if in_total:
                keys.append((kpi.key, scope, None, None, None))
                keys += [(kpi.key, scope, None, None, code) for code, _ in cats]
                if district is not None and kpi.location is not None:
                    keys.append((kpi.key, scope, None, district, None))
                    if kpi.category is Category.THEME:
                        keys += [(kpi.key, scope, None, district, code) for code, _ in cats]
            for key in keys:
                self._put(kpi, self._accs[key], fact, amount, person, headcount)

    @staticmethod
    def _put(
        kpi: Kpi, acc: _Acc, fact: Hashable, amount: Decimal | float | int | None, person: Hashable | None,
        headcount: int | None,
    ) -> None:  # fmt: skip
        if kpi.kind is Kind.COUNT:
            acc.ids.add(fact)
        elif kpi.kind is Kind.SUM:
            acc.amounts[fact] = Decimal(str(amount))
            if headcount is not None:
                acc.headcount[fact] = headcount
            else:
                # A fact without a person (hours logged after an erasure) counts as one person of its own.
                acc.persons[person if person is not None else ("fact", fact)] = Decimal(1)
        elif kpi.kind is Kind.ACTIVE:
            acc.persons[person] += Decimal(str(amount))
        elif kpi.kind is Kind.DISTINCT:
            acc.persons[person] = Decimal(1)
        else:
            acc.amounts[fact] = Decimal(str(amount))

    def build(self) -> Cube:
        """Compute every cell, then hide small cells and their complements."""
        by_key = {k.key: k for k in KPIS}
        cells = {key: _finish(by_key[key[0]], acc) for key, acc in self._accs.items()}
        cube = Cube(self.period, self.scopes, {k: dict(v) for k, v in self.categories.items()}, cells, {})
        cube.hidden = suppress(cells, cube.relations())
        return cube


class _Region:
    """Resolves centrales, areas and months for one cube build."""

    def __init__(self, period: Period, config: Config) -> None:
        self.period = period
        self.config = config
        self.builder = CubeBuilder(period)
        by_municipality: dict[str, list[str]] = defaultdict(list)
        for centrale, (code, _) in sorted(config.centrales.items()):
            by_municipality[code].append(centrale)
        districts: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for code, name in sorted(set(config.districts.values())):
            districts["GM" + code[2:6]].append((code, name))
        for code, centrales in by_municipality.items():
            name = config.municipality_name(code) or code
            own = [*districts.get(code, []), (OUTSIDE, "Buiten de gemeente"), (UNKNOWN, "Onbekend")]
            self.builder.scopes[f"m:{code}"] = ScopeInfo(name, centrales=list(centrales), districts=own)
            for centrale in centrales:
                self.builder.scopes[f"c:{centrale}"] = ScopeInfo(config.centrale_names[centrale])

    def municipality(self, centrale: str) -> str:
        """The municipality code of a centrale, ``-`` when ops have not said."""
        mapped = self.config.centrales.get(centrale)
        return mapped[0] if mapped else "-"

    def district(self, area: str | None, municipality: str) -> str:
        """The wijk code of ``area`` if it lies in ``municipality``; else ``buiten`` or ``onbekend``."""
        mapped = self.config.districts.get(area) if area else None
        if mapped is None:
            return UNKNOWN
        return mapped[0] if "GM" + mapped[0][2:6] == municipality else OUTSIDE

    def placement(self, centrales: Iterable[str | None], area: str | None) -> Placement:
        """The region, each municipality (with the fact's district there) and each centrale the fact counts for."""
        placement: Placement = [(REGION, None)]
        seen: set[str] = set()
        for centrale in dict.fromkeys(c for c in centrales if c):
            code = self.municipality(centrale)
            scope = f"m:{code}"
            if scope not in seen:
                seen.add(scope)
                placement.append((scope, None if code == "-" else self.district(area, code)))
            if code == "-":
                unmapped = self.builder.scopes.setdefault("m:-", ScopeInfo("Geen gemeente gekoppeld"))
                if centrale not in unmapped.centrales:
                    unmapped.centrales.append(centrale)
                self.builder.scopes.setdefault(f"c:{centrale}", ScopeInfo(centrale))
            placement.append((f"c:{centrale}", None))
        return placement

    def flow(
        self, kpi: Kpi, placement: Placement, natural: date, recorded_at: datetime | None, booking: str | None,
        **fact: Any,
    ) -> None:  # fmt: skip
        """Count a flow in the month it is booked in, if that lies in the period."""
        closures = self.config.closures.get(self.municipality(booking), []) if booking else []
        month = book(natural, recorded_at, closures) if recorded_at is not None else natural
        if self.period.contains(month):
            self.builder.add(kpi, placement, month=month, in_total=True, **fact)

    def stock(self, kpi: Kpi, placement: Placement, holds: Callable[[datetime], bool], **fact: Any) -> None:
        """Count a state in each month it holds at the month's end; the period's cell is the last month's."""
        for month in self.period.months:
            following = add_months(month, 1)
            if holds(datetime(following.year, following.month, 1)):
                self.builder.add(kpi, placement, month=month, in_total=month == self.period.last_month, **fact)


def _people_placement(region: _Region, credited: Iterable[str | None], home: dict[str, Any] | None) -> Placement:
    """Where a person-based figure counts: the credited centrales, with the person's home district."""
    return region.placement(credited, home["postcode_area"] if home else None)


# Event times come out as local (Europe/Amsterdam) timestamps; recorded_at stays absolute, to compare
# with the moments periods were closed. $1 is the (local) end of the period.
_VOLUNTEERS = """
    SELECT person_key, centrale_id, postcode_area, age_band, target_groups, interests, matching_consent,
           registered_at AT TIME ZONE 'Europe/Amsterdam' AS registered, recorded_at,
           erased_at AT TIME ZONE 'Europe/Amsterdam' AS erased
    FROM volunteer_facts
"""
_MATCHES = """
    SELECT m.match_id, m.person_key, m.centrale_id, m.volunteer_centrale_id,
           m.made_at AT TIME ZONE 'Europe/Amsterdam' AS made, m.recorded_at,
           m.ended_at AT TIME ZONE 'Europe/Amsterdam' AS ended, m.end_reason, t.postcode_area AS area
    FROM match_facts m LEFT JOIN task_facts t USING (task_id)
    WHERE m.made_at < ($1::timestamp AT TIME ZONE 'Europe/Amsterdam')
"""
_TASKS = """
    SELECT t.task_id, t.centrale_id, t.theme, t.postcode_area AS area,
           t.posted_at AT TIME ZONE 'Europe/Amsterdam' AS posted, t.recorded_at,
           t.closed_at AT TIME ZONE 'Europe/Amsterdam' AS closed, t.close_reason, t.closed_recorded_at,
           first.made_at AT TIME ZONE 'Europe/Amsterdam' AS first_match, first.recorded_at AS first_match_recorded
    FROM task_facts t
    LEFT JOIN LATERAL (
        SELECT made_at, recorded_at FROM match_facts m
        WHERE m.task_id = t.task_id AND m.made_at IS NOT NULL ORDER BY m.made_at, m.match_id LIMIT 1
    ) first ON true
    WHERE t.posted_at < ($1::timestamp AT TIME ZONE 'Europe/Amsterdam')
"""
_HOURS = """
    SELECT h.hours_id, h.person_key, h.centrale_id, h.home_centrale_id, h.theme, h.worked_on, h.hours,
           h.recorded_at, t.postcode_area AS area
    FROM hours_facts h LEFT JOIN task_facts t ON t.task_id = h.task_id
    WHERE h.worked_on < $1::date
    ORDER BY h.worked_on, h.hours_id
"""
_ORGANISATIONS = """
    SELECT organisation_id, centrale_id, postcode_area, registered_at AT TIME ZONE 'Europe/Amsterdam' AS registered,
           recorded_at, admitted_at AT TIME ZONE 'Europe/Amsterdam' AS admitted
    FROM organisation_facts
"""
_DAYS = """
    SELECT d.day_id, d.partner_id, d.on_date,
           coalesce(d.hours_centrale_id, d.task_centrale_id, d.posted_centrale_id) AS centrale_id,
           coalesce(t.postcode_area, d.postcode_area) AS area, d.participants, d.hours_total,
           d.hours_logged_at AT TIME ZONE 'Europe/Amsterdam' AS logged, d.hours_recorded_at
    FROM volunteer_day_facts d LEFT JOIN task_facts t ON t.task_id = d.task_id
    WHERE d.hours_recorded_at IS NOT NULL
"""


async def build_reference_cube(conn: Connection, period: Period) -> Cube:
    """The period's cube for the whole region; call inside one (repeatable read) transaction."""
    config = await load_config(conn)
    region = _Region(period, config)
    end = period.end
    volunteers = {str(row["person_key"]): dict(row) for row in await conn.fetch(_VOLUNTEERS)}
    matches = await conn.fetch(_MATCHES, end)
    tasks = await conn.fetch(_TASKS, end)
    hours = await conn.fetch(_HOURS, end.date())
    organisations = await conn.fetch(_ORGANISATIONS)
    days = await conn.fetch(_DAYS)
    now = await conn.fetchval("SELECT now() AT TIME ZONE 'Europe/Amsterdam'")
    first_match: dict[str, datetime] = {}
    for match in matches:
        person = str(match["person_key"]) if match["person_key"] else None
        if person and match["made"] is not None:
            first_match[person] = min(first_match.get(person, match["made"]), match["made"])

    _volunteers(region, volunteers, first_match)
    _organisations(region, organisations)
    _tasks(region, tasks)
    _matches(region, matches, now)
    _hours(region, hours, volunteers)
    _team_days(region, days)
    return region.builder.build()


def _on_books(registered: datetime, erased: datetime | None) -> Callable[[datetime], bool]:
    """Whether the volunteer is registered (and not erased) at a moment."""
    return lambda end: registered < end and (erased is None or erased >= end)


def _waits(
    registered: datetime, erased: datetime | None, consent: bool, matched: datetime | None
) -> Callable[[datetime], bool]:
    """Whether the volunteer is on the books for long enough, open to matching, and never matched yet."""
    on_books = _on_books(registered, erased)
    waiting = timedelta(days=WAITING_DAYS)
    return lambda end: on_books(end) and consent and registered <= end - waiting and (matched is None or matched >= end)


def _volunteers(region: _Region, volunteers: dict[str, dict[str, Any]], first_match: dict[str, datetime]) -> None:
    for person, v in volunteers.items():
        if v["registered"] is None:
            continue  # only a profile update seen so far: not (yet) a registration
        place = region.placement([v["centrale_id"]], v["postcode_area"])
        registered, erased, centrale = v["registered"], v["erased"], v["centrale_id"]
        labels = [(label, label) for label in v["target_groups"]]
        region.flow(kpi("volunteers_new"), place, month_of(registered), v["recorded_at"], centrale, fact=person)
        region.flow(
            kpi("target_group_new"), place, month_of(registered), v["recorded_at"], centrale, fact=person,
            categories=labels,
        )  # fmt: skip
        region.stock(kpi("volunteers_registered"), place, _on_books(registered, erased), fact=person)
        region.stock(
            kpi("volunteers_waiting"), place,
            _waits(registered, erased, v["matching_consent"], first_match.get(person)),
            fact=person, categories=[(interest, interest) for interest in v["interests"]],
        )  # fmt: skip


def _organisations(region: _Region, organisations: Iterable[asyncpg.Record]) -> None:
    for o in organisations:
        place = region.placement([o["centrale_id"]], o["postcode_area"])
        fact = o["organisation_id"]
        if o["registered"] is not None:
            region.flow(kpi("organisations_new"), place, month_of(o["registered"]), o["recorded_at"], o["centrale_id"],
                        fact=fact)  # fmt: skip
        if o["admitted"] is not None:
            region.stock(kpi("organisations_admitted"), place, _before(o["admitted"]), fact=fact)


def _before(moment: datetime) -> Callable[[datetime], bool]:
    """Whether ``moment`` lies before a given end."""
    return lambda end: moment < end


def _open(posted: datetime, closed: datetime | None) -> Callable[[datetime], bool]:
    """Whether the task is published and not closed at a moment."""
    return lambda end: posted < end and (closed is None or closed >= end)


def _unmatched(posted: datetime, closed: datetime | None, first: datetime | None) -> Callable[[datetime], bool]:
    """Whether the task has been open for the waiting time without any match at a moment."""
    is_open = _open(posted, closed)
    waiting = timedelta(days=WAITING_DAYS)
    return lambda end: is_open(end) and posted <= end - waiting and (first is None or first >= end)


def _tasks(region: _Region, tasks: Iterable[asyncpg.Record]) -> None:
    for t in tasks:
        place = region.placement([t["centrale_id"]], t["area"])
        fact, centrale, posted, closed = t["task_id"], t["centrale_id"], t["posted"], t["closed"]
        theme = [(t["theme"], t["theme"])]
        region.flow(kpi("tasks_posted"), place, month_of(posted), t["recorded_at"], centrale, fact=fact)
        if closed is not None and t["close_reason"] in ("filled", "expired"):
            region.flow(kpi(f"tasks_{t['close_reason']}"), place, month_of(closed), t["closed_recorded_at"], centrale,
                        fact=fact)  # fmt: skip

        first = t["first_match"]
        region.stock(kpi("tasks_open"), place, _open(posted, closed), fact=fact)
        region.stock(kpi("tasks_waiting"), place, _unmatched(posted, closed, first), fact=fact, categories=theme)
        if first is not None:
            days = Decimal(str((first - posted).total_seconds() / 86_400))
            for key in ("tasks_first_matched", "days_to_first_match_median", "days_to_first_match_p90"):
                region.flow(kpi(key), place, month_of(first), t["first_match_recorded"], centrale, fact=fact,
                            amount=days)  # fmt: skip


def _matches(region: _Region, matches: Iterable[asyncpg.Record], now: datetime) -> None:
    for m in matches:
        if m["made"] is None:
            continue
        place = region.placement([m["centrale_id"], m["volunteer_centrale_id"]], m["area"])
        fact = m["match_id"]
        region.flow(kpi("matches_made"), place, month_of(m["made"]), m["recorded_at"], m["centrale_id"], fact=fact)
        if m["ended"] is not None:
            # Counted in the month it ended, by why (the projection keeps no separate record time for the end).
            reason = m["end_reason"] or "ended"
            region.flow(kpi("matches_ended"), place, month_of(m["ended"]), None, m["centrale_id"], fact=fact,
                        categories=[(reason, END_REASONS.get(reason, reason))])  # fmt: skip
        for months in _RETENTION_MONTHS:
            mark = shift_months(m["made"], months)
            if mark > now:
                continue  # not that old yet: neither due nor active
            # A state at a known moment, not booked: a closed period keeps the figures it was closed with.
            month = month_of(mark)
            if not region.period.contains(month):
                continue
            region.builder.add(kpi(f"matches_due_{months}m"), place, month=month, in_total=True, fact=fact)
            if m["ended"] is None or m["ended"] >= mark:
                region.builder.add(kpi(f"matches_active_{months}m"), place, month=month, in_total=True, fact=fact)


def _hours(region: _Region, hours: Iterable[asyncpg.Record], volunteers: dict[str, dict[str, Any]]) -> None:
    history: dict[str, list[asyncpg.Record]] = defaultdict(list)
    for h in hours:
        person = str(h["person_key"]) if h["person_key"] else None
        home = volunteers.get(person) if person else None
        # Hours (and so activity) count where the work is done, the task's centrale, and after regional overflow
        # also for the volunteer's home centrale, as the match does (issue 18): the region counts them once.
        credited = [h["centrale_id"], h["home_centrale_id"]]
        task_place = region.placement(credited, h["area"])
        natural, amount, fact = month_of(h["worked_on"]), h["hours"], h["hours_id"]
        theme = [(h["theme"], h["theme"])]
        args = (natural, h["recorded_at"], h["centrale_id"])
        region.flow(kpi("hours"), task_place, *args, fact=fact, amount=amount, person=person, categories=theme)
        nldoet = h["worked_on"] in region.config.nldoet_days
        if nldoet:
            region.flow(kpi("nldoet_hours"), task_place, *args, fact=fact, amount=amount, person=person)
        if person is None:
            continue  # logged after the volunteer was erased: hours count, the person no longer does
        history[person].append(h)
        home_place = _people_placement(region, credited, home)
        region.flow(kpi("volunteers_active"), home_place, *args, fact=fact, amount=amount, person=person)
        if home and home["target_groups"]:
            labels = [(label, label) for label in home["target_groups"]]
            region.flow(
                kpi("target_group_active"), home_place, *args, fact=fact, amount=amount, person=person,
                categories=labels,
            )  # fmt: skip
        if nldoet:
            region.flow(kpi("nldoet_volunteers"), home_place, *args, fact=fact, person=person)
        if home and home["age_band"] in MDT_AGE_BANDS:
            region.flow(kpi("mdt_active"), home_place, *args, fact=fact, amount=amount, person=person)
    for person, entries in history.items():
        home = volunteers.get(person)
        if not home or home["age_band"] not in MDT_AGE_BANDS:
            continue
        for key, crossing in zip(("mdt_basis_completed", "mdt_plus_completed"), _mdt_crossings(entries), strict=True):
            if crossing is not None:
                place = _people_placement(region, [crossing["centrale_id"]], home)
                region.flow(kpi(key), place, month_of(crossing["worked_on"]), crossing["recorded_at"],
                            crossing["centrale_id"], fact=person)  # fmt: skip


def _mdt_crossings(entries: list[asyncpg.Record]) -> tuple[asyncpg.Record | None, asyncpg.Record | None]:
    """The hours entries with which a person first reached 80 h within 6 months, and 200 h in all."""
    basis: asyncpg.Record | None = None
    plus: asyncpg.Record | None = None
    window = Decimal(0)
    total = Decimal(0)
    start = 0
    for entry in entries:  # ordered by worked_on, hours_id
        total += entry["hours"]
        window += entry["hours"]
        day = entry["worked_on"]
        earliest = shift_months(datetime(day.year, day.month, day.day), -_MDT_BASIS_MONTHS).date()
        while entries[start]["worked_on"] <= earliest:
            window -= entries[start]["hours"]
            start += 1
        if basis is None and window >= _MDT_BASIS_HOURS:
            basis = entry
        if plus is None and total >= _MDT_PLUS_HOURS:
            plus = entry
    return basis, plus


def _team_days(region: _Region, days: Iterable[asyncpg.Record]) -> None:
    for d in days:
        place = region.placement([d["centrale_id"]], d["area"])
        partner = str(d["partner_id"])
        category = [(partner, region.config.partners.get(partner, partner))]
        on = d["on_date"] or d["logged"].date()
        args = (month_of(on), d["hours_recorded_at"], d["centrale_id"])
        fact: Hashable = d["day_id"]
        participants = d["participants"] or 0
        region.flow(kpi("team_days"), place, *args, fact=fact, categories=category)
        region.flow(kpi("team_employees"), place, *args, fact=fact, amount=participants, headcount=participants,
                    categories=category)  # fmt: skip
        region.flow(kpi("team_hours"), place, *args, fact=fact, amount=d["hours_total"], headcount=participants,
                    categories=category)  # fmt: skip
        if on in region.config.nldoet_days:
            region.flow(kpi("nldoet_team_employees"), place, *args, fact=fact, amount=participants,
                        headcount=participants)  # fmt: skip
            region.flow(kpi("nldoet_team_hours"), place, *args, fact=fact, amount=d["hours_total"],
                        headcount=participants)  # fmt: skip
