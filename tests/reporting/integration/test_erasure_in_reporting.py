"""No personal data in reporting: an erased volunteer's id is forgotten (figures stay); labels only with consent.

Also: hours entries are projected once, whatever event carries them.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from common.consumer import BatchContext
from common.ops import read_dead_letters
from contracts import dead_letter_topic
from contracts.events import HoursLogged, VolunteerErased
from reporting.projections import PROJECTIONS
from tests.reporting.events import World, at
from tests.reporting.integration.conftest import Reporting
from tests.support.transactions import second_waits_for_first

pytestmark = pytest.mark.integration


def headline(figures: dict[str, Any]) -> dict[str, Any]:
    """KPI → shown value."""
    return {item["kpi"]: item["value"] for item in figures["headline"]}


async def occurrences(reporting: Reporting, volunteer: UUID) -> dict[str, int]:
    """Rows of every table in reporting's database whose text contains the id."""
    found = {}
    async with reporting.pool.acquire() as conn:
        tables = await conn.fetch("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        for (table,) in tables:
            count = await conn.fetchval(f'SELECT count(*) FROM "{table}" t WHERE t::text LIKE $1', f"%{volunteer}%")  # noqa: S608
            if count:
                found[table] = count
    return found


async def test_an_erased_volunteer_id_is_gone_from_every_table_and_the_figures_stay(reporting: Reporting) -> None:
    world = World()
    centrale = world.centrale("e1")
    await reporting.configure({centrale: ("GM0996", "Wisdorp")}, [("2345", "WK099601", "Kern")])
    organisation = world.organisation(centrale, "2345", "2025-12-01", admitted="2025-12-02")
    task = world.task(centrale, organisation, "zorg", "2345", "2025-12-03")
    volunteers = [world.volunteer(centrale, "2345", "2026-01-05", age_band="18-20") for _ in range(6)]
    matches = [world.match(task, volunteer, at("2026-01-10")) for volunteer in volunteers]
    for match in matches:
        world.hours(match, "2026-01-20", "2")
    await reporting.feed(world)
    erased = volunteers[0]
    before = headline(await reporting.json("/v1/municipalities/GM0996/figures", period="2026-01"))
    # The facts a KPI needs per person, and what is kept of them: the person's activity where it counts
    # (the centrale and the region), their supply and, when among the first five of a cell's people, who gave
    # its hours.
    found = await occurrences(reporting, erased)
    assert found.pop("agg_hours", 1) == 1
    assert found == {
        "volunteer_facts": 1,
        "match_facts": 1,
        "hours_facts": 1,
        "person_activity": 2,
        "volunteer_supply": 1,
    }

    world.erase(erased, "2026-02-10")
    await reporting.feed(world)

    assert await occurrences(reporting, erased) == {}
    after = headline(await reporting.json("/v1/municipalities/GM0996/figures", period="2026-01"))
    assert after == before
    assert (after["volunteers_new"], after["volunteers_active"], after["mdt_active"], after["hours"]) == (6, 6, 6, 12)
    # Events still carrying the id (a profile update replayed, hours logged after the erasure) attach nothing to it.
    world.profile(erased, "2345", "2026-01-06", age_band="18-20")
    world.hours(matches[0], "2026-02-20", "3", recorded=datetime.now(UTC))
    await reporting.feed(world)
    assert await occurrences(reporting, erased) == {}
    february = headline(await reporting.json("/v1/municipalities/GM0996/figures", period="2026-02"))
    assert (february["hours"], february["volunteers_active"]) == ("<5", 0)  # 3 hours of nobody we may still count
    assert headline(await reporting.json("/v1/municipalities/GM0996/figures", period="2026-01")) == before


async def test_target_groups_count_only_while_the_volunteer_consents(reporting: Reporting) -> None:
    world = World()
    centrale = world.centrale("l1")
    await reporting.configure({centrale: ("GM0995", "Labeldorp")}, [])
    labelled = [world.volunteer(centrale, None, "2026-01-05", target_groups=("statushouder",)) for _ in range(5)]
    await reporting.feed(world)
    groups = await reporting.json("/v1/municipalities/GM0995/figures", period="2026-01")
    [row] = next(t for t in groups["tables"] if t["id"] == "target_groups")["rows"]
    assert (row["key"], row["values"]["target_group_new"]) == ("statushouder", 5)

    world.consent(labelled[0], "target_group_labels", granted=False, changed="2026-01-20")
    await reporting.feed(world)

    groups = await reporting.json("/v1/municipalities/GM0995/figures", period="2026-01")
    [row] = next(t for t in groups["tables"] if t["id"] == "target_groups")["rows"]
    assert row["values"]["target_group_new"] == "<5"
    assert headline(groups)["volunteers_new"] == 5  # still a new volunteer, just without the label


async def test_the_skeletons_count_is_exact_for_staff_and_suppressed_for_municipality_readers(
    reporting: Reporting,
) -> None:
    world = World()
    centrale = world.centrale("c1")
    await reporting.configure({centrale: ("GM0994", "Teldorp")}, [])
    for _ in range(3):
        world.volunteer(centrale, None, "2026-01-05")
    await reporting.feed(world)
    reader = await reporting.credential("municipality_reader", centrale_id=centrale)

    staff_view = await reporting.json(f"/v1/centrales/{centrale}/volunteers/count")
    reader_view = await reporting.json(f"/v1/centrales/{centrale}/volunteers/count", reader)

    assert (staff_view["registered"], reader_view["registered"]) == (3, "<5")


async def test_ops_configuration_refuses_bad_input_field_by_field(reporting: Reporting) -> None:
    ops = reporting.ops
    bad_centrale = await reporting.http.put(
        "/v1/ops/centrales/vc-x", json={"municipality_code": "0344", "municipality_name": ""}, headers=ops
    )
    bad_area = await reporting.http.put(
        "/v1/ops/districts",
        json={"districts": [{"postcode_area": "0123", "district_code": "WK034401", "district_name": "x"}]},
        headers=ops,
    )
    bad_day = await reporting.http.put("/v1/ops/nldoet-days", json={"days": ["13 maart"]}, headers=ops)

    assert bad_centrale.status_code == 422
    assert sorted(d["loc"] for d in bad_centrale.json()["detail"]) == [
        ["body", "municipality_code"], ["body", "municipality_name"]
    ]  # fmt: skip
    assert [d["loc"] for d in bad_area.json()["detail"]] == [["body", "districts", 0, "postcode_area"]]
    assert [d["loc"] for d in bad_day.json()["detail"]] == [["body", "days", 0]]
    added = await reporting.http.put("/v1/ops/nldoet-days", json={"days": ["2027-03-12"]}, headers=ops)
    assert added.json() == {"days": ["2026-03-13", "2026-03-14", "2027-03-12"]}
    staff = await reporting.credential("centrale_staff", centrale_id="vc-x")
    assert (
        await reporting.http.put("/v1/ops/nldoet-days", json={"days": ["2027-03-13"]}, headers=staff)
    ).status_code == 403


async def test_the_same_hours_in_a_second_event_count_once(reporting: Reporting) -> None:
    """An hours entry sent again under a new event id (past the inbox) takes the projection's ON CONFLICT path."""
    world = World()
    centrale = world.centrale("h1")
    await reporting.configure({centrale: ("GM0997", "Dubbeldam")}, [("2346", "WK099701", "Kern")])
    organisation = world.organisation(centrale, "2346", "2025-12-01", admitted="2025-12-02")
    task = world.task(centrale, organisation, "zorg", "2346", "2025-12-03")
    volunteer = world.volunteer(centrale, "2346", "2026-01-05", age_band="18-20")
    match = world.match(task, volunteer, at("2026-01-10"))
    world.hours(match, "2026-01-20", "2")
    world.hours(match, "2026-01-21", "3")
    published = world.take()
    await reporting.publish(published)
    await reporting.settle()
    hours = [p for p in published if isinstance(p.event, HoursLogged)]
    # Both entries again, each under a new envelope (new event id), plus one new entry in the same run.
    world.hours(match, "2026-01-22", "4")
    await reporting.publish([*hours, *world.take()])
    await reporting.settle()

    async with reporting.pool.acquire() as conn:
        rows = await conn.fetch("SELECT hours_id, hours FROM hours_facts WHERE match_id = $1 ORDER BY worked_on", match)
    letters = await read_dead_letters(reporting.bootstrap, [dead_letter_topic(HoursLogged.topic)])
    assert [letter for letter in letters if letter.headers.get("ce_tenant") == centrale] == [], "none dead-lettered"
    assert [(row["hours_id"], row["hours"]) for row in rows] == [
        *((p.event.hours_id, p.event.hours) for p in hours),
        (rows[2]["hours_id"], Decimal("4.00")),
    ]


@pytest.mark.parametrize("first", ["hours", "erasure"])
async def test_hours_written_while_the_volunteer_is_erased_keep_no_id(reporting: Reporting, first: str) -> None:
    """Two open transactions, the hours batch's and the erasure's: whichever began first, the id is gone after both."""
    world = World()
    centrale = world.centrale("r1")
    await reporting.configure({centrale: ("GM0993", "Racedorp")}, [])
    organisation = world.organisation(centrale, "2347", "2025-12-01", admitted="2025-12-02")
    task = world.task(centrale, organisation, "zorg", "2347", "2025-12-03")
    volunteer = world.volunteer(centrale, "2347", "2026-01-05")
    match = world.match(task, volunteer, at("2026-01-10"))
    await reporting.feed(world)
    world.hours(match, "2026-01-20", "2")
    world.erase(volunteer, "2026-01-21")
    hours, erasure = world.take()
    assert isinstance(hours.event, HoursLogged)
    assert isinstance(erasure.event, VolunteerErased)

    def write_hours(conn: asyncpg.Connection) -> Awaitable[None]:
        return PROJECTIONS[HoursLogged]([hours.event], BatchContext([hours.envelope()], conn))

    def erase(conn: asyncpg.Connection) -> Awaitable[None]:
        return PROJECTIONS[VolunteerErased]([erasure.event], BatchContext([erasure.envelope()], conn))

    await second_waits_for_first(reporting.pool, *((write_hours, erase) if first == "hours" else (erase, write_hours)))

    assert await occurrences(reporting, volunteer) == {}
    async with reporting.pool.acquire() as conn:
        assert await conn.fetchval("SELECT hours FROM hours_facts WHERE hours_id = $1", hours.event.hours_id) == 2
