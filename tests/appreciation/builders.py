"""Facts with unique ids for appreciation's fast tests: only what a test cares about needs saying."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from appreciation import domain
from appreciation.domain import Award, AwardTrigger, HoursEntry, Match, Rule
from appreciation.unit_of_work import AppreciationUnitOfWork
from appreciation.use_cases import awards

__all__ = ["CENTRALE", "award_of", "hours_entry", "known", "match_of", "rule", "trigger"]


CENTRALE = "vc-test"


async def known(uow: AppreciationUnitOfWork, *volunteer_ids: UUID, centrale_id: str = CENTRALE) -> None:
    """The volunteers' own centrale known (a profile event, as a registration or match tells it): hours award."""
    for volunteer_id in volunteer_ids:
        await awards.record_volunteer(awards.RecordVolunteer(volunteer_id, centrale_id, None, None, trigger()), uow)


def trigger(on: date = date(2026, 2, 20), event_type: str = "nl.vrijwilligerscentrale.hours.logged.v1") -> AwardTrigger:
    """A trigger with a fresh event id."""
    return AwardTrigger(uuid4(), event_type, on)


def hours_entry(
    volunteer_id: UUID,
    hours: str = "2",
    worked_on: date = date(2026, 2, 20),
    *,
    centrale_id: str = CENTRALE,
    organisation_id: UUID | None = None,
    task_id: UUID | None = None,
    theme: str = "ouderen",
    entry_id: UUID | None = None,
    event_id: UUID | None = None,
) -> HoursEntry:
    """An hours entry of the volunteer."""
    return HoursEntry(
        id=entry_id or uuid4(),
        volunteer_id=volunteer_id,
        match_id=uuid4(),
        task_id=task_id or uuid4(),
        organisation_id=organisation_id or uuid4(),
        centrale_id=centrale_id,
        theme=theme,
        worked_on=worked_on,
        hours=Decimal(hours),
        event_id=event_id or uuid4(),
    )


def match_of(
    volunteer_id: UUID,
    *,
    centrale_id: str = CENTRALE,
    organisation_id: UUID | None = None,
    task_id: UUID | None = None,
    volunteer_centrale_id: str | None = None,
) -> Match:
    """A match made for the volunteer."""
    return Match(
        id=uuid4(),
        volunteer_id=volunteer_id,
        task_id=task_id or uuid4(),
        organisation_id=organisation_id or uuid4(),
        centrale_id=centrale_id,
        volunteer_centrale_id=volunteer_centrale_id or centrale_id,
        made_at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
    )


def rule(rule_id: str, kind: domain.RuleKind, params: dict[str, object], *, centrale_id: str = CENTRALE) -> Rule:
    """A switched-on rule."""
    return Rule(centrale_id, rule_id, kind, f"Titel {rule_id}", domain.parse_params(kind, params))


def award_of(
    recipient_id: UUID,
    rule_id: str = "hours-10",
    *,
    centrale_id: str = CENTRALE,
    at: datetime = datetime(2026, 3, 14, 18, 0, tzinfo=UTC),
    occurrence: str = "",
    title: str | None = None,
) -> Award:
    """An hours award for the volunteer."""
    given = domain.award(
        rule(rule_id, domain.RuleKind.HOURS_MILESTONE, {"hours": 10}, centrale_id=centrale_id),
        recipient_id,
        "volunteer",
        occurrence,
        trigger(),
        at,
    )
    return given if title is None else Award(**{**given.__dict__, "title": title})
