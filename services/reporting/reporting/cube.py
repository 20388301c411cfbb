"""The figures of one period for the whole region, as cells, with small-cell and complementary suppression.

Every report (region, municipality, centrale, business partner) is a slice of one cube, so one figure
shows the same everywhere and a hidden cell cannot be worked out by combining two reports.

A cell is addressed by ``(kpi, scope, month, district, category)``: ``scope`` is ``region``,
``m:<municipality code>`` (``m:-`` for centrales without a known municipality) or ``c:<centrale id>``;
``month`` None is the whole period, ``district`` None all districts, ``category`` None all categories.

Suppression: a cell counting 1 to 4 people is primary-suppressed and shown as ``<5``. Wherever cells add
up to a total shown elsewhere (months to the period, districts to the municipality, themes to all hours,
municipalities to the region, centrales to their municipality), one hidden cell in such a sum could be
recovered by subtraction; so, until no sum has exactly one hidden member, another member of that sum is
hidden too (the smallest non-zero part, else the total), shown as ``x``. Zero is shown: it describes nobody.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from reporting.kpis import KPIS, MIN_PEOPLE, Category, Kind
from reporting.periods import Period

__all__ = [
    "COMPLEMENT",
    "OUTSIDE",
    "REGION",
    "SMALL",
    "UNKNOWN",
    "Cell",
    "Cube",
    "Key",
    "Placement",
    "ScopeInfo",
    "Shown",
    "number",
    "percentile",
    "suppress",
]

Key = tuple[str, str, date | None, str | None, str | None]
Shown = int | float | str | None
# (scope, district) pairs a fact is counted in; district only under municipality scopes.
Placement = list[tuple[str, str | None]]

REGION = "region"
SMALL = "<5"
COMPLEMENT = "x"
# District codes for facts outside the municipality's own wijken, or without a known wijk.
OUTSIDE = "buiten"
UNKNOWN = "onbekend"


def percentile(values: Sequence[float], fraction: float) -> float:
    """Linear-interpolation percentile (PostgreSQL's percentile_cont) of a non-empty sequence."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Cell:
    """A computed figure and how many people stand behind it (None when it does not count people).

    For sums (hours) the people are counted up to ``MIN_PEOPLE``: whether a cell is small is all that
    depends on them.
    """

    value: int | float | None
    people: int | None


def number(value: Decimal) -> int | float:
    """A sum as reports show it: rounded to hundredths, an int when whole."""
    rounded = round(value, 2)
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)


@dataclass
class ScopeInfo:
    """A scope's display name and, for a municipality, its centrales and districts."""

    name: str
    centrales: list[str] = field(default_factory=list)
    districts: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Cube:
    """Every figure of the period for the region, with the set of hidden cells."""

    period: Period
    scopes: dict[str, ScopeInfo]
    categories: dict[str, dict[str, str]]
    cells: dict[Key, Cell]
    hidden: dict[Key, str]

    def shown(self, key: Key) -> Shown:
        """The value as a report shows it: the number, ``<5``, ``x``, 0 when nothing fell in it (or None)."""
        if key in self.hidden:
            return self.hidden[key]
        cell = self.cells.get(key)
        if cell is None:
            kind = next(k.kind for k in KPIS if k.key == key[0])
            return None if kind in (Kind.MEDIAN, Kind.P90) else 0
        return cell.value

    def municipalities(self) -> list[str]:
        """Municipality scope ids, sorted."""
        return sorted(s for s in self.scopes if s.startswith("m:"))

    def relations(self) -> list[list[Key]]:
        """Every sum a reader could use: ``[total, part, part, ...]``, over the cells that exist (two or more)."""
        months = self.period.months
        cells = self.cells
        relations: list[list[Key]] = []
        municipalities = self.municipalities()
        # A sum over a KPI's scopes none of which has a cell has no members: not worth spelling out.
        present = {(key[0], key[1]) for key in cells}

        def add(members: Iterable[Key]) -> None:
            found = [key for key in members if key in cells]
            if len(found) > 1:  # one member alone, or none, is no sum anyone could use
                relations.append(found)

        # The (kpi, month, category) some scope has a cell at (no wijk): the sums across scopes are spelled out only
        # there, in the same order (most combinations of a month and a partner or theme have no cell anywhere).
        spread = {(key[0], key[2], key[4]) for key in cells if key[3] is None}
        for kpi in KPIS:
            if not kpi.additive:
                continue
            k = kpi.key
            cats: list[str | None] = [None, *sorted(self.categories.get(k, {}))]
            partner_months = kpi.category is Category.PARTNER
            across = [(month, cat) for month in [None, *months] for cat in cats if (k, month, cat) in spread]
            for scope, info in self.scopes.items():
                own = (k, scope) in present
                if own and kpi.months_additive:
                    for cat in cats if partner_months else [None]:
                        add([(k, scope, None, None, cat), *((k, scope, m, None, cat) for m in months)])
                if own and kpi.category is not None and kpi.category_additive:
                    parts = cats[1:]
                    add([(k, scope, None, None, None), *((k, scope, None, None, c) for c in parts)])
                    if partner_months:
                        for m in months:
                            add([(k, scope, m, None, None), *((k, scope, m, None, c) for c in parts)])
                if own and scope.startswith("m:") and kpi.location is not None and info.districts:
                    district_cats = cats if kpi.category is Category.THEME else [None]
                    for cat in district_cats:
                        add([(k, scope, None, None, cat), *((k, scope, None, d, cat) for d, _ in info.districts)])
                    if kpi.category is Category.THEME and kpi.category_additive:
                        for d, _ in info.districts:
                            add([(k, scope, None, d, None), *((k, scope, None, d, c) for c in cats[1:])])
                centrales = [f"c:{c}" for c in info.centrales] if scope.startswith("m:") else []
                if centrales and (own or any((k, c) in present for c in centrales)):
                    for month, cat in across:
                        add([(k, scope, month, None, cat), *((k, c, month, None, cat) for c in centrales)])
            if (k, REGION) in present or any((k, m) in present for m in municipalities):
                for month, cat in across:
                    add([(k, REGION, month, None, cat), *((k, m, month, None, cat) for m in municipalities)])
        return relations


