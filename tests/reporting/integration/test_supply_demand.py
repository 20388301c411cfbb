"""Issue 19: supply against demand per municipality, wijk and theme, on real Kafka and PostgreSQL, exactly.

Vraagdorp (GM0980) has two wijken: Noord (PC4 2801, 2802) and Zuid (2811), about 10-11 km apart.

Tasks, all posted 5 October 2026: T1 zorg in Noord, 14 places, 2 h/week; T2 zorg in Zuid, 3 places, 3 h/week
(a volunteer asked for it on 7 October; filled on 20 November); T3 taal in Noord, 2 places, 1 h/week
(proposed on 6 October); T4 sport in Noord, 1 place, 4 h/week (nobody until November).

Volunteers, registered 1 October: V1-V6 in 2801, interest zorg, at most 5 km (Noord only); V7 in 2801,
interest zorg and the skill taalles (which ops say fits taal: two themes), at most 20 km (both wijken); V8
in Zuid, interest zorg, at most 2 km: Noord lies beyond their maximum; V9 in 2801, interest zorg, no maximum;
V10 in Zuid, interest taal, at most 1 km.

October: V1 matched to T1. November: V2 and V3 matched to T1; V4 matched to T1, T3 and T4 (three running
matches: no room for more, so not available); V6 erased on 10 November.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.reporting.events import World, at
from tests.reporting.integration.conftest import Reporting, running_reporting

pytestmark = pytest.mark.integration

CODE = "GM0980"
NOORD, ZUID = "WK098001", "WK098002"
BASE = f"/v1/municipalities/{CODE}"


@dataclass
class Vraagdorp:
    """The service holding the scenario, and the centrale's id."""

    service: Reporting
    centrale: str


@pytest.fixture(scope="module")
async def vraagdorp(kafka_bootstrap: str, postgres_server_dsn: str) -> AsyncIterator[Vraagdorp]:
    async with running_reporting(kafka_bootstrap, postgres_server_dsn) as service:
        world = World()
        centrale = world.centrale("v1")
        await service.configure(
            {centrale: (CODE, "Vraagdorp")},
            [("2801", NOORD, "Noord"), ("2802", NOORD, "Noord"), ("2811", ZUID, "Zuid")],
        )
        areas = [{"pc4": "2801", "lat": 52.00, "lon": 5.00}, {"pc4": "2802", "lat": 52.01, "lon": 5.00},
                 {"pc4": "2811", "lat": 52.10, "lon": 5.00}]  # fmt: skip
        loaded = await service.http.put("/v1/ops/postcode-areas", json=areas, headers=service.ops)
        assert loaded.status_code == 200, loaded.text
        skills = {"themes": {"taal": ["taalles"], "zorg": ["ehbo"]}}
        fitted = await service.http.put("/v1/ops/theme-skills", json=skills, headers=service.ops)
        assert fitted.json() == {"taal": ["taalles"], "zorg": ["ehbo"]}

        organisation = world.organisation(centrale, "2801", "2026-09-01", admitted="2026-09-02")
        t1 = world.task(centrale, organisation, "zorg", "2801", "2026-10-05", capacity=14, hours_per_week=2)
        t2 = world.task(centrale, organisation, "zorg", "2811", "2026-10-05", capacity=3, hours_per_week=3)
        t3 = world.task(centrale, organisation, "taal", "2802", "2026-10-05", capacity=2, hours_per_week=1)
        t4 = world.task(centrale, organisation, "sport", "2801", "2026-10-05", capacity=1, hours_per_week=4)
        v = [world.volunteer(centrale, "2801", "2026-10-01", interests=("zorg",), max_distance_km=5) for _ in range(6)]
        v7 = world.volunteer(
            centrale, "2801", "2026-10-01", interests=("zorg",), skills=("taalles",), max_distance_km=20
        )
        v8 = world.volunteer(centrale, "2811", "2026-10-01", interests=("zorg",), max_distance_km=2)
        world.volunteer(centrale, "2801", "2026-10-01", interests=("zorg",))
        v10 = world.volunteer(centrale, "2811", "2026-10-01", interests=("taal",), max_distance_km=1)
        world.proposal(t3, v7, at("2026-10-06"), via="matching")
        world.proposal(t2, v8, at("2026-10-07"))
        world.match(t1, v[0], at("2026-10-10"))
        world.match(t1, v[1], at("2026-11-05"))
        world.match(t1, v[2], at("2026-11-05"))
        for task in (t1, t3, t4):
            world.match(task, v[3], at("2026-11-06"))
        world.erase(v[5], "2026-11-10")
        world.close(t2, "filled", "2026-11-20")
        assert v10  # lives in Zuid, fits taal only
        await service.feed(world)
        yield Vraagdorp(service, centrale)


