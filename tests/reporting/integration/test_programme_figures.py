"""The programmes' figures on real Kafka and PostgreSQL: Beursvloer deals, how many were carried out and the hours
given, per municipality and period; a training's reach per audience with small cells hidden, exactly."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from common.ops.groups import end_offsets, wait_until_caught_up
from contracts import Event
from contracts.events import BeursvloerDealFollowedUp, BeursvloerDealMade, TrainingAttendanceRecorded
from tests.reporting.events import Published, at
from tests.reporting.integration.conftest import TOPICS, Reporting, running_reporting

pytestmark = pytest.mark.integration

PROGRAMME_TOPICS = sorted({BeursvloerDealMade.topic, TrainingAttendanceRecorded.topic})


@pytest.fixture(scope="module")
async def reporting(kafka_bootstrap: str, postgres_server_dsn: str) -> AsyncIterator[Reporting]:
    """A reporting service of its own, starting at the end of every topic it reads (the programmes' too)."""
    start = await end_offsets(kafka_bootstrap, [*TOPICS, *PROGRAMME_TOPICS])
    async with running_reporting(kafka_bootstrap, postgres_server_dsn, start) as service:
        yield service


async def _apply(reporting: Reporting, events: list[Event], centrale: str) -> None:
    await reporting.publish([Published(e, centrale, at("2026-12-31"), "/regions/testregio/registry") for e in events])
    ends = await end_offsets(reporting.bootstrap, [*TOPICS, *PROGRAMME_TOPICS])
    await wait_until_caught_up(reporting.bootstrap, reporting.group, ends, timeout=60)


def _deal(
    centrale: str, made: str, category: str, hours: str | None, event_id: UUID | None = None
) -> BeursvloerDealMade:
    return BeursvloerDealMade(
        deal_id=uuid4(), centrale_id=centrale, event_id=event_id, partner_id=uuid4(), organisation_id=uuid4(),
        category=category, hours=Decimal(hours) if hours else None, due_on=date(2027, 1, 15), confirmed_by="staff",
        made_at=at(made, 18),
    )  # fmt: skip


def _followed_up(deal: BeursvloerDealMade, outcome: str, hours: str | None) -> BeursvloerDealFollowedUp:
    return BeursvloerDealFollowedUp(
        deal_id=deal.deal_id, centrale_id=deal.centrale_id, event_id=deal.event_id, partner_id=deal.partner_id,
        organisation_id=deal.organisation_id, category=deal.category, outcome=outcome,
        hours_given=Decimal(hours) if hours is not None else None, settled_by="parties",
        followed_up_at=at("2026-12-20"),
    )  # fmt: skip


def _attended(
    centrale: str, training_id: UUID, day: str, *, organisation: UUID | None = None, participants: int = 1,
    attended: bool = True, booking_id: UUID | None = None, recorded: str = "2026-12-01",
) -> TrainingAttendanceRecorded:  # fmt: skip
    return TrainingAttendanceRecorded(
        training_id=training_id, booking_id=booking_id or uuid4(), centrale_id=centrale,
        audience="organisations" if organisation else "volunteers", volunteer_id=None if organisation else uuid4(),
        organisation_id=organisation, participants=participants if attended else 0, attended=attended,
        attended_on=date.fromisoformat(day), recorded_at=at(recorded),
    )  # fmt: skip


async def test_deals_fulfilment_hours_and_a_trainings_reach_per_municipality_and_period(reporting: Reporting) -> None:
    centrale, elsewhere = f"vc-{secrets.token_hex(4)}", f"vc-{secrets.token_hex(4)}"
    code, other_code = f"GM9{secrets.randbelow(900) + 100}", "GM0001"
    await reporting.configure({centrale: (code, "Testgemeente"), elsewhere: (other_code, "Elders")}, [])
    evening = uuid4()
    painting = _deal(centrale, "2026-10-08", "hands", "12", evening)
    laptops = _deal(centrale, "2026-10-08", "goods", None, evening)
    advice = _deal(centrale, "2026-11-02", "knowledge", "4")
    pending = _deal(centrale, "2026-11-20", "hands", "8")
    before = _deal(centrale, "2026-09-30", "hands", "6")
    deal_events: list[Event] = [
        painting, laptops, advice, pending, before, painting,  # a redelivered DealMade changes nothing
        _followed_up(painting, "done", "12"), _followed_up(laptops, "partly", None), _followed_up(advice, "not", "0"),
        _deal(elsewhere, "2026-10-09", "hands", "5"),
    ]  # fmt: skip
    dementia, language = uuid4(), uuid4()
    corrected = uuid4()
    training_events: list[Event] = [
        *(_attended(centrale, dementia, "2026-10-15") for _ in range(6)),
        _attended(centrale, dementia, "2026-10-15", organisation=uuid4(), participants=5),
        _attended(centrale, dementia, "2026-10-15", attended=False),
        _attended(centrale, dementia, "2026-10-15", booking_id=corrected),
        _attended(centrale, dementia, "2026-10-15", booking_id=corrected, attended=False, recorded="2026-12-02"),
        *(_attended(centrale, language, "2026-12-03") for _ in range(3)),
    ]
    await _apply(reporting, deal_events + training_events, centrale)

    figures = await reporting.json(f"/v1/municipalities/{code}/programmes", period="2026-Q4")

    assert figures["scope"] == {"kind": "municipality", "id": code, "name": "Testgemeente"}
    beursvloer = figures["beursvloer"]
    assert {k: v for k, v in beursvloer.items() if k != "months"} == {
        "deals_made": 4,
        "followed_up": 3,
        "done": 1,
        "partly": 1,
        "not": 1,
        "hours_given": 12,
        "carried_out_percentage": 66.7,
        "deals_by_category": {"goods": 1, "knowledge": 1, "hands": 2},
        "evenings": 1,
    }
    assert [
        (m["month"], m["deals_made"], m["followed_up"], m["done"], m["hours_given"]) for m in beursvloer["months"]
    ] == [
        ("2026-10", 2, 2, 1, 12),
        ("2026-11", 2, 1, 0, 0),
        ("2026-12", 0, 0, 0, 0),
    ]
    trainings = figures["trainings"]
    assert (trainings["trainings_held"], trainings["organisations_reached"]) == (2, 1)
    assert trainings["participants"] == {"total": 14, "volunteers": 9, "organisations": 5}
    # December's 3 volunteers are a small cell; October's volunteers (and so October's total) would give it
    # away by subtraction from the quarter, so they are hidden too.
    assert [(m["month"], m["participants"]) for m in trainings["months"]] == [
        ("2026-10", {"total": "x", "volunteers": "x", "organisations": 5}),
        ("2026-11", {"total": 0, "volunteers": 0, "organisations": 0}),
        ("2026-12", {"total": "<5", "volunteers": "<5", "organisations": 0}),
    ]
    assert await reporting.json(f"/v1/centrales/{centrale}/programmes", period="2026-Q4") | {"scope": None} == (
        figures | {"scope": None}
    )
    other = await reporting.json(f"/v1/municipalities/{other_code}/programmes", period="2026-Q4")
    assert (other["beursvloer"]["deals_made"], other["trainings"]["participants"]["total"]) == (1, 0)
    september = await reporting.json(f"/v1/centrales/{centrale}/programmes", period="2026-09")
    assert (september["beursvloer"]["deals_made"], september["beursvloer"]["carried_out_percentage"]) == (1, None)


async def test_only_the_municipalitys_readers_and_staff_see_its_programmes(reporting: Reporting) -> None:
    centrale, code = f"vc-{secrets.token_hex(4)}", f"GM8{secrets.randbelow(900) + 100}"
    await reporting.configure({centrale: (code, "Leesgemeente")}, [])
    reader = await reporting.credential("municipality_reader", centrale)
    outsider = await reporting.credential("centrale_staff", f"vc-{secrets.token_hex(4)}")
    partner = await reporting.credential("business_partner", None, uuid4())

    ok = await reporting.http.get(f"/v1/municipalities/{code}/programmes", params={"period": "2026"}, headers=reader)
    hidden = await reporting.http.get(
        f"/v1/municipalities/{code}/programmes", params={"period": "2026"}, headers=outsider
    )
    forbidden = await reporting.http.get(
        f"/v1/municipalities/{code}/programmes", params={"period": "2026"}, headers=partner
    )
    region = await reporting.http.get("/v1/region/programmes", params={"period": "2026"}, headers=reader)
    bad = await reporting.http.get(
        f"/v1/municipalities/{code}/programmes", params={"period": "2026-Q5"}, headers=reader
    )

    assert (ok.status_code, hidden.status_code, forbidden.status_code, region.status_code) == (200, 404, 403, 403)
    assert ok.json()["beursvloer"]["deals_made"] == 0
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "period"]
