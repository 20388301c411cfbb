"""The programmes' figures per region, municipality and centrale and period: Beursvloer deals, how many were carried
out and the hours given; the trainings' reach per audience.

Computed for the whole region in one snapshot, like the cube, so a figure shows the same in every scope and no two
scopes combine to reveal a hidden one. Deals are between companies and organisations and count no person, so
they are shown as they are (like tasks and organisations). A training's participants are people: a cell of 1-4
shows ``<5``, and wherever months add up to the period, audiences to the total, centrales to their municipality
or municipalities to the region, one hidden member hides another (``x``), by ``reporting.cube.suppress``.

Deals count in the month they were made (Europe/Amsterdam), and so do their follow-up and hours: "of the deals
made in the period, so many were carried out". Participants count in the month of the training.

The funnel (``reporting.programmes.funnel``) counts people too: one-off participants by the month they started,
how many went structural within 6 months, how many did not (and of those, how many are still within the 6
months). Participants = structural + not structural is a published sum, so suppression hides a complement too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from common.clock import dutch_today
from common.db import Connection
from reporting.cube import REGION, Cell, Key, Shown, suppress
from reporting.periods import Period, add_months, month_label, month_of
from reporting.programmes.common import TIMEZONE
from reporting.programmes.funnel import FUNNEL_MONTHS, funnel_entries

__all__ = ["AUDIENCES", "CATEGORIES", "OUTCOMES", "ProgrammeFigures", "build_programme_figures"]

CATEGORIES = ("goods", "knowledge", "hands")
OUTCOMES = ("done", "partly", "not")
AUDIENCES = ("volunteers", "organisations")
_PEOPLE = "training_participants"
_FUNNEL = ("funnel_participants", "funnel_structural", "funnel_not_structural")
_FUNNEL_OPEN = "funnel_still_open"
_PEOPLE_KPIS = frozenset({_PEOPLE, *_FUNNEL, _FUNNEL_OPEN})


@dataclass
class _Accumulator:
    """What falls in one cell while the figures are built: ids to count, amounts to add, people behind them."""

    ids: set[Hashable] = field(default_factory=set)
    amount: Decimal = Decimal(0)
    people: int = 0


@dataclass
class ProgrammeFigures:
    """The region's programme figures of one period, every cell computed and suppression decided."""

    period: Period
    scope_names: dict[str, str]
    """``region``, ``m:<code>``, ``c:<centrale>`` → display name."""
    cells: dict[Key, Cell]
    hidden: dict[Key, str]

    def value(self, kpi: str, scope: str, month: date | None = None, category: str | None = None) -> Shown:
        """A figure as shown: a number, ``<5``, or ``x``."""
        key: Key = (kpi, scope, month, None, category)
        if key in self.hidden:
            return self.hidden[key]
        cell = self.cells.get(key)
        return cell.value if cell is not None else 0

    def count(self, kpi: str, scope: str) -> int:
        """A count of the whole period that is never hidden (it counts no person)."""
        cell = self.cells.get((kpi, scope, None, None, None))
        return int(cell.value or 0) if cell is not None else 0

    def for_scope(self, scope: str) -> dict[str, Any]:
        """Every figure of one scope, for the period and per month."""
        months = self.period.months

        def deals(month: date | None) -> dict[str, Shown]:
            shown: dict[str, Shown] = {
                "deals_made": self.value("deals_made", scope, month),
                "followed_up": self.value("deals_followed_up", scope, month),
                **{outcome: self.value(f"deals_{outcome}", scope, month) for outcome in OUTCOMES},
                "hours_given": self.value("deal_hours_given", scope, month),
            }
            return shown

        def participants(month: date | None) -> dict[str, Shown]:
            return {
                "total": self.value(_PEOPLE, scope, month),
                **{audience: self.value(_PEOPLE, scope, month, audience) for audience in AUDIENCES},
            }

        def funnel(month: date | None) -> dict[str, Shown]:
            participants, structural, not_structural = (self.value(k, scope, month) for k in _FUNNEL)
            return {
                "one_off_participants": participants,
                "went_structural": structural,
                "not_structural": not_structural,
                "still_open": self.value(_FUNNEL_OPEN, scope, month),
            }

        period = deals(None)
        # Deals count no person, so none of these is ever hidden: their counts are plain numbers.
        followed, done, partly = (self.count(f"deals_{k}", scope) for k in ("followed_up", "done", "partly"))
        percentage = round(100 * (done + partly) / followed, 1) if followed else None
        kind, _, own = scope.partition(":")
        return {
            "scope": {
                "kind": {"region": "region", "m": "municipality", "c": "centrale"}[kind],
                "id": own or REGION,
                "name": self.scope_names.get(scope, own or scope),
            },
            "period": {
                "label": self.period.label,
                "description": self.period.describe(),
                "from": self.period.first_month.isoformat()[:7],
                "to": self.period.last_month.isoformat()[:7],
            },
            "beursvloer": {
                **period,
                "carried_out_percentage": percentage,
                "deals_by_category": {c: self.value("deals_made", scope, None, c) for c in CATEGORIES},
                "evenings": self.value("beursvloer_evenings", scope),
                "months": [{"month": m.isoformat()[:7], "label": month_label(m), **deals(m)} for m in months],
            },
            "funnel": {
                "window_months": FUNNEL_MONTHS,
                **funnel(None),
                "structural_percentage": self._percentage(scope),
                "months": [{"month": m.isoformat()[:7], "label": month_label(m), **funnel(m)} for m in months],
            },
            "trainings": {
                "trainings_held": self.value("trainings_held", scope),
                "organisations_reached": self.value("training_organisations", scope),
                "participants": participants(None),
                "months": [
                    {"month": m.isoformat()[:7], "label": month_label(m), "participants": participants(m)}
                    for m in months
                ],
            },
        }

    def _percentage(self, scope: str) -> float | None:
        """Of the period's one-off participants, the share that went structural; None when either is hidden."""
        participants, structural = (self.value(k, scope) for k in _FUNNEL[:2])
        if not isinstance(participants, int) or not isinstance(structural, int) or participants == 0:
            return None
        return round(100 * structural / participants, 1)


