"""Accountability: versioned agreements, a period report against them, and closed periods that never drift."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from reporting.rebuild import rebuild_projections
from tests.reporting.events import World, at
from tests.reporting.integration.conftest import Reporting

pytestmark = pytest.mark.integration

CODE = "GM0999"
BASE = f"/v1/municipalities/{CODE}"
# The agreements test has a municipality of its own, so that the closing tests' figures are theirs alone.
OTHER = "GM0998"


def headline(figures: dict[str, Any]) -> dict[str, Any]:
    """KPI → shown value."""
    return {item["kpi"]: item["value"] for item in figures["headline"]}


async def _january(reporting: Reporting, world: World, code: str = CODE) -> str:
    """Six volunteers registered in January 2026, matched, each 2 hours on 20 January; returns the centrale."""
    centrale = world.centrale("f1")
    await reporting.configure({centrale: (code, "Testdorp")}, [("1234", f"WK{code[2:]}01", "Noord")])
    organisation = world.organisation(centrale, "1234", "2025-12-01", admitted="2025-12-02")
    task = world.task(centrale, organisation, "sport", "1234", "2025-12-03")
    for day in range(5, 11):
        match = world.match(task, world.volunteer(centrale, "1234", f"2026-01-{day:02d}"), at("2026-01-15"))
        world.hours(match, "2026-01-20", "2")
    await reporting.feed(world)
    return centrale


async def test_agreements_are_versioned_and_reports_compare_actuals_with_the_latest(reporting: Reporting) -> None:
    world = World()
    await _january(reporting, world, OTHER)
    first: dict[str, Any] = {"title": "Subsidieafspraak 2026-01", "kpis": [
        {"kpi": "volunteers_new", "target": 5}, {"kpi": "hours", "target": 20},
        {"kpi": "volunteers_active", "target": 6, "district": "WK099801"},
        {"kpi": "days_to_first_match_median", "target": 30},
    ], "districts": ["WK099801"]}  # fmt: skip
    second = {**first, "kpis": [{**k, "target": 10} if k["kpi"] == "hours" else k for k in first["kpis"]]}

    url = f"/v1/municipalities/{OTHER}/agreements/2026-01"
    stored = [await reporting.http.put(url, json=body, headers=reporting.ops) for body in (first, second)]

    assert [(r.status_code, r.json()["version"]) for r in stored] == [(201, 1), (201, 2)]
    versions = await reporting.json(f"/v1/municipalities/{OTHER}/agreements")
    assert [(a["period"], a["version"]) for a in versions] == [("2026-01", 2), ("2026-01", 1)]
    old = await reporting.json(f"/v1/municipalities/{OTHER}/agreements/2026-01", version="1")
    assert [k["target"] for k in old["kpis"] if k["kpi"] == "hours"] == [20]
    report = await reporting.json(f"/v1/municipalities/{OTHER}/reports/2026-01")
    assert (report["status"], report["agreement"]["version"], report["municipality_name"]) == (
        "provisional",
        2,
        "Testdorp",
    )
    assert [
        (t["kpi"], t["district"], t["target"], t["actual"], t["direction"], t["met"]) for t in report["targets"]
    ] == [
        ("volunteers_new", None, 5, 6, "at_least", True),
        ("hours", None, 10, 12, "at_least", True),
        ("volunteers_active", "WK099801", 6, 6, "at_least", True),
        ("days_to_first_match_median", None, 30, 43.0, "at_most", False),  # posted 3 Dec, first match 15 Jan
    ]


async def test_bad_agreements_and_periods_get_field_level_422s(reporting: Reporting) -> None:
    await reporting.configure({World().centrale("g1"): ("GM0997", "Elders")}, [("1235", "WK099701", "Zuid")])

    async def put(period: str, body: dict[str, Any]) -> tuple[int, list[Any]]:
        response = await reporting.http.put(
            f"/v1/municipalities/GM0997/agreements/{period}", json=body, headers=reporting.ops
        )
        return response.status_code, [d["loc"] for d in response.json()["detail"]]

    good = {"title": "t", "kpis": [{"kpi": "hours", "target": 1}]}
    assert await put("2026-01", {**good, "kpis": [{"kpi": "happiness", "target": 1}]}) == (
        422, [["body", "kpis", 0, "kpi"]]
    )  # fmt: skip
    assert await put("2026-01", {**good, "kpis": [{"kpi": "hours", "target": -1}]}) == (
        422, [["body", "kpis", 0, "target"]]
    )  # fmt: skip
    assert await put("2026-01", {**good, "kpis": [{"kpi": "hours", "target": 1, "district": "WK034401"}]}) == (
        422, [["body", "kpis", 0, "district"]]  # a wijk of Utrecht, not of this municipality
    )  # fmt: skip
    assert await put("2026-13", good) == (422, [["path", "period"]])
    figures = await reporting.http.get(
        "/v1/municipalities/GM0997/figures", params={"period": "last year"}, headers=reporting.ops
    )
    assert (figures.status_code, figures.json()["detail"][0]["loc"]) == (422, ["query", "period"])
    unknown = await reporting.http.put("/v1/municipalities/GM0001/agreements/2026", json=good, headers=reporting.ops)
    assert unknown.status_code == 404


async def test_a_closed_period_keeps_its_figures_and_late_events_count_in_the_next_month(reporting: Reporting) -> None:
    world = World()
    centrale = await _january(reporting, world)
    provisional = await reporting.json(f"{BASE}/reports/2026-01")

    closed = await reporting.http.post(f"{BASE}/reports/2026-01/close", headers=reporting.ops)

    assert closed.status_code == 200, closed.text
    frozen = closed.json()
    assert (frozen["status"], frozen["closed_by"]) == ("closed", "region_ops")
    assert headline(frozen["figures"]) == headline(provisional["figures"])
    assert (headline(frozen["figures"])["volunteers_new"], headline(frozen["figures"])["hours"]) == (6, 12)

    # Late: five January volunteers, matched and working in January, recorded only now.
    now = datetime.now(UTC)
    organisation = world.organisation(centrale, "1234", "2025-12-01", admitted="2025-12-02")
    task = world.task(centrale, organisation, "natuur", "1234", "2025-12-04")
    for index in range(5):
        volunteer = world.volunteer(centrale, "1234", "2026-01-25", recorded=now + timedelta(seconds=index))
        match = world.match(task, volunteer, at("2026-01-26"))
        world.hours(match, "2026-01-27", "2", recorded=now + timedelta(seconds=10 + index))
    await reporting.feed(world)

    again = await reporting.json(f"{BASE}/reports/2026-01")
    assert again == frozen
    january = headline(await reporting.json(f"{BASE}/figures", period="2026-01"))
    assert (january["volunteers_new"], january["hours"], january["volunteers_active"]) == (6, 12, 6)
    february = headline(await reporting.json(f"{BASE}/figures", period="2026-02"))
    assert (february["volunteers_new"], february["hours"], february["volunteers_active"]) == (5, 10, 5)
    html = await reporting.http.get(f"{BASE}/reports/2026-01/report.html", headers=reporting.ops)
    assert "Vastgestelde cijfers, afgesloten op" in html.text

    # A rebuild books every event the same way: January stays as it was closed, February keeps the late ones.
    await rebuild_projections(reporting.dsn, reporting.bootstrap, start_offsets=reporting.start_offsets)
    assert await reporting.json(f"{BASE}/reports/2026-01") == frozen
    assert headline(await reporting.json(f"{BASE}/figures", period="2026-02"))["hours"] == 10
    assert headline(await reporting.json(f"{BASE}/figures", period="2026-01"))["hours"] == 12


async def test_periods_close_once_in_order_and_only_when_over(reporting: Reporting) -> None:
    async def close(period: str) -> int:
        return (await reporting.http.post(f"{BASE}/reports/{period}/close", headers=reporting.ops)).status_code

    assert await close("2026-01") == 409  # closed in the test before
    assert await close("2026-03") == 409  # February would be left open in between
    assert await close(f"{datetime.now(UTC).year + 1}") == 409  # not over
    assert await close("2026-02") == 200
    assert await close("2026-01..2026-02") == 409  # its months were closed already
    assert await close("2026-Q1") == 200  # the quarter's report, with March now closed too
    reader = await reporting.credential("municipality_reader", centrale_id=next(iter(
        await reporting.json("/v1/ops/centrales")))["centrale_id"])  # fmt: skip
    refused = await reporting.http.post(f"{BASE}/reports/2026-03/close", headers=reader)
    assert refused.status_code == 403
