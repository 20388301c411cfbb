"""In-memory twins of appreciation's repositories and unit of work, for the fast tier.

Each fake implements its repository's Protocol the way the PostgreSQL one behaves; the behaviour suites in
``tests/appreciation/repositories/`` run against both, so the two stay alike. What a fake cannot show:
locks and concurrent transactions (there is one caller), and a rollback (a refused command's writes stay,
so use-case tests look at state only after commands that succeed).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from appreciation.announcements import announcement
from appreciation.domain import (
    Allowance,
    Award,
    Certificate,
    HoursEntry,
    Match,
    Organisation,
    Rule,
    RuleKind,
    Task,
    Volunteer,
)
from common.clock import Clock
from common.uow import FakeUnitOfWork, Origin, Outgoing
from tests.appreciation.fakes_trainings import FakeTrainingRepository

__all__ = [
    "FakeAllowanceRepository",
    "FakeAppreciationUnitOfWork",
    "FakeAwardRepository",
    "FakeCentraleRepository",
    "FakeCertificateRepository",
    "FakeHoursRepository",
    "FakeMatchRepository",
    "FakeOrganisationRepository",
    "FakeRuleRepository",
    "FakeVolunteerRepository",
]


class FakeCentraleRepository:
    """Centrales in a dict: id → display name."""

    def __init__(self) -> None:
        self.display_names: dict[str, str | None] = {}

    async def add_new(self, centrale_ids: Collection[str]) -> list[str]:
        """Remember the centrales; the new ones, sorted."""
        new = sorted(set(centrale_ids) - set(self.display_names))
        self.display_names.update(dict.fromkeys(new))
        return new

    async def display_name(self, centrale_id: str) -> str | None:
        """The display name."""
        return self.display_names.get(centrale_id)

    async def set_display_name(self, centrale_id: str, display_name: str) -> None:
        """Name a centrale that was added."""
        if centrale_id in self.display_names:
            self.display_names[centrale_id] = display_name


class FakeRuleRepository:
    """Rules in a dict keyed by (centrale, rule id)."""

    def __init__(self) -> None:
        self.rules: dict[tuple[str, str], Rule] = {}

    async def add(self, rule: Rule) -> bool:
        """Store a new rule; False when the id is taken."""
        if (rule.centrale_id, rule.rule_id) in self.rules:
            return False
        self.rules[rule.centrale_id, rule.rule_id] = rule
        return True

    async def add_all(self, rules: Sequence[Rule]) -> None:
        """Store rules, leaving any whose id is taken."""
        for rule in rules:
            await self.add(rule)

    async def active(self, centrale_ids: Collection[str], kinds: Collection[RuleKind]) -> list[Rule]:
        """Switched-on rules of those kinds and centrales, by centrale and rule id."""
        return [
            rule
            for key, rule in sorted(self.rules.items())
            if rule.centrale_id in centrale_ids and rule.active and rule.kind in kinds
        ]

    async def of_centrale(self, centrale_id: str) -> list[Rule]:
        """Every rule of the centrale, by kind and rule id."""
        return sorted(
            (rule for rule in self.rules.values() if rule.centrale_id == centrale_id),
            key=lambda rule: (rule.kind.value, rule.rule_id),
        )

    async def get_for_update(self, centrale_id: str, rule_id: str) -> Rule | None:
        """One rule."""
        return self.rules.get((centrale_id, rule_id))

    async def update(self, rule: Rule) -> None:
        """Store a rule's title, parameters and whether it is on (its kind stays)."""
        current = self.rules.get((rule.centrale_id, rule.rule_id))
        if current is not None:
            self.rules[rule.centrale_id, rule.rule_id] = replace(
                current, title=rule.title, params=rule.params, active=rule.active
            )


