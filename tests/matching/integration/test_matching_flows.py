"""Matching end to end with the registry over real Kafka: gates, proposals, consulent, the two yeses."""

from __future__ import annotations

import json
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import asyncpg
import pytest

from common.clock import SystemClock, dutch_today
from common.uow import Origin
from contracts import EventEnvelope
from matching.commands import EraseVolunteer, ReevaluateVolunteer
from matching.domain.proposals import LIVE
from matching.use_cases import erase_volunteer, reevaluate_volunteer
from tests.matching.integration.conftest import TUESDAY_MORNING, World, eventually
from tests.support.kafka import publish_raw, read_all, read_until, wait_for_group_offset
from tests.support.schedule import a_weekday_not_today
from tests.support.transactions import second_waits_for_first

pytestmark = pytest.mark.integration

MATCHES = "matching.matches.v1"
VOG = {"verified_on": "2026-01-05", "verified_by": "Consulent Kees", "valid_until": "2029-01-05"}


async def _volunteer(
    world: World, centrale_id: str, staff: dict[str, str], *, vog: bool = False, **profile: object
) -> UUID:
    body: dict[str, object] = {
        "skills": ["koken"],
        "interests": ["zorg"],
        "availability": TUESDAY_MORNING,
        "postcode": "3512 AB",
        "max_distance_km": 10,
        **profile,
    }
    volunteer_id = await world.registry.register_volunteer(centrale_id, staff, **body)
    if vog:
        path = f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/vog"
        assert (await world.registry.http.put(path, json=VOG, headers=staff)).status_code == 204
    await world.volunteer_in_matching(volunteer_id)
    return volunteer_id


def _types(records: list[object]) -> list[str]:
    return [EventEnvelope.from_headers(r.headers).type.split(".")[-2] for r in records]  # type: ignore[attr-defined]


async def test_posted_task_gets_explained_proposals_that_respect_the_vog_and_distance_gates(world: World) -> None:
    centrale_id, staff = await world.registry.new_centrale()
    organisation_id, organisation = await world.registry.new_organisation(centrale_id, staff)
    good = await _volunteer(world, centrale_id, staff, vog=True)
    without_vog = await _volunteer(world, centrale_id, staff)
    too_far = await _volunteer(world, centrale_id, staff, vog=True, postcode="3811 AA", max_distance_km=10)
    wrong_day = await _volunteer(
        world, centrale_id, staff, vog=True, availability=[{"weekday": 4, "start": "09:00", "end": "12:00"}]
    )
    no_consent = await _volunteer(world, centrale_id, staff, vog=True, consents=[])

    task_id = await world.registry.published_task(
        centrale_id,
        organisation_id,
        organisation,
        vog_required=True,
        skills=["koken"],
        theme="zorg",
        postcode="3511 AB",
    )
    await world.task_in_matching(task_id)

    [proposal] = await world.proposals(task_id)
    assert proposal["volunteer_id"] == good
    assert {without_vog, too_far, wrong_day, no_consent}.isdisjoint({proposal["volunteer_id"]})
    staff_matching = await world.known_to_matching(staff)
    listed = await world.matching.get(f"/v1/centrales/{centrale_id}/tasks/{task_id}/proposals", headers=staff_matching)
    assert listed.status_code == 200
    [shown] = listed.json()
    assert shown["reasons"][:3] == [
        "vaardigheden 1/1: koken",
        "interesse in thema zorg",
        "beschikbaar dinsdag 09:00–12:00",
    ]
    assert shown["reasons"][3].startswith("afstand 0.")
    assert shown["score"] > 0.9
    # Interest from a volunteer the gates exclude is refused with every reason.
    far_token = await world.registry.credential(f"/v1/centrales/{centrale_id}/volunteers/{too_far}/credentials", staff)
    refused = await world.matching.post(
        "/v1/me/interests", json={"task_id": str(task_id)}, headers=await world.known_to_matching(far_token)
    )
    assert refused.status_code == 422
    assert [(d["gate"], d["overridable"], d["msg"]) for d in refused.json()["detail"]] == [
        ("distance", True, "Deze taak is ongeveer 20 km bij je vandaan; je wilt maximaal 10 km reizen.")
    ]


