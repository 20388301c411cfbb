"""Corrected and rejected hours (issue 19) change reporting's totals exactly; a closed month keeps its figures
and the change counts in the first open month, as a late event does; a rebuild agrees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from contracts.events import HoursCorrected, HoursLogged, HoursRejected
from reporting.rebuild import rebuild_projections
from tests.reporting.events import Published, World, at
from tests.reporting.integration.conftest import Reporting

pytestmark = pytest.mark.integration


def headline(figures: dict[str, Any]) -> dict[str, Any]:
    """KPI → shown value."""
    return {item["kpi"]: item["value"] for item in figures["headline"]}


async def _six_volunteers_in_january(reporting: Reporting, world: World, code: str) -> list[HoursLogged]:
    """Six volunteers of one centrale of ``code``, each 2 hours on 20 January 2026; their entries."""
    centrale = world.centrale("h1")
    await reporting.configure({centrale: (code, "Urendorp")}, [("1234", f"WK{code[2:]}01", "Noord")])
    organisation = world.organisation(centrale, "1234", "2025-12-01", admitted="2025-12-02")
    task = world.task(centrale, organisation, "sport", "1234", "2025-12-03")
    entries = []
    for day in range(5, 11):
        match = world.match(task, world.volunteer(centrale, "1234", f"2026-01-{day:02d}"), at("2026-01-15"))
        world.hours(match, "2026-01-20", "2")
        logged = world.events[-1].event
        assert isinstance(logged, HoursLogged)
        entries.append(logged)
    await reporting.feed(world)
    return entries


def _facts(entry: HoursLogged) -> dict[str, Any]:
    return {
        name: getattr(entry, name)
        for name in ("hours_id", "match_id", "volunteer_id", "task_id", "organisation_id", "centrale_id", "theme")
    } | {"worked_on": entry.worked_on}


def corrected(entry: HoursLogged, hours: str, when: datetime, *, counted: bool = True) -> Published:
    """The registry's HoursCorrected for ``entry``, recorded ``when``."""
    event = HoursCorrected(
        **_facts(entry), previous_hours=entry.hours, hours=Decimal(hours), counted=counted, reason="typing_error",
        corrected_by="organisation", corrected_at=when,
    )  # fmt: skip
    return Published(event, entry.centrale_id, when, "/regions/testregio/registry")


def rejected(entry: HoursLogged, when: datetime, *, counted: bool = True) -> Published:
    """The registry's HoursRejected for ``entry``, recorded ``when``."""
    event = HoursRejected(
        **_facts(entry), hours=entry.hours, counted=counted, reason="not_worked", logged_by="volunteer",
        rejected_at=when,
    )  # fmt: skip
    return Published(event, entry.centrale_id, when, "/regions/testregio/registry")


async def test_a_corrected_and_a_rejected_entry_change_the_totals_exactly(reporting: Reporting) -> None:
    code = "GM0981"
    entries = await _six_volunteers_in_january(reporting, World(), code)
    before = headline(await reporting.json(f"/v1/municipalities/{code}/figures", period="2026-01"))
    assert (before["hours"], before["volunteers_active"]) == (12, 6)

    pending = HoursLogged(**{**_facts(entries[0]), "hours_id": uuid4()}, hours=Decimal("7"), logged_at=at("2026-01-21"))
    await reporting.publish([
        corrected(entries[0], "5", at("2026-01-22")),  # 2 → 5
        rejected(entries[1], at("2026-01-22")),  # 2 out: that volunteer has no hours left
        # A volunteer's entry never confirmed: reporting never counted it, so nothing changes.
        rejected(pending, at("2026-01-23"), counted=False),
        corrected(pending, "3", at("2026-01-23"), counted=False),
    ])  # fmt: skip
    await reporting.settle()

    after = headline(await reporting.json(f"/v1/municipalities/{code}/figures", period="2026-01"))
    assert (after["hours"], after["volunteers_active"]) == (12 + 3 - 2, 5)
    figures = await reporting.json(f"/v1/municipalities/{code}/figures", period="2026-01")
    [by_theme] = [t for t in figures["tables"] if t["id"] == "hours_by_theme_and_district"]
    assert {row["key"]: row["values"] for row in by_theme["rows"]} == {"sport": {f"WK{code[2:]}01": 13, "total": 13}}


async def test_a_change_to_a_closed_month_counts_in_the_first_open_month_and_a_rebuild_agrees(
    reporting: Reporting,
) -> None:
    code = "GM0982"
    base = f"/v1/municipalities/{code}"
    entries = await _six_volunteers_in_january(reporting, World(), code)
    closed = await reporting.http.post(f"{base}/reports/2026-01/close", headers=reporting.ops)
    assert closed.status_code == 200, closed.text
    frozen = closed.json()

    now = datetime.now(UTC)
    await reporting.publish([corrected(entries[2], "5", now), rejected(entries[3], now + timedelta(seconds=1))])
    await reporting.settle()

    async def figures(period: str) -> dict[str, Any]:
        return headline(await reporting.json(f"{base}/figures", period=period))

    assert await reporting.json(f"{base}/reports/2026-01") == frozen
    assert ((await figures("2026-01"))["hours"], (await figures("2026-01"))["volunteers_active"]) == (12, 6)
    assert (await figures("2026-Q1"))["hours"] == 12 + 3 - 2  # February holds +3 and -2
    rows = await reporting.pool.fetch(
        "SELECT hours, worked_on FROM hours_facts WHERE match_id = ANY($1::uuid[]) AND hours_id <> ALL($2::uuid[])"
        " ORDER BY hours",
        [e.match_id for e in entries],
        [e.hours_id for e in entries],
    )
    assert [(r["hours"], r["worked_on"].isoformat()) for r in rows] == [
        (Decimal("-2.00"), "2026-01-20"),
        (Decimal("3.00"), "2026-01-20"),
    ]

    await rebuild_projections(reporting.dsn, reporting.bootstrap, start_offsets=reporting.start_offsets)
    assert await reporting.json(f"{base}/reports/2026-01") == frozen
    assert ((await figures("2026-01"))["hours"], (await figures("2026-Q1"))["hours"]) == (12, 13)
