"""Every KPI of the known region (scenario.py) for 2026-Q1, per region, municipality, centrale, district and month."""

from __future__ import annotations

from typing import Any

import pytest

from tests.reporting.integration.conftest import Scenario

pytestmark = pytest.mark.integration

Q1 = "2026-Q1"


def headline(figures: dict[str, Any]) -> dict[str, Any]:
    """KPI → shown value of a figures document."""
    return {item["kpi"]: item["value"] for item in figures["headline"]}


def table(figures: dict[str, Any], table_id: str) -> dict[str, dict[str, Any]]:
    """Row key → values (the total row under ``total``/``period``) of one table."""
    [found] = [t for t in figures["tables"] if t["id"] == table_id]
    rows = {row["key"]: row["values"] for row in found["rows"]}
    if found["total"]:
        rows[found["total"]["key"]] = found["total"]["values"]
    return rows


# fmt: off
REGION = {
    "volunteers_registered": 31, "volunteers_new": 25, "volunteers_active": 23,
    "organisations_admitted": 3, "organisations_new": 2,
    "tasks_posted": 7, "tasks_open": 7, "tasks_filled": 1, "tasks_expired": 1, "tasks_first_matched": 4,
    "days_to_first_match_median": 21.0, "days_to_first_match_p90": 33.5,
    "matches_ended": "<5",
    "matches_made": 19, "matches_due_3m": 6, "matches_active_3m": 5, "matches_due_6m": 0, "matches_active_6m": 0,
    "matches_due_12m": 0, "matches_active_12m": 0,
    "hours": 180.75, "team_days": 2, "team_employees": 13, "team_hours": 54,
    "nldoet_volunteers": "<5", "nldoet_hours": "<5", "nldoet_team_employees": 7, "nldoet_team_hours": 42,
    "mdt_active": 8, "mdt_basis_completed": "<5", "mdt_plus_completed": 0,
    "tasks_waiting": 2, "volunteers_waiting": 7,
}
UTRECHT = {
    "volunteers_registered": 24, "volunteers_new": 18, "volunteers_active": 18,
    "organisations_admitted": 2, "organisations_new": 1,
    "tasks_posted": 5, "tasks_open": 5, "tasks_filled": 1, "tasks_expired": 1, "tasks_first_matched": 3,
    "days_to_first_match_median": 30.0, "days_to_first_match_p90": 34.0,
    "matches_ended": "<5",
    "matches_made": 13, "matches_due_3m": 6, "matches_active_3m": 5, "matches_due_6m": 0, "matches_active_6m": 0,
    "matches_due_12m": 0, "matches_active_12m": 0,
    "hours": 162.75, "team_days": 1, "team_employees": 7, "team_hours": 42,
    "nldoet_volunteers": "<5", "nldoet_hours": "<5", "nldoet_team_employees": 7, "nldoet_team_hours": 42,
    "mdt_active": 8, "mdt_basis_completed": "<5", "mdt_plus_completed": 0,
    # 6 waiting in Utrecht, 1 in Zeist: shown, Utrecht's 6 would give Zeist's 1 away as region - Utrecht.
    "tasks_waiting": 2, "volunteers_waiting": "x",
}
ZEIST = {
    "volunteers_registered": 7, "volunteers_new": 7, "volunteers_active": 6,
    "organisations_admitted": 1, "organisations_new": 1,
    "tasks_posted": 2, "tasks_open": 2, "tasks_filled": 0, "tasks_expired": 0, "tasks_first_matched": 1,
    "days_to_first_match_median": 10.0, "days_to_first_match_p90": 10.0,
    "matches_ended": 0,
    "matches_made": 7, "matches_due_3m": 0, "matches_active_3m": 0, "matches_due_6m": 0, "matches_active_6m": 0,
    "matches_due_12m": 0, "matches_active_12m": 0,
    # Z5's 2 overflow hours for a1 (on NLdoet) count for her home centrale b1 too (issue 18, fair credit).
    "hours": 20, "team_days": 1, "team_employees": 6, "team_hours": 12,
    "nldoet_volunteers": "<5", "nldoet_hours": "<5", "nldoet_team_employees": 0, "nldoet_team_hours": 0,
    "mdt_active": 0, "mdt_basis_completed": 0, "mdt_plus_completed": 0,
    "tasks_waiting": 0, "volunteers_waiting": "<5",
}
# fmt: on