def table(figures: dict[str, Any], table_id: str) -> dict[str, dict[str, Any]]:
    """Row key → values of one table (its total row under ``total``)."""
    [found] = [t for t in figures["tables"] if t["id"] == table_id]
    rows = {row["key"]: row["values"] for row in found["rows"]}
    if found["total"]:
        rows[found["total"]["key"]] = found["total"]["values"]
    return rows


def pick(values: dict[str, Any], *keys: str) -> tuple[Any, ...]:
    return tuple(values[key] for key in keys)


DEMAND = ("places_open", "hours_asked", "tasks_unanswered", "supply", "ratio")


async def test_october_demand_and_supply_per_theme(vraagdorp: Vraagdorp) -> None:
    figures = await vraagdorp.service.json(f"{BASE}/figures", period="2026-10")

    by_theme = table(figures, "supply_demand")
    # zorg: T1 14 - V1 = 13 places + T2 3 = 16; 13 x 2 + 3 x 3 = 35 h; V1-V9 fit (V7 too), 9 of them.
    assert pick(by_theme["zorg"], *DEMAND) == (16, 35, 0, 9, 0.56)
    # taal: T3's 2 places, proposed already; V7 (skill) and V10 (interest): 2 people, shown as <5.
    assert pick(by_theme["taal"], *DEMAND) == (2, 2, 0, "<5", "<5")
    assert pick(by_theme["sport"], *DEMAND) == (1, 4, 1, 0, 0)
    # Any theme: V1-V10 once each, however many themes or wijken they fit.
    assert pick(by_theme["total"], *DEMAND) == (19, 41, 1, 10, 0.53)
    # Four tasks posted; three volunteers put forward within 30 days (T1's match, T2's and T3's proposals).
    assert pick(by_theme["total"], "demand_tasks_posted", "demand_responses", "responses_per_task") == (4, "<5", "<5")


async def test_the_wijk_cells_count_who_lives_within_their_own_reach(vraagdorp: Vraagdorp) -> None:
    figures = await vraagdorp.service.json(f"{BASE}/figures", period="2026-10")

    gaps = table(figures, "supply_demand_gaps")
    # Noord/zorg: V1-V7 and V9 (V8 lives 10 km off and goes 2 km at most); Zuid/zorg: V7, V8, V9 (<5).
    assert list(gaps) == [f"{NOORD}:zorg", f"{ZUID}:zorg", f"{NOORD}:taal", f"{NOORD}:sport"]
    assert pick(gaps[f"{NOORD}:zorg"], "places_open", "supply", "gap") == (13, 8, 5)
    assert pick(gaps[f"{ZUID}:zorg"], "places_open", "supply", "gap") == (3, "<5", "<5")
    assert pick(gaps[f"{NOORD}:taal"], "places_open", "supply", "gap") == (2, "<5", "<5")  # only V7 reaches
    assert pick(gaps[f"{NOORD}:sport"], "places_open", "supply", "gap") == (1, 0, 1)
    assert table(figures, "supply_demand_waiting") == {f"{ZUID}:taal": {"places_open": 0, "supply": "<5", "gap": "<5"}}


async def test_november_shows_the_trend_after_matches_an_erasure_and_a_filled_task(vraagdorp: Vraagdorp) -> None:
    november = await vraagdorp.service.json(f"{BASE}/figures", period="2026-11")
    both = await vraagdorp.service.json(f"{BASE}/figures", period="2026-10..2026-11")

    by_theme = table(november, "supply_demand")
    # T1 14 - V1-V4 = 10 places, T2 filled; V4 has three running matches and V6 was erased: 7 fit zorg.
    assert pick(by_theme["zorg"], *DEMAND) == (10, 20, 0, 7, 0.7)
    assert "sport" not in by_theme  # V4 took T4's place: answered and full, nothing left to show
    assert pick(by_theme["total"], *DEMAND) == (11, 21, 0, 8, 0.73)
    assert by_theme["zorg"]["days_to_fill_median"] == 46.0  # T2: 5 October 12:00 to 20 November 11:00
    trend = table(both, "supply_demand_trend")
    assert trend == {
        "2026-10": {"places_open": 19, "supply": 10, "ratio": 0.53},
        "2026-11": {"places_open": 11, "supply": 8, "ratio": 0.73},
    }
    gaps = table(november, "supply_demand_gaps")
    assert list(gaps) == [f"{NOORD}:zorg", f"{NOORD}:taal"]
    assert pick(gaps[f"{NOORD}:zorg"], "places_open", "supply", "gap") == (10, 6, 4)
    assert list(table(november, "supply_demand_waiting")) == [f"{ZUID}:taal", f"{ZUID}:zorg"]


