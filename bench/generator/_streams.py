"""Event streams of a region: a normal month, the NLdoet weekend spike, and endless HoursLogged for paced load."""

from __future__ import annotations

import itertools
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import partial

from bench.generator._region import (
    _HOUR_TABLE,
    _WEEKDAY_WEIGHTS,
    Match,
    Organisation,
    Region,
    Task,
    Volunteer,
    _local,
    _new_task,
    _new_volunteer,
    _Places,
    _rng,
    _uuid,
    _uuid_from_bits,
)
from contracts import Event, EventEnvelope
from contracts.events import (
    HoursLogged,
    MatchMade,
    OrganisationAdmitted,
    OrganisationRegistered,
    TaskPosted,
    VolunteerErased,
    VolunteerProfileUpdated,
    VolunteerRegistered,
    WeeklySlot,
)


@dataclass(frozen=True)
class KafkaRecord:
    """An event as it travels: topic, key, JSON value and CloudEvents ``ce_*`` headers (binary mode)."""

    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]

    @property
    def event_id(self) -> str:
        """The ``ce_id`` header: the id the inbox dedupes on."""
        return next(value.decode() for name, value in self.headers if name == "ce_id")


@dataclass(frozen=True)
class GeneratedEvent:
    """A contract event with the envelope it is published in."""

    event: Event
    envelope: EventEnvelope

    @property
    def time(self) -> datetime:
        """When it happened (the envelope's ``time``)."""
        return self.envelope.time

    def record(self) -> KafkaRecord:
        """The Kafka record the outbox relay would publish for this event."""
        return KafkaRecord(
            topic=self.event.topic,
            key=self.envelope.subject.encode(),
            value=self.event.model_dump_json().encode(),
            headers=self.envelope.to_headers(),
        )


class _Emitter:
    """Builds contract events with deterministic envelopes, only of the kinds the caller wants.

    Rule that keeps a stream independent of ``only``: every random draw happens before ``emit`` and the
    ``build`` callables draw nothing, so skipping an event never shifts the ids of the others.
    """

    def __init__(self, region: Region, rng: random.Random, only: frozenset[type[Event]] | None) -> None:
        self.region = region
        self.rng = rng
        self.only = only
        self.events: list[GeneratedEvent] = []

    def wants(self, kind: type[Event]) -> bool:
        """Whether events of ``kind`` are built."""
        return self.only is None or kind in self.only

    def emit(
        self, kind: type[Event], build: Callable[[], Event], *, tenant: str, at: datetime, producer: str = "registry"
    ) -> None:
        """Draw the envelope's ids, then build and keep the event if its kind is wanted."""
        bits = self.rng.getrandbits(256)  # one draw for both ids: cheap when the event is skipped
        if not self.wants(kind):
            return
        event = build()
        envelope = EventEnvelope(
            id=_uuid_from_bits(bits >> 128),
            source=f"/regions/{self.region.name}/{producer}",
            type=event.event_type,
            time=at,
            subject=event.subject(),
            tenant=tenant,
            region=self.region.name,
            correlationid=_uuid_from_bits(bits),
        )
        self.events.append(GeneratedEvent(event=event, envelope=envelope))

    def sorted(self) -> list[GeneratedEvent]:
        """The events in time order (stable for equal times)."""
        return sorted(self.events, key=lambda generated: generated.time)


def _profile_fields(person: Volunteer) -> dict[str, object]:
    """The profile fields VolunteerRegistered and VolunteerProfileUpdated share."""
    return {
        "volunteer_id": person.id,
        "centrale_id": person.centrale_id,
        "postcode_area": person.postcode_area,
        "age_band": person.age_band,
        "skills": list(person.skills),
        "interests": list(person.interests),
        "languages": list(person.languages),
        "availability": [WeeklySlot(weekday=d, start=time(s), end=time(e)) for d, s, e in person.availability],
        "max_distance_km": person.max_distance_km,
        "commitment": person.commitment,
        "needs_support": person.needs_support,
        "regional_matching_consent": person.regional_matching_consent,
    }


def _task_posted(task: Task, posted_at: datetime, start: datetime | None, hours: int) -> TaskPosted:
    """The TaskPosted event of ``task`` (a one-off task runs ``hours`` from ``start``)."""
    return TaskPosted(
        task_id=task.id,
        organisation_id=task.organisation_id,
        centrale_id=task.centrale_id,
        theme=task.theme,
        skills=list(task.skills),
        postcode_area=task.postcode_area,
        one_off_start=start,
        one_off_end=start + timedelta(hours=hours) if start else None,
        shifts=[WeeklySlot(weekday=d, start=time(s), end=time(e)) for d, s, e in task.shifts],
        capacity=task.capacity,
        hours_per_week=task.hours_per_week,
        vog_required=task.vog_required,
        team_suitable=task.team_suitable,
        support_accessible=task.support_accessible,
        closing_date=start.date() - timedelta(days=1) if start else None,
        posted_at=posted_at,
    )