async def test_region_figures_are_exactly_the_scenario(scenario: Scenario) -> None:
    figures = await scenario.reporting.json("/v1/region/figures", period=Q1)

    assert figures["scope"] == {"kind": "region", "id": "region", "name": "Regio"}
    assert figures["period"]["months"] == ["2026-01", "2026-02", "2026-03"]
    assert headline(figures) == REGION
    by_municipality = table(figures, "municipalities")
    assert by_municipality["GM0344"]["volunteers_new"] == 18
    assert by_municipality["GM0355"]["volunteers_new"] == 7
    # Overflow: Z5 (Zeist) matched to an Utrecht task counts for both, and once for the region (13 + 7 = 20 ≠ 19).
    assert (by_municipality["GM0344"]["matches_made"], by_municipality["GM0355"]["matches_made"]) == (13, 7)
    assert by_municipality["total"]["matches_made"] == 19


async def test_municipality_figures_are_exactly_the_scenario(scenario: Scenario) -> None:
    utrecht = await scenario.reporting.json("/v1/municipalities/GM0344/figures", period=Q1)
    zeist = await scenario.reporting.json("/v1/municipalities/GM0355/figures", period=Q1)

    assert utrecht["scope"] == {"kind": "municipality", "id": "GM0344", "name": "Utrecht"}
    assert headline(utrecht) == UTRECHT
    assert headline(zeist) == ZEIST


async def test_monthly_trend_counts_each_month_and_active_once_for_the_period(scenario: Scenario) -> None:
    utrecht = await scenario.reporting.json("/v1/municipalities/GM0344/figures", period=Q1)

    monthly = table(utrecht, "monthly")
    # fmt: off
    assert monthly == {
        # Hours of January and March hidden: Z5's 2 overflow hours in March also count for Zeist (fair credit),
        # where they are a cell of one person; the complements that would give them away are hidden with them.
        "2026-01": {"volunteers_new": 14, "volunteers_active": 14, "tasks_posted": 3, "tasks_filled": 0,
                    "tasks_expired": 0, "matches_made": "x", "hours": "x"},
        "2026-02": {"volunteers_new": "<5", "volunteers_active": 9, "tasks_posted": 2, "tasks_filled": 0,
                    "tasks_expired": 0, "matches_made": "<5", "hours": 74.5},
        # V9 logged 0.5 h in February and 0.25 h in March: never active; V10's single hour counts.
        "2026-03": {"volunteers_new": "<5", "volunteers_active": "<5", "tasks_posted": 0, "tasks_filled": 1,
                    "tasks_expired": 1, "matches_made": "<5", "hours": "x"},
        "period": {"volunteers_new": 18, "volunteers_active": 18, "tasks_posted": 5, "tasks_filled": 1,
                   "tasks_expired": 1, "matches_made": 13, "hours": 162.75},
    }
    # fmt: on