class FakeVolunteerRepository:
    """Volunteers and tombstones in dicts."""

    def __init__(self) -> None:
        self.volunteers: dict[UUID, Volunteer] = {}
        self.erased: dict[UUID, datetime] = {}

    async def claim(self, centrales: Mapping[UUID, str], *, confirmed: bool) -> dict[UUID, Volunteer]:
        """Create each volunteer or confirm a guessed centrale; the ones not erased."""
        claimed = {}
        for volunteer_id, centrale_id in sorted(centrales.items()):
            current = self.volunteers.get(volunteer_id)
            if current is None:
                current = Volunteer(volunteer_id, centrale_id, centrale_confirmed=confirmed)
            elif confirmed and not current.centrale_confirmed:
                current = replace(current, centrale_id=centrale_id, centrale_confirmed=True)
            if volunteer_id in self.erased:
                self.volunteers.pop(volunteer_id, None)
                continue
            self.volunteers[volunteer_id] = claimed[volunteer_id] = current
        return claimed

    async def wait_turns(self, volunteer_ids: Collection[UUID]) -> None:
        """One transaction at a time in memory: never a wait."""

    async def hold_for_erasure(self, volunteer_id: UUID, centrale_id: str) -> None:
        """Create the row when there is none."""
        self.volunteers.setdefault(volunteer_id, Volunteer(volunteer_id, centrale_id))

    async def mark_erased(self, volunteer_id: UUID, erased_at: datetime) -> None:
        """Keep the first tombstone."""
        self.erased.setdefault(volunteer_id, erased_at)

    async def remove(self, volunteer_id: UUID) -> None:
        """Forget the row."""
        self.volunteers.pop(volunteer_id, None)

    async def update(self, volunteer: Volunteer) -> None:
        """Store age band and registration of a known volunteer."""
        current = self.volunteers.get(volunteer.id)
        if current is not None:
            self.volunteers[volunteer.id] = replace(
                current,
                age_band=volunteer.age_band,
                registered_on=volunteer.registered_on,
                registration_event_id=volunteer.registration_event_id,
            )

    async def update_all(self, volunteers: Sequence[Volunteer]) -> None:
        """``update`` each."""
        for volunteer in volunteers:
            await self.update(volunteer)

    async def get(self, volunteer_id: UUID, *, lock: bool = False) -> Volunteer | None:
        """The volunteer (one caller: nothing to lock)."""
        return self.volunteers.get(volunteer_id)

    async def registered_by(self, day: date) -> list[UUID]:
        """Volunteers registered on or before ``day``, by id."""
        return sorted(
            v.id
            for v in self.volunteers.values()
            if v.registered_on is not None and v.registered_on <= day and v.registration_event_id is not None
        )

    async def of_centrale(self, centrale_id: str) -> list[Volunteer]:
        """The centrale's volunteers, by id."""
        return sorted((v for v in self.volunteers.values() if v.centrale_id == centrale_id), key=lambda v: v.id)


class FakeHoursRepository:
    """Hours entries in a dict by id (insertion order), indexed by volunteer."""

    def __init__(self) -> None:
        self.entries: dict[UUID, HoursEntry] = {}
        self._of_volunteer: dict[UUID, list[HoursEntry]] = {}

    async def add(self, entries: Sequence[HoursEntry]) -> None:
        """Keep the first entry of each id."""
        for entry in entries:
            if entry.id not in self.entries:
                self.entries[entry.id] = entry
                self._of_volunteer.setdefault(entry.volunteer_id, []).append(entry)

    async def put(self, entries: Sequence[HoursEntry]) -> None:
        """Keep each entry, an entry with a known id replacing the old one (also under another volunteer)."""
        for entry in entries:
            old = self.entries.get(entry.id)
            if old is not None:
                self._of_volunteer[old.volunteer_id].remove(old)
            self.entries[entry.id] = entry
            self._of_volunteer.setdefault(entry.volunteer_id, []).append(entry)

    async def of_volunteers(self, volunteer_ids: Collection[UUID]) -> list[HoursEntry]:
        """Every entry of those volunteers."""
        return [entry for v in set(volunteer_ids) for entry in self._of_volunteer.get(v, [])]

    async def worked(self, volunteer_ids: Collection[UUID]) -> list[tuple[UUID, UUID, date, Decimal]]:
        """(volunteer, entry id, day, hours) of every entry of those volunteers."""
        return [
            (entry.volunteer_id, entry.id, entry.worked_on, entry.hours)
            for entry in await self.of_volunteers(volunteer_ids)
        ]

    async def volunteers_with_hours(self, volunteer_ids: Collection[UUID]) -> set[UUID]:
        """Those with any hours."""
        return {v for v in volunteer_ids if self._of_volunteer.get(v)}

    async def forget_volunteer(self, volunteer_id: UUID) -> None:
        """Remove the volunteer's entries."""
        for entry in self._of_volunteer.pop(volunteer_id, []):
            del self.entries[entry.id]

    async def correct(self, entry_id: UUID, volunteer_id: UUID, hours: Decimal) -> bool:
        """Give the entry its corrected amount (rounded as the column rounds); False when there is none."""
        entry = self.entries.get(entry_id)
        if entry is None or entry.volunteer_id != volunteer_id:
            return False
        corrected = replace(entry, hours=hours.quantize(Decimal("0.01")))
        self.entries[entry_id] = corrected
        entries = self._of_volunteer[volunteer_id]
        entries[entries.index(entry)] = corrected
        return True

    async def withdraw(self, entry_id: UUID, volunteer_id: UUID) -> bool:
        """Remove the entry; False when there is none."""
        entry = self.entries.get(entry_id)
        if entry is None or entry.volunteer_id != volunteer_id:
            return False
        del self.entries[entry_id]
        self._of_volunteer[volunteer_id].remove(entry)
        return True


