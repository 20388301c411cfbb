"""Follow-up of matches: check-ins at the centrale's moments (2 weeks, 3 and 6 months by default), answers from both
sides, and the consulent's early-warning list (doubts, wanting to stop, and silence)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID, uuid5

from common.errors import Conflict, NotFound, Rejected
from registry.notice_texts import NoticeKind
from registry.repositories import CheckIn, FollowUpSettings, Proposal
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases.notices import queue_notice

__all__ = [
    "ANSWERS",
    "AnswerCheckIn",
    "AskDueCheckIns",
    "EarlyWarning",
    "GetFollowUpSettings",
    "HandleEarlyWarning",
    "ListEarlyWarnings",
    "ListOpenCheckIns",
    "SetFollowUpSettings",
    "answer_check_in",
    "ask_due_check_ins",
    "get_follow_up_settings",
    "handle_early_warning",
    "list_early_warnings",
    "list_open_check_ins",
    "moment_after",
    "set_follow_up_settings",
]

ANSWERS = ("good", "doubts", "stopping")
_STEP = re.compile(r"^P([1-9][0-9]{0,2})([DWM])$")
_CHECK_IN_IDS = UUID("b3a1f0d2-6c4e-4a8b-9f7e-1d2c3b4a5e6f")


def moment_after(made_at: datetime, step: str) -> datetime:
    """When a check-in ``step`` (``P14D``, ``P2W``, ``P3M``) after a match made at ``made_at`` comes; a month later
    is the same day of the month, or its last day (31 January + 1 month is 28 or 29 February)."""
    found = _STEP.match(step)
    if found is None:
        raise ValueError("a check-in moment is an ISO 8601 period of days, weeks or months, like P2W or P3M")
    count, unit = int(found.group(1)), found.group(2)
    if unit in "DW":
        return made_at + timedelta(days=count * (7 if unit == "W" else 1))
    months = made_at.month - 1 + count
    year, month = made_at.year + months // 12, months % 12 + 1
    return made_at.replace(year=year, month=month, day=min(made_at.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class GetFollowUpSettings:
    """A centrale's follow-up settings (the defaults while it set none)."""

    centrale_id: str


@dataclass(frozen=True)
class SetFollowUpSettings:
    """When a centrale's check-ins are asked, and after how many days silence is a warning."""

    centrale_id: str
    check_ins: list[str]
    unanswered_after_days: int


@dataclass(frozen=True)
class AskDueCheckIns:
    """Ask both sides of every match whose check-in moment has come (the check-ins job)."""


@dataclass(frozen=True)
class ListOpenCheckIns:
    """The check-ins waiting for the volunteer's or the organisation's answer (``side``, ``party_id``)."""

    side: str
    party_id: UUID


@dataclass(frozen=True)
class AnswerCheckIn:
    """An answer to a check-in: by its side itself (``party_id``), or by a consulent of either centrale for it."""

    check_in_id: UUID
    answer: str
    note: str | None
    answered_by: str
    """``volunteer``, ``organisation`` or ``consulent``."""
    party_id: UUID | None = None
    consulent_centrale_id: str | None = None


@dataclass(frozen=True)
class ListEarlyWarnings:
    """The centrale's early-warning list."""

    centrale_id: str


@dataclass(frozen=True)
class HandleEarlyWarning:
    """A consulent took a warning up: it leaves the list."""

    check_in_id: UUID
    centrale_id: str
    by: str


@dataclass(frozen=True)
class EarlyWarning:
    """A match that needs the consulent's attention: why (doubts, stopping, unanswered) and the check-in behind it."""

    why: str
    check_in: CheckIn


async def _settings(uow: RegistryUnitOfWork, centrale_id: str) -> FollowUpSettings:
    return await uow.follow_up.settings(centrale_id) or FollowUpSettings(centrale_id)


async def get_follow_up_settings(query: GetFollowUpSettings, uow: RegistryUnitOfWork) -> FollowUpSettings:
    """The centrale's settings, or the defaults (2 weeks, 3 and 6 months; a warning after 14 silent days)."""
    if not await uow.centrales.exists(query.centrale_id):
        raise NotFound(f"centrale {query.centrale_id} not found")
    return await _settings(uow, query.centrale_id)


async def set_follow_up_settings(cmd: SetFollowUpSettings, uow: RegistryUnitOfWork) -> FollowUpSettings:
    """Store the centrale's settings; moments in the order they come."""
    if not await uow.centrales.exists(cmd.centrale_id):
        raise NotFound(f"centrale {cmd.centrale_id} not found")
    problems = [f"{step}: not a period like P2W or P3M" for step in cmd.check_ins if not _STEP.match(step)]
    if problems:
        raise Rejected(problems, field="check_ins")
    base = datetime(2000, 1, 31)
    ordered = sorted(dict.fromkeys(cmd.check_ins), key=lambda step: moment_after(base, step))
    settings = FollowUpSettings(cmd.centrale_id, ordered, cmd.unanswered_after_days, uow.now())
    await uow.follow_up.put_settings(settings)
    return settings


