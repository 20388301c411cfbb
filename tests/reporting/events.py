"""Build the events a region produces (as the registry, matching and the HR systems would) for reporting tests."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from aiokafka.structs import ConsumerRecord

from contracts import Event, EventEnvelope
from contracts.events import (
    BusinessPartnerRegistered,
    HistoricHoursEntry,
    HistoricHoursImported,
    HoursLogged,
    MatchEnded,
    MatchMade,
    MatchProposed,
    OrganisationAdmitted,
    OrganisationRefused,
    OrganisationRegistered,
    TaskClosed,
    TaskPosted,
    VolunteerConsentChanged,
    VolunteerDayHoursLogged,
    VolunteerDayMatched,
    VolunteerDayPosted,
    VolunteerErased,
    VolunteerProfileUpdated,
    VolunteerRegistered,
)

__all__ = ["Published", "World", "at", "consumer_records"]


def at(day: str, hour: int = 10) -> datetime:
    """``2026-01-05`` at ``hour``:00 UTC (11:00 in Amsterdam in winter)."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@dataclass(frozen=True)
class Published:
    """An event, the tenant it belongs to and when its producer recorded it (the envelope's time)."""

    event: Event
    tenant: str
    recorded: datetime
    source: str

    def envelope(self) -> EventEnvelope:
        """The CloudEvents envelope the producer would send."""
        return EventEnvelope(
            source=self.source, type=self.event.event_type, subject=self.event.subject(), tenant=self.tenant,
            region="testregio", time=self.recorded,
        )  # fmt: skip


@dataclass
class _Task:
    task_id: UUID
    organisation_id: UUID
    centrale_id: str
    theme: str


@dataclass
class _Volunteer:
    volunteer_id: UUID
    centrale_id: str


