"""Compare the aggregate reads with today's figures (``reference_cube``), cell by cell and output by output."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from reporting.cube import Cube
from reporting.folding import fold_hours
from reporting.kpis import MIN_PEOPLE, SUPPLY_DEMAND
from reporting.outputs.charts import CHARTS
from reporting.outputs.tables import figures_csv
from reporting.periods import Period
from reporting.queries import build_cube
from reporting.views import Figures, figures, partner_figures
from tests.reporting.integration.conftest import Reporting
from tests.reporting.reference_cube import build_reference_cube

__all__ = ["both_cubes", "differences"]

_GENERATED = datetime(2026, 1, 1, tzinfo=UTC)
# What today's code did not have: supply and demand (issue 19), its tables and charts.
_NEW_TABLES = {"supply_demand", "supply_demand_trend", "supply_demand_gaps", "supply_demand_waiting"}
_NEW_CHARTS = {"supply-demand", "top-gaps"}


async def both_cubes(service: Reporting, period: Period) -> tuple[Cube, Cube]:
    """The aggregates' cube and today's, from one snapshot of the service's database."""
    await fold_hours(service.pool)
    async with service.pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        return await build_cube(conn, period), await build_reference_cube(conn, period)


def _cells(cube: Cube) -> dict[Any, tuple[Any, Any]]:
    """Each cell's value and its people as suppression sees them (1-4 exactly, or at least MIN_PEOPLE)."""
    return {
        key: (cell.value, None if cell.people is None else min(cell.people, MIN_PEOPLE))
        for key, cell in cube.cells.items()
        if key[0] not in SUPPLY_DEMAND
    }


def _outputs(document: Figures, *, charts: bool = True) -> dict[str, str]:
    """A scope's JSON, CSV and every chart, as a reader downloads them (the generation time fixed)."""
    tables = [table for table in document.tables if table.id not in _NEW_TABLES]
    # The readings are sentences about the new (supply and demand) tables, which the old code did not have.
    fixed = document.model_copy(update={"generated_at": _GENERATED, "tables": tables, "readings": []})
    outputs = {"json": fixed.model_dump_json(), "csv": figures_csv(fixed)}
    if charts:
        outputs.update({name: chart(fixed, name) for name, chart in CHARTS.items() if name not in _NEW_CHARTS})
    return outputs


def differences(new: Cube, old: Cube) -> dict[str, Any]:
    """Everything in which the two cubes differ: cells, hidden cells, scopes, and every scope's outputs."""
    found: dict[str, Any] = {}
    cells, reference = _cells(new), _cells(old)
    changed = {key: (cells.get(key), reference.get(key)) for key in cells.keys() | reference.keys()
               if cells.get(key) != reference.get(key)}  # fmt: skip
    if changed:
        found["cells"] = changed
    hidden = {key: (new.hidden.get(key), old.hidden.get(key)) for key in new.hidden.keys() | old.hidden.keys()
              if new.hidden.get(key) != old.hidden.get(key) and key[0] not in SUPPLY_DEMAND}  # fmt: skip
    if hidden:
        found["hidden"] = hidden
    # Today's code also names scopes of centrales ops never mapped whose facts fall outside the period; without
    # a cell they show nowhere. The scopes with cells must be the same, in the same order (suppression's order).
    used = {key[1] for key in cells.keys() | reference.keys()}
    mine = [(scope, info) for scope, info in new.scopes.items() if scope in used or scope.startswith("m:GM")]
    theirs = [(scope, info) for scope, info in old.scopes.items() if scope in used or scope.startswith("m:GM")]
    if mine != theirs:
        found["scopes"] = (mine, theirs)
        return found
    for scope, _ in mine:
        mine, theirs = _outputs(figures(new, scope)), _outputs(figures(old, scope))
        found.update({f"{scope} {kind}": "differs" for kind in mine if mine[kind] != theirs[kind]})
    for partner in old.categories.get("team_days", {}):
        # A business partner gets JSON and CSV (no charts).
        if _outputs(partner_figures(new, partner), charts=False) != _outputs(
            partner_figures(old, partner), charts=False
        ):
            found[f"partner {partner}"] = "differs"
    return found
