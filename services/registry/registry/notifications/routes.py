"""Routes for centrale staff: their thank-you templates, and which messages went out (or why not)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from common.auth import Caller, CallerDep, Role, require_centrale_access
from registry.api._plumbing import RegistryUowDep
from registry.notifications import use_cases
from registry.notifications.templates import TemplateKind, placeholder_problem

__all__ = ["router"]

router = APIRouter(prefix="/v1/centrales/{centrale_id}", tags=["centrale staff"])


class TemplateIn(BaseModel):
    """A thank-you template; placeholders ``$naam``, ``$titel`` and ``$centrale``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    subject: str = Field(min_length=1, max_length=200, examples=["Gefeliciteerd, $naam!"])
    body: str = Field(min_length=1, max_length=5000, examples=["Beste $naam,\n\n$titel: dank je wel!\n\n$centrale"])

    @field_validator("subject", "body")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        problem = placeholder_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value


class TemplateOut(BaseModel):
    """The template a centrale uses for one kind of award."""

    kind: str
    subject: str
    body: str
    custom: bool = Field(description="False while the Dutch default is used.")


KindPath = Annotated[TemplateKind, Path(description="An award kind, or 'default' for kinds without their own.")]


def _staff(caller: Caller, centrale_id: str) -> None:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)


def _out(view: use_cases.TemplateView) -> TemplateOut:
    return TemplateOut(kind=view.kind, subject=view.subject, body=view.body, custom=view.custom)


@router.get("/appreciation-templates", summary="The thank-you templates the centrale uses, per award kind.")
async def list_templates(centrale_id: str, caller: CallerDep, uow: RegistryUowDep) -> list[TemplateOut]:
    _staff(caller, centrale_id)
    return [_out(view) for view in await use_cases.list_templates(use_cases.ListTemplates(centrale_id), uow)]


@router.put("/appreciation-templates/{kind}", summary="Set the centrale's own thank-you template for a kind.")
async def put_template(
    centrale_id: str, kind: KindPath, body: TemplateIn, caller: CallerDep, uow: RegistryUowDep
) -> TemplateOut:
    _staff(caller, centrale_id)
    return _out(await use_cases.set_template(use_cases.SetTemplate(centrale_id, kind, body.subject, body.body), uow))


@router.delete("/appreciation-templates/{kind}", status_code=204, summary="Go back to the default template.")
async def delete_template(centrale_id: str, kind: KindPath, caller: CallerDep, uow: RegistryUowDep) -> None:
    _staff(caller, centrale_id)
    await use_cases.reset_template(use_cases.ResetTemplate(centrale_id, kind), uow)


@router.get("/appreciation-messages", summary="Thank-you messages for the centrale's awards: sent, due, or why not.")
async def list_messages(
    centrale_id: str,
    caller: CallerDep,
    uow: RegistryUowDep,
    status: Annotated[Literal["pending", "sent", "not_sent", "failed"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    _staff(caller, centrale_id)
    return await use_cases.list_messages(use_cases.ListMessages(centrale_id, status, limit), uow)
