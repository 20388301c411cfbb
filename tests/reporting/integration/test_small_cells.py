"""Small cells are "<5", and no hidden cell can be recovered by subtraction, in any report or across reports."""

from __future__ import annotations

from typing import Any

import pytest

from reporting.kpis import KPIS, Kind
from tests.reporting.integration.conftest import Scenario
from tests.reporting.integration.test_kpi_figures import headline, table

pytestmark = pytest.mark.integration

Q1 = "2026-Q1"
HIDDEN = ("<5", "x")
PEOPLE_COUNTS = {k.key for k in KPIS if k.people and k.kind in (Kind.COUNT, Kind.ACTIVE, Kind.DISTINCT)}
# Tables whose rows add up to their total row, and which columns do (None: every column).
ADDITIVE: dict[str, set[str] | None] = {
    "monthly": {"volunteers_new", "tasks_posted", "tasks_filled", "tasks_expired", "matches_made", "hours",
                "team_days", "team_employees", "team_hours"},
    "districts": None, "municipalities": None, "centrales": None, "hours_by_theme": None,
    "hours_by_theme_and_district": None, "gaps_by_district": None, "gaps_by_theme": {"tasks_waiting"}, "partners": None,
}  # fmt: skip


async def _reports(scenario: Scenario) -> dict[str, dict[str, Any]]:
    service, region = scenario.reporting, scenario.region
    paths = [
        "/v1/region/figures", "/v1/municipalities/GM0344/figures", "/v1/municipalities/GM0355/figures",
        *(f"/v1/centrales/{c}/figures" for c in (region.a1, region.a2, region.b1)),
        *(f"/v1/partners/{p}/figures" for p in (region.partner_builder, region.partner_bank)),
    ]  # fmt: skip
    return {path: await service.json(path, period=Q1) for path in paths}


def _sums(figures: dict[str, Any]) -> list[tuple[str, list[Any]]]:
    """Every published sum: (description, [total, part, part, ...]) with the values as shown."""
    sums = []
    for found in figures["tables"]:
        columns = ADDITIVE.get(found["id"], set())
        if found["total"] is None or columns == set():
            continue
        for column in found["columns"]:
            key = column["key"]
            if columns is None or key in columns:
                sums.append(
                    (
                        f"{found['id']}.{key}",
                        [found["total"]["values"][key], *(r["values"][key] for r in found["rows"])],
                    )
                )
        if found["id"] == "hours_by_theme_and_district":
            for row in [*found["rows"], found["total"]]:
                parts = [value for key, value in row["values"].items() if key != "total"]
                sums.append((f"{found['id']}.{row['key']}", [row["values"]["total"], *parts]))
    return sums


async def test_no_published_sum_has_exactly_one_hidden_cell(scenario: Scenario) -> None:
    reports = await _reports(scenario)

    lonely = {
        (path, name): values
        for path, figures in reports.items()
        for name, values in _sums(figures)
        if sum(1 for value in values if value in HIDDEN) == 1
    }
    assert lonely == {}
    # The scenario does exercise it: these reports hide cells, primary and complementary.
    shown = [value for figures in reports.values() for _, values in _sums(figures) for value in values]
    assert shown.count("<5") >= 10
    assert shown.count("x") >= 5


async def test_no_report_shows_a_count_of_one_to_four_people(scenario: Scenario) -> None:
    reports = await _reports(scenario)

    small: list[tuple[Any, ...]] = []
    for path, figures in reports.items():
        small += [(path, item["kpi"]) for item in figures["headline"]
                  if item["kpi"] in PEOPLE_COUNTS and item["value"] in (1, 2, 3, 4)]  # fmt: skip
        for found in figures["tables"]:
            for row in [*found["rows"], *([found["total"]] if found["total"] else [])]:
                small += [(path, found["id"], row["key"], key) for key, value in row["values"].items()
                          if key in PEOPLE_COUNTS and value in (1, 2, 3, 4)]  # fmt: skip
    assert small == []


async def test_a_complement_hides_the_figure_that_would_give_a_small_one_away(scenario: Scenario) -> None:
    reports = await _reports(scenario)
    region = reports["/v1/region/figures"]

    municipalities = table(region, "municipalities")
    # 7 waiting in the region, 1 in Zeist: Utrecht's 6 would give Zeist's 1 away, so Utrecht shows "x".
    assert [municipalities[k]["volunteers_waiting"] for k in ("GM0344", "GM0355", "total")] == ["x", "<5", 7]
    # Zeist's matches in March (1, the overflow match) are <5; January's 6 hides with them, and so does
    # Utrecht's January, else the region's January (14) minus Utrecht's would give Zeist's.
    zeist_months = table(reports["/v1/municipalities/GM0355/figures"], "monthly")
    utrecht_months = table(reports["/v1/municipalities/GM0344/figures"], "monthly")
    region_months = table(region, "monthly")
    assert [zeist_months[m]["matches_made"] for m in ("2026-01", "2026-02", "2026-03", "period")] == ["x", 0, "<5", 7]
    assert (utrecht_months["2026-01"]["matches_made"], region_months["2026-01"]["matches_made"]) == ("x", 14)


async def test_the_same_figure_shows_the_same_in_every_report(scenario: Scenario) -> None:
    reports = await _reports(scenario)
    region, a1, a2 = scenario.region, scenario.region.a1, scenario.region.a2

    municipalities = table(reports["/v1/region/figures"], "municipalities")
    for code in ("GM0344", "GM0355"):
        own = headline(reports[f"/v1/municipalities/{code}/figures"])
        assert municipalities[code] == {key: own[key] for key in municipalities[code]}
    centrales = table(reports["/v1/municipalities/GM0344/figures"], "centrales")
    for centrale in (a1, a2):
        own = headline(reports[f"/v1/centrales/{centrale}/figures"])
        assert centrales[centrale] == {key: own[key] for key in centrales[centrale]}
    partners = table(reports["/v1/region/figures"], "partners")
    for partner in (region.partner_builder, region.partner_bank):
        own = headline(reports[f"/v1/partners/{partner}/figures"])
        assert partners[str(partner)] == own
