"""CalendarFeedRepository and MatchRepository.end: the behaviour the fakes and PostgreSQL share."""

from __future__ import annotations

import secrets
from datetime import timedelta
from uuid import UUID, uuid4

from registry.domain import ConsentKind
from registry.repositories import CalendarFeed, Consent
from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import NOW, a_match, a_volunteer
from tests.registry.builders_vacaturebank import a_published_task, a_region


def _feed(owner_id: UUID, centrale_id: str, kind: str = "volunteer") -> CalendarFeed:
    return CalendarFeed(uuid4(), secrets.token_hex(32), kind, owner_id, centrale_id, NOW)


async def test_a_live_feed_is_found_by_its_token_hash_until_revoked(uow: RegistryUnitOfWork) -> None:
    centrale_id, _ = await a_region(uow)
    owner = uuid4()
    feed = _feed(owner, centrale_id)
    await uow.calendar_feeds.add(feed)
    assert await uow.calendar_feeds.live(feed.token_hash) == feed
    assert await uow.calendar_feeds.live(secrets.token_hex(32)) is None

    assert await uow.calendar_feeds.revoke_live("volunteer", owner, NOW) is True
    assert await uow.calendar_feeds.live(feed.token_hash) is None
    assert await uow.calendar_feeds.revoke_live("volunteer", owner, NOW) is False


async def test_revoking_reaches_only_the_owners_feed_of_that_kind(uow: RegistryUnitOfWork) -> None:
    centrale_id, organisation_id = await a_region(uow)
    volunteer_feed = _feed(uuid4(), centrale_id)
    organisation_feed = _feed(organisation_id, centrale_id, "organisation")
    for feed in (volunteer_feed, organisation_feed):
        await uow.calendar_feeds.add(feed)
    assert await uow.calendar_feeds.revoke_live("volunteer", organisation_id, NOW) is False
    assert await uow.calendar_feeds.revoke_live("organisation", organisation_id, NOW) is True
    assert await uow.calendar_feeds.live(volunteer_feed.token_hash) == volunteer_feed
    # Revoked, the owner may have a new live feed.
    renewed = _feed(organisation_id, centrale_id, "organisation")
    await uow.calendar_feeds.add(renewed)
    assert await uow.calendar_feeds.live(renewed.token_hash) == renewed


async def test_commitments_are_the_matches_made_and_not_ended_with_their_tasks(uow: RegistryUnitOfWork) -> None:
    centrale_id, organisation_id = await a_region(uow)
    volunteer = a_volunteer(centrale_id)
    await uow.volunteers.add(volunteer)
    task = a_published_task(centrale_id, organisation_id, postcode_area="3584", postcode="3584 CS")
    await uow.tasks.add(task)
    older = a_match(task, volunteer.id, made_at=NOW - timedelta(days=9))
    newer = a_match(task, volunteer.id, made_at=NOW - timedelta(days=2))
    ended = a_match(task, volunteer.id)
    for match in (newer, older, ended):
        assert await uow.matches.add(match)
    assert await uow.matches.end(ended.id, NOW) is True
    assert await uow.matches.end(ended.id, NOW) is False  # a redelivered MatchEnded changes nothing
    assert await uow.matches.end(uuid4(), NOW) is False

    mine = await uow.calendar_feeds.commitments_of_volunteer(volunteer.id)
    theirs = await uow.calendar_feeds.commitments_of_organisation(organisation_id)
    assert [c.match_id for c in mine] == [older.id, newer.id]
    assert [c.match_id for c in theirs] == [older.id, newer.id]
    first = mine[0]
    assert (first.title, first.organisation_name, first.postcode, first.place) == (
        task.title,
        "Voedselbank Utrecht",
        "3584 CS",
        "Utrecht",
    )
    assert first.shifts == task.shifts
    assert first.volunteer_name == volunteer.name
    assert await uow.calendar_feeds.commitments_of_volunteer(uuid4()) == []


async def test_the_latest_contact_consent_decides(uow: RegistryUnitOfWork) -> None:
    centrale_id, organisation_id = await a_region(uow)
    volunteer = a_volunteer(centrale_id)
    await uow.volunteers.add(volunteer)
    task = a_published_task(centrale_id, organisation_id)
    await uow.tasks.add(task)
    await uow.matches.add(a_match(task, volunteer.id))

    async def consents() -> bool:
        [commitment] = await uow.calendar_feeds.commitments_of_organisation(organisation_id)
        return commitment.volunteer_consents_to_contact

    assert await consents() is False
    for granted, minutes in ((True, 1), (False, 2), (True, 3)):
        consent = Consent(
            volunteer.id,
            ConsentKind.CONTACT_BY_ORGANISATIONS,
            granted,
            "2026-01",
            "self",
            NOW + timedelta(minutes=minutes),
        )
        await uow.volunteers.add_consent(consent)
        assert await consents() is granted
    other_kind = Consent(volunteer.id, ConsentKind.MATCHING, False, "2026-01", "self", NOW + timedelta(minutes=9))
    await uow.volunteers.add_consent(other_kind)
    assert await consents() is True