async def test_both_yeses_make_the_match_and_the_registry_then_accepts_hours(world: World) -> None:
    centrale_id, staff = await world.registry.new_centrale()
    organisation_id, organisation = await world.registry.new_organisation(centrale_id, staff)
    # Today's hours are logged below: no shift today, so it holds at any hour (tests/support/schedule.py).
    morning = [{"weekday": a_weekday_not_today(), "start": "09:00", "end": "12:00"}]
    volunteer_id = await _volunteer(world, centrale_id, staff, availability=morning)
    task_id = await world.registry.published_task(
        centrale_id, organisation_id, organisation, vog_required=False, capacity=1, postcode="3511 AB", shifts=morning
    )
    [proposal] = await world.proposals(task_id)
    match_id = proposal["match_id"]
    organisation_matching = await world.known_to_matching(organisation)

    accepted = await world.matching.post(
        f"/v1/centrales/{centrale_id}/proposals/{match_id}/accept", headers=organisation_matching
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"  # the volunteer's yes is still awaited
    assert await world.agree(centrale_id, staff, volunteer_id, match_id) == "made"

    records = await read_until(
        world.registry.bootstrap, MATCHES, lambda seen: sum(r.key == str(match_id).encode() for r in seen) >= 4
    )
    ours = sorted((r for r in records if r.key == str(match_id).encode()), key=lambda r: r.offset)
    assert _types(ours) == ["proposed", "accepted", "agreed", "made"]
    made = json.loads(ours[3].value)
    assert (made["volunteer_id"], made["task_id"], made["centrale_id"]) == (
        str(volunteer_id),
        str(task_id),
        centrale_id,
    )
    # The registry learned the match from Kafka: hours can now be logged, and capacity 1 filled the task.
    await eventually(lambda: world.registry.pool.fetchval("SELECT 1 FROM matches WHERE id = $1", match_id), "match")
    today = dutch_today().isoformat()
    hours = await world.registry.http.post(
        f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/matches/{match_id}/hours",
        json={"worked_on": today, "hours": "2"},
        headers=organisation,
    )
    assert hours.status_code == 201, hours.text
    await eventually(
        lambda: world.registry.pool.fetchval("SELECT status = 'filled' FROM tasks WHERE id = $1", task_id),
        "task filled",
    )
    again = await world.matching.post(
        f"/v1/centrales/{centrale_id}/proposals/{match_id}/accept", headers=organisation_matching
    )
    assert again.status_code == 409


async def test_a_volunteer_who_needs_support_waits_for_the_consulent(world: World) -> None:
    centrale_id, staff = await world.registry.new_centrale()
    organisation_id, organisation = await world.registry.new_organisation(centrale_id, staff)
    volunteer_id = await _volunteer(world, centrale_id, staff, needs_support=True)
    plain_task = await world.registry.published_task(centrale_id, organisation_id, organisation, vog_required=False)
    accessible = await world.registry.published_task(
        centrale_id, organisation_id, organisation, vog_required=False, support_accessible=True
    )
    [proposal] = await world.proposals(accessible)
    assert (proposal["volunteer_id"], proposal["needs_consulent"]) == (volunteer_id, True)
    await world.task_in_matching(plain_task)
    assert await world.matching_pool.fetchval("SELECT count(*) FROM proposals WHERE task_id = $1", plain_task) == 0
    base = f"/v1/centrales/{centrale_id}/proposals/{proposal['match_id']}"
    organisation_matching = await world.known_to_matching(organisation)
    _, other_staff = await world.registry.new_centrale()
    other_staff = await world.known_to_matching(other_staff)

    queue = await world.matching.get(f"/v1/centrales/{centrale_id}/work-queue", headers=staff)
    to_approve = await world.matching.get(
        f"/v1/centrales/{centrale_id}/proposals", params={"needs_consulent": "true"}, headers=staff
    )
    assert queue.status_code == 200, queue.text
    assert [p["match_id"] for p in queue.json()["to_approve"]] == [str(proposal["match_id"])]
    assert queue.json()["to_approve"] == to_approve.json()
    assert queue.json()["unanswered"] == [], "proposed today: not yet waiting a week"
    for headers, refused in ((organisation_matching, 403), (other_staff, 404)):
        answer = await world.matching.get(f"/v1/centrales/{centrale_id}/work-queue", headers=headers)
        assert answer.status_code == refused

    early = await world.matching.post(f"{base}/accept", headers=organisation_matching)
    assert early.status_code == 409
    assert "consulent" in early.json()["detail"]
    assert (await world.matching.post(f"{base}/approve", headers=organisation_matching)).status_code == 403
    assert (await world.matching.post(f"{base}/approve", headers=staff)).status_code == 204
    accepted = await world.matching.post(f"{base}/accept", headers=organisation_matching)
    assert (accepted.status_code, accepted.json()["status"]) == (200, "accepted")
    assert await world.agree(centrale_id, staff, volunteer_id, proposal["match_id"]) == "made"
    status = await world.matching_pool.fetchval(
        "SELECT status FROM proposals WHERE match_id = $1", proposal["match_id"]
    )
    assert status == "made"


async def test_a_profile_update_is_re_evaluated_for_open_tasks(world: World) -> None:
    centrale_id, staff = await world.registry.new_centrale()
    organisation_id, organisation = await world.registry.new_organisation(centrale_id, staff)
    volunteer_id = await _volunteer(world, centrale_id, staff, availability=[])
    task_id = await world.registry.published_task(centrale_id, organisation_id, organisation, vog_required=False)
    await world.task_in_matching(task_id)
    assert await world.matching_pool.fetchval("SELECT count(*) FROM proposals WHERE task_id = $1", task_id) == 0

    path = f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}"
    assert (
        await world.registry.http.patch(path, json={"availability": TUESDAY_MORNING}, headers=staff)
    ).status_code == 204

    [proposal] = await world.proposals(task_id)
    assert proposal["volunteer_id"] == volunteer_id
    # Withdrawing consent for matching withdraws the open proposal.
    withdraw = {"kind": "matching", "granted": False, "text_version": "2026-01"}
    assert (await world.registry.http.post(f"{path}/consents", json=withdraw, headers=staff)).status_code == 204
    await eventually(
        lambda: world.matching_pool.fetchval(
            "SELECT status = 'expired' FROM proposals WHERE match_id = $1", proposal["match_id"]
        ),
        "proposal expired",
    )


