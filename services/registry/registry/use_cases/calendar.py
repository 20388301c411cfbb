"""Private calendar feeds: a volunteer's or an organisation's confirmed commitments behind a secret URL.

The URL's token is 256-bit random and shown once; only its SHA-256 is stored. Asking again gives a new URL
and revokes the old one; revoking leaves the URL answering 404. A feed shows no more personal data than
its owner's own commitments: an organisation's names a volunteer only when that volunteer consented to
contact by organisations, otherwise "vrijwilliger via de centrale".
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from uuid import UUID, uuid4

from common.auth import hash_token
from common.errors import NotFound
from registry import domain
from registry.feeds.ical import CalendarEntry, WeeklyShift
from registry.repositories import CalendarFeed, Commitment
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases.shifts import release_signups_of_match

__all__ = [
    "CALENDAR_TOKEN_PREFIX",
    "VIA_CENTRALE",
    "CalendarView",
    "CreateCalendarFeed",
    "FeedOwner",
    "GetCalendar",
    "RecordMatchEnded",
    "RevokeCalendarFeed",
    "create_calendar_feed",
    "get_calendar",
    "record_match_ended",
    "revoke_calendar_feed",
]

CALENDAR_TOKEN_PREFIX = "cal_"
# What an organisation's calendar says instead of the name of a volunteer who did not consent to contact.
VIA_CENTRALE = "vrijwilliger via de centrale"


class FeedOwner(StrEnum):
    """Whose commitments a feed shows."""

    VOLUNTEER = "volunteer"
    ORGANISATION = "organisation"


@dataclass(frozen=True)
class CreateCalendarFeed:
    """Give the owner a new secret feed URL (revoking the one they had)."""

    owner_kind: FeedOwner
    owner_id: UUID
    centrale_id: str


@dataclass(frozen=True)
class RevokeCalendarFeed:
    """Stop the owner's feed URL from working."""

    owner_kind: FeedOwner
    owner_id: UUID


@dataclass(frozen=True)
class GetCalendar:
    """The calendar behind a feed URL's token."""

    token: str


@dataclass(frozen=True)
class RecordMatchEnded:
    """Matching reported a match ended (``MatchEnded``): it leaves the calendars."""

    match_id: UUID
    ended_at: datetime


@dataclass(frozen=True)
class CalendarView:
    """What a feed shows: its name and one entry per commitment."""

    name: str
    entries: list[CalendarEntry]


async def create_calendar_feed(cmd: CreateCalendarFeed, uow: RegistryUnitOfWork) -> str:
    """A new feed for the owner; returns its token (shown this once), the previous one stops working."""
    now = uow.now()
    await uow.calendar_feeds.revoke_live(cmd.owner_kind, cmd.owner_id, now)
    token = f"{CALENDAR_TOKEN_PREFIX}{secrets.token_urlsafe(32)}"
    feed = CalendarFeed(
        id=uuid4(),
        token_hash=hash_token(token),
        owner_kind=cmd.owner_kind,
        owner_id=cmd.owner_id,
        centrale_id=cmd.centrale_id,
        created_at=now,
    )
    await uow.calendar_feeds.add(feed)
    return token


async def revoke_calendar_feed(cmd: RevokeCalendarFeed, uow: RegistryUnitOfWork) -> None:
    """Revoke the owner's feed; NotFound when they have none."""
    if not await uow.calendar_feeds.revoke_live(cmd.owner_kind, cmd.owner_id, uow.now()):
        raise NotFound("no calendar feed")


async def get_calendar(query: GetCalendar, uow: RegistryUnitOfWork) -> CalendarView:
    """The owner's confirmed commitments; NotFound for an unknown or revoked token."""
    feed = await uow.calendar_feeds.live(hash_token(query.token)) if query.token else None
    if feed is None:
        raise NotFound("not found")
    if feed.owner_kind == FeedOwner.VOLUNTEER:
        commitments = await uow.calendar_feeds.commitments_of_volunteer(feed.owner_id)
        contacts = await _contact_lines(uow, commitments)
        entries = [_volunteer_entry(c, contacts[c.centrale_id]) for c in commitments]
        entries += await _signed_up_shifts(uow, feed.owner_id)
        return CalendarView("Mijn vrijwilligerswerk", entries)
    commitments = await uow.calendar_feeds.commitments_of_organisation(feed.owner_id)
    contacts = await _contact_lines(uow, commitments)
    name = f"Vrijwilligers van {commitments[0].organisation_name}" if commitments else "Vrijwilligers"
    entries = [_organisation_entry(c, contacts[c.centrale_id]) for c in commitments]
    return CalendarView(name, entries + await _staffed_shifts(uow, feed.owner_id))


