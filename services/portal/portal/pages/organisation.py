"""Pages of an organisation: tasks (draft, edit, publish with every NOV reason at its field), responses and
proposals with reasons, accept/decline, its volunteers with contact where consented, hours to log and confirm,
check-ins, the allowance check before paying, and its users."""

from __future__ import annotations

import asyncio
from datetime import datetime, time
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from common.clock import dutch_today
from portal.backend import ApiNotFound, ApiRejected, FieldError
from portal.content import (
    CHECK_IN_ANSWERS,
    END_REASONS,
    SHIFT_REPEATS,
    availability_choices,
    availability_slots,
    shift_rule,
)
from portal.forms import Form, Parser
from portal.i18n import gettext as _
from portal.pages._base import VisitorDep, api, as_list, redirect, require, submit
from portal.rendering import page
from portal.visitor import Visitor

__all__ = ["router", "task_body", "task_form"]

router = APIRouter()

TASK_FIELDS = (
    "title",
    "description",
    "theme",
    "skills",
    "postcode",
    "shifts",
    "one_off_start",
    "one_off_end",
    "capacity",
    "hours_per_week",
    "vog_required",
    "team_suitable",
    "support_accessible",
    "closing_date",
    "replaces_paid_work",
    "task",
)


def _base(visitor: Visitor) -> str:
    return f"/v1/centrales/{visitor.centrale_id}/organisations/{visitor.subject_id}"


def task_body(form: Form) -> dict[str, Any]:
    """The registry's task fields from the task form; FormInvalid with every field the portal cannot read."""
    parser = Parser(form)
    one_off_day = parser.day("one_off_date")
    start = _clock(parser, "one_off_start_time")
    end = _clock(parser, "one_off_end_time")
    body: dict[str, Any] = {
        "title": parser.text("title", required=True, max_length=200),
        "description": parser.text("description", required=True, max_length=5000),
        "theme": parser.text("theme", required=True, max_length=40),
        "skills": parser.words("skills"),
        "postcode": parser.text("postcode", max_length=7),
        "shifts": availability_slots(form.all("shifts")),
        "capacity": parser.integer("capacity", required=True, minimum=1, maximum=1000),
        "hours_per_week": parser.decimal("hours_per_week", required=True),
        "vog_required": parser.flag("vog_required"),
        "team_suitable": parser.flag("team_suitable"),
        "support_accessible": parser.flag("support_accessible"),
        "closing_date": parser.day("closing_date"),
        "replaces_paid_work": parser.flag("replaces_paid_work"),
    }
    if one_off_day is not None:
        if start is None or end is None:
            parser.errors.append(FieldError("one_off_start", _("Give the start and end time of the one-off task.")))
        else:
            body["one_off_start"] = datetime.combine(one_off_day, start).isoformat()
            body["one_off_end"] = datetime.combine(one_off_day, end).isoformat()
    parser.done()
    body["hours_per_week"] = str(body["hours_per_week"])
    body["closing_date"] = body["closing_date"].isoformat() if body["closing_date"] else None
    return body


def _clock(parser: Parser, name: str, *, required: bool = False) -> time | None:
    value = parser.form.value(name).strip()
    if not value:
        if required:
            parser.errors.append(FieldError(name, _("Fill in a time like 09:30.")))
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        parser.errors.append(FieldError(name, _("Fill in a time like 09:30.")))
        return None


def task_form(task: dict[str, Any]) -> Form:
    """The form filled in from a stored task."""
    values: dict[str, Any] = {name: task.get(name) for name in TASK_FIELDS if name in task}
    values["skills"] = ", ".join(task.get("skills") or [])
    values["shifts"] = availability_choices(task.get("shifts") or [])
    for flag in ("vog_required", "team_suitable", "support_accessible", "replaces_paid_work"):
        values[flag] = "true" if task.get(flag) else None
    if task.get("one_off_start"):
        start = datetime.fromisoformat(str(task["one_off_start"]).replace("Z", "+00:00"))
        end = datetime.fromisoformat(str(task["one_off_end"]).replace("Z", "+00:00"))
        values.update(
            one_off_date=start.date().isoformat(),
            one_off_start_time=start.strftime("%H:%M"),
            one_off_end_time=end.strftime("%H:%M"),
        )
    return Form.of(values, TASK_FIELDS, fallback="task")


