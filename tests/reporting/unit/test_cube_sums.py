"""The cube's sums and suppression are those of the plain walk, on random regions (reporting.cube).

``Cube.relations`` skips the cross-scope sums at a month and category no scope has a cell at; ``suppress`` keeps
a count of each sum's hidden members (in its walk and in each simulated cascade) instead of recounting them, and
ranks each cell once: all to make a built read cheaper (issue 20). Here the plain versions, as they were before
(commit c6eab47), are the oracle: the same sums in the same order, and the same hidden cells.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence

from reporting.cube import _LOOKAHEAD, COMPLEMENT, SMALL, Cell, Cube, Key, ScopeInfo, _order, _weight, suppress
from reporting.kpis import KPIS, MIN_PEOPLE, Category
from reporting.periods import Period


def plain_relations(cube: Cube) -> list[list[Key]]:
    """Every sum over every KPI, scope, month and category, spelled out and kept when two members exist."""
    months, cells, relations = cube.period.months, cube.cells, []
    municipalities = cube.municipalities()
    present = {(key[0], key[1]) for key in cells}

    def add(members: Iterable[Key]) -> None:
        found = [key for key in members if key in cells]
        if len(found) > 1:
            relations.append(found)

    for kpi in KPIS:
        if not kpi.additive:
            continue
        k = kpi.key
        cats: list[str | None] = [None, *sorted(cube.categories.get(k, {}))]
        partner_months = kpi.category is Category.PARTNER
        for scope, info in cube.scopes.items():
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
                for cat in cats if kpi.category is Category.THEME else [None]:
                    add([(k, scope, None, None, cat), *((k, scope, None, d, cat) for d, _ in info.districts)])
                if kpi.category is Category.THEME and kpi.category_additive:
                    for d, _ in info.districts:
                        add([(k, scope, None, d, None), *((k, scope, None, d, c) for c in cats[1:])])
            centrales = [f"c:{c}" for c in info.centrales] if scope.startswith("m:") else []
            if centrales and (own or any((k, c) in present for c in centrales)):
                for month in [None, *months]:
                    for cat in cats:
                        add([(k, scope, month, None, cat), *((k, c, month, None, cat) for c in centrales)])
        if (k, "region") in present or any((k, m) in present for m in municipalities):
            for month in [None, *months]:
                for cat in cats:
                    add([(k, "region", month, None, cat), *((k, m, month, None, cat) for m in municipalities)])
    return relations


def plain_suppress(cells: dict[Key, Cell], relations: Sequence[Sequence[Key]]) -> dict[Key, str]:
    """The suppression walk that recounts a sum's hidden members each time it looks at the sum."""
    hidden = {key: SMALL for key, cell in cells.items() if cell.people is not None and 0 < cell.people < MIN_PEOPLE}
    sums = [list(relation) for relation in relations if len(relation) > 1]
    containing: dict[Key, list[int]] = defaultdict(list)
    for index, members in enumerate(sums):
        for key in members:
            containing[key].append(index)

    def candidates(index: int, state: dict[Key, str]) -> list[Key]:
        total, parts = sums[index][0], sums[index][1:]
        found = sorted(
            (key for key in parts if key not in state and (cells[key].value or 0) > 0),
            key=lambda key: (cells[key].value or 0, _order(key)),
        )
        if not found and total not in state:
            found = [total]
        return found or sorted((key for key in parts if key not in state), key=_order)

    def lonely(index: int, state: dict[Key, str]) -> bool:
        return sum(1 for key in sums[index] if key in state) == 1

    def cascade(state: dict[Key, str], chosen: Key) -> int:
        state[chosen] = COMPLEMENT
        cost, queue = _weight(chosen), list(containing[chosen])
        while queue:
            index = queue.pop()
            if lonely(index, state) and (options := candidates(index, state)):
                state[options[0]] = COMPLEMENT
                cost += _weight(options[0])
                queue += containing[options[0]]
        return cost

    queue = list(range(len(sums)))
    while queue:
        index = queue.pop(0)
        if not lonely(index, hidden):
            continue
        options = candidates(index, hidden)[:_LOOKAHEAD]
        if not options:
            continue
        chosen = min(options, key=lambda key: (cascade(dict(hidden), key), cells[key].value or 0, _order(key)))
        hidden[chosen] = COMPLEMENT
        queue += containing[chosen]
    return hidden


def random_cube(generator: random.Random) -> Cube:
    """A region of a few municipalities, centrales and wijken, with cells here and there (many small)."""
    period = Period.parse(generator.choice(["2026", "2026-Q1", "2026-03", "2026-01..2026-05"]))
    scopes = {"region": ScopeInfo("Regio")}
    for m in range(generator.randint(1, 4)):
        code = f"GM03{m:02d}"
        centrales = [f"vc-{m}-{c}" for c in range(generator.randint(1, 3))]
        wijken = [(f"WK03{m:02d}{d:02d}", f"Wijk {d}") for d in range(generator.randint(0, 4))]
        scopes[f"m:{code}"] = ScopeInfo(code, centrales=centrales, districts=[*wijken, ("buiten", "Buiten")])
        scopes |= {f"c:{c}": ScopeInfo(c) for c in centrales}
    labels = [f"cat{c}" for c in range(generator.randint(1, 6))]
    cells: dict[Key, Cell] = {}
    categories: dict[str, dict[str, str]] = defaultdict(dict)
    density = generator.choice([0.05, 0.2, 0.5])
    for kpi in generator.sample(KPIS, generator.randint(3, len(KPIS))):
        for scope, info in scopes.items():
            districts: list[str | None] = [None, *(d for d, _ in info.districts)]
            for month in [None, *period.months]:
                for district in districts if month is None else [None]:
                    for category in [None, *labels] if kpi.category is not None else [None]:
                        if generator.random() > density:
                            continue
                        people = generator.choice([0, 1, 2, 3, 4, 5, 6, 9, 20])
                        cells[(kpi.key, scope, month, district, category)] = Cell(people * 2, people)
                        if category is not None:
                            categories[kpi.key][category] = category
    return Cube(period, scopes, dict(categories), cells, {})


def test_the_sums_are_the_plain_walks_in_the_same_order_and_hide_the_same_cells() -> None:
    generator = random.Random(20261207)
    for _ in range(60):
        cube = random_cube(generator)

        sums = cube.relations()

        assert sums == plain_relations(cube)
        assert suppress(cube.cells, sums) == plain_suppress(cube.cells, sums)


def test_the_random_regions_have_sums_and_hidden_cells_to_compare() -> None:
    """The comparison above is not vacuous: the regions have cross-scope sums, complements and small cells."""
    generator = random.Random(20261207)
    cubes = [random_cube(generator) for _ in range(60)]
    sums = [plain_relations(cube) for cube in cubes]
    hidden = [plain_suppress(cube.cells, relations) for cube, relations in zip(cubes, sums, strict=True)]

    assert sum(len(relations) for relations in sums) > 1_000
    assert sum(1 for cells in hidden for marker in cells.values() if marker == COMPLEMENT) > 100
    assert sum(1 for cells in hidden for marker in cells.values() if marker == SMALL) > 100