class FakeMatchRepository:
    """Matches in a dict by id, indexed by volunteer."""

    def __init__(self) -> None:
        self.matches: dict[UUID, Match] = {}
        self._of_volunteer: dict[UUID, list[Match]] = {}

    async def add(self, match: Match) -> None:
        """Keep the first match of each id."""
        if match.id not in self.matches:
            self.matches[match.id] = match
            self._of_volunteer.setdefault(match.volunteer_id, []).append(match)

    async def add_all(self, matches: Sequence[Match]) -> set[UUID]:
        """Keep the first match of each new id; those ids."""
        new = {match.id for match in matches if match.id not in self.matches}
        for match in matches:
            await self.add(match)
        return new

    async def of_volunteer(self, volunteer_id: UUID) -> list[Match]:
        """The volunteer's matches."""
        return list(self._of_volunteer.get(volunteer_id, []))

    async def counts(self, volunteer_ids: Collection[UUID]) -> dict[UUID, int]:
        """Matches per volunteer (with any)."""
        return {v: len(self._of_volunteer[v]) for v in set(volunteer_ids) if self._of_volunteer.get(v)}

    async def exists(self, organisation_id: UUID, volunteer_id: UUID) -> bool:
        """Whether the organisation has a match with the volunteer."""
        return any(m.organisation_id == organisation_id for m in self._of_volunteer.get(volunteer_id, []))

    async def forget_volunteer(self, volunteer_id: UUID) -> None:
        """Remove the volunteer's matches."""
        for match in self._of_volunteer.pop(volunteer_id, []):
            del self.matches[match.id]


class FakeOrganisationRepository:
    """Organisations and tasks in dicts by id."""

    def __init__(self) -> None:
        self.organisations: dict[UUID, Organisation] = {}
        self.task_rows: dict[UUID, Task] = {}

    async def save(self, organisation: Organisation) -> None:
        """Store or replace."""
        self.organisations[organisation.id] = organisation

    async def get(self, organisation_id: UUID) -> Organisation | None:
        """One organisation."""
        return self.organisations.get(organisation_id)

    async def of_ids(self, organisation_ids: Collection[UUID]) -> dict[UUID, Organisation]:
        """The known ones."""
        return {i: self.organisations[i] for i in organisation_ids if i in self.organisations}

    async def save_task(self, task: Task) -> None:
        """Store, or take the new theme and skills (organisation and centrale stay)."""
        current = self.task_rows.get(task.id)
        self.task_rows[task.id] = task if current is None else replace(current, theme=task.theme, skills=task.skills)

    async def tasks(self, task_ids: Collection[UUID]) -> dict[UUID, Task]:
        """The known ones."""
        return {i: self.task_rows[i] for i in task_ids if i in self.task_rows}


class FakeAwardRepository:
    """Awards in a dict by award id."""

    def __init__(self) -> None:
        self.awards: dict[UUID, Award] = {}

    async def add_new(self, awards: Sequence[Award]) -> list[Award]:
        """Store the new ones; those, in order."""
        new = []
        for award in awards:
            if award.award_id not in self.awards:
                self.awards[award.award_id] = award
                new.append(award)
        return new

    async def given(self, recipient_ids: Collection[UUID]) -> set[tuple[UUID, str, str, str]]:
        """(recipient, centrale, rule, occurrence) of those recipients' awards."""
        wanted = set(recipient_ids)
        return {
            (a.recipient_id, a.centrale_id, a.rule_id, a.occurrence)
            for a in self.awards.values()
            if a.recipient_id is not None and a.recipient_id in wanted
        }

    async def of_volunteer(self, volunteer_id: UUID) -> list[Award]:
        """A volunteer's awards, oldest first, by title within one moment."""
        return sorted(
            (a for a in self.awards.values() if a.recipient_id == volunteer_id and a.recipient_kind == "volunteer"),
            key=lambda a: (a.awarded_at, a.title),
        )

    async def of_centrale(self, centrale_id: str, start: datetime, end: datetime) -> list[Award]:
        """The centrale's awards in [start, end), oldest first."""
        return sorted(
            (a for a in self.awards.values() if a.centrale_id == centrale_id and start <= a.awarded_at < end),
            key=lambda a: (a.awarded_at, a.award_id),
        )

    async def anonymise(self, recipient_id: UUID) -> None:
        """The recipient id goes."""
        for key, award in self.awards.items():
            if award.recipient_id == recipient_id:
                self.awards[key] = replace(award, recipient_id=None)