async def test_an_erased_volunteer_disappears_from_every_proposal(world: World) -> None:
    centrale_id, staff = await world.registry.new_centrale()
    organisation_id, organisation = await world.registry.new_organisation(centrale_id, staff)
    volunteer_id = await _volunteer(world, centrale_id, staff)
    task_id = await world.registry.published_task(centrale_id, organisation_id, organisation, vog_required=False)
    [proposal] = await world.proposals(task_id)

    erased = await world.registry.http.delete(f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}", headers=staff)
    assert erased.status_code == 204

    await eventually(
        lambda: world.matching_pool.fetchval("SELECT 1 FROM erased_volunteers WHERE volunteer_id = $1", volunteer_id),
        "erasure in matching",
    )
    row = await world.matching_pool.fetchrow(
        "SELECT status, reasons FROM proposals WHERE match_id = $1", proposal["match_id"]
    )
    assert (row["status"], json.loads(row["reasons"])) == ("expired", [])
    assert (
        await world.matching_pool.fetchval("SELECT count(*) FROM volunteers WHERE volunteer_id = $1", volunteer_id) == 0
    )
    another = await world.registry.published_task(centrale_id, organisation_id, organisation, vog_required=False)
    await world.task_in_matching(another)
    assert await world.matching_pool.fetchval("SELECT count(*) FROM proposals WHERE task_id = $1", another) == 0


@pytest.mark.parametrize("first", ["proposal", "erasure"])
async def test_a_proposal_made_while_the_volunteer_is_erased_does_not_stay_live(world: World, first: str) -> None:
    """Two open transactions, a re-evaluation proposing and the erasure: whichever began first, nothing stays live."""
    centrale_id, staff = await world.registry.new_centrale()
    organisation_id, organisation = await world.registry.new_organisation(centrale_id, staff)
    volunteer_id = await _volunteer(world, centrale_id, staff)
    task_id = await world.registry.published_task(centrale_id, organisation_id, organisation, vog_required=False)
    await world.proposals(task_id)
    # As if the task were new to this volunteer: the re-evaluation below proposes them for it again.
    await world.matching_pool.execute("DELETE FROM proposals WHERE task_id = $1", task_id)
    origin = Origin(source="/regions/testregio/matching", region="testregio", correlation_id=uuid4())
    # Units of work of the running service: its repositories and its candidate index.
    unit_of_work = world.app.state.runtime.spec.unit_of_work

    def propose(conn: asyncpg.Connection) -> Awaitable[list[UUID]]:
        uow = unit_of_work(conn, origin, SystemClock(), None)
        return reevaluate_volunteer(ReevaluateVolunteer(volunteer_id, centrale_id), uow)

    def erase(conn: asyncpg.Connection) -> Awaitable[None]:
        return erase_volunteer(EraseVolunteer(volunteer_id), unit_of_work(conn, origin, SystemClock(), None))

    await second_waits_for_first(world.matching_pool, *((propose, erase) if first == "proposal" else (erase, propose)))

    live = await world.matching_pool.fetchval(
        "SELECT count(*) FROM proposals WHERE volunteer_id = $1 AND status = ANY($2)", volunteer_id, list(LIVE)
    )
    assert live == 0
    assert (
        await world.matching_pool.fetchval("SELECT count(*) FROM volunteers WHERE volunteer_id = $1", volunteer_id) == 0
    )


