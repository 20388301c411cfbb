"""Award repository: an award id is stored once; listed per volunteer and centrale; anonymised on erasure."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from appreciation.unit_of_work import AppreciationUnitOfWork
from tests.appreciation.builders import award_of

AT = datetime(2026, 3, 14, 18, 0, tzinfo=UTC)


async def test_only_awards_with_a_new_id_are_stored_and_returned_in_the_order_given(
    uow: AppreciationUnitOfWork,
) -> None:
    volunteer_id = uuid4()
    ten, twenty_five = award_of(volunteer_id, "hours-10"), award_of(volunteer_id, "hours-25")
    assert await uow.awards.add_new([]) == []
    assert await uow.awards.add_new([twenty_five]) == [twenty_five]

    new = await uow.awards.add_new([ten, twenty_five, award_of(volunteer_id, "hours-25", at=AT + timedelta(days=1))])

    assert new == [ten]
    assert await uow.awards.of_volunteer(volunteer_id) == [ten, twenty_five]  # same moment: by title


async def test_a_volunteers_awards_come_oldest_first_and_a_centrales_by_period(uow: AppreciationUnitOfWork) -> None:
    volunteer_id = uuid4()
    late = award_of(volunteer_id, "hours-10", at=AT + timedelta(hours=1))
    early = award_of(volunteer_id, "hours-25", at=AT)
    elsewhere = award_of(uuid4(), "hours-10", centrale_id="vc-other", at=AT)
    await uow.awards.add_new([late, early, elsewhere])

    assert await uow.awards.of_volunteer(volunteer_id) == [early, late]
    assert await uow.awards.of_centrale(early.centrale_id, AT, AT + timedelta(hours=1)) == [early]
    assert await uow.awards.of_centrale(early.centrale_id, AT, AT + timedelta(hours=2)) == [early, late]
    assert await uow.awards.of_centrale("vc-other", AT - timedelta(days=1), AT) == []


async def test_an_erased_recipients_awards_stay_without_their_id(uow: AppreciationUnitOfWork) -> None:
    volunteer_id, other = uuid4(), uuid4()
    theirs, kept = award_of(volunteer_id), award_of(other)
    await uow.awards.add_new([theirs, kept])

    await uow.awards.anonymise(volunteer_id)

    assert await uow.awards.of_volunteer(volunteer_id) == []
    listed = await uow.awards.of_centrale(theirs.centrale_id, AT, AT + timedelta(seconds=1))
    assert sorted((a.award_id, a.recipient_id) for a in listed) == sorted(
        [(theirs.award_id, None), (kept.award_id, other)], key=str
    )
    assert await uow.awards.add_new([theirs]) == []  # still given, once


async def test_what_recipients_were_given_is_known_by_centrale_rule_and_occurrence(uow: AppreciationUnitOfWork) -> None:
    volunteer_id, other, stranger = uuid4(), uuid4(), uuid4()
    await uow.awards.add_new(
        [
            award_of(volunteer_id, "hours-10"),
            award_of(volunteer_id, "nldoet", occurrence="2026"),
            award_of(volunteer_id, "hours-10", centrale_id="vc-other"),
            award_of(other, "hours-25"),
            award_of(stranger, "hours-10"),
        ]
    )
    await uow.awards.anonymise(stranger)

    given = await uow.awards.given([volunteer_id, other, stranger])

    assert given == {
        (volunteer_id, "vc-test", "hours-10", ""),
        (volunteer_id, "vc-test", "nldoet", "2026"),
        (volunteer_id, "vc-other", "hours-10", ""),
        (other, "vc-test", "hours-25", ""),
    }
    assert await uow.awards.given([]) == set()


async def test_an_award_for_imported_history_reads_back_as_historic(uow: AppreciationUnitOfWork) -> None:
    volunteer_id = uuid4()
    past, now = replace(award_of(volunteer_id, "hours-10"), historic=True), award_of(volunteer_id, "hours-25")
    await uow.awards.add_new([past, now])
    assert [(a.rule_id, a.historic) for a in await uow.awards.of_volunteer(volunteer_id)] == [
        ("hours-10", True),
        ("hours-25", False),
    ]
