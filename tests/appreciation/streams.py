"""Event streams for comparing the two ways appreciation applies hours, registrations and matches: event by
event, or a run at a time.

``nldoet_stream`` is the bench's NLdoet weekend at a small scale (``bench.generator``: the involved
volunteers' and organisations' registrations, then tasks, sign-ups, matches and the burst of hours), cut
into consumer batches of random sizes, followed by batches made for the edges: a volunteer crossing
several thresholds in one run, an entry and an event twice in one run, volunteers erased before and
between runs, hours of a volunteer not seen yet at two centrales. ``apply`` feeds a stream to
appreciation's handlers and use cases the one way or the other.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from appreciation import handlers
from appreciation.config import SERVICE
from appreciation.use_cases import awards
from appreciation.use_cases.hours import RecordHours, record_hours, record_hours_run
from bench.generator import GeneratedEvent, generate_region, nldoet_weekend, region_registrations
from common.uow import Origin
from contracts import Event, EventEnvelope
from contracts.events import HoursLogged, MatchMade, TaskPosted, VolunteerErased, VolunteerRegistered

__all__ = ["Batch", "HandlerTable", "apply", "handler_table", "nldoet_stream"]

Batch = list[GeneratedEvent]
"""What one consumer batch hands the handlers: consecutive events of a run type in it form one run."""

_FRIDAY = date(2026, 3, 13)


class HandlerTable:
    """Appreciation's handlers by event type, as ``register_handlers`` attaches them to a consumer."""

    def __init__(self) -> None:
        self.per_event: dict[type[Event], Callable[[Any, Any], Awaitable[None]]] = {}
        self.runs: dict[type[Event], Callable[[Any, Any], Awaitable[None]]] = {}

    def on(self, event_class: type[Event]) -> Callable[[Any], Any]:
        """Record a per-event handler."""
        return lambda function: self.per_event.setdefault(event_class, function)

    def on_batch(self, event_class: type[Event]) -> Callable[[Any], Any]:
        """Record a run handler."""
        return lambda function: self.runs.setdefault(event_class, function)

    def before_runs(self, function: Callable[[Any, Any], Awaitable[None]]) -> None:
        """Ignore the transaction's turns: the streams are applied one transaction at a time."""


def handler_table() -> HandlerTable:
    """The handlers appreciation registers."""
    table = HandlerTable()
    handlers.register_handlers(table)  # type: ignore[arg-type]
    return table


def _delivered(event: Event, at: datetime, producer: str = "registry") -> GeneratedEvent:
    """``event`` as its producer would publish it at ``at``."""
    envelope = EventEnvelope(
        source=f"/regions/test/{producer}",
        type=event.event_type,
        subject=event.subject(),
        tenant="vc-test",
        region="test",
        time=at,
    )
    return GeneratedEvent(event, envelope)


def _uuid(rng: random.Random) -> UUID:
    return UUID(int=rng.getrandbits(128), version=4)


@dataclass
class _Edges:
    """Builds the edge-case batches from known volunteers, tasks and a clock that moves on."""

    rng: random.Random
    at: datetime

    def tick(self) -> datetime:
        self.at += timedelta(minutes=7)
        return self.at

    def registered(self, centrale_id: str, age_band: str, registered_at: datetime) -> tuple[UUID, GeneratedEvent]:
        volunteer_id = _uuid(self.rng)
        event = VolunteerRegistered(
            volunteer_id=volunteer_id,
            centrale_id=centrale_id,
            age_band=age_band,
            registered_at=registered_at,
            appreciation_messages_consent=True,
        )
        return volunteer_id, _delivered(event, self.tick())

    def match(self, volunteer_id: UUID, centrale_id: str, volunteer_centrale_id: str | None = None) -> MatchMade:
        return MatchMade(
            match_id=_uuid(self.rng),
            task_id=_uuid(self.rng),
            volunteer_id=volunteer_id,
            organisation_id=_uuid(self.rng),
            centrale_id=centrale_id,
            volunteer_centrale_id=volunteer_centrale_id or centrale_id,
            made_at=self.tick(),
        )

    def hours(self, match: MatchMade, hours: str, worked_on: date) -> HoursLogged:
        return HoursLogged(
            hours_id=_uuid(self.rng),
            match_id=match.match_id,
            volunteer_id=match.volunteer_id,
            task_id=match.task_id,
            organisation_id=match.organisation_id,
            centrale_id=match.centrale_id,
            theme="natuur",
            worked_on=worked_on,
            hours=Decimal(hours),
            logged_at=self.at,
        )

    def logged(self, event: Event) -> GeneratedEvent:
        return _delivered(event, self.tick())