def _match_made(match: Match, made_at: datetime) -> MatchMade:
    """The MatchMade event of ``match``."""
    return MatchMade(
        match_id=match.id,
        task_id=match.task_id,
        volunteer_id=match.volunteer_id,
        organisation_id=match.organisation_id,
        centrale_id=match.centrale_id,
        volunteer_centrale_id=match.volunteer_centrale_id,
        made_at=made_at,
    )


def _hours_logged(
    hours_id: uuid.UUID, match: Match, worked_on: date, hours: Decimal, logged_at: datetime
) -> HoursLogged:
    """The HoursLogged event of one session of ``match``."""
    return HoursLogged(
        hours_id=hours_id,
        match_id=match.id,
        volunteer_id=match.volunteer_id,
        task_id=match.task_id,
        organisation_id=match.organisation_id,
        centrale_id=match.centrale_id,
        theme=match.theme,
        worked_on=worked_on,
        hours=hours,
        logged_at=logged_at,
    )


def _new_match(rng: random.Random, person: Volunteer, task: Task, shift_hours: float) -> Match:
    """A match of ``person`` to ``task`` with a fresh id."""
    return Match(
        id=_uuid(rng),
        volunteer_id=person.id,
        volunteer_centrale_id=person.centrale_id,
        task_id=task.id,
        organisation_id=task.organisation_id,
        centrale_id=task.centrale_id,
        theme=task.theme,
        shift_hours=shift_hours,
    )


def _moment(rng: random.Random, first: date, days: int) -> datetime:
    """A moment in ``days`` days from ``first``, weighted by weekday and hour of day."""
    weights = [_WEEKDAY_WEIGHTS[(first + timedelta(days=offset)).weekday()] for offset in range(days)]
    day = first + timedelta(days=rng.choices(range(days), weights)[0])
    return _local(day, _HOUR_TABLE.draw(rng), rng.randrange(60), rng.randrange(60))


def _moment_drawer(first: date, days: int) -> Callable[[random.Random], datetime]:
    """Like ``_moment`` over a fixed span, with the weekday weights summed once (for many draws)."""
    cumulative = list(
        itertools.accumulate(_WEEKDAY_WEIGHTS[(first + timedelta(days=offset)).weekday()] for offset in range(days))
    )

    def draw(rng: random.Random) -> datetime:
        day = first + timedelta(days=rng.choices(range(days), cum_weights=cumulative)[0])
        return _local(day, _HOUR_TABLE.draw(rng), rng.randrange(60), rng.randrange(60))

    return draw


def _hours(rng: random.Random, typical: float) -> Decimal:
    """Hours worked in one session: around ``typical``, in quarter hours, never above 24."""
    value = max(0.25, min(24.0, rng.gauss(typical, typical * 0.2)))
    return Decimal(round(value * 4) / 4).quantize(Decimal("0.01"))