async def test_the_report_reads_it_in_plain_dutch_and_the_csv_and_chart_carry_it(vraagdorp: Vraagdorp) -> None:
    service = vraagdorp.service
    page = (await service.http.get(f"{BASE}/reports/2026-10..2026-11/report.html", headers=service.ops)).text
    assert "In Noord zijn 10 plekken in zorg open en 6 passende vrijwilligers beschikbaar." in page
    assert "In Zuid wachten minder dan 5 passende vrijwilligers op een taak in taal" in page
    assert "eind november 2026 0,73 passende vrijwilligers per open plek, meer dan eind oktober 2026 (0,53)" in page
    # The same sentences come with the municipality's figures (the portal's municipality pages show them).
    figures = await service.json(f"{BASE}/figures", period="2026-10..2026-11")
    assert "In Noord zijn 10 plekken in zorg open en 6 passende vrijwilligers beschikbaar." in figures["readings"]
    assert any("0,73 passende vrijwilligers per open plek" in sentence for sentence in figures["readings"])
    region = await service.json("/v1/region/figures", period="2026-10..2026-11")
    assert region["readings"] == []
    response = await service.http.get(f"{BASE}/figures.csv", params={"period": "2026-10"}, headers=service.ops)
    rows = {(r["table"], r["row_key"], r["column_key"]): r["value"] for r in csv.DictReader(io.StringIO(response.text))}
    assert rows[("supply_demand", "zorg", "supply")] == "9"
    assert rows[("supply_demand", "taal", "supply")] == "<5"
    assert rows[("supply_demand_gaps", f"{NOORD}:zorg", "gap")] == "5"
    chart = await service.http.get(f"{BASE}/charts/supply-demand.svg", params={"period": "2026-10"},
                                   headers=service.ops)  # fmt: skip
    assert chart.status_code == 200
    assert "zorg: 16 plekken, 9 vrijwilligers" in chart.text
    assert "taal: 2 plekken, &lt;5 vrijwilligers" in chart.text
    top = await service.http.get(f"{BASE}/charts/top-gaps.svg", params={"period": "2026-10"}, headers=service.ops)
    assert "Noord, zorg: 13 plekken, 8 vrijwilligers" in top.text
    # REPORTING_SAMPLE_OUT=<dir> keeps a copy: the charts in services/reporting/docs/sample/ were made this way.
    if sample := os.environ.get("REPORTING_SAMPLE_OUT"):
        for name, text in (("supply-demand", chart.text), ("top-gaps", top.text)):
            (Path(sample) / f"{CODE}-2026-10-{name}.svg").write_text(text)
        (Path(sample) / f"{CODE}-2026-10-2026-11.html").write_text(page)


async def test_supply_and_demand_follow_the_roles(vraagdorp: Vraagdorp) -> None:
    service = vraagdorp.service
    reader = await service.credential("municipality_reader", centrale_id=vraagdorp.centrale)
    other = await service.credential("municipality_reader", centrale_id=World().centrale("elders"))
    own = await service.json(f"{BASE}/figures", reader, period="2026-10")
    assert table(own, "supply_demand")["zorg"]["supply"] == 9
    elsewhere = await service.http.get(f"{BASE}/figures", params={"period": "2026-10"}, headers=other)
    assert elsewhere.status_code == 404
    region = await service.json("/v1/region/figures", period="2026-10")
    assert pick(table(region, "supply_demand")["total"], "places_open", "supply") == (19, 10)
    centrale = await service.json(f"/v1/centrales/{vraagdorp.centrale}/figures", period="2026-10")
    assert not any(t["id"].startswith("supply_demand") for t in centrale["tables"])  # a matter of places