async def test_a_business_team_day_is_matched_to_a_task_with_room_for_the_whole_team(world: World) -> None:
    centrale_id, staff = await world.registry.new_centrale()
    organisation_id, organisation = await world.registry.new_organisation(centrale_id, staff)
    # A Wednesday no other test's team day lies on: an open day from another module consumed by this matching
    # (the group goes on where the last one stopped) would otherwise take the roomy task the moment it is posted.
    day = datetime(2031, 5, 14, 9, 0, tzinfo=UTC)
    window = {"one_off_start": day.isoformat(), "one_off_end": (day + timedelta(hours=6)).isoformat(), "shifts": []}
    too_small = await world.registry.published_task(
        centrale_id,
        organisation_id,
        organisation,
        vog_required=False,
        team_suitable=True,
        capacity=5,
        theme="natuur",
        **window,
    )
    roomy = await world.registry.published_task(
        centrale_id,
        organisation_id,
        organisation,
        vog_required=False,
        team_suitable=True,
        capacity=12,
        theme="natuur",
        **window,
    )
    other_theme = await world.registry.published_task(
        centrale_id,
        organisation_id,
        organisation,
        vog_required=False,
        team_suitable=True,
        capacity=20,
        theme="sport",
        **window,
    )
    for task_id in (too_small, roomy, other_theme):
        await world.task_in_matching(task_id)
    partner = await world.registry.http.post("/v1/business-partners", json={"name": "Bank"}, headers=world.ops)
    hr = await world.registry.credential(f"/v1/business-partners/{partner.json()['id']}/credentials", world.ops)

    posted = await world.registry.http.post(
        "/v1/volunteer-days",
        headers=hr,
        json={
            "external_ref": "team-dag",
            "team_size": 8,
            "on_date": "2031-05-14",
            "themes": ["natuur"],
            "postcode": "3511",
        },
    )
    day_id = posted.json()["id"]

    async def matched() -> dict[str, object] | None:
        status = (await world.registry.http.get(f"/v1/volunteer-days/{day_id}", headers=hr)).json()
        return status if status["status"] == "matched" else None

    status = await eventually(matched, "team day matched")
    assert status["matched_task_id"] == str(roomy)
    assert await world.matching_pool.fetchval("SELECT team_reserved FROM tasks WHERE task_id = $1", roomy) == 8