@dataclass
class World:
    """A region's history as events; ``tag`` keeps its centrales apart from other tests' on the shared broker."""

    tag: str = field(default_factory=lambda: secrets.token_hex(3))
    events: list[Published] = field(default_factory=list)
    _tasks: dict[UUID, _Task] = field(default_factory=dict)
    _volunteers: dict[UUID, _Volunteer] = field(default_factory=dict)
    _matches: dict[UUID, tuple[_Task, _Volunteer]] = field(default_factory=dict)

    def _add(self, event: Event, tenant: str, recorded: datetime, producer: str = "registry") -> None:
        self.events.append(Published(event, tenant, recorded, f"/regions/testregio/{producer}"))

    def take(self) -> list[Published]:
        """The events added since the last take, in the order they were recorded, as their producers send them."""
        taken, self.events = self.events, []
        return sorted(taken, key=lambda published: published.recorded)  # stable: same moment keeps its order

    def centrale(self, name: str) -> str:
        """A centrale id unique to this world."""
        return f"vc-{name}-{self.tag}"

    def organisation(
        self, centrale: str, area: str, registered: str, *, admitted: str | None = None, refused: str | None = None
    ) -> UUID:
        """An organisation registered (and admitted or refused) with a centrale."""
        organisation_id = uuid4()
        self._add(OrganisationRegistered(
            organisation_id=organisation_id, centrale_id=centrale, organisation_name="Buurthuis", formal=True,
            postcode_area=area, liability_insured=True, free_vog_scheme=False, registered_at=at(registered),
        ), centrale, at(registered))  # fmt: skip
        if admitted:
            self._add(OrganisationAdmitted(organisation_id=organisation_id, centrale_id=centrale,
                                           admitted_at=at(admitted)), centrale, at(admitted))  # fmt: skip
        if refused:
            self._add(OrganisationRefused(organisation_id=organisation_id, centrale_id=centrale, reason="geen KvK",
                                          refused_at=at(refused)), centrale, at(refused))  # fmt: skip
        return organisation_id

    def volunteer(
        self, centrale: str, area: str | None, registered: str, *, age_band: str = "30-49",
        interests: tuple[str, ...] = (), target_groups: tuple[str, ...] = (), recorded: datetime | None = None,
        skills: tuple[str, ...] = (), max_distance_km: int | None = None,
    ) -> UUID:  # fmt: skip
        """A volunteer registered on ``registered`` (recorded then, unless told otherwise)."""
        volunteer_id = uuid4()
        self._volunteers[volunteer_id] = _Volunteer(volunteer_id, centrale)
        self._add(VolunteerRegistered(
            volunteer_id=volunteer_id, centrale_id=centrale, postcode_area=area, age_band=age_band,
            interests=list(interests), target_groups=list(target_groups), registered_at=at(registered),
            skills=list(skills), max_distance_km=max_distance_km,
        ), centrale, recorded or at(registered))  # fmt: skip
        return volunteer_id

    def profile(self, volunteer: UUID, area: str | None, updated: str, **changes: object) -> None:
        """A profile update (the full new profile, as the registry sends it)."""
        centrale = self._volunteers[volunteer].centrale_id
        event = VolunteerProfileUpdated.model_validate(
            {"volunteer_id": volunteer, "centrale_id": centrale, "postcode_area": area, "updated_at": at(updated),
             **changes}
        )  # fmt: skip
        self._add(event, centrale, at(updated))

    def consent(self, volunteer: UUID, consent: str, granted: bool, changed: str) -> None:
        """A consent granted or withdrawn."""
        centrale = self._volunteers[volunteer].centrale_id
        self._add(VolunteerConsentChanged(
            volunteer_id=volunteer, centrale_id=centrale, consent=consent, granted=granted, text_version="2026-01",
            changed_at=at(changed),
        ), centrale, at(changed))  # fmt: skip

    def erase(self, volunteer: UUID, erased: str) -> None:
        """The volunteer is erased in the registry."""
        centrale = self._volunteers[volunteer].centrale_id
        self._add(VolunteerErased(volunteer_id=volunteer, centrale_id=centrale, erased_at=at(erased)), centrale,
                  at(erased))  # fmt: skip

    def task(
        self, centrale: str, organisation: UUID, theme: str, area: str | None, posted: str, capacity: int = 10,
        hours_per_week: float = 3, one_off: datetime | None = None,
    ) -> UUID:  # fmt: skip
        """A task published on ``posted`` (one-off when it has a one-off start, else structural)."""
        task_id = uuid4()
        self._tasks[task_id] = _Task(task_id, organisation, centrale, theme)
        self._add(TaskPosted(
            task_id=task_id, organisation_id=organisation, centrale_id=centrale, theme=theme, postcode_area=area,
            capacity=capacity, hours_per_week=hours_per_week, vog_required=False, posted_at=at(posted),
            one_off_start=one_off,
        ), centrale, at(posted))  # fmt: skip
        return task_id

    def close(self, task: UUID, reason: str, closed: str) -> None:
        """The task closes: filled, closed or expired."""
        t = self._tasks[task]
        self._add(TaskClosed(task_id=task, organisation_id=t.organisation_id, centrale_id=t.centrale_id, reason=reason,
                             closed_at=at(closed)), t.centrale_id, at(closed))  # fmt: skip

    def match(self, task: UUID, volunteer: UUID, made: datetime) -> UUID:
        """Matching reports a match made (the volunteer may belong to another centrale: overflow)."""
        t, v = self._tasks[task], self._volunteers[volunteer]
        match_id = uuid4()
        self._matches[match_id] = (t, v)
        self._add(MatchMade(
            match_id=match_id, task_id=task, volunteer_id=volunteer, organisation_id=t.organisation_id,
            centrale_id=t.centrale_id, volunteer_centrale_id=v.centrale_id, made_at=made,
        ), t.centrale_id, made, "matching")  # fmt: skip
        return match_id

    def proposal(self, task: UUID, volunteer: UUID, proposed: datetime, via: str = "interest") -> UUID:
        """Matching proposes a volunteer for a task (or the volunteer asked for it: ``via`` interest)."""
        t, v = self._tasks[task], self._volunteers[volunteer]
        match_id = uuid4()
        self._add(MatchProposed(
            match_id=match_id, task_id=task, volunteer_id=volunteer, organisation_id=t.organisation_id,
            centrale_id=t.centrale_id, volunteer_centrale_id=v.centrale_id, score=0.8, via=via, proposed_at=proposed,
        ), t.centrale_id, proposed, "matching")  # fmt: skip
        return match_id

    def end(self, match: UUID, ended: str, reason: str = "ended", by: str | None = None) -> None:
        """Matching reports the match ended (why, and who ended it)."""
        t, v = self._matches[match]
        self._add(MatchEnded(
            match_id=match, task_id=t.task_id, volunteer_id=v.volunteer_id, organisation_id=t.organisation_id,
            centrale_id=t.centrale_id, volunteer_centrale_id=v.centrale_id, ended_at=at(ended), reason=reason,
            ended_by=by,
        ), t.centrale_id, at(ended), "matching")  # fmt: skip

    def hours(self, match: UUID, worked_on: str, hours: str, *, recorded: datetime | None = None) -> None:
        """The organisation logs hours for a match (recorded the evening of the day, unless told otherwise)."""
        t, v = self._matches[match]
        moment = recorded or at(worked_on, 18)
        self._add(HoursLogged(
            hours_id=uuid4(), match_id=match, volunteer_id=v.volunteer_id, task_id=t.task_id,
            organisation_id=t.organisation_id, centrale_id=t.centrale_id, theme=t.theme,
            worked_on=date.fromisoformat(worked_on), hours=Decimal(hours), logged_at=moment,
        ), t.centrale_id, moment)  # fmt: skip

    def partner(self, name: str) -> UUID:
        """A business partner registered by region ops."""
        partner_id = uuid4()
        self._add(BusinessPartnerRegistered(partner_id=partner_id, partner_name=name, registered_at=at("2025-10-01")),
                  "region", at("2025-10-01"))  # fmt: skip
        return partner_id

    def team_day(self, partner: UUID, task: UUID, on: str, team_size: int, participants: int, hours: str) -> UUID:
        """An HR system posts a team day, matching matches it to ``task``, the organisation logs the team's hours."""
        t = self._tasks[task]
        day_id = uuid4()
        posted = VolunteerDayPosted(
            day_id=day_id, partner_id=partner, team_size=team_size, on_date=date.fromisoformat(on),
            posted_at=at("2025-12-01"),
        )  # fmt: skip
        self._add(posted, "region", at("2025-12-01"))
        matched = VolunteerDayMatched(
            day_id=day_id, partner_id=partner, task_id=task, organisation_id=t.organisation_id,
            centrale_id=t.centrale_id, matched_at=at("2025-12-02"),
        )  # fmt: skip
        self._add(matched, t.centrale_id, at("2025-12-02"), "matching")
        logged = VolunteerDayHoursLogged(
            day_id=day_id, partner_id=partner, task_id=task, organisation_id=t.organisation_id,
            centrale_id=t.centrale_id, participants=participants, hours_total=Decimal(hours), logged_at=at(on, 18),
        )  # fmt: skip
        self._add(logged, t.centrale_id, at(on, 18))
        return day_id

    def historic_hours(
        self, volunteer: UUID, organisation: UUID, days: list[tuple[str, str]], *, recorded: datetime,
        ids: list[UUID] | None = None,
    ) -> list[UUID]:  # fmt: skip
        """An import brings in hours the volunteer worked before the platform: (day, hours) at ``organisation``."""
        centrale = self._volunteers[volunteer].centrale_id
        ids = ids or [uuid4() for _ in days]
        entries = [
            HistoricHoursEntry(hours_id=hours_id, organisation_id=organisation, theme="zorg",
                               worked_on=date.fromisoformat(day), hours=Decimal(hours))
            for hours_id, (day, hours) in zip(ids, days, strict=True)
        ]  # fmt: skip
        self._add(HistoricHoursImported(
            volunteer_id=volunteer, centrale_id=centrale, import_source="vrijwilligersbank", entries=entries,
            imported_at=recorded,
        ), centrale, recorded)  # fmt: skip
        return ids


def consumer_records(published: Sequence[Published]) -> list[ConsumerRecord[bytes, bytes]]:
    """The events as a consumer gets them from Kafka, one partition, in order (to feed ``process_batch``)."""
    records = []
    for offset, item in enumerate(published):
        envelope, value = item.envelope(), item.event.model_dump_json().encode()
        records.append(ConsumerRecord(
            topic=item.event.topic, partition=0, offset=offset, timestamp=0, timestamp_type=0,
            key=envelope.subject.encode(), value=value, checksum=None, serialized_key_size=len(envelope.subject),
            serialized_value_size=len(value), headers=envelope.to_headers(),
        ))  # fmt: skip
    return records