def normal_month(
    region: Region, *, year: int = 2026, month: int = 5, seed: int = 1, only: frozenset[type[Event]] | None = None
) -> list[GeneratedEvent]:
    """A month of ordinary traffic: registrations, profile updates, erasures, tasks, matches and weekly hours.

    Volumes per month, relative to the region: 2.5% new volunteers, 4% profile updates, 0.4% erasures,
    8% new tasks, matches for 60% of the newcomers and 1% of the others, and 2-5 hour logs per
    structural match.
    """
    rng = _rng(f"{region.seed}:month:{year}-{month}:{seed}")
    emitter = _Emitter(region, rng, only)
    first = date(year, month, 1)
    days = (date(year + month // 12, month % 12 + 1, 1) - first).days
    people = len(region.volunteers)
    places = _Places(region.municipalities)

    newcomers = [_new_volunteer(rng, places) for _ in range(round(0.025 * people))]
    for person in newcomers:
        at = _moment(rng, first, days)
        staff = person.needs_support or rng.random() < 0.3
        registered = _profile_fields(person) | {"registered_at": at, "registered_by": "staff" if staff else "self"}
        emitter.emit(
            VolunteerRegistered,
            partial(VolunteerRegistered.model_validate, registered),
            tenant=person.centrale_id,
            at=at,
        )
    for person in rng.sample(region.volunteers, min(people, round(0.04 * people))):
        at = _moment(rng, first, days)
        updated = _profile_fields(person) | {"max_distance_km": rng.choice((5, 10, 15)), "updated_at": at}
        emitter.emit(
            VolunteerProfileUpdated,
            partial(VolunteerProfileUpdated.model_validate, updated),
            tenant=person.centrale_id,
            at=at,
        )
    for person in rng.sample(region.volunteers, min(people, round(0.004 * people))):
        at = _moment(rng, first, days)
        erased = {"volunteer_id": person.id, "centrale_id": person.centrale_id, "erased_at": at}
        emitter.emit(VolunteerErased, partial(VolunteerErased.model_validate, erased), tenant=person.centrale_id, at=at)

    new_tasks = [_new_task(rng, rng.choice(region.organisations)) for _ in range(round(0.08 * len(region.tasks)))]
    for task in new_tasks:
        at = _moment(rng, first, days)
        start = _local(at.date() + timedelta(days=rng.randint(7, 40)), rng.choice((9, 10, 13, 19)))
        length = rng.choice((2, 3, 4))
        build = partial(_task_posted, task, at, start if task.one_off else None, length)
        emitter.emit(TaskPosted, build, tenant=task.centrale_id, at=at)

    open_tasks = [task for task in (*region.tasks, *new_tasks) if not task.one_off]
    matched = newcomers[: round(0.6 * len(newcomers))] + rng.sample(region.volunteers, round(0.01 * people))
    for person in matched:
        task = rng.choice(open_tasks)
        at = _moment(rng, first, days)
        match = _new_match(rng, person, task, float(task.shifts[0][2] - task.shifts[0][1]))
        emitter.emit(MatchMade, partial(_match_made, match, at), tenant=task.centrale_id, at=at, producer="matching")

    for match in region.matches:
        # Structural volunteers come about weekly; the organisation logs each session.
        for _ in range(rng.choices((2, 3, 4, 5), (0.2, 0.35, 0.35, 0.1))[0]):
            worked = _moment(rng, first, days)
            logged = worked + timedelta(hours=rng.choice((3, 5, 20, 30, 70)))
            session = partial(_hours_logged, _uuid(rng), match, worked.date(), _hours(rng, match.shift_hours), logged)
            emitter.emit(HoursLogged, session, tenant=match.centrale_id, at=logged)
    return emitter.sorted()


def nldoet_weekend(
    region: Region,
    *,
    friday: date = date(2026, 3, 13),
    hours_events: int = 100_000,
    seed: int = 1,
    only: frozenset[type[Event]] | None = None,
) -> list[GeneratedEvent]:
    """The NLdoet spike: one-off activities posted in the weeks before, sign-ups, then a burst of hours.

    Exactly ``hours_events`` HoursLogged are emitted, for work on the Friday and Saturday, logged from
    the Friday morning until Sunday evening; every one has its MatchMade, every activity its TaskPosted,
    and about a third of the participants register as new (one-off) volunteers first.
    """
    if friday.weekday() != 4:
        raise ValueError(f"{friday} is not a Friday")
    rng = _rng(f"{region.seed}:nldoet:{friday.isoformat()}:{seed}")
    emitter = _Emitter(region, rng, only)
    places = _Places(region.municipalities)
    remaining = hours_events
    while remaining > 0:
        task = _new_task(rng, rng.choice(region.organisations), one_off=True)
        day = friday if rng.random() < 0.4 else friday + timedelta(days=1)
        length = rng.choice((2, 3, 3, 4, 4, 5))
        start = _local(day, rng.choice((9, 10, 13, 14)))
        posted = start - timedelta(days=rng.uniform(3, 28))
        emitter.emit(TaskPosted, partial(_task_posted, task, posted, start, length), tenant=task.centrale_id, at=posted)
        team = min(remaining, rng.choices((3, 5, 8, 12, 20, 40), (0.15, 0.25, 0.3, 0.15, 0.1, 0.05))[0])
        remaining -= team
        for _ in range(team):
            if rng.random() < 0.35:
                # A newcomer: the whole profile costs more to draw than the rest of the spike, so it comes
                # from a sub-generator and is drawn only when an event needs more than its id (the first draw).
                person_seed = rng.getrandbits(64)
                registered = start - timedelta(days=rng.uniform(1, 21))
                if emitter.wants(VolunteerRegistered) or emitter.wants(MatchMade):
                    person = _new_volunteer(_rng(person_seed), places)
                else:
                    person = _id_only_volunteer(_uuid(_rng(person_seed)))
                fields = {"commitment": "one_off", "availability": [], "registered_at": registered}
                build_registration = partial(_registration, person, fields)
                emitter.emit(VolunteerRegistered, build_registration, tenant=person.centrale_id, at=registered)
            else:
                person = region.volunteers[rng.randrange(len(region.volunteers))]
            match = _new_match(rng, person, task, float(length))
            made = start - timedelta(days=rng.uniform(0.5, 14))
            emitter.emit(
                MatchMade, partial(_match_made, match, made), tenant=task.centrale_id, at=made, producer="matching"
            )
            # Most organisations log the whole team right after the activity; some the next day.
            delay = rng.expovariate(1 / 1.5) if rng.random() < 0.8 else rng.uniform(12, 30)
            logged = start + timedelta(hours=length + delay, seconds=rng.uniform(0, 600))
            build = partial(_hours_logged, _uuid(rng), match, day, _hours(rng, length), logged)
            emitter.emit(HoursLogged, build, tenant=task.centrale_id, at=logged)
    return emitter.sorted()


def region_registrations(
    region: Region, *, before: date = date(2026, 1, 1), only: frozenset[type[Event]] | None = None
) -> list[GeneratedEvent]:
    """How the region's population came to be known: every volunteer registered, every organisation admitted.

    Registrations fall in the two years before ``before`` (admissions within a month after); streams of
    the region that mention its volunteers and organisations (a month, the NLdoet spike) assume these
    came first.
    """
    rng = _rng(f"{region.seed}:registrations:{before.isoformat()}")
    emitter = _Emitter(region, rng, only)
    moment = _moment_drawer(before - timedelta(days=730), 730)
    for person in region.volunteers:
        at = moment(rng)
        staff = person.needs_support or rng.random() < 0.3
        fields: dict[str, object] = {"registered_at": at, "registered_by": "staff" if staff else "self"}
        emitter.emit(VolunteerRegistered, partial(_registration, person, fields), tenant=person.centrale_id, at=at)
    for organisation in region.organisations:
        at = moment(rng)
        admitted = at + timedelta(days=rng.uniform(1, 30))
        build = partial(_organisation_registered, organisation, insured=rng.random() < 0.9, at=at)
        emitter.emit(OrganisationRegistered, build, tenant=organisation.centrale_id, at=at)
        admission = partial(
            OrganisationAdmitted,
            organisation_id=organisation.id,
            centrale_id=organisation.centrale_id,
            admitted_at=admitted,
        )
        emitter.emit(OrganisationAdmitted, admission, tenant=organisation.centrale_id, at=admitted)
    return emitter.sorted()


def _organisation_registered(organisation: Organisation, *, insured: bool, at: datetime) -> OrganisationRegistered:
    """OrganisationRegistered for ``organisation``."""
    return OrganisationRegistered(
        organisation_id=organisation.id,
        centrale_id=organisation.centrale_id,
        organisation_name=organisation.name,
        formal=organisation.formal,
        postcode_area=organisation.postcode_area,
        liability_insured=insured,
        free_vog_scheme=organisation.formal,
        registered_at=at,
    )


def _registration(person: Volunteer, fields: dict[str, object]) -> VolunteerRegistered:
    """VolunteerRegistered for ``person`` with ``fields`` overriding the profile."""
    return VolunteerRegistered.model_validate(_profile_fields(person) | fields)


def _id_only_volunteer(volunteer_id: uuid.UUID) -> Volunteer:
    """A stand-in carrying only an id, for streams that need no more of a newcomer (never published)."""
    return Volunteer(volunteer_id, "", "", "", "", 0.0, 0.0, "", (), (), (), (), None, "either", False, False)


def iter_hours_logged(region: Region, *, seed: int, start: datetime | None = None) -> Iterator[GeneratedEvent]:
    """An endless stream of HoursLogged over the region's structural matches, for paced load.

    Ids come from ``seed``: streams with different seeds share no event ids (the inbox sees new events).
    """
    if not region.matches:
        raise ValueError("the region has no structural matches to log hours for")
    rng = _rng(f"{region.seed}:hours:{seed}")
    emitter = _Emitter(region, rng, frozenset({HoursLogged}))
    moment = start or datetime(2026, 5, 4, 6, tzinfo=UTC)
    while True:
        match = rng.choice(region.matches)
        moment += timedelta(seconds=rng.expovariate(1 / 30))
        build = partial(_hours_logged, _uuid(rng), match, moment.date(), _hours(rng, match.shift_hours), moment)
        emitter.emit(HoursLogged, build, tenant=match.centrale_id, at=moment)
        yield emitter.events.pop()
