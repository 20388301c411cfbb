"""Routes for notices: people's preferences, staff's templates, the delivery state and the call list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from common.auth import Caller, CallerDep, Role, require_centrale_access, require_role
from registry.api._plumbing import RegistryUowDep
from registry.api.conversation import organisation_of_centrale
from registry.api.follow_up import CheckInOut, EarlyWarningOut
from registry.api.models import Record
from registry.notice_texts import NoticeKind, notice_placeholder_problem
from registry.repositories import Notice
from registry.use_cases import follow_up, notices, organisations

__all__ = ["router"]

router = APIRouter(prefix="/v1")

Delivery = Literal["immediate", "digest", "off"]
KindPath = Annotated[NoticeKind, Path(description="A kind of notice.")]


class PreferencesIn(BaseModel):
    """How you want each kind of notice: ``immediate`` (at once), ``digest`` (one mail a day) or ``off``."""

    model_config = ConfigDict(extra="forbid")

    proposal_new: Delivery | None = None
    response_new: Delivery | None = None
    accepted: Delivery | None = None
    match_made: Delivery | None = None
    declined: Delivery | None = None
    check_in: Delivery | None = None
    vog_expiring: Delivery | None = None
    proposal_unanswered: Delivery | None = None
    one_off_follow_up: Delivery | None = None

    def choices(self) -> dict[str, str]:
        """The kinds given, with their choice."""
        choices: dict[str, str] = self.model_dump(exclude_none=True)
        return choices


class NoticeTemplateIn(BaseModel):
    """A notice template; placeholders ``$naam``, ``$taak``, ``$organisatie``, ``$centrale``, ``$link``, ``$datum``.

    The mail gets an HTML part made from the text, and a footer saying why it came and how to get fewer.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    subject: str = Field(min_length=1, max_length=200, examples=["Een taak voor jou: $taak"])
    body: str = Field(min_length=1, max_length=5000, examples=["Beste $naam,\n\nBekijk $taak: $link\n\n$centrale"])

    @field_validator("subject", "body")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        problem = notice_placeholder_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value


class NoticeTemplateOut(BaseModel):
    """The template a centrale uses for one kind of notice."""

    kind: str
    subject: str
    body: str
    custom: bool = Field(description="False while the Dutch default is used.")


class NoticeOut(BaseModel):
    """A notice and how its delivery went; no address or text is kept."""

    id: UUID
    kind: str
    recipient_kind: str
    recipient_id: UUID
    match_id: UUID | None
    task_id: UUID | None
    check_in_id: UUID | None
    deal_id: UUID | None = Field(None, description="The Beursvloer deal it is about.")
    training_id: UUID | None = Field(None, description="The training it is about.")
    delivery: str = Field(description="immediate or digest.")
    status: str = Field(description="pending, sent, not_sent (reason), failed, call (on the call list) or called.")
    reason: str | None
    attempts: int
    recorded_at: datetime
    sent_at: datetime | None
    mail_id: UUID | None = Field(description="The mail it went in; notices sharing one went as a digest.")

    @classmethod
    def of(cls, notice: Notice) -> NoticeOut:
        """The notice as the API shows it."""
        return cls(**{name: getattr(notice, name) for name in cls.model_fields})


class CallOut(BaseModel):
    """Someone to phone (no e-mail address), about what."""

    notice: NoticeOut
    name: str | None
    phone: str | None
    task_title: str | None


class WorkQueueOut(BaseModel):
    """The registry's part of a consulent's work queue: organisations to vet, early warnings, people to call."""

    organisations_to_vet: list[Record] = Field(description="As /organisations?status=pending gives them.")
    early_warnings: list[EarlyWarningOut] = Field(description="As /early-warnings gives them.")
    call_list: list[CallOut] = Field(description="As /call-list gives it.")


def _me(caller: Caller) -> UUID:
    require_role(caller, Role.VOLUNTEER)
    assert caller.subject_id is not None, "volunteer credentials carry the volunteer id"
    return caller.subject_id


def _staff(caller: Caller, centrale_id: str) -> None:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)


# -- preferences ------------------------------------------------------------------------------------------


@router.get("/me/notification-preferences", tags=["volunteers"], summary="How you get each kind of notice.")
async def my_preferences(caller: CallerDep, uow: RegistryUowDep) -> dict[str, str]:
    return await notices.get_notice_preferences(notices.GetNoticePreferences("volunteer", _me(caller)), uow)


@router.put(
    "/me/notification-preferences",
    tags=["volunteers"],
    summary="Choose per kind of notice: at once, in a daily digest, or off (kinds left out stay as they were).",
)
async def set_my_preferences(body: PreferencesIn, caller: CallerDep, uow: RegistryUowDep) -> dict[str, str]:
    cmd = notices.SetNoticePreferences("volunteer", _me(caller), body.choices())
    return await notices.set_notice_preferences(cmd, uow)


@router.get(
    "/centrales/{centrale_id}/organisations/{organisation_id}/notification-preferences",
    tags=["organisations"],
    summary="How the organisation's contact person gets each kind of notice.",
)
async def organisation_preferences(
    centrale_id: str, organisation_id: UUID, caller: CallerDep, uow: RegistryUowDep
) -> dict[str, str]:
    await organisation_of_centrale(caller, centrale_id, organisation_id, uow)
    return await notices.get_notice_preferences(notices.GetNoticePreferences("organisation", organisation_id), uow)