async def ask_due_check_ins(cmd: AskDueCheckIns, uow: RegistryUnitOfWork) -> dict[str, int]:
    """Ask both sides of each match whose moment has come, once per moment; counts of what was done.

    A match with several moments due (the job did not run for a long while) is asked only the latest; the earlier
    ones are recorded as skipped, so nobody gets a stack of check-ins at once.
    """
    now = uow.now()
    matches = await uow.proposals.made(made_before=now)
    asked_before = await uow.follow_up.steps_asked([m.match_id for m in matches])
    settings: dict[str, FollowUpSettings] = {}
    asked = skipped = 0
    for match in matches:
        assert match.made_at is not None, "a made match has its moment"
        if match.centrale_id not in settings:
            settings[match.centrale_id] = await _settings(uow, match.centrale_id)
        due = [s for s in settings[match.centrale_id].check_ins if moment_after(match.made_at, s) <= now]
        new = [step for step in due if step not in asked_before.get(match.match_id, set())]
        for step in new:
            latest = step == due[-1]
            for side in ("volunteer", "organisation"):
                due_at = moment_after(match.made_at, step)
                check_in = _check_in(match, step, side, due_at=due_at, now=now, ask=latest)
                if not await uow.follow_up.add(check_in):
                    continue
                if latest:
                    asked += 1
                    await _ask(uow, match, check_in)
                else:
                    skipped += 1
    return {"asked": asked, "skipped": skipped}


def _check_in(match: Proposal, step: str, side: str, *, due_at: datetime, now: datetime, ask: bool) -> CheckIn:
    return CheckIn(
        id=uuid5(_CHECK_IN_IDS, f"{match.match_id}|{step}|{side}"),
        match_id=match.match_id,
        volunteer_id=match.volunteer_id,
        organisation_id=match.organisation_id,
        centrale_id=match.centrale_id,
        volunteer_centrale_id=match.volunteer_centrale_id,
        step=step,
        side=side,
        status="asked" if ask else "skipped",
        due_at=due_at,
        asked_at=now if ask else None,
    )


async def _ask(uow: RegistryUnitOfWork, match: Proposal, check_in: CheckIn) -> None:
    volunteer = check_in.side == "volunteer"
    await queue_notice(
        uow,
        kind=NoticeKind.CHECK_IN,
        recipient_kind="volunteer" if volunteer else "organisation",
        recipient_id=match.volunteer_id if volunteer else match.organisation_id,
        centrale_id=match.volunteer_centrale_id if volunteer else match.centrale_id,
        cause=f"check-in:{check_in.id}",
        match_id=match.match_id,
        task_id=match.task_id,
        check_in_id=check_in.id,
    )


async def list_open_check_ins(query: ListOpenCheckIns, uow: RegistryUnitOfWork) -> list[CheckIn]:
    """The check-ins waiting for this side's answer, oldest first."""
    return await uow.follow_up.open_for(query.side, query.party_id)


def _may_answer(check_in: CheckIn, cmd: AnswerCheckIn) -> bool:
    if cmd.answered_by == "consulent":
        return cmd.consulent_centrale_id in (check_in.centrale_id, check_in.volunteer_centrale_id)
    party = check_in.volunteer_id if check_in.side == "volunteer" else check_in.organisation_id
    return cmd.answered_by == check_in.side and cmd.party_id == party


async def answer_check_in(cmd: AnswerCheckIn, uow: RegistryUnitOfWork) -> CheckIn:
    """Record how it goes (good, doubts, stopping) and a note; doubts and stopping put the match on the consulent's
    early-warning list. Answered once (409 after)."""
    check_in = await uow.follow_up.get(cmd.check_in_id, lock=True)
    if check_in is None or not _may_answer(check_in, cmd):
        raise NotFound(f"check-in {cmd.check_in_id} not found")
    if check_in.status != "asked":
        raise Conflict(
            "Deze vraag is al beantwoord." if check_in.status == "answered" else "Deze vraag is niet gesteld."
        )
    answered = replace(
        check_in,
        status="answered",
        answer=cmd.answer,
        note=cmd.note,
        answered_at=uow.now(),
        answered_by=cmd.answered_by,
    )
    await uow.follow_up.save(answered)
    return answered


async def list_early_warnings(query: ListEarlyWarnings, uow: RegistryUnitOfWork) -> list[EarlyWarning]:
    """Matches of the centrale (the volunteer's or the task's) needing attention, oldest first: a check-in answered
    with doubts or stopping, or left unanswered longer than the centrale allows. A handled one, or one of a match
    that ended, is gone."""
    settings = await _settings(uow, query.centrale_id)
    silent_since = uow.now() - timedelta(days=settings.unanswered_after_days)
    return [
        EarlyWarning(check_in.answer if check_in.answer in ("doubts", "stopping") else "unanswered", check_in)
        for check_in in await uow.follow_up.needing_attention(query.centrale_id, silent_since)
    ]


async def handle_early_warning(cmd: HandleEarlyWarning, uow: RegistryUnitOfWork) -> None:
    """Take a warning off the list: the consulent took it up (who, when)."""
    check_in = await uow.follow_up.get(cmd.check_in_id, lock=True)
    if check_in is None or cmd.centrale_id not in (check_in.centrale_id, check_in.volunteer_centrale_id):
        raise NotFound(f"check-in {cmd.check_in_id} not found")
    if check_in.handled_at is not None:
        raise Conflict("This warning was handled already.")
    await uow.follow_up.save(replace(check_in, handled_at=uow.now(), handled_by=cmd.by))
