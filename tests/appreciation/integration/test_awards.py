"""Awards: rules react to hours, matches, age and dates; each award once, whatever is delivered twice."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import asyncpg
import pytest

from appreciation import domain
from appreciation.handlers import hours_entry, on_hours_logged
from appreciation.unit_of_work import PostgresAppreciationUnitOfWork
from appreciation.use_cases import awards
from appreciation.use_cases.hours import RecordHours, record_hours
from common.clock import SystemClock, dutch_today
from common.consumer import BatchContext
from common.uow import Origin
from contracts import EventEnvelope
from contracts.events import VolunteerDayHoursLogged, VolunteerErased, VolunteerRegistered
from tests.appreciation.integration.conftest import REGION, Appreciation
from tests.support.transactions import second_waits_for_first

pytestmark = pytest.mark.integration


async def _matched_volunteer(app: Appreciation, centrale_id: str, **volunteer: object) -> tuple[UUID, object]:
    volunteer_id = await app.volunteer(centrale_id, **volunteer)  # type: ignore[arg-type]
    organisation_id = await app.organisation(centrale_id)
    task_id = await app.task(centrale_id, organisation_id, "ouderen", ["koken"])
    return volunteer_id, await app.match(centrale_id, volunteer_id, organisation_id, task_id)


async def test_hours_crossing_a_milestone_award_it_once_even_when_the_event_is_delivered_twice(
    appreciation: Appreciation,
) -> None:
    centrale_id, staff = await appreciation.new_centrale()
    volunteer_id, match = await _matched_volunteer(appreciation, centrale_id)
    await appreciation.publish_applied(appreciation.hours(match, "6"), centrale_id)  # type: ignore[arg-type]
    assert [a["rule_id"] for a in await appreciation.awards(volunteer_id)] == ["first-match"]

    crossing = appreciation.hours(match, "13")  # type: ignore[arg-type]
    first = await appreciation.publish(crossing, centrale_id)
    redelivered = await appreciation.publish(crossing, centrale_id, envelope=first.envelope)  # same event id
    # The registry publishing the same entry again (a new event id): counted once all the same. Counted
    # twice, the 32 hours would cross the 25-hour milestone too.
    republished = await appreciation.publish(crossing, centrale_id)
    await appreciation.applied(first, redelivered, republished)

    awards = await appreciation.awards(volunteer_id)
    assert sorted(a["rule_id"] for a in awards) == ["first-match", "hours-10"]
    hours_10 = next(a for a in awards if a["rule_id"] == "hours-10")
    assert hours_10["trigger_event_id"] == first.envelope.id
    assert hours_10["award_id"] == domain.award_id_for(centrale_id, "hours-10", volunteer_id, "")
    published = await appreciation.published_awards(volunteer_id)
    assert len(published) == 2
    payloads = [json.loads(record.value) for record in published]
    assert sorted(p["rule_id"] for p in payloads) == ["first-match", "hours-10"]
    for record, payload in zip(published, payloads, strict=True):
        envelope = EventEnvelope.from_headers(record.headers)
        assert str(envelope.id) == payload["award_id"]  # the event id is the award id
        assert envelope.tenant == centrale_id
    crossing_award = next(p for p in payloads if p["rule_id"] == "hours-10")
    assert crossing_award | {"awarded_at": None} == {
        "award_id": str(hours_10["award_id"]),
        "recipient_id": str(volunteer_id),
        "recipient_kind": "volunteer",
        "centrale_id": centrale_id,
        "rule_id": "hours-10",
        "rule_kind": "hours_milestone",
        "title": "10 uur vrijwillige inzet",
        "trigger_event_id": str(first.envelope.id),
        "trigger_event_type": "nl.vrijwilligerscentrale.hours.logged.v1",
        "awarded_at": None,
        "historic": False,  # hours logged on the platform: thanked now, not history
    }
    record = await appreciation.http.get(
        f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/appreciation", headers=staff
    )
    assert record.status_code == 200, record.text
    assert Decimal(record.json()["total_hours"]) == Decimal("19")


async def test_mdt_nldoet_and_anniversary_follow_age_dates_and_windows(appreciation: Appreciation) -> None:
    centrale_id, _ = await appreciation.new_centrale()
    two_years_ago = datetime.now(UTC) - timedelta(days=800)
    young, young_match = await _matched_volunteer(
        appreciation, centrale_id, age_band="18-20", registered_at=two_years_ago
    )
    older, older_match = await _matched_volunteer(appreciation, centrale_id, age_band="30-49")
    for match in (young_match, older_match):
        # 40 hours on NLdoet 2026 and 45 within two months after: 85 hours inside half a year.
        for entry in (
            appreciation.hours(match, "20", date(2026, 3, 13)),  # type: ignore[arg-type]
            appreciation.hours(match, "20", date(2026, 3, 14)),  # type: ignore[arg-type]
            appreciation.hours(match, "22.5", date(2026, 4, 20)),  # type: ignore[arg-type]
            appreciation.hours(match, "22.5", date(2026, 5, 11)),  # type: ignore[arg-type]
        ):
            await appreciation.publish_applied(entry, centrale_id)

    young_awards = {a["rule_id"]: a for a in await appreciation.awards(young)}
    assert set(young_awards) == {
        "first-match",
        "hours-10",
        "hours-25",
        "hours-50",
        "nldoet",
        "mdt-basis",
        "anniversary-1",
    }
    assert young_awards["nldoet"]["title"] == "Meegedaan aan NLdoet 2026"
    assert young_awards["nldoet"]["occurrence"] == "2026"
    # Not MDT age, registered today: no MDT, no anniversary.
    assert {a["rule_id"] for a in await appreciation.awards(older)} == {
        "first-match",
        "hours-10",
        "hours-25",
        "hours-50",
        "nldoet",
    }


async def test_the_anniversary_is_awarded_whether_the_hours_or_the_registration_arrive_first(
    appreciation: Appreciation,
) -> None:
    centrale_id, _ = await appreciation.new_centrale()
    organisation_id = await appreciation.organisation(centrale_id)
    task_id = await appreciation.task(centrale_id, organisation_id, "ouderen", ["koken"])
    registered_at = datetime.now(UTC) - timedelta(days=800)

    async def register(volunteer_id: UUID) -> None:
        # Published when it happened, as the registry does: the event is dated more than two years ago.
        event = VolunteerRegistered(
            volunteer_id=volunteer_id,
            centrale_id=centrale_id,
            age_band="30-49",
            registered_at=registered_at,
            appreciation_messages_consent=True,
        )
        envelope = EventEnvelope(
            source=f"/regions/{REGION}/registry",
            type=event.event_type,
            subject=event.subject(),
            tenant=centrale_id,
            region=REGION,
            time=registered_at,
        )
        await appreciation.applied(await appreciation.publish(event, centrale_id, envelope))

    async def work(volunteer_id: UUID) -> None:
        match = await appreciation.match(centrale_id, volunteer_id, organisation_id, task_id)
        await appreciation.publish_applied(appreciation.hours(match, "3"), centrale_id)  # worked yesterday

    registration_first, hours_first = uuid4(), uuid4()
    await register(registration_first)
    await work(registration_first)
    # The other topics' events first: the registration (another topic) can be applied after them.
    await work(hours_first)
    await register(hours_first)

    earned = {"first-match", "anniversary-1"}
    assert {a["rule_id"] for a in await appreciation.awards(registration_first)} == earned
    assert {a["rule_id"] for a in await appreciation.awards(hours_first)} == earned


async def test_staff_manage_rules_and_a_switched_off_rule_awards_nothing(appreciation: Appreciation) -> None:
    centrale_id, staff = await appreciation.new_centrale()
    other_centrale, other_staff = await appreciation.new_centrale()
    rules_path = f"/v1/centrales/{centrale_id}/rules"

    defaults = (await appreciation.http.get(rules_path, headers=staff)).json()
    assert {r["rule_id"] for r in defaults} >= {"first-match", "hours-10", "hours-1000", "anniversary-10", "mdt-plus"}
    assert next(r for r in defaults if r["rule_id"] == "mdt-basis")["params"]["within_months"] == 6

    off = await appreciation.http.patch(f"{rules_path}/hours-10", json={"active": False}, headers=staff)
    assert off.status_code == 200
    assert off.json()["active"] is False
    added = await appreciation.http.post(
        rules_path,
        json={"rule_id": "hours-15", "kind": "hours_milestone", "title": "15 uur!", "params": {"hours": 15}},
        headers=staff,
    )
    assert added.status_code == 201, added.text
    again = await appreciation.http.post(
        rules_path, json={"rule_id": "hours-15", "kind": "first_match", "title": "dubbel"}, headers=staff
    )
    assert again.status_code == 409

    bad_params = await appreciation.http.post(
        rules_path,
        json={"rule_id": "neg", "kind": "hours_milestone", "title": "Negatief", "params": {"hours": -1}},
        headers=staff,
    )
    assert bad_params.status_code == 422
    [issue] = bad_params.json()["detail"]
    assert issue["loc"] == ["body", "params"]
    assert issue["msg"].startswith("hours:")
    unknown_kind = await appreciation.http.post(
        rules_path, json={"rule_id": "x-1", "kind": "payment", "title": "Geld"}, headers=staff
    )
    assert unknown_kind.status_code == 422
    assert unknown_kind.json()["detail"][0]["loc"] == ["body", "kind"]
    wrong_param = await appreciation.http.patch(f"{rules_path}/nldoet", json={"params": {"hours": 3}}, headers=staff)
    assert wrong_param.status_code == 422
    cross_tenant = await appreciation.http.patch(f"{rules_path}/hours-25", json={"active": False}, headers=other_staff)
    assert cross_tenant.status_code == 404
    assert (await appreciation.http.get(rules_path, headers=other_staff)).status_code == 404
    assert (await appreciation.http.get(f"/v1/centrales/{other_centrale}/rules", headers=staff)).status_code == 404
    volunteer = await appreciation.credential("volunteer", centrale_id, uuid4())
    assert (await appreciation.http.get(rules_path, headers=volunteer)).status_code == 403
    assert (await appreciation.http.get(rules_path)).status_code == 401

    volunteer_id, match = await _matched_volunteer(appreciation, centrale_id)
    await appreciation.publish_applied(appreciation.hours(match, "16"), centrale_id)  # type: ignore[arg-type]
    awards = {a["rule_id"]: a for a in await appreciation.awards(volunteer_id)}
    assert set(awards) == {"first-match", "hours-15"}
    assert awards["hours-15"]["title"] == "15 uur!"


async def test_anniversaries_are_awarded_by_the_daily_run_once(appreciation: Appreciation) -> None:
    centrale_id, staff = await appreciation.new_centrale()
    rule = f"/v1/centrales/{centrale_id}/rules/anniversary-1"
    assert (await appreciation.http.patch(rule, json={"active": False}, headers=staff)).status_code == 200
    volunteer_id, match = await _matched_volunteer(
        appreciation, centrale_id, registered_at=datetime.now(UTC) - timedelta(days=400)
    )
    await appreciation.publish_applied(appreciation.hours(match, "2"), centrale_id)  # type: ignore[arg-type]
    assert "anniversary-1" not in {a["rule_id"] for a in await appreciation.awards(volunteer_id)}
    assert (await appreciation.http.patch(rule, json={"active": True}, headers=staff)).status_code == 200

    assert (await appreciation.http.post("/v1/anniversaries/award", headers=staff)).status_code == 403
    first = await appreciation.http.post("/v1/anniversaries/award", headers=appreciation.ops)
    second = await appreciation.http.post("/v1/anniversaries/award", headers=appreciation.ops)

    assert first.status_code == 200
    assert first.json()["awarded"] >= 1
    assert second.json() == {"awarded": 0}
    [anniversary] = [a for a in await appreciation.awards(volunteer_id) if a["rule_id"] == "anniversary-1"]
    assert anniversary["trigger_event_type"] == "nl.vrijwilligerscentrale.volunteer.registered.v1"


async def test_a_partner_is_thanked_once_per_team_day(appreciation: Appreciation) -> None:
    centrale_id, staff = await appreciation.new_centrale()
    partner_id, day_id = uuid4(), uuid4()
    logged = VolunteerDayHoursLogged(
        day_id=day_id,
        partner_id=partner_id,
        task_id=uuid4(),
        organisation_id=uuid4(),
        centrale_id=centrale_id,
        participants=8,
        hours_total=Decimal("36"),
        logged_at=datetime.now(UTC),
    )
    first = await appreciation.publish(logged, centrale_id)
    again = await appreciation.publish(logged, centrale_id)
    await appreciation.applied(first, again)

    [award] = await appreciation.awards(partner_id)
    assert (award["rule_id"], award["recipient_kind"], award["occurrence"]) == (
        "partner-team-day",
        "business_partner",
        str(day_id),
    )
    [record] = await appreciation.published_awards(partner_id)
    assert json.loads(record.value)["title"] == "Bedankt voor jullie teamdag"
    today = dutch_today().isoformat()
    listed = await appreciation.http.get(
        f"/v1/centrales/{centrale_id}/awards", params={"from": today, "to": today}, headers=staff
    )
    assert listed.status_code == 200, listed.text
    assert listed.json()["total"] == 1
    assert listed.json()["per_rule"] == [{"rule_id": "partner-team-day", "count": 1}]


async def test_awards_per_period_are_the_centrales_own(appreciation: Appreciation) -> None:
    centrale_id, staff = await appreciation.new_centrale()
    _, other_staff = await appreciation.new_centrale()
    volunteer_id, match = await _matched_volunteer(appreciation, centrale_id)
    await appreciation.publish_applied(appreciation.hours(match, "10"), centrale_id)  # type: ignore[arg-type]
    path = f"/v1/centrales/{centrale_id}/awards"
    today = dutch_today()

    listed = (await appreciation.http.get(path, params={"from": str(today), "to": str(today)}, headers=staff)).json()
    yesterday = (
        await appreciation.http.get(
            path, params={"from": str(today - timedelta(days=2)), "to": str(today - timedelta(days=1))}, headers=staff
        )
    ).json()
    other = await appreciation.http.get(path, params={"from": str(today), "to": str(today)}, headers=other_staff)
    backwards = await appreciation.http.get(
        path, params={"from": str(today), "to": str(today - timedelta(days=1))}, headers=staff
    )
    missing = await appreciation.http.get(path, params={"from": str(today)}, headers=staff)

    assert {(a["rule_id"], a["recipient_id"]) for a in listed["awards"]} == {
        ("first-match", str(volunteer_id)),
        ("hours-10", str(volunteer_id)),
    }
    assert yesterday["total"] == 0
    assert other.status_code == 404
    assert backwards.status_code == 422
    assert backwards.json()["detail"][0]["loc"] == ["query", "to"]
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["query", "to"]


async def test_a_volunteer_sees_only_their_own_record(appreciation: Appreciation) -> None:
    centrale_id, staff = await appreciation.new_centrale()
    other_centrale, other_staff = await appreciation.new_centrale()
    volunteer_id, match = await _matched_volunteer(appreciation, centrale_id)
    await appreciation.publish_applied(appreciation.hours(match, "3"), centrale_id)  # type: ignore[arg-type]
    me = await appreciation.credential("volunteer", centrale_id, volunteer_id)
    someone_else = await appreciation.credential("volunteer", centrale_id, uuid4())

    mine = await appreciation.http.get("/v1/me/appreciation", headers=me)
    theirs = await appreciation.http.get("/v1/me/appreciation", headers=someone_else)
    cross_tenant = await appreciation.http.get(
        f"/v1/centrales/{other_centrale}/volunteers/{volunteer_id}/appreciation", headers=other_staff
    )
    staff_of_other = await appreciation.http.get(
        f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/appreciation", headers=other_staff
    )

    assert mine.status_code == 200
    assert mine.json()["volunteer_id"] == str(volunteer_id)
    assert [a["rule_id"] for a in mine.json()["awards"]] == ["first-match"]
    assert mine.json()["tasks"][0]["skills"] == ["koken"]
    assert mine.json()["trainings"] == []
    assert "trainings_note" not in mine.json()
    assert theirs.status_code == 200
    assert theirs.json()["awards"] == []
    assert Decimal(theirs.json()["total_hours"]) == 0
    assert cross_tenant.status_code == 404
    assert staff_of_other.status_code == 404
    assert (await appreciation.http.get("/v1/me/appreciation", headers=staff)).status_code == 403


async def test_erasure_forgets_the_volunteer_and_keeps_awards_anonymously(appreciation: Appreciation) -> None:
    centrale_id, staff = await appreciation.new_centrale()
    volunteer_id, match = await _matched_volunteer(appreciation, centrale_id)
    before = appreciation.hours(match, "12")  # type: ignore[arg-type]
    await appreciation.publish_applied(before, centrale_id)
    award_ids = {a["award_id"] for a in await appreciation.awards(volunteer_id)}

    erased = VolunteerErased(volunteer_id=volunteer_id, centrale_id=centrale_id, erased_at=datetime.now(UTC))
    await appreciation.publish_applied(erased, centrale_id)
    # Older events seen again afterwards (a re-published entry) must not bring the volunteer back.
    await appreciation.publish_applied(before, centrale_id)

    assert await appreciation.awards(volunteer_id) == []
    anonymous = await appreciation.pool.fetch(
        "SELECT recipient_id FROM awards WHERE award_id = ANY($1::uuid[])", list(award_ids)
    )
    assert [row["recipient_id"] for row in anonymous] == [None, None]
    for table, column in (("hours", "volunteer_id"), ("matches", "volunteer_id"), ("volunteers", "id")):
        count = await appreciation.pool.fetchval(f"SELECT count(*) FROM {table} WHERE {column} = $1", volunteer_id)  # noqa: S608
        assert count == 0, table
    gone = await appreciation.http.get(
        f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/appreciation", headers=staff
    )
    assert gone.status_code == 404


@pytest.mark.parametrize("path", ["entry", "run"])
@pytest.mark.parametrize(("first", "known"), [("hours", True), ("erasure", True), ("hours", False)])
async def test_hours_applied_while_the_volunteer_is_erased_leave_nothing_behind(
    appreciation: Appreciation, first: str, known: bool, path: str
) -> None:
    """Two open transactions, the hours' and the erasure's: whichever began first, nothing of the volunteer stays.

    ``entry``: the per-entry reference use case; ``run``: the consumer's run handler, with another volunteer's
    entry in the same run, which is kept.
    """
    centrale_id, _ = await appreciation.new_centrale()
    if known:
        volunteer_id, match = await _matched_volunteer(appreciation, centrale_id)
    else:  # hours for a volunteer appreciation has not heard of yet
        volunteer_id = uuid4()
        match = await appreciation.match(centrale_id, volunteer_id, uuid4(), uuid4())
    other_id, other_match = await _matched_volunteer(appreciation, centrale_id)
    entries = [appreciation.hours(match, "12"), appreciation.hours(other_match, "12")]  # type: ignore[arg-type]
    envelopes = [
        EventEnvelope(
            source="/regions/test/registry", type=e.event_type, subject=e.subject(), tenant=centrale_id, region="test"
        )
        for e in entries
    ]

    def uow(conn: asyncpg.Connection) -> PostgresAppreciationUnitOfWork:
        return PostgresAppreciationUnitOfWork(conn, Origin.of_event(envelopes[0], "appreciation"), SystemClock())

    def record(conn: asyncpg.Connection) -> Awaitable[object]:
        if path == "run":
            return on_hours_logged(entries, BatchContext(envelopes=envelopes, conn=conn))
        entry = hours_entry(entries[0], envelopes[0])
        return record_hours(
            RecordHours(entry, domain.AwardTrigger(envelopes[0].id, entry_type, entry.worked_on)), uow(conn)
        )

    def erase(conn: asyncpg.Connection) -> Awaitable[None]:
        return awards.erase_volunteer(awards.EraseVolunteer(volunteer_id, centrale_id, datetime.now(UTC)), uow(conn))

    entry_type = entries[0].event_type
    await second_waits_for_first(appreciation.pool, *((record, erase) if first == "hours" else (erase, record)))

    for table, column in (("hours", "volunteer_id"), ("matches", "volunteer_id"), ("volunteers", "id")):
        count = await appreciation.pool.fetchval(f"SELECT count(*) FROM {table} WHERE {column} = $1", volunteer_id)  # noqa: S608
        assert count == 0, table
    assert await appreciation.awards(volunteer_id) == []
    kept = await appreciation.pool.fetchval("SELECT count(*) FROM hours WHERE volunteer_id = $1", other_id)
    assert kept == (1 if path == "run" else 0)


async def test_the_anniversary_job_runs_daily_and_on_demand_with_its_counts(appreciation: Appreciation) -> None:
    centrale_id, staff = await appreciation.new_centrale()
    rule = f"/v1/centrales/{centrale_id}/rules/anniversary-5"
    assert (await appreciation.http.patch(rule, json={"active": False}, headers=staff)).status_code == 200
    volunteer_id, match = await _matched_volunteer(
        appreciation, centrale_id, registered_at=datetime.now(UTC) - timedelta(days=5 * 366)
    )
    await appreciation.publish_applied(appreciation.hours(match, "2"), centrale_id)  # type: ignore[arg-type]
    assert (await appreciation.http.patch(rule, json={"active": True}, headers=staff)).status_code == 200

    jobs = await appreciation.http.get("/v1/ops/jobs", headers=appreciation.ops)
    started = await appreciation.http.post("/v1/ops/jobs/anniversaries/runs", headers=appreciation.ops)
    assert started.status_code == 202, started.text
    run = started.json()
    for _ in range(100):
        if run["status"] != "running":
            break
        await asyncio.sleep(0.1)
        run = (await appreciation.http.get(started.headers["location"], headers=appreciation.ops)).json()

    assert jobs.status_code == 200
    [job] = [j for j in jobs.json() if j["name"] == "anniversaries"]
    assert job["schedule"] == "daily at 04:30 Europe/Amsterdam"
    assert (run["status"], run["kind"]) == ("done", "on_demand")
    assert run["counts"]["awarded"] >= 1
    assert run["counts"]["candidates"] >= 1
    assert "anniversary-5" in {a["rule_id"] for a in await appreciation.awards(volunteer_id)}
    assert (await appreciation.http.post("/v1/ops/jobs/anniversaries/runs", headers=staff)).status_code == 403
