"""Tasks: drafted by organisations, checked against the NOV criteria, published, then closed or expired."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from common.errors import Conflict, NotFound, Rejected
from contracts.events import DatedShift, TaskClosed, TaskPosted, TaskUpdated, WeeklySlot
from registry import domain
from registry.domain import TaskStatus
from registry.repositories import Task
from registry.unit_of_work import RegistryUnitOfWork

__all__ = [
    "CloseTask",
    "CreateTask",
    "ExpireTasks",
    "GetTask",
    "ListTasks",
    "PublishTask",
    "TaskFields",
    "UpdateTask",
    "close_task",
    "create_task",
    "expire_tasks",
    "get_task",
    "list_tasks",
    "mark_closed",
    "publish_task",
    "update_task",
]


@dataclass(frozen=True)
class TaskFields:
    """What an organisation writes about a task."""

    title: str
    description: str
    theme: str
    capacity: int
    hours_per_week: Decimal
    vog_required: bool
    skills: list[str] = field(default_factory=list)
    postcode: str | None = None
    one_off_start: datetime | None = None
    one_off_end: datetime | None = None
    shifts: list[WeeklySlot] = field(default_factory=list)
    team_suitable: bool = False
    support_accessible: bool = False
    closing_date: date | None = None
    replaces_paid_work: bool = False
    offer: str | None = None


@dataclass(frozen=True)
class CreateTask:
    """Save a draft task for an organisation of the centrale (no event: drafts are private)."""

    centrale_id: str
    organisation_id: UUID
    fields: TaskFields


@dataclass(frozen=True)
class UpdateTask:
    """Replace a draft's or a published task's fields (``organisation_id``: the caller's, when an organisation)."""

    task_id: UUID
    centrale_id: str
    organisation_id: UUID | None
    fields: TaskFields


@dataclass(frozen=True)
class PublishTask:
    """Publish a draft after the NOV quality check."""

    task_id: UUID
    centrale_id: str
    organisation_id: UUID | None


@dataclass(frozen=True)
class CloseTask:
    """Stop taking volunteers for a published task."""

    task_id: UUID
    centrale_id: str
    organisation_id: UUID | None


@dataclass(frozen=True)
class ExpireTasks:
    """Expire every published task whose closing date lies before ``today`` (None: today in the Netherlands)."""

    today: date | None = None


@dataclass(frozen=True)
class GetTask:
    """A task of the centrale (and of the organisation, when given)."""

    task_id: UUID
    centrale_id: str
    organisation_id: UUID | None = None


@dataclass(frozen=True)
class ListTasks:
    """The centrale's tasks, optionally of one organisation and one status."""

    centrale_id: str
    organisation_id: UUID | None = None
    status: str | None = None


async def create_task(cmd: CreateTask, uow: RegistryUnitOfWork) -> UUID:
    """Save the draft; NotFound unless the organisation is the centrale's, Conflict when it was refused."""
    organisation = await uow.organisations.get(cmd.organisation_id, cmd.centrale_id)
    if organisation is None:
        raise NotFound(f"organisation {cmd.organisation_id} not found")
    if organisation.status == "refused":
        raise Conflict("the organisation was refused: it cannot save tasks")
    task = _with_fields(
        Task(
            id=uuid4(),
            centrale_id=cmd.centrale_id,
            organisation_id=cmd.organisation_id,
            title="",
            description="",
            theme="",
            capacity=0,
            hours_per_week=Decimal(0),
            vog_required=False,
            created_at=uow.now(),
        ),
        cmd.fields,
    )
    await uow.tasks.add(task)
    return task.id


async def update_task(cmd: UpdateTask, uow: RegistryUnitOfWork) -> None:
    """Replace the fields; a published task is checked again and ``TaskUpdated`` queued."""
    task = await _locked(uow, cmd.task_id, cmd.centrale_id, cmd.organisation_id)
    if task.status not in (TaskStatus.DRAFT, TaskStatus.PUBLISHED):
        raise Conflict(f"task is {task.status}; it can no longer change")
    task = replace(_with_fields(task, cmd.fields), updated_at=uow.now())
    await uow.tasks.save(task)
    if task.status == TaskStatus.PUBLISHED:
        task = await _checked(uow, task)
        await emit_task_updated(uow, task)


async def publish_task(cmd: PublishTask, uow: RegistryUnitOfWork) -> None:
    """Check the draft against the NOV criteria; publish it and queue ``TaskPosted``, or Rejected with reasons."""
    task = await _locked(uow, cmd.task_id, cmd.centrale_id, cmd.organisation_id)
    if task.status != TaskStatus.DRAFT:
        raise Conflict(f"task is {task.status}; only a draft can be published")
    task = await _checked(uow, task)
    task = replace(task, status=TaskStatus.PUBLISHED.value, published_at=uow.now())
    await uow.tasks.save(task)
    dated = await dated_shift_facts(uow, task.id)
    await uow.emit(TaskPosted(**_facts(task), dated_shifts=dated, posted_at=uow.now()), tenant=task.centrale_id)


async def close_task(cmd: CloseTask, uow: RegistryUnitOfWork) -> None:
    """Close a published task and queue ``TaskClosed``."""
    task = await _locked(uow, cmd.task_id, cmd.centrale_id, cmd.organisation_id)
    if task.status != TaskStatus.PUBLISHED:
        raise Conflict(f"task is {task.status}; only a published task can be closed")
    await mark_closed(uow, task, TaskStatus.CLOSED)


async def expire_tasks(cmd: ExpireTasks, uow: RegistryUnitOfWork) -> list[UUID]:
    """Expire every published task whose closing date has passed; returns their ids."""
    today = cmd.today or domain.dutch_date(uow.now())
    expired = await uow.tasks.published_closing_before(today, lock=True)
    for task in expired:
        await mark_closed(uow, task, TaskStatus.EXPIRED)
    return [task.id for task in expired]


async def mark_closed(uow: RegistryUnitOfWork, task: Task, reason: TaskStatus) -> None:
    """Give a locked published task its final status (filled, closed, expired) and queue ``TaskClosed``."""
    now = uow.now()
    await uow.tasks.save(replace(task, status=reason.value, closed_at=now))
    await uow.emit(
        TaskClosed(
            task_id=task.id,
            organisation_id=task.organisation_id,
            centrale_id=task.centrale_id,
            reason=reason.value,
            closed_at=now,
        ),
        tenant=task.centrale_id,
    )


async def get_task(query: GetTask, uow: RegistryUnitOfWork) -> dict[str, Any]:
    """The task's record; NotFound for another tenant's or another organisation's."""
    task = await uow.tasks.get(query.task_id, query.centrale_id, query.organisation_id)
    if task is None:
        raise NotFound(f"task {query.task_id} not found")
    return asdict(task)


async def list_tasks(query: ListTasks, uow: RegistryUnitOfWork) -> list[dict[str, Any]]:
    """The tasks: id, organisation, title, theme, status, capacity and closing date.

    NotFound for an organisation that is not of the centrale: an empty list would tell another centrale's
    staff that it exists (the tenant matrix of issue 13 found ``200 []``).
    """
    organisation_id = query.organisation_id
    if organisation_id is not None and await uow.organisations.get(organisation_id, query.centrale_id) is None:
        raise NotFound("no such organisation in this centrale")
    columns = ("id", "organisation_id", "title", "theme", "status", "capacity", "closing_date")
    tasks = await uow.tasks.of_centrale(query.centrale_id, query.organisation_id, query.status)
    return [{column: getattr(task, column) for column in columns} for task in tasks]


def _with_fields(task: Task, fields: TaskFields) -> Task:
    """The task with what the organisation wrote (its PC4 area derived, shifts as JSON)."""
    return replace(
        task,
        title=fields.title,
        description=fields.description,
        theme=fields.theme,
        skills=fields.skills,
        postcode=fields.postcode,
        postcode_area=domain.postcode_area(fields.postcode) if fields.postcode else None,
        one_off_start=fields.one_off_start,
        one_off_end=fields.one_off_end,
        shifts=[slot.model_dump(mode="json") for slot in fields.shifts],
        capacity=fields.capacity,
        hours_per_week=fields.hours_per_week,
        vog_required=fields.vog_required,
        team_suitable=fields.team_suitable,
        support_accessible=fields.support_accessible,
        closing_date=fields.closing_date,
        replaces_paid_work=fields.replaces_paid_work,
        offer=fields.offer,
    )


async def _locked(uow: RegistryUnitOfWork, task_id: UUID, centrale_id: str, organisation_id: UUID | None) -> Task:
    task = await uow.tasks.get(task_id, centrale_id, organisation_id, lock=True)
    if task is None:
        raise NotFound(f"task {task_id} not found")
    return task


async def _checked(uow: RegistryUnitOfWork, task: Task) -> Task:
    """The task as stored if it meets the NOV criteria; Rejected with every failing reason otherwise."""
    stored = await uow.tasks.get_by_id(task.id)
    organisation = await uow.organisations.get(task.organisation_id, task.centrale_id)
    assert stored is not None, "the task was just read"
    assert organisation is not None, "a task's organisation stays"
    problems = domain.task_quality_problems(
        domain.TaskDraft(
            description=stored.description,
            hours_per_week=stored.hours_per_week,
            capacity=stored.capacity,
            has_schedule=stored.one_off_start is not None or stored.shifts != [],
            one_off_start=stored.one_off_start,
            closing_date=stored.closing_date,
            replaces_paid_work=stored.replaces_paid_work,
            for_profit=organisation.for_profit,
            organisation_admitted=organisation.status == "admitted",
            organisation_has_contact_person=bool(
                organisation.contact_name and (organisation.contact_email or organisation.contact_phone)
            ),
            organisation_liability_insured=organisation.liability_insured,
        ),
        uow.today(),
    )
    if problems:
        # Each reason at the field to change (the organisation's own shortcomings at the task as a whole).
        raise Rejected([p.reason for p in problems], fields=[p.field or "task" for p in problems])
    return stored


# How far ahead TaskPosted and TaskUpdated carry the dated shifts: the weeks matching fits availability on.
DATED_SHIFTS_AHEAD = timedelta(weeks=8)


async def dated_shift_facts(uow: RegistryUnitOfWork, task_id: UUID) -> list[DatedShift]:
    """The task's dated shifts in the next ``DATED_SHIFTS_AHEAD``, as events carry them (at most 200)."""
    now = uow.now()
    shifts = await uow.shifts.shifts(task_id, now, now + DATED_SHIFTS_AHEAD)
    return [
        DatedShift(starts_at=s.starts_at, ends_at=s.ends_at, capacity=s.capacity, part_id=s.part_id) for s in shifts
    ][:200]


async def emit_task_updated(uow: RegistryUnitOfWork, task: Task) -> None:
    """Queue ``TaskUpdated`` with the task's full state, its dated shifts in the coming weeks included."""
    dated = await dated_shift_facts(uow, task.id)
    await uow.emit(TaskUpdated(**_facts(task), dated_shifts=dated, updated_at=uow.now()), tenant=task.centrale_id)


def _facts(task: Task) -> dict[str, Any]:
    """The task's shareable facts for ``TaskPosted`` / ``TaskUpdated`` (no free text, no contact data)."""
    return {
        "task_id": task.id,
        "organisation_id": task.organisation_id,
        "centrale_id": task.centrale_id,
        "theme": task.theme,
        "skills": task.skills,
        "postcode_area": task.postcode_area,
        "one_off_start": task.one_off_start,
        "one_off_end": task.one_off_end,
        "shifts": task.shifts,
        "capacity": task.capacity,
        "hours_per_week": float(task.hours_per_week),
        "vog_required": task.vog_required,
        "team_suitable": task.team_suitable,
        "support_accessible": task.support_accessible,
        "closing_date": task.closing_date,
    }
