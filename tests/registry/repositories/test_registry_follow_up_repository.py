"""FollowUpRepository: settings and check-ins, the behaviour the fake and PostgreSQL share."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

from registry.repositories import FollowUpSettings, Proposal
from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import NOW, a_centrale, a_check_in, a_proposal, a_task, an_organisation


async def _match(uow: RegistryUnitOfWork, centrale_id: str | None = None, **overrides: object) -> Proposal:
    if centrale_id is None:
        centrale = a_centrale()
        await uow.centrales.add(centrale)
        centrale_id = centrale.id
    organisation = an_organisation(centrale_id)
    await uow.organisations.add(organisation)
    task = a_task(centrale_id, organisation.id)
    await uow.tasks.add(task)
    match = a_proposal(task, uuid4(), **({"status": "made", "made_at": NOW - timedelta(days=20)} | overrides))
    await uow.proposals.put(match)
    return match


async def test_settings_are_the_centrales_own_and_replaced(uow: RegistryUnitOfWork) -> None:
    centrale = a_centrale()
    await uow.centrales.add(centrale)

    assert await uow.follow_up.settings(centrale.id) is None
    await uow.follow_up.put_settings(FollowUpSettings(centrale.id, ["P1W"], 7, NOW))
    await uow.follow_up.put_settings(FollowUpSettings(centrale.id, ["P2W", "P6M"], 21, NOW))

    assert await uow.follow_up.settings(centrale.id) == FollowUpSettings(centrale.id, ["P2W", "P6M"], 21, NOW)


async def test_a_check_in_exists_once_per_match_moment_and_side(uow: RegistryUnitOfWork) -> None:
    match = await _match(uow)
    volunteer = a_check_in(match)
    organisation = a_check_in(match, side="organisation")
    skipped = a_check_in(match, step="P3M", status="skipped", asked_at=None)

    assert await uow.follow_up.add(volunteer) is True
    assert await uow.follow_up.add(a_check_in(match)) is False  # same moment and side, another id
    assert await uow.follow_up.add(organisation) is True
    assert await uow.follow_up.add(skipped) is True

    assert await uow.follow_up.get(volunteer.id) == volunteer
    assert await uow.follow_up.get(uuid4(), lock=True) is None
    assert await uow.follow_up.steps_asked([match.match_id, uuid4()]) == {match.match_id: {"P2W", "P3M"}}


async def test_open_check_ins_are_the_asked_unanswered_ones_of_the_party(uow: RegistryUnitOfWork) -> None:
    match = await _match(uow)
    older = a_check_in(match, step="P2W", asked_at=NOW - timedelta(days=3))
    newer = a_check_in(match, step="P3M", asked_at=NOW)
    answered = a_check_in(match, step="P6M", status="answered", answer="good")
    theirs = a_check_in(match, side="organisation")
    for check_in in (newer, answered, theirs, older):
        await uow.follow_up.add(check_in)

    assert [c.id for c in await uow.follow_up.open_for("volunteer", match.volunteer_id)] == [older.id, newer.id]
    assert [c.id for c in await uow.follow_up.open_for("organisation", match.organisation_id)] == [theirs.id]
    assert await uow.follow_up.open_for("volunteer", match.organisation_id) == []


async def test_an_answer_and_its_handling_are_saved(uow: RegistryUnitOfWork) -> None:
    match = await _match(uow)
    check_in = a_check_in(match)
    await uow.follow_up.add(check_in)
    answered = replace(
        check_in, status="answered", answer="doubts", note="Zwaar", answered_at=NOW, answered_by="volunteer"
    )

    await uow.follow_up.save(answered)
    handled = replace(answered, handled_at=NOW, handled_by="credential:c")
    await uow.follow_up.save(handled)

    assert await uow.follow_up.get(check_in.id) == handled


async def test_warnings_are_doubts_stopping_and_silence_of_live_matches_not_handled(uow: RegistryUnitOfWork) -> None:
    match = await _match(uow)
    centrale = match.centrale_id
    ended = await _match(uow, centrale, status="ended")
    neighbour = await _match(uow, centrale, volunteer_centrale_id="vc-buren")
    doubts = a_check_in(match, status="answered", answer="doubts", answered_at=NOW - timedelta(days=1))
    stopping = a_check_in(neighbour, status="answered", answer="stopping", answered_at=NOW)
    silent = a_check_in(match, side="organisation", asked_at=NOW - timedelta(days=20))
    recent = a_check_in(match, step="P3M", asked_at=NOW - timedelta(days=2))
    good = a_check_in(match, step="P3M", side="organisation", status="answered", answer="good", answered_at=NOW)
    handled = a_check_in(neighbour, side="organisation", status="answered", answer="doubts", handled_at=NOW)
    of_ended = a_check_in(ended, status="answered", answer="stopping", answered_at=NOW)
    for check_in in (doubts, stopping, silent, recent, good, handled, of_ended):
        await uow.follow_up.add(check_in)
    await uow.follow_up.save(handled)

    warnings = await uow.follow_up.needing_attention(centrale, NOW - timedelta(days=14))
    for_the_neighbour = await uow.follow_up.needing_attention("vc-buren", NOW - timedelta(days=14))

    assert [c.id for c in warnings] == [silent.id, doubts.id, stopping.id]
    assert [c.id for c in for_the_neighbour] == [stopping.id]


async def test_a_volunteers_check_ins_of_both_sides_by_moment(uow: RegistryUnitOfWork) -> None:
    match, other = await _match(uow), await _match(uow)
    later = a_check_in(match, step="P3M", due_at=NOW + timedelta(days=60))
    theirs = a_check_in(match, side="organisation", note="Over de vrijwilliger")
    mine = a_check_in(match)
    for check_in in (later, theirs, mine, a_check_in(other)):
        await uow.follow_up.add(check_in)

    assert [c.id for c in await uow.follow_up.of_volunteer(match.volunteer_id)] == [theirs.id, mine.id, later.id]