async def test_overflow_reaches_a_neighbouring_centrale_only_with_consent(world: World) -> None:
    # Overflow offers the task to every other centrale's consenting volunteers: a slot no other test uses keeps
    # the ones other tests registered in this session's database out of the count.
    sunday_evening = [{"weekday": 7, "start": "20:00", "end": "21:00"}]
    home, home_staff = await world.registry.new_centrale()
    neighbour, neighbour_staff = await world.registry.new_centrale()
    organisation_id, organisation = await world.registry.new_organisation(home, home_staff)
    consenting = await _volunteer(
        world,
        neighbour,
        neighbour_staff,
        consents=[
            {"kind": "matching", "text_version": "2026-01"},
            {"kind": "regional_matching", "text_version": "2026-01"},
        ],
        availability=sunday_evening,
    )
    path = f"/v1/centrales/{neighbour}/volunteers/{consenting}/consents"
    consent = {"kind": "regional_matching", "granted": True, "text_version": "2026-01"}
    assert (await world.registry.http.post(path, json=consent, headers=neighbour_staff)).status_code == 204
    await eventually(
        lambda: world.matching_pool.fetchval(
            "SELECT regional_consent FROM volunteers WHERE volunteer_id = $1", consenting
        ),
        "regional consent",
    )
    not_consenting = await _volunteer(world, neighbour, neighbour_staff, availability=sunday_evening)
    task_id = await world.registry.published_task(
        home, organisation_id, organisation, vog_required=False, theme="zorg", skills=["koken"], shifts=sunday_evening
    )
    await world.task_in_matching(task_id)
    assert await world.matching_pool.fetchval("SELECT count(*) FROM proposals WHERE task_id = $1", task_id) == 0
    # Time passes: the task has been open longer than the overflow period (3 days in this fixture).
    await world.matching_pool.execute(
        "UPDATE tasks SET posted_at = now() - interval '4 days' WHERE task_id = $1", task_id
    )

    run = await world.matching.post("/v1/maintenance/run", headers=world.ops)

    assert run.status_code == 200
    assert run.json()["overflow"][str(task_id)] == 1
    [proposal] = await world.proposals(task_id)
    assert (proposal["volunteer_id"], proposal["via"]) == (consenting, "overflow")
    assert not_consenting != proposal["volunteer_id"]
    organisation_matching = await world.known_to_matching(organisation)
    accepted = await world.matching.post(
        f"/v1/centrales/{home}/proposals/{proposal['match_id']}/accept", headers=organisation_matching
    )
    assert accepted.status_code == 200
    assert await world.agree(neighbour, neighbour_staff, consenting, proposal["match_id"]) == "made"
    records = await read_until(
        world.registry.bootstrap,
        MATCHES,
        lambda seen: sum(r.key == str(proposal["match_id"]).encode() for r in seen) >= 4,
    )
    made = json.loads(
        max((r for r in records if r.key == str(proposal["match_id"]).encode()), key=lambda r: r.offset).value
    )
    # Credited to both: the task's centrale and the volunteer's.
    assert (made["centrale_id"], made["volunteer_centrale_id"]) == (home, neighbour)
    again = await world.matching.post("/v1/maintenance/run", headers=world.ops)
    assert str(task_id) not in again.json()["overflow"]


async def test_redelivered_events_change_nothing(world: World) -> None:
    centrale_id, staff = await world.registry.new_centrale()
    organisation_id, organisation = await world.registry.new_organisation(centrale_id, staff)
    volunteer_id = await _volunteer(world, centrale_id, staff)
    task_id = await world.registry.published_task(centrale_id, organisation_id, organisation, vog_required=False)
    await world.proposals(task_id)
    before = await world.matching_pool.fetch("SELECT * FROM proposals WHERE task_id = $1 ORDER BY match_id", task_id)
    outbox_before = await world.matching_pool.fetchval("SELECT count(*) FROM outbox")
    volunteer_events = [
        r
        for r in await read_all(world.registry.bootstrap, "registry.volunteers.v1")
        if r.key == str(volunteer_id).encode()
    ]
    task_events = [
        r for r in await read_all(world.registry.bootstrap, "registry.tasks.v1") if r.key == str(task_id).encode()
    ]
    assert volunteer_events
    assert task_events

    last = None
    for record in volunteer_events + task_events:
        last = await publish_raw(
            world.registry.bootstrap, record.topic, record.value, key=record.key, headers=list(record.headers)
        )
        await wait_for_group_offset(world.registry.bootstrap, "matching", record.topic, last.partition, last.offset)

    after = await world.matching_pool.fetch("SELECT * FROM proposals WHERE task_id = $1 ORDER BY match_id", task_id)
    assert [dict(r) for r in after] == [dict(r) for r in before]
    assert await world.matching_pool.fetchval("SELECT count(*) FROM outbox") == outbox_before


async def test_re_evaluation_proposes_for_no_more_open_tasks_than_the_spreading_limit(world: World) -> None:
    centrale_id, staff = await world.registry.new_centrale()
    organisation_id, organisation = await world.registry.new_organisation(centrale_id, staff)
    volunteer_id = await _volunteer(world, centrale_id, staff, availability=[])
    tasks = [
        await world.registry.published_task(centrale_id, organisation_id, organisation, vog_required=False)
        for _ in range(5)
    ]
    for task_id in tasks:
        await world.task_in_matching(task_id)

    path = f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}"
    patched = await world.registry.http.patch(path, json={"availability": TUESDAY_MORNING}, headers=staff)
    assert patched.status_code == 204

    async def proposed() -> int | None:
        count = await world.matching_pool.fetchval(
            "SELECT count(*) FROM proposals WHERE volunteer_id = $1 AND status = 'proposed'", volunteer_id
        )
        return count if count >= 3 else None

    assert await eventually(proposed, "three proposals") == 3
    # The limit (MATCHING_MAX_OPEN_COMMITMENTS = 3) holds, and the stored count agrees with the proposals.
    row = await world.matching_pool.fetchrow(
        "SELECT open_commitments FROM volunteers WHERE volunteer_id = $1", volunteer_id
    )
    assert row["open_commitments"] == 3


