"""Small-cell and complementary suppression on hand-made cells (reporting.cube.suppress)."""

from __future__ import annotations

import random
from datetime import date

from reporting.cube import Cell, Key, percentile, suppress


def cells(values: dict[str, tuple[float, int]]) -> dict[Key, Cell]:
    """Cells named by a short label: label → (value, people)."""
    return {_key(label): Cell(value, people) for label, (value, people) in values.items()}


def _key(label: str) -> Key:
    return ("hours", label, None, None, None)


def relation(*labels: str) -> list[Key]:
    """[total, part, ...] by label."""
    return [_key(label) for label in labels]


def shown(hidden: dict[Key, str]) -> dict[str, str]:
    return {key[1]: marker for key, marker in hidden.items()}


def test_a_small_district_hides_with_its_smallest_sibling_not_the_total() -> None:
    table = cells({"total": (20, 20), "a": (3, 3), "b": (7, 7), "c": (10, 10)})

    assert shown(suppress(table, [relation("total", "a", "b", "c")])) == {"a": "<5", "b": "x"}


def test_zero_and_five_are_shown() -> None:
    table = cells({"total": (5, 5), "a": (5, 5), "b": (0, 0)})

    assert suppress(table, [relation("total", "a", "b")]) == {}


def test_two_small_cells_protect_each_other() -> None:
    table = cells({"total": (12, 12), "a": (3, 3), "b": (4, 4), "c": (5, 5)})

    assert shown(suppress(table, [relation("total", "a", "b", "c")])) == {"a": "<5", "b": "<5"}


def test_the_complement_is_chosen_so_that_wide_totals_stay_visible() -> None:
    # Region R = municipalities M1 + M2; M2 has one theme only (t3), so hiding t3 anywhere would hide M2's
    # total, then M1's (R - M2). Hiding t4 instead costs two detail cells.
    table = cells({
        "R": (100, 20), "M1": (80, 14), "M2": (20, 6),
        "M1t1": (47, 8), "M1t2": (3, 3), "M1t4": (30, 6), "M2t3": (20, 6),
        "Rt1": (47, 8), "Rt2": (3, 3), "Rt3": (20, 6), "Rt4": (30, 6),
    })  # fmt: skip
    sums = [
        relation("R", "M1", "M2"), relation("M1", "M1t1", "M1t2", "M1t4"), relation("M2", "M2t3"),
        relation("R", "Rt1", "Rt2", "Rt3", "Rt4"), relation("Rt1", "M1t1"), relation("Rt2", "M1t2"),
        relation("Rt3", "M2t3"), relation("Rt4", "M1t4"),
    ]  # fmt: skip

    assert shown(suppress(table, sums)) == {"M1t2": "<5", "Rt2": "<5", "Rt4": "x", "M1t4": "x"}


def test_no_sum_ever_has_exactly_one_hidden_cell() -> None:
    generator = random.Random(20260313)
    for _ in range(300):
        rows, columns = generator.randint(1, 5), generator.randint(1, 5)
        grid = [[generator.choice([0, 1, 2, 3, 4, 5, 6, 9, 14, 30]) for _ in range(columns)] for _ in range(rows)]
        values = {f"r{r}c{c}": grid[r][c] for r in range(rows) for c in range(columns)}
        values |= {f"r{r}": sum(grid[r]) for r in range(rows)} | {
            f"c{c}": sum(row[c] for row in grid) for c in range(columns)
        }
        values["all"] = sum(map(sum, grid))
        table = {_key(label): Cell(value, value) for label, value in values.items() if value}
        sums = [relation(f"r{r}", *(f"r{r}c{c}" for c in range(columns))) for r in range(rows)]
        sums += [relation(f"c{c}", *(f"r{r}c{c}" for r in range(rows))) for c in range(columns)]
        sums += [relation("all", *(f"r{r}" for r in range(rows))), relation("all", *(f"c{c}" for c in range(columns)))]
        existing = [[key for key in members if key in table] for members in sums]

        hidden = suppress(table, existing)

        assert all(sum(1 for key in members if key in hidden) != 1 for members in existing), (grid, shown(hidden))
        assert all(hidden.get(key) == "<5" for key, cell in table.items() if 0 < (cell.people or 0) < 5)


def test_percentiles_interpolate_like_postgresql() -> None:
    assert percentile([12.0, 30.0, 35.0], 0.9) == 34.0
    assert percentile([10.0, 12.0, 30.0, 35.0], 0.5) == 21.0
    assert percentile([7.0], 0.9) == 7.0
    assert date(2026, 1, 1) < date(2026, 2, 1)  # months order as dates (keys carry first days)