async def test_districts_come_from_the_pc4_mapping_with_outside_and_unknown(scenario: Scenario) -> None:
    utrecht = await scenario.reporting.json("/v1/municipalities/GM0344/figures", period=Q1)

    districts = table(utrecht, "districts")
    assert set(districts) == {"WK034401", "WK034402", "WK034403", "buiten", "total"}
    binnenstad, oost, west, outside = (districts[k] for k in ("WK034401", "WK034402", "WK034403", "buiten"))
    assert (binnenstad["volunteers_registered"], binnenstad["volunteers_new"], binnenstad["volunteers_active"]) == (
        14, 14, 9,
    )  # fmt: skip
    # Oost's 95 hours come from three volunteers: hidden, and so is one sibling (Binnenstad, not the total).
    assert (oost["tasks_open"], oost["tasks_waiting"], oost["volunteers_registered"], oost["hours"]) == (
        2,
        1,
        "<5",
        "<5",
    )
    assert (binnenstad["tasks_open"], binnenstad["hours"], west["hours"], districts["total"]["hours"]) == (
        1, "x", 26, 162.75,
    )  # fmt: skip
    # Y6 was erased, but stays counted where and when they were active (the id is gone, the figure stays).
    assert (west["volunteers_registered"], west["volunteers_active"], west["tasks_waiting"]) == (6, 6, 1)
    # X1 lives in Zeist (registered at an Utrecht centrale); Z5 from Zeist worked on an Utrecht task.
    assert (outside["volunteers_new"], outside["volunteers_active"]) == ("<5", "<5")
    assert districts["total"]["volunteers_active"] == 18


async def test_hours_by_theme_and_the_gaps_per_theme(scenario: Scenario) -> None:
    region = await scenario.reporting.json("/v1/region/figures", period=Q1)
    zeist = await scenario.reporting.json("/v1/municipalities/GM0355/figures", period=Q1)

    themes = {key: values["hours"] for key, values in table(region, "hours_by_theme").items()}
    # sport: 95 h from three volunteers; zorg hidden with it so that sport ≠ total - the rest.
    # ouderen hidden too: in Zeist, Z5's 2 overflow sport hours (fair credit) are a cell of one person, so Zeist's
    # ouderen hours (its total - sport) are hidden with it, and with them the region's (a sum over municipalities).
    assert themes == {"natuur": 26, "ouderen": "x", "sport": "<5", "zorg": "x", "total": 180.75}
    assert table(zeist, "hours_by_theme_and_district")["ouderen"] == {"WK035501": "x", "buiten": 0, "total": "x"}
    assert table(zeist, "hours_by_theme_and_district")["sport"] == {"WK035501": 0, "buiten": "<5", "total": "<5"}
    gaps = table(region, "gaps_by_theme")
    assert gaps["taal"] == {"tasks_waiting": 1, "volunteers_waiting": 0}
    assert gaps["natuur"]["tasks_waiting"] == 1
    assert gaps["zorg"] == {"tasks_waiting": 0, "volunteers_waiting": "<5"}  # V11-V14 interested in zorg, unmatched
    assert gaps["total"] == {"tasks_waiting": 2, "volunteers_waiting": 7}


async def test_target_groups_partners_retention_and_centrales(scenario: Scenario) -> None:
    region = await scenario.reporting.json("/v1/region/figures", period=Q1)
    a2 = await scenario.reporting.json(f"/v1/centrales/{scenario.region.a2}/figures", period=Q1)

    assert table(region, "target_groups") == {"statushouder": {"target_group_new": "<5", "target_group_active": "<5"}}
    partners = table(region, "partners")
    assert partners[str(scenario.region.partner_builder)] == {"team_days": 1, "team_employees": 7, "team_hours": 42}
    assert partners[str(scenario.region.partner_bank)] == {"team_days": 1, "team_employees": 6, "team_hours": 12}
    assert table(region, "retention")["3m"] == {"due": 6, "active": 5}  # Y4's match ended before its 3 months
    # Why it ended, as the volunteer said (one match: a small cell, and its total with it).
    assert table(region, "ended_by_reason") == {"moved": {"matches_ended": "<5"}, "total": {"matches_ended": "<5"}}
    assert [row["label"] for t in region["tables"] if t["id"] == "ended_by_reason" for row in t["rows"]] == ["Verhuisd"]
    a2_headline = headline(a2)
    assert (a2_headline["volunteers_registered"], a2_headline["volunteers_active"]) == (6, 6)
    assert (a2_headline["matches_due_3m"], a2_headline["matches_active_3m"]) == (6, 5)
