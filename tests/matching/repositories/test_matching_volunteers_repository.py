"""VolunteerRepository behaviour, on the fake and on PostgreSQL."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from matching.domain import schedule
from matching.unit_of_work import MatchingUnitOfWork
from tests.matching.builders import AREAS, TUESDAY_MORNING, volunteer_facts


async def test_a_stored_profile_reads_back_as_the_domain_sees_it(uow: MatchingUnitOfWork) -> None:
    await uow.postcode_areas.load(AREAS)
    facts = volunteer_facts(
        skills=("koken", "rijbewijs"),
        interests=("zorg", "sport"),
        languages=("nl", "ar"),
        one_off_dates=(date(2027, 3, 12),),
        max_distance_km=7,
        commitment="one_off",
        needs_support=True,
        regional_consent=True,
        vog_valid_until=date(2029, 1, 5),
    )

    await uow.volunteers.upsert(facts)

    profile = await uow.volunteers.get(facts.volunteer_id)
    assert profile is not None
    assert (profile.volunteer_id, profile.centrale_id) == (facts.volunteer_id, facts.centrale_id)
    assert (profile.skills, profile.interests) == (frozenset({"koken", "rijbewijs"}), frozenset({"zorg", "sport"}))
    assert profile.languages == ("nl", "ar")
    assert profile.availability_mask == schedule.slots_mask(TUESDAY_MORNING)
    assert profile.one_off_dates == {date(2027, 3, 12)}
    assert (profile.max_distance_km, profile.commitment) == (7, "one_off")
    assert (profile.needs_support, profile.matching_consent, profile.regional_consent) == (True, True, True)
    assert profile.vog_valid_until == date(2029, 1, 5)
    assert profile.open_commitments == 0
    assert profile.coordinates == (52.0874, 5.1250)


async def test_a_volunteer_in_an_area_without_a_centroid_has_no_coordinates(uow: MatchingUnitOfWork) -> None:
    facts = volunteer_facts(postcode_area="9999")
    await uow.volunteers.upsert(facts)

    profile = await uow.volunteers.get(facts.volunteer_id)

    assert profile is not None
    assert profile.coordinates is None
    assert await uow.volunteers.get(uuid4()) is None


async def test_an_update_replaces_the_facts_and_keeps_the_open_commitments(uow: MatchingUnitOfWork) -> None:
    facts = volunteer_facts()
    await uow.volunteers.upsert(facts)
    await uow.volunteers.add_commitments(facts.volunteer_id, +2)

    await uow.volunteers.upsert(volunteer_facts(volunteer_id=facts.volunteer_id, skills=(), matching_consent=False))

    profile = await uow.volunteers.get(facts.volunteer_id)
    assert profile is not None
    assert (profile.skills, profile.matching_consent, profile.open_commitments) == (frozenset(), False, 2)


async def test_open_commitments_never_drop_below_zero(uow: MatchingUnitOfWork) -> None:
    facts = volunteer_facts()
    await uow.volunteers.upsert(facts)

    assert await uow.volunteers.add_commitments(facts.volunteer_id, +1)
    assert await uow.volunteers.add_commitments(facts.volunteer_id, -1)
    assert await uow.volunteers.add_commitments(facts.volunteer_id, -1)

    profile = await uow.volunteers.get(facts.volunteer_id)
    assert profile is not None
    assert profile.open_commitments == 0
    assert not await uow.volunteers.add_commitments(uuid4(), +1)


async def test_an_erased_volunteer_is_gone_and_only_the_fact_of_erasure_stays(uow: MatchingUnitOfWork) -> None:
    facts = volunteer_facts()
    await uow.volunteers.upsert(facts)

    await uow.volunteers.erase(facts.volunteer_id)
    await uow.volunteers.erase(facts.volunteer_id)

    assert await uow.volunteers.get(facts.volunteer_id) is None
    assert not await uow.volunteers.add_commitments(facts.volunteer_id, +1)
    changes = await uow.volunteers.changed_since(None)
    assert changes.erased == [facts.volunteer_id]
    assert changes.profiles == []


async def test_changes_since_a_moment_hold_what_was_written_after_it(uow: MatchingUnitOfWork) -> None:
    await uow.postcode_areas.load(AREAS)
    before, touched, counted, erased = volunteer_facts(), volunteer_facts(), volunteer_facts(), volunteer_facts()
    moved = volunteer_facts(postcode_area="3701")
    for facts in (before, touched, counted, moved, erased):
        await uow.volunteers.upsert(facts)
    everything = await uow.volunteers.changed_since(None)
    assert {p.volunteer_id for p in everything.profiles} == {
        f.volunteer_id for f in (before, touched, counted, moved, erased)
    }

    since = everything.as_of
    await uow.volunteers.upsert(volunteer_facts(volunteer_id=touched.volunteer_id, skills=("tuinieren",)))
    await uow.volunteers.add_commitments(counted.volunteer_id, +1)
    await uow.volunteers.touch_in_areas(["3701"])
    await uow.volunteers.erase(erased.volunteer_id)
    changes = await uow.volunteers.changed_since(since)

    assert {p.volunteer_id for p in changes.profiles} == {
        touched.volunteer_id,
        counted.volunteer_id,
        moved.volunteer_id,
    }
    assert changes.erased == [erased.volunteer_id]
    assert changes.as_of >= since


async def test_centrales_are_those_with_volunteers(uow: MatchingUnitOfWork) -> None:
    for centrale in ("vc-utrecht", "vc-zeist", "vc-zeist"):
        await uow.volunteers.upsert(volunteer_facts(centrale_id=centrale))

    assert sorted(await uow.volunteers.centrales()) == ["vc-utrecht", "vc-zeist"]