@router.put(
    "/centrales/{centrale_id}/organisations/{organisation_id}/notification-preferences",
    tags=["organisations"],
    summary="Choose per kind of notice for the organisation: at once, in a daily digest, or off.",
)
async def set_organisation_preferences(
    centrale_id: str, organisation_id: UUID, body: PreferencesIn, caller: CallerDep, uow: RegistryUowDep
) -> dict[str, str]:
    await organisation_of_centrale(caller, centrale_id, organisation_id, uow)
    cmd = notices.SetNoticePreferences("organisation", organisation_id, body.choices())
    return await notices.set_notice_preferences(cmd, uow)


# -- staff: templates, delivery, call list ----------------------------------------------------------------


def _template_out(view: notices.NoticeTemplateView) -> NoticeTemplateOut:
    return NoticeTemplateOut(kind=view.kind, subject=view.subject, body=view.body, custom=view.custom)


@router.get(
    "/centrales/{centrale_id}/notice-templates", tags=["centrale staff"], summary="The centrale's notice texts."
)
async def list_templates(centrale_id: str, caller: CallerDep, uow: RegistryUowDep) -> list[NoticeTemplateOut]:
    _staff(caller, centrale_id)
    views = await notices.list_notice_templates(notices.ListNoticeTemplates(centrale_id), uow)
    return [_template_out(view) for view in views]


@router.put(
    "/centrales/{centrale_id}/notice-templates/{kind}",
    tags=["centrale staff"],
    summary="Replace the Dutch default text of a kind of notice with the centrale's own.",
)
async def put_template(
    centrale_id: str, kind: KindPath, body: NoticeTemplateIn, caller: CallerDep, uow: RegistryUowDep
) -> NoticeTemplateOut:
    _staff(caller, centrale_id)
    cmd = notices.SetNoticeTemplate(centrale_id, kind.value, body.subject, body.body)
    return _template_out(await notices.set_notice_template(cmd, uow))


@router.delete(
    "/centrales/{centrale_id}/notice-templates/{kind}",
    status_code=204,
    tags=["centrale staff"],
    summary="Go back to the default text.",
)
async def delete_template(centrale_id: str, kind: KindPath, caller: CallerDep, uow: RegistryUowDep) -> None:
    _staff(caller, centrale_id)
    await notices.reset_notice_template(notices.ResetNoticeTemplate(centrale_id, kind.value), uow)


@router.get(
    "/centrales/{centrale_id}/notices",
    tags=["centrale staff"],
    summary="The centrale's notices and their delivery: sent, due, on the call list, or why not.",
)
async def list_notices(
    centrale_id: str,
    caller: CallerDep,
    uow: RegistryUowDep,
    status: Annotated[list[Literal["pending", "sent", "not_sent", "failed", "call", "called"]] | None, Query()] = None,
    kind: Annotated[NoticeKind | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[NoticeOut]:
    _staff(caller, centrale_id)
    query = notices.ListNotices(centrale_id, status, kind.value if kind else None, limit)
    return [NoticeOut.of(notice) for notice in await notices.list_notices(query, uow)]


@router.get(
    "/centrales/{centrale_id}/call-list",
    tags=["centrale staff"],
    summary="People to phone instead of e-mailing (no address): who, their number, and about what.",
)
async def call_list(centrale_id: str, caller: CallerDep, uow: RegistryUowDep) -> list[CallOut]:
    _staff(caller, centrale_id)
    entries = await notices.list_call_list(notices.ListCallList(centrale_id), uow)
    return [
        CallOut(notice=NoticeOut.of(e.notice), name=e.name, phone=e.phone, task_title=e.task_title) for e in entries
    ]


@router.get(
    "/centrales/{centrale_id}/work-queue",
    tags=["centrale staff"],
    summary="The registry's part of the consulent's work queue in one answer: organisations to vet, early "
    "warnings and the call list (one request and one transaction instead of three).",
)
async def work_queue(centrale_id: str, caller: CallerDep, uow: RegistryUowDep) -> WorkQueueOut:
    _staff(caller, centrale_id)
    pending = organisations.ListOrganisations(centrale_id, "pending")
    warnings = await follow_up.list_early_warnings(follow_up.ListEarlyWarnings(centrale_id), uow)
    entries = await notices.list_call_list(notices.ListCallList(centrale_id), uow)
    return WorkQueueOut(
        organisations_to_vet=await organisations.list_organisations(pending, uow),
        early_warnings=[EarlyWarningOut(why=w.why, check_in=CheckInOut.of(w.check_in)) for w in warnings],
        call_list=[
            CallOut(notice=NoticeOut.of(e.notice), name=e.name, phone=e.phone, task_title=e.task_title) for e in entries
        ],
    )


@router.post(
    "/centrales/{centrale_id}/call-list/{notice_id}/done",
    status_code=204,
    tags=["centrale staff"],
    summary="The person was phoned: the call leaves the list.",
)
async def called(centrale_id: str, notice_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> None:
    _staff(caller, centrale_id)
    await notices.mark_called(notices.MarkCalled(centrale_id, notice_id, caller.actor), uow)
