"""Issue 20: for the known scenario too, reads from the aggregates give today's figures, cell by cell.

The scenario (``scenario.py``) has what the generated region lacks: overflow matches crediting two
centrales, a volunteer erased after their hours, target-group labels, team days of business partners,
MDT crossings, matches old enough to count at 3 months, and wijken outside and unknown. Every cell,
hidden cell and output of every scope is compared with today's computation (``reference_cube``).
"""

from __future__ import annotations

import pytest

from reporting.periods import Period
from tests.reporting.integration.conftest import Scenario
from tests.reporting.integration.todays_figures import both_cubes, differences

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("label", ["2026-Q1", "2026-H1", "2026-01", "2026-03", "2025-12", "2026-02..2026-04"])
async def test_the_aggregates_give_todays_figures_for_the_scenario(scenario: Scenario, label: str) -> None:
    new, old = await both_cubes(scenario.reporting, Period.parse(label))

    assert differences(new, old) == {}
    assert len(new.cells) > 80
    if label in ("2026-Q1", "2026-H1"):
        kinds = {key[0] for key in new.cells}
        assert {"matches_due_3m", "team_hours", "mdt_basis_completed", "target_group_active"} <= kinds
        assert {"<5", "x"} <= set(new.hidden.values())