class FakeCertificateRepository:
    """Certificates in a dict by id."""

    def __init__(self) -> None:
        self.certificates: dict[UUID, Certificate] = {}

    async def add(self, certificate: Certificate) -> None:
        """Store a new certificate."""
        if certificate.id in self.certificates:
            raise ValueError(f"certificate {certificate.id} exists")  # as the primary key refuses it
        self.certificates[certificate.id] = certificate

    async def get(self, certificate_id: UUID) -> Certificate | None:
        """One certificate."""
        return self.certificates.get(certificate_id)

    async def of_volunteer(self, volunteer_id: UUID) -> list[Certificate]:
        """Oldest first."""
        return sorted(
            (c for c in self.certificates.values() if c.volunteer_id == volunteer_id), key=lambda c: c.issued_at
        )

    async def anonymise(self, volunteer_id: UUID) -> None:
        """The volunteer id goes."""
        for key, certificate in self.certificates.items():
            if certificate.volunteer_id == volunteer_id:
                self.certificates[key] = replace(certificate, volunteer_id=None)


class FakeAllowanceRepository:
    """Allowances in a dict by id."""

    def __init__(self) -> None:
        self.allowances: dict[UUID, Allowance] = {}

    async def add(self, allowance: Allowance) -> bool:
        """Store unless the organisation used the reference."""
        if await self.by_reference(allowance.organisation_id, allowance.reference) is not None:
            return False
        self.allowances[allowance.id] = allowance
        return True

    async def by_reference(self, organisation_id: UUID, reference: str) -> Allowance | None:
        """The organisation's allowance under ``reference``."""
        return next(
            (a for a in self.allowances.values() if (a.organisation_id, a.reference) == (organisation_id, reference)),
            None,
        )

    async def paid_to(
        self, volunteer_id: UUID, start: date, end: date, *, excluding: UUID | None = None
    ) -> list[tuple[date, Decimal]]:
        """What the volunteer was paid in [start, end)."""
        return [
            (a.paid_on, a.amount)
            for a in self.allowances.values()
            if a.volunteer_id == volunteer_id and start <= a.paid_on < end and a.id != excluding
        ]

    async def of_organisation(self, organisation_id: UUID, centrale_id: str, start: date, end: date) -> list[Allowance]:
        """The organisation's own in [start, end), by day and id."""
        return sorted(
            (
                a
                for a in self.allowances.values()
                if a.organisation_id == organisation_id and a.centrale_id == centrale_id and start <= a.paid_on < end
            ),
            key=lambda a: (a.paid_on, a.id),
        )

    async def anonymise(self, volunteer_id: UUID) -> None:
        """The volunteer id goes."""
        for key, allowance in self.allowances.items():
            if allowance.volunteer_id == volunteer_id:
                self.allowances[key] = replace(allowance, volunteer_id=None)


class FakeAppreciationUnitOfWork(FakeUnitOfWork):
    """Appreciation's unit of work in memory: fake repositories, emitted events collected in ``emitted``."""

    def __init__(self, origin: Origin | None = None, clock: Clock | None = None) -> None:
        super().__init__(origin, clock)
        self.centrales = FakeCentraleRepository()
        self.rules = FakeRuleRepository()
        self.volunteers = FakeVolunteerRepository()
        self.hours = FakeHoursRepository()
        self.matches = FakeMatchRepository()
        self.organisations = FakeOrganisationRepository()
        self.awards = FakeAwardRepository()
        self.certificates = FakeCertificateRepository()
        self.allowances = FakeAllowanceRepository()
        self.trainings = FakeTrainingRepository()

    async def announce(self, awards: Sequence[tuple[Award, Origin | None]]) -> None:
        """Record each award's ``AppreciationAwarded`` under the award's id, centrale and origin."""
        await self.emit_all(
            [
                Outgoing(announcement(award), tenant=award.centrale_id, event_id=award.award_id, origin=origin)
                for award, origin in awards
            ]
        )
