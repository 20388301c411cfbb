"""Match repository: kept once, counted and forgotten per volunteer."""

from __future__ import annotations

from dataclasses import replace
from uuid import uuid4

from appreciation.unit_of_work import AppreciationUnitOfWork
from tests.appreciation.builders import match_of


async def test_matches_are_kept_once_counted_and_forgotten_per_volunteer(uow: AppreciationUnitOfWork) -> None:
    volunteer_id, other, organisation_id = uuid4(), uuid4(), uuid4()
    first = match_of(volunteer_id, organisation_id=organisation_id)
    await uow.matches.add(first)
    await uow.matches.add(replace(first, organisation_id=uuid4()))  # same id again: the first stays
    await uow.matches.add(match_of(volunteer_id))
    await uow.matches.add(match_of(other))

    assert await uow.matches.counts([volunteer_id, other, uuid4()]) == {volunteer_id: 2, other: 1}
    assert first in await uow.matches.of_volunteer(volunteer_id)
    assert await uow.matches.exists(organisation_id, volunteer_id) is True
    assert await uow.matches.exists(organisation_id, other) is False

    await uow.matches.forget_volunteer(volunteer_id)

    assert await uow.matches.of_volunteer(volunteer_id) == []
    assert await uow.matches.counts([volunteer_id, other]) == {other: 1}


async def test_a_run_of_matches_is_stored_at_once_and_the_new_ids_are_told(uow: AppreciationUnitOfWork) -> None:
    volunteer_id = uuid4()
    known = match_of(volunteer_id)
    await uow.matches.add(known)
    new = match_of(volunteer_id)

    stored = await uow.matches.add_all([known, new, replace(new, organisation_id=uuid4()), match_of(uuid4())])

    assert len(stored) == 2
    assert new.id in stored
    assert known.id not in stored
    assert new in await uow.matches.of_volunteer(volunteer_id)  # the first of the two with its id
    assert (await uow.matches.counts([volunteer_id]))[volunteer_id] == 2
    assert await uow.matches.add_all([]) == set()