async def test_a_consulent_puts_forward_a_volunteer_overriding_a_soft_gate_and_says_their_yes(world: World) -> None:
    centrale_id, staff = await world.registry.new_centrale()
    organisation_id, organisation = await world.registry.new_organisation(centrale_id, staff)
    far = await _volunteer(world, centrale_id, staff, postcode="3811 AA", max_distance_km=10)  # ~19 km away
    task_id = await world.registry.published_task(
        centrale_id, organisation_id, organisation, vog_required=False, postcode="3511 AB"
    )
    await world.task_in_matching(task_id)
    staff_matching = await world.known_to_matching(staff)
    path = f"/v1/centrales/{centrale_id}/volunteers/{far}/responses"
    body: dict[str, object] = {"task_id": str(task_id), "via": "put_forward", "agreement": {"how": "phone"}}
    reason = "Haar buurman rijdt haar; met de organisatie besproken."

    without = await world.matching.post(path, json=body, headers=staff_matching)
    never = await world.matching.post(
        path, json={**body, "overrides": {"vog": "Ik ken haar al jaren."}}, headers=staff_matching
    )
    by_organisation = await world.matching.post(
        path, json={**body, "overrides": {"distance": reason}}, headers=await world.known_to_matching(organisation)
    )
    put = await world.matching.post(path, json={**body, "overrides": {"distance": reason}}, headers=staff_matching)

    assert without.status_code == 422
    assert [(d["gate"], d["overridable"]) for d in without.json()["detail"]] == [("distance", True)]
    assert never.status_code == 422
    assert [(d["loc"], d["msg"]) for d in never.json()["detail"]] == [
        (["body", "overrides"], "Value error, toestemming en VOG kunnen nooit worden overschreven")
    ]
    assert by_organisation.status_code == 403
    assert put.status_code == 201, put.text
    match_id = put.json()["match_id"]
    mediation = (
        await world.matching.get(f"/v1/centrales/{centrale_id}/proposals/{match_id}/mediation", headers=staff_matching)
    ).json()
    [override] = mediation["overrides"]
    assert (override["gate"], override["reason"]) == ("distance", reason)
    assert override["overridden_by"].startswith("credential:")  # who: the consulent's own credential
    assert [(a["subject"], a["how"]) for a in mediation["agreements"]] == [("put_forward", "phone")]

    organisation_matching = await world.known_to_matching(organisation)
    accepted = await world.matching.post(
        f"/v1/centrales/{centrale_id}/proposals/{match_id}/accept", headers=organisation_matching
    )
    assert accepted.json()["status"] == "accepted"
    agreed = await world.matching.post(
        f"/v1/centrales/{centrale_id}/proposals/{match_id}/agree", json={"how": "in_person"}, headers=staff_matching
    )
    assert (agreed.status_code, agreed.json()["status"]) == (200, "made")

    end = f"/v1/centrales/{centrale_id}/matches/{match_id}/end"
    no_reason = await world.matching.post(end, headers=organisation_matching)
    unknown_reason = await world.matching.post(end, json={"reason": "bored"}, headers=organisation_matching)
    ended = await world.matching.post(end, json={"reason": "task_ended"}, headers=organisation_matching)
    assert (no_reason.status_code, unknown_reason.status_code, ended.status_code) == (422, 422, 204)
    [*_, last] = await world.registry.events(MATCHES, match_id, 5)  # proposed, accepted, agreed, made, ended
    assert _types([last]) == ["ended"]
    assert (json.loads(last.value)["reason"], json.loads(last.value)["ended_by"]) == ("task_ended", "organisation")