class _Builder:
    """Collects facts into cells for every scope they count in, for the period and their month."""

    def __init__(self, period: Period, municipalities: dict[str, tuple[str, str]], centrale_names: dict[str, str]):
        self.period = period
        self.municipalities = municipalities
        self.names: dict[str, str] = {REGION: "Regio"}
        for centrale, (code, name) in municipalities.items():
            self.names[f"m:{code}"] = name
            self.names[f"c:{centrale}"] = centrale_names.get(centrale, centrale)
        self.accumulators: dict[Key, _Accumulator] = defaultdict(_Accumulator)

    def scopes(self, centrale: str) -> list[str]:
        """The region, the centrale's municipality (``m:-`` when ops have not linked one) and the centrale."""
        code = self.municipalities.get(centrale, ("-", "Geen gemeente gekoppeld"))[0]
        self.names.setdefault(f"m:{code}", "Geen gemeente gekoppeld")
        self.names.setdefault(f"c:{centrale}", centrale)
        return [REGION, f"m:{code}", f"c:{centrale}"]

    def add(
        self, kpi: str, centrale: str, month: date, category: str | None = None, *, ids: Iterable[Hashable] = (),
        amount: Decimal = Decimal(0), people: int = 0,
    ) -> None:  # fmt: skip
        """Count a fact in its month and the period, for its category and all categories."""
        for scope in self.scopes(centrale):
            for when in (month, None):
                for kind in {category, None}:
                    accumulator = self.accumulators[(kpi, scope, when, None, kind)]
                    accumulator.ids.update(ids)
                    accumulator.amount += amount
                    accumulator.people += people

    def build(self) -> ProgrammeFigures:
        cells: dict[Key, Cell] = {}
        for key, accumulator in self.accumulators.items():
            kpi = key[0]
            if kpi in _PEOPLE_KPIS:
                cells[key] = Cell(accumulator.people, accumulator.people)
            elif kpi == "deal_hours_given":
                rounded = round(accumulator.amount, 2)
                cells[key] = Cell(int(rounded) if rounded == rounded.to_integral_value() else float(rounded), None)
            else:
                cells[key] = Cell(len(accumulator.ids), None)
        return ProgrammeFigures(self.period, self.names, cells, suppress(cells, self._sums(cells)))

    def _sums(self, cells: dict[Key, Cell]) -> list[list[Key]]:
        """Every sum of participants a reader could form: months → period, audiences → total, centrales →
        municipality, municipalities → region (a missing member is a known zero)."""
        scopes = {key[1] for key in cells if key[0] == _PEOPLE}
        municipalities = sorted(s for s in scopes if s.startswith("m:"))
        centrales_of: dict[str, list[str]] = defaultdict(list)
        for scope in sorted(s for s in scopes if s.startswith("c:")):
            centrales_of[self.scopes(scope[2:])[1]].append(scope)
        relations: list[list[Key]] = []
        for scope in scopes:
            for category in (None, *AUDIENCES):
                relations.append(
                    [
                        (_PEOPLE, scope, None, None, category),
                        *((_PEOPLE, scope, m, None, category) for m in self.period.months),
                    ]
                )
            for month in (None, *self.period.months):
                relations.append(
                    [(_PEOPLE, scope, month, None, None), *((_PEOPLE, scope, month, None, a) for a in AUDIENCES)]
                )
        for month in (None, *self.period.months):
            for category in (None, *AUDIENCES):
                relations.append(
                    [
                        (_PEOPLE, REGION, month, None, category),
                        *((_PEOPLE, m, month, None, category) for m in municipalities),
                    ]
                )
                for municipality, centrales in centrales_of.items():
                    relations.append(
                        [
                            (_PEOPLE, municipality, month, None, category),
                            *((_PEOPLE, c, month, None, category) for c in centrales),
                        ]
                    )
        relations += self._funnel_sums(cells)
        return [[key for key in relation if key in cells] for relation in relations]

    def _funnel_sums(self, cells: dict[Key, Cell]) -> list[list[Key]]:
        """The funnel's published sums: structural + not structural = participants (per scope and month), months →
        period, centrales → municipality, municipalities → region; still open is a part of not structural."""
        scopes = {key[1] for key in cells if key[0] in _FUNNEL}
        centrales_of: dict[str, list[str]] = defaultdict(list)
        for scope in sorted(s for s in scopes if s.startswith("c:")):
            centrales_of[self.scopes(scope[2:])[1]].append(scope)
        municipalities = sorted(s for s in scopes if s.startswith("m:"))
        relations: list[list[Key]] = []
        for month in (None, *self.period.months):
            for scope in scopes:
                relations.append([(k, scope, month, None, None) for k in _FUNNEL])
                relations.append([(_FUNNEL[2], scope, month, None, None), (_FUNNEL_OPEN, scope, month, None, None)])
            for kpi in (*_FUNNEL, _FUNNEL_OPEN):
                relations.append(
                    [(kpi, REGION, month, None, None), *((kpi, m, month, None, None) for m in municipalities)]
                )
                for municipality, centrales in centrales_of.items():
                    relations.append(
                        [(kpi, municipality, month, None, None), *((kpi, c, month, None, None) for c in centrales)]
                    )
        for scope in scopes:
            for kpi in (*_FUNNEL, _FUNNEL_OPEN):
                relations.append(
                    [(kpi, scope, None, None, None), *((kpi, scope, m, None, None) for m in self.period.months)]
                )
        return relations