# -- tasks --------------------------------------------------------------------------------------------------


@router.get("/organisatie")
async def tasks(request: Request, visitor: VisitorDep) -> Response:
    """The organisation's tasks by status, with a new draft to start."""
    require(visitor, "organisation")
    listed = await api(request).get("registry", f"{_base(visitor)}/tasks")
    return page(request, "organisation/tasks.html", tasks=as_list(listed))


@router.get("/organisatie/taken/nieuw")
async def new_task(request: Request, visitor: VisitorDep) -> Response:
    """An empty task form."""
    require(visitor, "organisation")
    form = Form(values={"capacity": ["1"]}, fields=TASK_FIELDS, fallback="task")
    return page(request, "organisation/task.html", form=form, task=None, proposals=[])


@router.post("/organisatie/taken/nieuw")
async def create_task(request: Request, visitor: VisitorDep) -> Response:
    """Save the draft; with "publish", publish it at once (the NOV reasons come back at their fields)."""
    require(visitor, "organisation")
    posted = await request.form()
    form = Form.of(posted, TASK_FIELDS, fallback="task")
    client = api(request)
    created: dict[str, Any] = {}

    async def action() -> Response:
        created.update(await client.post("registry", f"{_base(visitor)}/tasks", task_body(form)))
        if posted.get("publish"):
            await client.post("registry", f"{_base(visitor)}/tasks/{created['id']}/publish")
            return redirect(f"/organisatie/taken/{created['id']}", "gepubliceerd")
        return redirect(f"/organisatie/taken/{created['id']}", "opgeslagen")

    async def refused(refused_form: Form) -> Response:
        # A draft saved but refused at publishing stays a draft; the form continues on its own page.
        if created:
            return await _task_page(request, visitor, UUID(str(created["id"])), form=refused_form)
        return page(request, "organisation/task.html", status_code=422, form=refused_form, task=None, proposals=[])

    return await submit(form, action, refused)


# The shifts form shares its page with the task form (which has a "capacity" too): its fields carry "shift_".
SHIFT_FIELDS = ("shift_repeat", "shift_weekday", "shift_starts_on", "shift_start", "shift_end", "shift_capacity",
                "shift_until")  # fmt: skip
# The registry's field → the form's; its reasons about the rule itself are the repeat's.
_SHIFT_API_FIELDS = {"rule": "shift_repeat", "starts_on": "shift_starts_on", "start": "shift_start",
                     "end": "shift_end", "capacity": "shift_capacity", "part_id": "shift_repeat"}  # fmt: skip
# The shifts a task page lists: the coming eight weeks (the registry plans six months ahead).
SHIFT_DAYS_SHOWN = 56


async def _task_page(
    request: Request, visitor: Visitor, task_id: UUID, form: Form | None = None, shift_form: Form | None = None
) -> Response:
    """The task page: the task form, its dated shifts with the form to plan more, and its proposals."""
    client = api(request)

    async def proposals_of_task() -> Any:
        try:
            return await client.get("matching", f"/v1/centrales/{visitor.centrale_id}/tasks/{task_id}/proposals")
        except ApiNotFound:
            # Matching learns a task once it is published (TaskPosted on Kafka): a draft, or one published a
            # moment ago, is unknown there. It has no proposals yet; the registry's answer decides the page.
            return []

    task, shifts, proposals = await asyncio.gather(
        client.get("registry", f"{_base(visitor)}/tasks/{task_id}"),
        client.get(
            "registry", f"/v1/centrales/{visitor.centrale_id}/tasks/{task_id}/shifts", {"days": SHIFT_DAYS_SHOWN}
        ),
        proposals_of_task(),
    )
    refused = (form is not None and form.has_errors) or (shift_form is not None and shift_form.has_errors)
    return page(
        request,
        "organisation/task.html",
        status_code=422 if refused else 200,
        form=form or task_form(task),
        shift_form=shift_form or Form.of({"shift_repeat": "weekly", "shift_start": "09:00", "shift_end": "12:00"}),
        task=task,
        shifts=shifts.get("shifts", []) if isinstance(shifts, dict) else [],
        proposals=as_list(proposals),
    )


