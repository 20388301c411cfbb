"""The funnel (issue 18, point 7): per municipality and period, how many one-off participants went on to a
structural match within 6 months, exactly, with small cells hidden and only for the municipality's readers."""

from __future__ import annotations

import csv
import io
import secrets
from datetime import timedelta

import pytest

from common.clock import dutch_today
from tests.reporting.events import World, at
from tests.reporting.integration.conftest import Reporting

pytestmark = pytest.mark.integration


async def test_the_funnel_counts_one_off_participants_who_went_structural_within_six_months(
    reporting: Reporting,
) -> None:
    world = World()
    centrale, code = world.centrale("funnel"), f"GM7{secrets.randbelow(900) + 100}"
    await reporting.configure({centrale: (code, "Trechtergemeente")}, [("2471", f"WK{code[2:]}01", "Centrum")])
    organisation = world.organisation(centrale, "2471", "2025-12-01", admitted="2025-12-01")
    one_off = world.task(centrale, organisation, "natuur", "2471", "2026-02-01", capacity=30, one_off=at("2026-03-14"))
    structural = world.task(centrale, organisation, "zorg", "2471", "2026-02-01", capacity=30)
    people = [world.volunteer(centrale, "2471", "2026-02-10") for _ in range(14)]
    # Twelve start with the one-off day in March (their first match).
    for person in people[:12]:
        world.match(one_off, person, at("2026-03-14"))
    # Six of them take a structural task within 6 months; one only after 7 months (does not count); five never.
    for person in people[:6]:
        world.match(structural, person, at("2026-05-01"))
    world.match(structural, people[6], at("2026-10-20"))
    # Not in the funnel: one who was structural before doing the one-off day, one who started structurally.
    world.match(structural, people[12], at("2026-01-10"))
    world.match(one_off, people[12], at("2026-03-14"))
    world.match(structural, people[13], at("2026-03-20"))
    await reporting.feed(world)
    reader = await reporting.credential("municipality_reader", centrale)
    outsider = await reporting.credential("municipality_reader", world.centrale("elders"))

    march = await reporting.json(f"/v1/municipalities/{code}/programmes", headers=reader, period="2026-03")
    quarter = await reporting.json(f"/v1/municipalities/{code}/programmes", headers=reader, period="2026-Q1")
    may = await reporting.json(f"/v1/municipalities/{code}/programmes", headers=reader, period="2026-05")

    funnel = march["funnel"]
    assert (funnel["one_off_participants"], funnel["went_structural"], funnel["not_structural"]) == (12, 6, 6)
    assert (funnel["structural_percentage"], funnel["still_open"], funnel["window_months"]) == (50.0, 0, 6)
    assert [m["one_off_participants"] for m in quarter["funnel"]["months"]] == [0, 0, 12]
    assert quarter["funnel"]["went_structural"] == 6
    assert may["funnel"]["one_off_participants"] == 0  # structural matches in May start no one
    # The CSV says the same.
    response = await reporting.http.get(
        f"/v1/municipalities/{code}/programmes.csv", params={"period": "2026-03"}, headers=reader
    )
    assert response.status_code == 200
    rows = {(r["section"], r["month"], r["figure"]): r["value"] for r in csv.DictReader(io.StringIO(response.text))}
    assert rows[("funnel", "", "one_off_participants")] == "12"
    assert rows[("funnel", "", "went_structural")] == "6"
    assert rows[("funnel", "2026-03", "not_structural")] == "6"
    # Another municipality's reader sees nothing of it.
    denied = await reporting.http.get(
        f"/v1/municipalities/{code}/programmes.csv", params={"period": "2026-03"}, headers=outsider
    )
    assert denied.status_code in (403, 404)


async def test_a_recent_one_off_cohort_is_still_open_and_small_cells_are_hidden(reporting: Reporting) -> None:
    world = World()
    centrale, code = world.centrale("recent"), f"GM6{secrets.randbelow(900) + 100}"
    await reporting.configure({centrale: (code, "Nieuwgemeente")}, [])
    started = dutch_today() - timedelta(days=3)
    moment = at(started.isoformat())
    organisation = world.organisation(centrale, "2472", "2025-12-01", admitted="2025-12-01")
    one_off = world.task(centrale, organisation, "natuur", "2472", "2025-12-02", capacity=30, one_off=moment)
    structural = world.task(centrale, organisation, "zorg", "2472", "2025-12-02", capacity=30)
    people = [world.volunteer(centrale, "2472", "2025-12-10") for _ in range(7)]
    for person in people:
        world.match(one_off, person, moment)
    for person in people[:2]:
        world.match(structural, person, moment + timedelta(hours=2))
    await reporting.feed(world)
    reader = await reporting.credential("municipality_reader", centrale)

    figures = await reporting.json(
        f"/v1/municipalities/{code}/programmes", headers=reader, period=started.isoformat()[:7]
    )

    funnel = figures["funnel"]
    # 7 participants, 2 structural already (a cell of 1-4 people: <5), 5 not yet, all of them still within their
    # 6 months; the 5 would give the 2 away as 7 - 5, so they are hidden too; no percentage from hidden figures.
    assert funnel["one_off_participants"] == 7
    assert (funnel["went_structural"], funnel["not_structural"]) == ("<5", "x")
    assert funnel["structural_percentage"] is None