def _order(key: Key) -> str:
    return "|".join("" if part is None else str(part) for part in key)


def _weight(key: Key) -> int:
    """How much hiding a cell costs a reader: headline figures of wide scopes most, details least."""
    _, scope, month, district, category = key
    weight = 8 if scope == REGION else 4 if scope.startswith("m:") else 2
    for part in (month, district, category):
        weight *= 1 if part is not None else 3
    return weight


# Complement candidates whose cascade is simulated before one is chosen (the smallest ones by value).
_LOOKAHEAD = 4


def suppress(cells: dict[Key, Cell], relations: Iterable[Sequence[Key]]) -> dict[Key, str]:
    """Hidden cells: ``<5`` for 1-4 people, ``x`` for complements, so no sum has exactly one hidden member.

    ``relations`` are ``[total, part, ...]`` lists over existing cells (a missing cell is a known zero).
    Where a sum needs a complement, the few smallest candidates are each tried: hiding one may force
    further complements elsewhere (its own sums), and the candidate whose whole cascade costs readers
    least (``_weight``) is taken. So a small district hides a sibling district, not the municipality total.
    """
    hidden: dict[Key, str] = {
        key: SMALL for key, cell in cells.items() if cell.people is not None and 0 < cell.people < MIN_PEOPLE
    }
    sums = [list(relation) for relation in relations if len(relation) > 1]
    containing: dict[Key, list[int]] = defaultdict(list)
    for index, members in enumerate(sums):
        for key in members:
            containing[key].append(index)

    # A cell's place among candidates: smallest value first, then by its key spelled out (made once per cell,
    # as the walk and its simulated cascades sort the same sums again and again).
    ranks: dict[Key, tuple[int | float, str]] = {}

    def rank(key: Key) -> tuple[int | float, str]:
        found = ranks.get(key)
        if found is None:
            found = ranks[key] = (cells[key].value or 0, _order(key))
        return found

    def candidates(index: int, state: dict[Key, str]) -> list[Key]:
        """Visible members that could be hidden with the one hidden member: non-zero parts, else the total."""
        total, parts = sums[index][0], sums[index][1:]
        found = sorted((key for key in parts if key not in state and (cells[key].value or 0) > 0), key=rank)
        if not found and total not in state:
            found = [total]
        return found or sorted((key for key in parts if key not in state), key=lambda key: rank(key)[1])

    def hide(key: Key, state: dict[Key, str], hidden_in: list[int]) -> None:
        """Hide ``key`` as a complement in ``state``, counting it in every sum it is a member of."""
        state[key] = COMPLEMENT
        for index in containing[key]:
            hidden_in[index] += 1

    def cascade(state: dict[Key, str], hidden_in: list[int], chosen: Key) -> int:
        """Hide ``chosen`` in ``state`` and everything that forces, the simple way; return the cost of it all."""
        hide(chosen, state, hidden_in)
        cost, queue = _weight(chosen), list(containing[chosen])
        while queue:
            index = queue.pop()
            if hidden_in[index] == 1 and (options := candidates(index, state)):
                hide(options[0], state, hidden_in)
                cost += _weight(options[0])
                queue += containing[options[0]]
        return cost

    # How many hidden members each sum has, kept as cells are hidden (in the walk and in each simulated cascade):
    # a sum with exactly one needs a complement.
    hidden_in = [sum(1 for key in members if key in hidden) for members in sums]
    queue = deque(range(len(sums)))
    while queue:
        index = queue.popleft()
        if hidden_in[index] != 1:
            continue
        options = candidates(index, hidden)[:_LOOKAHEAD]
        if not options:
            continue
        chosen = min(options, key=lambda key: (cascade(dict(hidden), list(hidden_in), key), *rank(key)))
        hide(chosen, hidden, hidden_in)
        queue += containing[chosen]
    return hidden