@router.get("/organisatie/taken/{task_id}")
async def task_page(task_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """A task to edit and publish, its dated shifts, and its proposals and responses (reasons, accept or decline)."""
    require(visitor, "organisation")
    return await _task_page(request, visitor, task_id)


def shift_pattern_body(form: Form) -> dict[str, Any]:
    """The registry's shift pattern from the shifts form; FormInvalid with every field the portal cannot read."""
    parser = Parser(form)
    repeat = form.value("shift_repeat")
    if repeat not in SHIFT_REPEATS:
        parser.errors.append(FieldError("shift_repeat", _("Choose how often the shift comes back.")))
    weekday = parser.integer("shift_weekday", required=True, minimum=1, maximum=7)
    starts_on = parser.day("shift_starts_on", required=True)
    start = _clock(parser, "shift_start", required=True)
    end = _clock(parser, "shift_end", required=True)
    capacity = parser.integer("shift_capacity", minimum=1, maximum=1000)
    until = parser.day("shift_until")
    parser.done()
    # parser.done() raised for any of these missing
    assert weekday is not None
    assert starts_on is not None
    assert start is not None
    assert end is not None
    body: dict[str, Any] = {
        "rule": shift_rule(repeat, weekday, until),
        "starts_on": starts_on.isoformat(),
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
    }
    if capacity is not None:
        body["capacity"] = capacity
    return body


@router.post("/organisatie/taken/{task_id}/diensten")
async def plan_shifts(task_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """Plan dated shifts by a repeat ("every other Tuesday, 09:00-12:00"); refused: the form again at its fields."""
    require(visitor, "organisation")
    form = Form.of(await request.form(), SHIFT_FIELDS, fallback="shift_repeat")
    client = api(request)

    async def action() -> Response:
        path = f"/v1/centrales/{visitor.centrale_id}/tasks/{task_id}/shift-patterns"
        try:
            await client.post("registry", path, shift_pattern_body(form))
        except ApiRejected as rejected:
            raise ApiRejected(
                [FieldError(_SHIFT_API_FIELDS.get(e.field, "shift_repeat"), e.message) for e in rejected.errors]
            ) from rejected
        return redirect(f"/organisatie/taken/{task_id}#diensten", "diensten-toegevoegd")

    async def refused(refused_form: Form) -> Response:
        return await _task_page(request, visitor, task_id, shift_form=refused_form)

    return await submit(form, action, refused)


@router.post("/organisatie/taken/{task_id}")
async def save_task(task_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """Save changes; with "publish", publish (or re-check a published task)."""
    require(visitor, "organisation")
    posted = await request.form()
    form = Form.of(posted, TASK_FIELDS, fallback="task")
    client = api(request)
    path = f"{_base(visitor)}/tasks/{task_id}"

    async def action() -> Response:
        await client.put("registry", path, task_body(form))
        if posted.get("publish"):
            await client.post("registry", f"{path}/publish")
            return redirect(f"/organisatie/taken/{task_id}", "gepubliceerd")
        return redirect(f"/organisatie/taken/{task_id}", "opgeslagen")

    async def refused(refused_form: Form) -> Response:
        return await _task_page(request, visitor, task_id, form=refused_form)

    return await submit(form, action, refused)


@router.post("/organisatie/taken/{task_id}/sluiten")
async def close_task(task_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """Stop taking volunteers for the task."""
    require(visitor, "organisation")
    await api(request).post("registry", f"{_base(visitor)}/tasks/{task_id}/close")
    return redirect("/organisatie", "opgeslagen")


# -- responses, proposals, volunteers -----------------------------------------------------------------------


@router.get("/organisatie/reacties")
async def responses(request: Request, visitor: VisitorDep) -> Response:
    """Responses and proposals for the organisation's tasks, the volunteer's message, accept or decline."""
    require(visitor, "organisation")
    views = await api(request).get("registry", f"{_base(visitor)}/responses")
    open_ = [v for v in as_list(views) if v.get("status") in ("proposed", "approved", "agreed")]
    return page(request, "organisation/responses.html", responses=open_)


@router.post("/organisatie/voorstellen/{match_id}/accepteren")
async def accept(match_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """Say yes to a volunteer: the match is made once they said yes too."""
    require(visitor, "organisation")
    await api(request).post("matching", f"/v1/centrales/{visitor.centrale_id}/proposals/{match_id}/accept")
    back = str((await request.form()).get("terug") or "/organisatie/reacties")
    return redirect(back if back.startswith("/organisatie") else "/organisatie/reacties", "geaccepteerd")


@router.post("/organisatie/voorstellen/{match_id}/afwijzen")
async def decline(match_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """Say no to a volunteer."""
    require(visitor, "organisation")
    await api(request).post("matching", f"/v1/centrales/{visitor.centrale_id}/proposals/{match_id}/decline")
    back = str((await request.form()).get("terug") or "/organisatie/reacties")
    return redirect(back if back.startswith("/organisatie") else "/organisatie/reacties", "afgewezen")


@router.get("/organisatie/vrijwilligers")
async def volunteers(request: Request, visitor: VisitorDep) -> Response:
    """The organisation's volunteers (matches made) and how to reach them: their own contact only with consent."""
    require(visitor, "organisation")
    client = api(request)
    views, check_ins = await asyncio.gather(
        client.get("registry", f"{_base(visitor)}/responses"), client.get("registry", f"{_base(visitor)}/check-ins")
    )
    made = [v for v in as_list(views) if v.get("status") == "made"]
    return page(
        request,
        "organisation/volunteers.html",
        matches=made,
        check_ins=as_list(check_ins),
        answers=CHECK_IN_ANSWERS,
        end_reasons=END_REASONS,
        form=Form(),
    )


@router.post("/organisatie/matches/{match_id}/beeindigen")
async def end_match(match_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """End a match, saying why."""
    require(visitor, "organisation")
    reason = str((await request.form()).get("reason") or "other")
    body = {"reason": reason if reason in END_REASONS else "other"}
    await api(request).post("matching", f"/v1/centrales/{visitor.centrale_id}/matches/{match_id}/end", body)
    return redirect("/organisatie/vrijwilligers", "beeindigd")


@router.post("/organisatie/checkins/{check_in_id}")
async def answer_check_in(check_in_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """The organisation answers a check-in."""
    require(visitor, "organisation")
    posted = await request.form()
    answer = str(posted.get("answer") or "")
    if answer not in CHECK_IN_ANSWERS:
        return redirect("/organisatie/vrijwilligers")
    note = str(posted.get("note") or "").strip()[:2000] or None
    await api(request).post("registry", f"{_base(visitor)}/check-ins/{check_in_id}", {"answer": answer, "note": note})
    return redirect("/organisatie/vrijwilligers", "beantwoord")


# -- hours ---------------------------------------------------------------------------------------------------


@router.get("/organisatie/uren")
async def hours_page(request: Request, visitor: VisitorDep) -> Response:
    """Hours volunteers logged (to confirm) and a form to log hours for a match."""
    require(visitor, "organisation")
    return await _hours(request, visitor, Form(fields=("match_id", "worked_on", "hours")))


async def _hours(request: Request, visitor: Visitor, form: Form, status_code: int = 200) -> Response:
    client = api(request)
    views, logged = await asyncio.gather(
        client.get("registry", f"{_base(visitor)}/responses"), client.get("registry", f"{_base(visitor)}/hours")
    )
    made = [v for v in as_list(views) if v.get("status") == "made"]
    options = [(str(v["match_id"]), v["task"]["title"]) for v in made]
    titles = {str(v["match_id"]): v["task"]["title"] for v in as_list(views)}
    return page(
        request,
        "organisation/hours.html",
        status_code=status_code,
        match_options=options,
        logged=as_list(logged),
        titles=titles,
        form=form,
        today=dutch_today().isoformat(),
    )


@router.post("/organisatie/uren")
async def log_hours(request: Request, visitor: VisitorDep) -> Response:
    """Log hours for a match (they count at once)."""
    require(visitor, "organisation")
    form = Form.of(await request.form(), ("match_id", "worked_on", "hours"), fallback="hours")

    async def action() -> Response:
        parser = Parser(form)
        match_id = parser.text("match_id", required=True, max_length=40)
        worked_on = parser.day("worked_on", required=True)
        hours = parser.decimal("hours", required=True)
        parser.done()
        body = {"worked_on": worked_on.isoformat() if worked_on else None, "hours": str(hours)}
        await api(request).post("registry", f"{_base(visitor)}/matches/{match_id}/hours", body)
        return redirect("/organisatie/uren", "opgeslagen")

    return await submit(form, action, lambda f: _hours(request, visitor, f, 422))


@router.post("/organisatie/uren/{hours_id}/bevestigen")
async def confirm_hours(hours_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """Confirm hours a volunteer logged."""
    require(visitor, "organisation")
    await api(request).post("registry", f"{_base(visitor)}/hours/{hours_id}/confirm")
    return redirect("/organisatie/uren", "bevestigd")


# -- allowances and users ------------------------------------------------------------------------------------


ALLOWANCE_FIELDS = ("volunteer_id", "paid_on", "amount", "hours")


async def _volunteer_options(request: Request, visitor: Visitor) -> list[tuple[str, str]]:
    """The organisation's volunteers (matches made) to choose from: the task, and their name where consented."""
    views = await api(request).get("registry", f"{_base(visitor)}/responses")
    options: dict[str, str] = {}
    for view in as_list(views):
        if view.get("status") in ("made", "ended"):
            contact = view.get("contact") or {}
            who = contact.get("name") if contact.get("kind") == "volunteer" else None
            options[str(view["volunteer_id"])] = f"{who}, {view['task']['title']}" if who else view["task"]["title"]
    return sorted(options.items(), key=lambda item: item[1])


async def _allowances(request: Request, visitor: Visitor, form: Form, check: Any, status_code: int = 200) -> Response:
    options = await _volunteer_options(request, visitor)
    return page(request, "organisation/allowances.html", status_code=status_code, form=form, check=check,
                volunteers=options)  # fmt: skip


@router.get("/organisatie/vergoedingen")
async def allowances(request: Request, visitor: VisitorDep) -> Response:
    """Check an allowance against the year's fiscal limits, across all organisations, before paying."""
    require(visitor, "organisation")
    return await _allowances(request, visitor, Form(fields=ALLOWANCE_FIELDS), None)


@router.post("/organisatie/vergoedingen")
async def check_allowance(request: Request, visitor: VisitorDep) -> Response:
    """Would this payment break a limit? Warned about, never blocked."""
    require(visitor, "organisation")
    form = Form.of(await request.form(), ALLOWANCE_FIELDS, fallback="amount")

    async def action() -> Response:
        parser = Parser(form)
        volunteer_id = parser.text("volunteer_id", required=True, max_length=40)
        paid_on = parser.day("paid_on", required=True)
        amount = parser.decimal("amount", required=True)
        hours = parser.decimal("hours")
        parser.done()
        body = {
            "volunteer_id": volunteer_id,
            "paid_on": paid_on.isoformat() if paid_on else None,
            "amount": str(amount),
            "hours": str(hours) if hours is not None else None,
        }
        path = f"/v1/centrales/{visitor.centrale_id}/organisations/{visitor.subject_id}/allowances/check"
        outcome = await api(request).post("appreciation", path, body)
        return await _allowances(request, visitor, form, outcome)

    return await submit(form, action, lambda f: _allowances(request, visitor, f, None, 422))


@router.get("/organisatie/gebruikers")
async def users(request: Request, visitor: VisitorDep) -> Response:
    """Who may act for the organisation."""
    require(visitor, "organisation")
    members = await api(request).get("registry", f"{_base(visitor)}/memberships")
    return page(request, "organisation/users.html", members=as_list(members), form=Form(fields=("name", "email")))


@router.post("/organisatie/gebruikers")
async def invite_user(request: Request, visitor: VisitorDep) -> Response:
    """Invite a colleague of the organisation (an e-mail with a link to choose a password)."""
    require(visitor, "organisation")
    form = Form.of(await request.form(), ("name", "email"), fallback="email")
    client = api(request)

    async def action() -> Response:
        parser = Parser(form)
        name = parser.text("name", required=True, max_length=200)
        email = parser.text("email", required=True, max_length=320)
        parser.done()
        body = {
            "role": "organisation",
            "centrale_id": visitor.centrale_id,
            "subject_id": visitor.subject_id,
            "email": email,
            "name": name,
        }
        await client.post("registry", "/v1/invitations", body)
        return redirect("/organisatie/gebruikers", "uitgenodigd")

    async def refused(refused_form: Form) -> Response:
        members = await client.get("registry", f"{_base(visitor)}/memberships")
        return page(request, "organisation/users.html", status_code=422, members=as_list(members), form=refused_form)

    return await submit(form, action, refused)