async def record_match_ended(cmd: RecordMatchEnded, uow: RegistryUnitOfWork) -> None:
    """Remember that the match ended (a redelivered event changes nothing); its sign-ups for shifts ahead go."""
    if await uow.matches.end(cmd.match_id, cmd.ended_at):
        await release_signups_of_match(uow, cmd.match_id)  # its shifts ahead go to whoever waits


def volunteer_shown_as(commitment: Commitment) -> str:
    """How an organisation's calendar names the volunteer: by name only with their consent to contact."""
    if commitment.volunteer_consents_to_contact and commitment.volunteer_name:
        return commitment.volunteer_name
    return VIA_CENTRALE


def _volunteer_entry(commitment: Commitment, contact: str) -> CalendarEntry:
    return _entry(
        commitment,
        summary=commitment.title,
        description=f"Vrijwilligerswerk bij {commitment.organisation_name}. {contact}",
    )


def _organisation_entry(commitment: Commitment, contact: str) -> CalendarEntry:
    who = volunteer_shown_as(commitment)
    reach = "" if who != VIA_CENTRALE else f" {contact}"
    return _entry(commitment, summary=f"{commitment.title}: {who}", description=f"{commitment.title}, {who}.{reach}")


def _entry(commitment: Commitment, *, summary: str, description: str) -> CalendarEntry:
    one_off = None
    if commitment.one_off_start is not None and commitment.one_off_end is not None:
        one_off = (commitment.one_off_start, commitment.one_off_end)
    location = " ".join(part for part in (commitment.postcode, commitment.place) if part) or None
    return CalendarEntry(
        uid=str(commitment.match_id),
        summary=summary,
        description=description,
        location=location,
        first_day=domain.dutch_date(commitment.made_at),
        one_off=one_off,
        shifts=tuple(
            WeeklyShift(int(shift["weekday"]), time.fromisoformat(shift["start"]), time.fromisoformat(shift["end"]))
            for shift in commitment.shifts
        ),
    )


async def _signed_up_shifts(uow: RegistryUnitOfWork, volunteer_id: UUID) -> list[CalendarEntry]:
    """The dated shifts the volunteer holds a place in, each an event of its own (issue 18)."""
    shifts = await uow.shifts.signed_up_shifts_of_volunteer(volunteer_id)
    contacts = await _contact_lines_of(uow, {s.centrale_id for s in shifts})
    return [
        CalendarEntry(
            uid=f"shift-{shift.signup_id}",
            summary=shift.title,
            description=f"Dienst bij {shift.organisation_name}. {contacts[shift.centrale_id]}",
            location=" ".join(part for part in (shift.postcode, shift.place) if part) or None,
            first_day=domain.dutch_date(shift.starts_at),
            one_off=(shift.starts_at, shift.ends_at),
        )
        for shift in shifts
    ]


async def _staffed_shifts(uow: RegistryUnitOfWork, organisation_id: UUID) -> list[CalendarEntry]:
    """The organisation's dated shifts ahead that someone signed up for, with how many (never who)."""
    shifts = await uow.shifts.staffed_shifts_of_organisation(organisation_id, uow.now())
    return [
        CalendarEntry(
            uid=f"shift-{shift.shift_id}",
            summary=f"{shift.title}: {shift.taken} van {shift.capacity} plaatsen bezet",
            description=f"{shift.title}, dienst met {shift.taken} vrijwilliger(s) aangemeld.",
            location=" ".join(part for part in (shift.postcode, shift.place) if part) or None,
            first_day=domain.dutch_date(shift.starts_at),
            one_off=(shift.starts_at, shift.ends_at),
        )
        for shift in shifts
    ]


async def _contact_lines(uow: RegistryUnitOfWork, commitments: list[Commitment]) -> dict[str, str]:
    """How to reach each centrale of the commitments, in one Dutch sentence (each centrale read once)."""
    return await _contact_lines_of(uow, {c.centrale_id for c in commitments})


async def _contact_lines_of(uow: RegistryUnitOfWork, centrale_ids: set[str]) -> dict[str, str]:
    """How to reach each of the centrales, in one Dutch sentence."""
    lines = {}
    for centrale_id in centrale_ids:
        centrale = await uow.centrales.get(centrale_id)
        contact = await uow.public_contacts.get(centrale_id)
        means = [value for value in (contact.phone, contact.email, contact.website) if value] if contact else []
        name = centrale.name if centrale else "de vrijwilligerscentrale"
        lines[centrale_id] = f"Vragen? {name}" + (f": {', '.join(means)}." if means else ".")
    return lines
