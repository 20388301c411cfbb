"""Hours an import brought in from before the platform count in reporting in the months they were worked."""

from __future__ import annotations

from typing import Any

import pytest

from tests.reporting.events import World, at
from tests.reporting.integration.conftest import Reporting

pytestmark = pytest.mark.integration


def headline(figures: dict[str, Any]) -> dict[str, Any]:
    """KPI → shown value."""
    return {item["kpi"]: item["value"] for item in figures["headline"]}


async def test_historic_hours_count_in_their_own_months_and_a_corrected_entry_replaces_its_figure(
    reporting: Reporting,
) -> None:
    world = World()
    centrale = world.centrale("hist")
    await reporting.configure({centrale: ("GM0997", "Oudstad")}, [("2346", "WK099701", "Centrum")])
    organisation = world.organisation(centrale, "2346", "2026-11-01", admitted="2026-11-01")
    imported = at("2026-11-20")
    volunteers = [world.volunteer(centrale, "2346", "2015-02-01", recorded=imported) for _ in range(6)]
    entries = [
        world.historic_hours(volunteer, organisation, [("2016-03-10", "2"), ("2016-04-02", "1.5")], recorded=imported)
        for volunteer in volunteers
    ]
    await reporting.feed(world)

    march = headline(await reporting.json("/v1/municipalities/GM0997/figures", period="2016-03"))
    april = headline(await reporting.json("/v1/municipalities/GM0997/figures", period="2016-04"))
    assert (march["hours"], march["volunteers_active"]) == (12, 6)
    assert (april["hours"], april["volunteers_active"]) == (9, 6)
    assert headline(await reporting.json("/v1/municipalities/GM0997/figures", period="2026-11"))["hours"] == 0

    # A re-run of the import sends a corrected entry again under its id: it replaces the old figure.
    world.historic_hours(volunteers[0], organisation, [("2016-03-10", "4")], recorded=at("2026-11-21"),
                         ids=[entries[0][0]])  # fmt: skip
    await reporting.feed(world)
    march = headline(await reporting.json("/v1/municipalities/GM0997/figures", period="2016-03"))
    assert march["hours"] == 14