def _edge_batches(rng: random.Random, centrales: Sequence[str], after: datetime) -> list[Batch]:
    """Batches made for the edges, after ``after``."""
    edges = _Edges(rng, after)
    home, other, third = centrales[0], centrales[1 % len(centrales)], centrales[2 % len(centrales)]
    batches: list[Batch] = []

    # A young volunteer registered two years ago crosses 10, 25, 50, 100 hours, MDT 80 h in half a year,
    # NLdoet and the first anniversary within one run (12 entries of 9 hours over two months).
    climber, registration = edges.registered(home, "12-17", datetime(2024, 1, 5, 10, 0, tzinfo=UTC))
    climber_match = edges.match(climber, home)
    batches.append([registration, _delivered(climber_match, edges.tick(), "matching")])
    days = [_FRIDAY + timedelta(days=1 + 5 * n) for n in range(11)] + [_FRIDAY + timedelta(days=1)]
    batches.append([edges.logged(edges.hours(climber_match, "9", day)) for day in days])

    # Duplicates in one run: an entry re-published under a new event id, and one event delivered twice.
    # Counted more than once, three times 4 hours would cross the 10-hour milestone.
    twice, registration = edges.registered(home, "30-49", datetime(2025, 9, 1, tzinfo=UTC))
    twice_match = edges.match(twice, home)
    batches.append([registration, _delivered(twice_match, edges.tick(), "matching")])
    entry = edges.hours(twice_match, "4", _FRIDAY)
    delivered = edges.logged(entry)
    batches.append([delivered, edges.logged(entry), delivered, edges.logged(edges.hours(twice_match, "1", _FRIDAY))])

    # Erased before any hours, and erased between two runs: their hours in a run leave nothing.
    gone, registration = edges.registered(other, "18-20", datetime(2025, 1, 1, tzinfo=UTC))
    gone_match = edges.match(gone, other)
    later, later_registration = edges.registered(other, "21-29", datetime(2024, 6, 1, tzinfo=UTC))
    later_match = edges.match(later, other)
    erased_first = edges.logged(VolunteerErased(volunteer_id=gone, centrale_id=other, erased_at=edges.tick()))
    batches.append(
        [
            registration,
            _delivered(gone_match, edges.tick(), "matching"),
            erased_first,
            later_registration,
            _delivered(later_match, edges.tick(), "matching"),
        ]
    )
    batches.append(
        [edges.logged(edges.hours(gone_match, "24", _FRIDAY)), edges.logged(edges.hours(later_match, "12", _FRIDAY))]
    )
    batches.append([edges.logged(VolunteerErased(volunteer_id=later, centrale_id=other, erased_at=edges.tick()))])
    batches.append(
        [edges.logged(edges.hours(later_match, "20", _FRIDAY)), edges.logged(edges.hours(climber_match, "1", _FRIDAY))]
    )

    # A volunteer not seen yet logs hours at tasks of two centrales in one run (the first is the guess),
    # then a match names their own centrale (a third), and more hours follow.
    unseen_match = edges.match(_uuid(rng), other)
    elsewhere = MatchMade(**(unseen_match.model_dump() | {"match_id": _uuid(rng), "centrale_id": home}))
    batches.append(
        [edges.logged(edges.hours(unseen_match, "6", _FRIDAY)), edges.logged(edges.hours(elsewhere, "6", _FRIDAY))]
    )
    confirming = MatchMade(**(unseen_match.model_dump() | {"match_id": _uuid(rng), "volunteer_centrale_id": third}))
    batches.append([_delivered(confirming, edges.tick(), "matching")])
    batches.append([edges.logged(edges.hours(unseen_match, "20", _FRIDAY + timedelta(days=1)))])

    # Runs of registrations and of matches: a volunteer registered twice in one run (the second re-published
    # with another age band and centrale), an erased volunteer's registration; a new volunteer's two matches
    # in one run (the first is the first match), one match delivered twice, an erased volunteer's match.
    newcomer, first_registration = edges.registered(home, "21-29", datetime(2025, 11, 3, tzinfo=UTC))
    again = VolunteerRegistered(**(first_registration.event.model_dump() | {"age_band": "12-17", "centrale_id": other}))
    _, gone_again = edges.registered(other, "30-49", datetime(2025, 2, 1, tzinfo=UTC))
    gone_again = _delivered(gone_again.event.model_copy(update={"volunteer_id": gone}), edges.tick())
    batches.append([first_registration, gone_again, edges.logged(again)])
    first, second = edges.match(newcomer, home), edges.match(newcomer, home)
    delivered_first = _delivered(first, edges.tick(), "matching")
    batches.append(
        [
            delivered_first,
            _delivered(edges.match(gone, other), edges.tick(), "matching"),
            _delivered(second, edges.tick(), "matching"),
            delivered_first,
            _delivered(first, edges.tick(), "matching"),
        ]
    )
    batches.append([edges.logged(edges.hours(first, "11", _FRIDAY + timedelta(days=1)))])
    return batches


