"""Calendar feeds on the fakes: secret URLs (hashed, replaceable, revocable) and what a calendar shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import icalendar
import pytest

from common.auth import hash_token
from common.errors import NotFound
from registry.domain import ConsentKind
from registry.feeds.ical import render_calendar
from registry.repositories import Consent, Match, Task, Volunteer
from registry.use_cases.calendar import (
    VIA_CENTRALE,
    CreateCalendarFeed,
    FeedOwner,
    GetCalendar,
    RecordMatchEnded,
    RevokeCalendarFeed,
    create_calendar_feed,
    get_calendar,
    record_match_ended,
    revoke_calendar_feed,
)
from registry.use_cases.vacaturebank import SetPublicContact, set_public_contact
from tests.registry.builders import NOW, a_match, a_volunteer
from tests.registry.builders_vacaturebank import a_published_task, a_region
from tests.registry.fakes import FakeRegistryUnitOfWork


@dataclass(frozen=True)
class Committed:
    """A volunteer matched to a published task of an organisation."""

    centrale_id: str
    organisation_id: UUID
    volunteer: Volunteer
    task: Task
    match: Match

    def owner(self, kind: FeedOwner) -> CreateCalendarFeed:
        """A request for the volunteer's or the organisation's feed."""
        owner_id = self.volunteer.id if kind is FeedOwner.VOLUNTEER else self.organisation_id
        return CreateCalendarFeed(kind, owner_id, self.centrale_id)


async def _committed(uow: FakeRegistryUnitOfWork, *, consent: bool | None = None, **task: Any) -> Committed:
    """A volunteer matched (three days before NOW, a Thursday) to a published task."""
    centrale_id, organisation_id = await a_region(uow)
    volunteer = a_volunteer(centrale_id)
    await uow.volunteers.add(volunteer)
    if consent is not None:
        kind = ConsentKind.CONTACT_BY_ORGANISATIONS
        await uow.volunteers.add_consent(Consent(volunteer.id, kind, consent, "2026-01", "self", NOW))
    published = a_published_task(centrale_id, organisation_id, **task)
    await uow.tasks.add(published)
    match = a_match(published, volunteer.id)
    await uow.matches.add(match)
    return Committed(centrale_id, organisation_id, volunteer, published, match)


def _moment(value: date | None) -> datetime:
    assert isinstance(value, datetime), value
    return value


async def test_a_feed_token_is_shown_once_and_only_its_hash_is_kept(uow: FakeRegistryUnitOfWork) -> None:
    centrale_id, _ = await a_region(uow)
    volunteer = a_volunteer(centrale_id)
    token = await create_calendar_feed(CreateCalendarFeed(FeedOwner.VOLUNTEER, volunteer.id, centrale_id), uow)
    assert token.startswith("cal_")
    assert len(token) > 40
    [feed] = uow.tables.calendar_feeds.values()
    assert feed.token_hash == hash_token(token)
    assert token not in repr(uow.tables)


async def test_a_new_url_replaces_the_old_one_and_a_revoked_url_is_not_found(uow: FakeRegistryUnitOfWork) -> None:
    setup = await _committed(uow)
    owner = (FeedOwner.VOLUNTEER, setup.volunteer.id)
    first = await create_calendar_feed(setup.owner(FeedOwner.VOLUNTEER), uow)
    second = await create_calendar_feed(setup.owner(FeedOwner.VOLUNTEER), uow)
    with pytest.raises(NotFound):
        await get_calendar(GetCalendar(first), uow)
    assert (await get_calendar(GetCalendar(second), uow)).entries

    await revoke_calendar_feed(RevokeCalendarFeed(*owner), uow)
    with pytest.raises(NotFound):
        await get_calendar(GetCalendar(second), uow)
    with pytest.raises(NotFound):
        await revoke_calendar_feed(RevokeCalendarFeed(*owner), uow)
    with pytest.raises(NotFound):
        await get_calendar(GetCalendar(""), uow)


async def test_a_volunteers_calendar_repeats_weekly_shifts_from_the_match_on(uow: FakeRegistryUnitOfWork) -> None:
    setup = await _committed(uow, shifts=[{"weekday": 2, "start": "09:00:00", "end": "12:00:00"}])
    await set_public_contact(SetPublicContact(setup.centrale_id, None, "030 123 45 67", None), uow)
    token = await create_calendar_feed(setup.owner(FeedOwner.VOLUNTEER), uow)
    view = await get_calendar(GetCalendar(token), uow)
    calendar = icalendar.Calendar.from_ical(render_calendar(view.name, view.entries, NOW))

    [event] = calendar.events
    assert str(event["summary"]) == "Boodschappenbus rijden"
    assert "Voedselbank Utrecht" in str(event["description"])
    assert "030 123 45 67" in str(event["description"])
    assert event.rrules == [{"FREQ": ["WEEKLY"], "BYDAY": ["TU"]}]
    start = _moment(event.DTSTART)
    # Matched on Thursday 19 November: the first Tuesday after it, at 09:00 Dutch time (CET, +01:00).
    assert (start.date(), start.hour, start.utcoffset()) == (date(2026, 11, 24), 9, timedelta(hours=1))
    assert _moment(event.DTEND) - start == timedelta(hours=3)
    assert str(calendar["x-wr-calname"]) == "Mijn vrijwilligerswerk"
    assert str(setup.volunteer.name) not in calendar.to_ical().decode()


async def test_a_one_off_task_is_a_single_event(uow: FakeRegistryUnitOfWork) -> None:
    start = datetime(2027, 3, 13, 9, 0, tzinfo=UTC)
    setup = await _committed(uow, shifts=[], one_off_start=start, one_off_end=start + timedelta(hours=6))
    token = await create_calendar_feed(setup.owner(FeedOwner.VOLUNTEER), uow)
    view = await get_calendar(GetCalendar(token), uow)
    [event] = icalendar.Calendar.from_ical(render_calendar(view.name, view.entries, NOW)).events
    assert event.rrules == []
    assert _moment(event.DTSTART) == start
    assert _moment(event.DTEND) == start + timedelta(hours=6)


@pytest.mark.parametrize(("consent", "named"), [(True, True), (False, False), (None, False)])
async def test_an_organisations_calendar_names_a_volunteer_only_with_their_consent(
    uow: FakeRegistryUnitOfWork, consent: bool | None, named: bool
) -> None:
    setup = await _committed(uow, consent=consent)
    name = str(setup.volunteer.name)
    token = await create_calendar_feed(setup.owner(FeedOwner.ORGANISATION), uow)
    view = await get_calendar(GetCalendar(token), uow)
    text = render_calendar(view.name, view.entries, NOW).decode()
    [entry] = view.entries
    assert (name in text) is named
    assert (VIA_CENTRALE in entry.summary) is not named
    assert view.name == "Vrijwilligers van Voedselbank Utrecht"


async def test_an_ended_match_leaves_the_calendars(uow: FakeRegistryUnitOfWork) -> None:
    setup = await _committed(uow)
    token = await create_calendar_feed(setup.owner(FeedOwner.VOLUNTEER), uow)
    await record_match_ended(RecordMatchEnded(setup.match.id, NOW), uow)
    await record_match_ended(RecordMatchEnded(setup.match.id, NOW + timedelta(1)), uow)
    assert (await get_calendar(GetCalendar(token), uow)).entries == []
    assert uow.tables.matches[setup.match.id].ended_at == NOW