async def build_programme_figures(conn: Connection, period: Period) -> ProgrammeFigures:
    """Read the programmes' facts of the period (call within one snapshot) and compute every scope's figures."""
    municipalities: dict[str, tuple[str, str]] = {}
    names: dict[str, str] = {}
    for row in await conn.fetch(
        "SELECT centrale_id, municipality_code, municipality_name, centrale_name FROM centrale_municipalities"
    ):
        municipalities[row["centrale_id"]] = (row["municipality_code"], row["municipality_name"])
        names[row["centrale_id"]] = row["centrale_name"] or row["centrale_id"]
    builder = _Builder(period, municipalities, names)
    start, end = period.start, period.end
    deals = await conn.fetch(
        "SELECT deal_id, centrale_id, event_id, category, outcome, hours_given,"
        " (made_at AT TIME ZONE $3)::date AS made_on FROM beursvloer_deal_facts"
        " WHERE made_at IS NOT NULL AND made_at AT TIME ZONE $3 >= $1 AND made_at AT TIME ZONE $3 < $2",
        start,
        end,
        TIMEZONE,
    )
    for deal in deals:
        month, centrale = month_of(deal["made_on"]), deal["centrale_id"]
        builder.add("deals_made", centrale, month, deal["category"], ids=[deal["deal_id"]])
        if deal["event_id"] is not None:
            builder.add("beursvloer_evenings", centrale, month, ids=[deal["event_id"]])
        if deal["outcome"] is not None:
            builder.add("deals_followed_up", centrale, month, ids=[deal["deal_id"]])
            builder.add(f"deals_{deal['outcome']}", centrale, month, ids=[deal["deal_id"]])
            builder.add("deal_hours_given", centrale, month, amount=deal["hours_given"] or Decimal(0))
    attendance = await conn.fetch(
        "SELECT training_id, centrale_id, audience, organisation_id, participants, attended_on FROM training_facts"
        " WHERE attended AND participants > 0 AND attended_on >= $1 AND attended_on < $2",
        period.first_month,
        add_months(period.last_month, 1),
    )
    for row in attendance:
        month, centrale = month_of(row["attended_on"]), row["centrale_id"]
        builder.add(_PEOPLE, centrale, month, row["audience"], people=row["participants"])
        builder.add("trainings_held", centrale, month, ids=[row["training_id"]])
        if row["organisation_id"] is not None:
            builder.add("training_organisations", centrale, month, ids=[row["organisation_id"]])
    for entry in await funnel_entries(conn, period, dutch_today()):
        month, centrale = month_of(entry.started_on), entry.centrale_id
        builder.add("funnel_participants", centrale, month, people=1)
        builder.add(
            "funnel_structural" if entry.went_structural else "funnel_not_structural", centrale, month, people=1
        )
        if entry.still_open:
            builder.add(_FUNNEL_OPEN, centrale, month, people=1)
    return builder.build()