def _batches(events: Sequence[GeneratedEvent], rng: random.Random, largest: int) -> Iterator[Batch]:
    """``events`` cut into consumer batches of 1 to ``largest`` events."""
    start = 0
    while start < len(events):
        size = rng.randint(1, largest)
        yield list(events[start : start + size])
        start += size


def nldoet_stream(*, volunteers: int = 1_000, hours_events: int = 1_500, seed: int = 11) -> list[Batch]:
    """The NLdoet weekend of a small generated region with what it assumes came first, then the edge cases."""
    rng = random.Random(seed)
    region = generate_region(seed=seed, volunteers=volunteers)
    spike = nldoet_weekend(region, friday=_FRIDAY, hours_events=hours_events)
    matches = [g.event for g in spike if isinstance(g.event, MatchMade)]
    involved_volunteers = {m.volunteer_id for m in matches}
    involved_organisations = {g.event.organisation_id for g in spike if isinstance(g.event, TaskPosted)}
    known = [
        g
        for g in region_registrations(region)
        if getattr(g.event, "volunteer_id", None) in involved_volunteers
        or getattr(g.event, "organisation_id", None) in involved_organisations
    ]
    ordered = sorted(known + spike, key=lambda g: g.time)
    batches = list(_batches(ordered, rng, largest=600))
    centrales = sorted({c.id for c in region.centrales})
    return batches + _edge_batches(rng, centrales, after=ordered[-1].time)


# Event types appreciation applies a run at a time: the command an event makes, the reference use case
# (one event at a time) and the run use case.
_RUN_TYPES: dict[type[Event], tuple[Callable[[Any, EventEnvelope], Any], Any, Any]] = {
    HoursLogged: (
        lambda event, envelope: RecordHours(
            handlers.hours_entry(event, envelope), handlers.trigger_of(envelope), Origin.of_event(envelope, SERVICE)
        ),
        record_hours,
        record_hours_run,
    ),
    VolunteerRegistered: (handlers.volunteer_record, awards.record_volunteer, awards.record_volunteer_run),
    MatchMade: (handlers.match_record, awards.record_match, awards.record_match_run),
}


async def apply(
    batches: Sequence[Batch],
    *,
    runs: bool,
    unit_of_work: Callable[[EventEnvelope], Any],
    in_batch: Callable[[Batch, Callable[[], Awaitable[None]]], Awaitable[None]] | None = None,
    apply_run: Callable[[Sequence[Event], Sequence[EventEnvelope]], Awaitable[None]] | None = None,
) -> None:
    """Apply every batch: hours, registrations and matches event by event (reference) or per run (``runs``).

    Other events go to their per-event handler. ``unit_of_work(envelope)``: the unit of work a handler gets
    for one event. ``apply_run``: how a run is applied (default: the run use case on ``unit_of_work`` of the
    run's first envelope). ``in_batch(batch, work)``: runs ``work`` for a batch (e.g. in one transaction).
    """
    table = handler_table()
    assert set(table.runs) == set(_RUN_TYPES), "every run handler appreciation registers has its reference here"

    async def run_batch(batch: Batch) -> None:
        index = 0
        while index < len(batch):
            kind = type(batch[index].event)
            if kind in _RUN_TYPES:
                end = index
                while end < len(batch) and type(batch[end].event) is kind:
                    end += 1
                await _apply_run(batch[index:end], runs=runs, unit_of_work=unit_of_work, apply_run=apply_run)
                index = end
                continue
            handler = table.per_event.get(kind)
            if handler is not None:
                await handler(batch[index].event, unit_of_work(batch[index].envelope))
            index += 1

    for batch in batches:
        if in_batch is None:
            await run_batch(batch)
        else:
            await in_batch(batch, lambda batch=batch: run_batch(batch))  # type: ignore[misc]


async def _apply_run(
    run: Batch,
    *,
    runs: bool,
    unit_of_work: Callable[[EventEnvelope], Any],
    apply_run: Callable[[Sequence[Event], Sequence[EventEnvelope]], Awaitable[None]] | None,
) -> None:
    events = [g.event for g in run]
    envelopes = [g.envelope for g in run]
    command_of, reference, run_use_case = _RUN_TYPES[type(events[0])]
    if not runs:
        for event, envelope in zip(events, envelopes, strict=True):
            # The reference as a per-event handler calls it: the unit of work's own origin.
            await reference(replace(command_of(event, envelope), origin=None), unit_of_work(envelope))
        return
    if apply_run is not None:
        await apply_run(events, envelopes)
        return
    commands = [command_of(event, envelope) for event, envelope in zip(events, envelopes, strict=True)]
    await run_use_case(commands, unit_of_work(envelopes[0]))
