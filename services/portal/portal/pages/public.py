"""Pages for anyone: the vacaturebank (search, a task's page, respond), the centrale's contact, accessibility."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from portal import i18n
from portal.backend import ApiConflict, ApiNotFound, ApiRejected
from portal.forms import Form, Parser
from portal.i18n import gettext as _
from portal.pages._base import VisitorDep, api, form_status, redirect, safe_next, submit
from portal.rendering import page

__all__ = ["router"]

router = APIRouter()

# The search form's fields, named as the vacaturebank API's query parameters (so its reasons land at them).
SEARCH_FIELDS = (
    "q",
    "theme",
    "postcode",
    "within_km",
    "kind",
    "available_from",
    "available_until",
    "max_hours_per_week",
    "support_accessible",
    "team_suitable",
    "vog_required",
    "sort",
)
PAGE_SIZE = 10


@router.get("/")
async def home(request: Request, visitor: VisitorDep) -> Response:
    """Start: search the vacaturebank, or go to one's own pages."""
    facets = await api(request).get_public("registry", "/v1/vacatures/facets")
    return page(request, "public/home.html", facets=facets)


@router.get("/vacatures")
async def vacatures(request: Request, visitor: VisitorDep) -> Response:
    """Search published tasks with filters; results as a list, paged. htmx swaps only the results."""
    values = {k: v for k, v in _multi(request).items() if k in SEARCH_FIELDS}
    form = Form(values=values, fields=SEARCH_FIELDS, fallback="q")
    params: list[tuple[str, Any]] = [(k, v) for k, values in form.values.items() for v in values if v != ""]
    try:
        number = max(1, min(int(request.query_params.get("page", "1")), 500))
    except ValueError:
        number = 1
    params += [("page", number), ("page_size", PAGE_SIZE)]
    client = api(request)
    result: dict[str, Any] = {"items": [], "total": 0, "pages": 0, "page": 1}
    try:
        result, facets = await asyncio.gather(
            client.get("registry", "/v1/vacatures", params), client.get_public("registry", "/v1/vacatures/facets")
        )
    except ApiRejected as rejected:
        form.refuse(rejected.errors)
        facets = await client.get_public("registry", "/v1/vacatures/facets")
    query = [(k, v) for k, v in params if k not in ("page", "page_size")]
    template = "public/results.html" if request.headers.get("hx-request") else "public/vacatures.html"
    return page(
        request,
        template,
        status_code=form_status(form),
        form=form,
        result=result,
        facets=facets,
        query=query,
    )


def _multi(request: Request) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        values.setdefault(key, []).append(value)
    return values


@router.get("/vacatures/{task_id}")
async def vacature(task_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """A task's public page: what, where, when, what is asked and offered, whom to contact; respond."""
    try:
        task = await api(request).get("registry", f"/v1/vacatures/{task_id}")
    except ApiNotFound as gone:
        if gone.body:
            # Filled, closed or expired: say so (410), with the centrale to ask about similar work.
            return page(request, "public/vacature_gone.html", status_code=410, task=gone.body)
        raise
    json_ld = Markup(json.dumps(task.get("json_ld") or {}, ensure_ascii=False).replace("<", "\\u003c"))  # noqa: S704
    return page(request, "public/vacature.html", task=task, json_ld=json_ld, form=Form())


@router.post("/vacatures/{task_id}/reageren")
async def respond(task_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """A volunteer responds to a task (with an optional message); others are sent to log in first."""
    if not visitor.logged_in:
        return redirect(f"/inloggen?volgende=/vacatures/{task_id}")
    form = Form.of(await request.form(), ("message",), fallback="message")
    client = api(request)

    async def action() -> Response:
        parser = Parser(form)
        message = parser.text("message", max_length=2000)
        parser.done()
        done = "gereageerd"
        try:
            match_id = (await client.post("matching", "/v1/me/interests", {"task_id": str(task_id)}))["match_id"]
        except ApiConflict:
            # Matching may have proposed the volunteer for this task already (it proposes as soon as someone
            # fits): then the response is that proposal, and the message goes with it.
            mine = await client.get("matching", "/v1/me/proposals")
            match_id = next((p["match_id"] for p in mine if str(p["task_id"]) == str(task_id)), None)
            if match_id is None:
                raise
            done = "al-voorgesteld"
        if message:
            await client.put("registry", f"/v1/me/proposals/{match_id}/message", {"text": message})
        return redirect("/vrijwilliger/voorstellen", done)

    async def refused(refused_form: Form) -> Response:
        task = await client.get("registry", f"/v1/vacatures/{task_id}")
        return page(request, "public/vacature.html", status_code=422, task=task, json_ld="", form=refused_form)

    if visitor.role != "volunteer":
        form.refuse([], _("Only volunteers can respond. A consulent can respond on a volunteer's behalf."))
        return await refused(form)
    return await submit(form, action, refused)


@router.get("/contact")
async def contact(request: Request, visitor: VisitorDep, centrale: Annotated[str | None, Query()] = None) -> Response:
    """The centrales' public contact details (the visitor's own centrale first when logged in)."""
    facets = await api(request).get_public("registry", "/v1/vacatures/facets")
    chosen = centrale or visitor.centrale_id or None
    card = None
    if chosen:
        try:
            card = await api(request).get("registry", f"/v1/centrales/{chosen}/public-contact")
        except ApiNotFound:
            card = None
    return page(request, "public/contact.html", facets=facets, card=card, chosen=chosen or "")


@router.get("/toegankelijkheid")
async def accessibility(request: Request, visitor: VisitorDep) -> Response:
    """The accessibility statement (WCAG 2.1 AA)."""
    return page(request, "public/accessibility.html")


@router.get("/privacy")
async def privacy(request: Request, visitor: VisitorDep) -> Response:
    """What the portal keeps (nothing at rest) and where personal data lives."""
    return page(request, "public/privacy.html")


@router.get("/taal/{language}")
async def choose_language(language: str, request: Request, volgende: str | None = None) -> RedirectResponse:
    """The language switch: remembered in a cookie, then back to the page."""
    if language not in i18n.LANGUAGES:
        language = i18n.DEFAULT_LANGUAGE
    response = RedirectResponse(safe_next(volgende), status_code=303)
    names = request.app.state.cookies
    names.set(response, names.language, language, max_age=365 * 24 * 3600)
    return response