async def test_a_vog_is_never_set_aside_and_a_filled_task_takes_no_response(world: World) -> None:
    centrale_id, staff = await world.registry.new_centrale()
    organisation_id, organisation = await world.registry.new_organisation(centrale_id, staff)
    first = await _volunteer(world, centrale_id, staff, vog=True)
    late = await _volunteer(world, centrale_id, staff)  # no VOG
    vog_task = await world.registry.published_task(
        centrale_id, organisation_id, organisation, vog_required=True, capacity=1
    )
    await world.task_in_matching(vog_task)
    staff_matching = await world.known_to_matching(staff)

    put = await world.matching.post(
        f"/v1/centrales/{centrale_id}/volunteers/{late}/responses",
        json={"task_id": str(vog_task), "via": "on_behalf", "agreement": {"how": "in_person"}},
        headers=staff_matching,
    )
    assert put.status_code == 422
    assert [(d["gate"], d["overridable"]) for d in put.json()["detail"]] == [("vog", False)]

    [proposal] = await world.proposals(vog_task)
    assert proposal["volunteer_id"] == first
    organisation_matching = await world.known_to_matching(organisation)
    accepted = await world.matching.post(
        f"/v1/centrales/{centrale_id}/proposals/{proposal['match_id']}/accept", headers=organisation_matching
    )
    assert accepted.status_code == 200
    assert await world.agree(centrale_id, staff, first, proposal["match_id"]) == "made"  # capacity 1: filled
    # With the VOG recorded now, the late volunteer responds to the task that was filled meanwhile.
    vog_path = f"/v1/centrales/{centrale_id}/volunteers/{late}/vog"
    assert (await world.registry.http.put(vog_path, json=VOG, headers=staff)).status_code == 204
    await eventually(
        lambda: world.matching_pool.fetchval("SELECT vog_valid_until FROM volunteers WHERE volunteer_id = $1", late),
        "the VOG in matching",
    )
    responded = await world.matching.post(
        "/v1/me/interests",
        json={"task_id": str(vog_task)},
        headers=await world.volunteer_token(centrale_id, staff, late),
    )
    assert responded.status_code == 409
    assert responded.json()["detail"] == "Deze taak is al vervuld: er is geen plaats meer."


async def test_a_shredded_registration_replayed_after_erasure_is_stored_without_profile_and_never_proposed(
    world: World,
) -> None:
    """The volunteer's key is gone: their old registration opens to no area, skills or consent, without an error."""
    centrale_id, staff = await world.registry.new_centrale()
    organisation_id, organisation = await world.registry.new_organisation(centrale_id, staff)
    volunteer_id = await _volunteer(world, centrale_id, staff)
    opened = await world.matching_pool.fetchrow(
        "SELECT postcode_area, skills, matching_consent FROM volunteers WHERE volunteer_id = $1", volunteer_id
    )
    assert (opened["postcode_area"], opened["skills"], opened["matching_consent"]) == ("3512", ["koken"], True)
    [registration] = await world.registry.events("registry.volunteers.v1", volunteer_id, 1)
    erased = await world.registry.http.delete(f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}", headers=staff)
    assert erased.status_code == 204
    await eventually(
        lambda: world.matching_pool.fetchval("SELECT 1 FROM erased_volunteers WHERE volunteer_id = $1", volunteer_id),
        "erasure in matching",
    )
    keyring = world.app.state.runtime.keyring
    await eventually(lambda: _true(not keyring.knows(volunteer_id)), "matching's key ring forgot the key")

    # A replay of the old record (a new delivery, as after an inbox purge): the key is gone.
    replayed = EventEnvelope.from_headers(registration.headers).model_copy(update={"id": uuid4()})
    sent = await publish_raw(
        world.registry.bootstrap, registration.topic, registration.value, key=registration.key,
        headers=replayed.to_headers(),
    )  # fmt: skip
    await wait_for_group_offset(world.registry.bootstrap, "matching", registration.topic, sent.partition, sent.offset)
    stored = await world.matching_pool.fetchrow(
        "SELECT postcode_area, skills, availability, matching_consent FROM volunteers WHERE volunteer_id = $1",
        volunteer_id,
    )
    assert (stored["postcode_area"], stored["skills"], stored["matching_consent"]) == (None, [], False)
    dead = await read_all(world.registry.bootstrap, "registry.volunteers.v1.dlq")
    assert all(record.key != registration.key for record in dead)
    task_id = await world.registry.published_task(centrale_id, organisation_id, organisation, vog_required=False)
    await world.task_in_matching(task_id)
    assert await world.matching_pool.fetchval("SELECT count(*) FROM proposals WHERE task_id = $1", task_id) == 0


async def _true(value: bool) -> bool | None:
    return value or None
