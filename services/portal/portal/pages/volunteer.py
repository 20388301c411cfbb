"""Pages of a volunteer: register, proposals with yes/no, matches and contacts, hours, check-ins, appreciation and
certificate, profile and consents, my data (export, who accessed it, erase), notices, calendar feed."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from common.clock import dutch_today
from portal.backend import ApiNotFound, FieldError
from portal.content import (
    CHECK_IN_ANSWERS,
    CONSENT_TEXT_VERSION,
    CONSENTS,
    END_REASONS,
    availability_choices,
    availability_slots,
)
from portal.forms import Form, FormInvalid, Parser
from portal.i18n import gettext as _
from portal.pages._base import VisitorDep, api, as_list, redirect, require, safe_next, submit
from portal.pages.account import start_session
from portal.rendering import page
from portal.visitor import Visitor

__all__ = ["PROFILE_FIELDS", "consents_given", "profile_body", "router"]

router = APIRouter()

PROFILE_FIELDS = (
    "name",
    "email",
    "phone",
    "postcode",
    "birth_date",
    "skills",
    "interests",
    "languages",
    "availability",
    "max_distance_km",
    "commitment",
    "needs_support",
)
REGISTER_FIELDS = (
    *PROFILE_FIELDS,
    "centrale_id",
    "consents",
    "password",
    "guardian_name",
    "guardian_relation",
    "guardian_email",
)
# Under this age a parent or guardian consents too (UAVG art. 5).
PARENTAL_CONSENT_AGE = 16


def profile_body(parser: Parser, *, registering: bool) -> dict[str, Any]:
    """The registry's volunteer fields from the profile form (what can, may and want)."""
    body: dict[str, Any] = {
        "name": parser.text("name", required=True, max_length=200),
        "email": parser.text("email", required=registering, max_length=320),
        "phone": parser.text("phone", max_length=20),
        "postcode": parser.text("postcode", max_length=7),
        "skills": parser.words("skills"),
        "interests": parser.words("interests"),
        "languages": parser.words("languages"),
        "availability": availability_slots(parser.form.all("availability")),
        "max_distance_km": parser.integer("max_distance_km", maximum=200),
        "commitment": parser.form.value("commitment") or "either",
        "needs_support": parser.flag("needs_support"),
    }
    if registering:
        body["birth_date"] = parser.day("birth_date")
    return body


def consents_given(form: Form) -> list[dict[str, str]]:
    """The consents ticked, each with the version of the text shown; a parent's consent where it was given."""
    given = [{"kind": kind, "text_version": CONSENT_TEXT_VERSION} for kind in form.all("consents") if kind in CONSENTS]
    if form.checked("parental_consent"):
        given.append({"kind": "parental_consent", "text_version": CONSENT_TEXT_VERSION})
    return given


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# -- anyone: register ---------------------------------------------------------------------------------------


@router.get("/aanmelden")
async def register_page(request: Request, visitor: VisitorDep, volgende: str | None = None) -> Response:
    """Register as a volunteer: what you can, may and want, the consents with their text, a password."""
    facets = await api(request).get_public("registry", "/v1/vacatures/facets")
    form = Form(values={"commitment": ["either"], "consents": ["matching"]}, fields=REGISTER_FIELDS)
    return page(request, "volunteer/register.html", form=form, facets=facets, next=safe_next(volgende, ""))


@router.post("/aanmelden")
async def register(request: Request, visitor: VisitorDep) -> Response:
    """Create the volunteer and their account; the answer's session logs them in at once."""
    posted = await request.form()
    form = Form.of(posted, REGISTER_FIELDS, fallback="name")
    target = safe_next(str(posted.get("volgende") or ""), "")
    client = api(request)

    async def action() -> Response:
        parser = Parser(form)
        centrale = parser.text("centrale_id", required=True, max_length=63)
        body = profile_body(parser, registering=True)
        body["password"] = parser.text("password", required=True, max_length=256)
        born = body.get("birth_date")
        if isinstance(born, date) and _age(born, dutch_today()) < PARENTAL_CONSENT_AGE:
            # The registry e-mails the parent a link: their own yes is what makes a minor matchable (a tick by the
            # minor would not be the parent's consent, so the form does not ask for one).
            guardian_name = parser.text("guardian_name", required=True, max_length=200)
            guardian_email = parser.text("guardian_email", required=True, max_length=254)
            relation = "guardian" if form.value("guardian_relation") == "guardian" else "parent"
            body["guardian"] = {"name": guardian_name, "relation": relation, "email": guardian_email}
        parser.done()
        body["birth_date"] = born.isoformat() if isinstance(born, date) else None
        body["consents"] = consents_given(form)
        issued = await client.post("registry", f"/v1/centrales/{centrale}/volunteers/self-registration", body)
        if issued.get("kind") == "session":
            # With e-mail and password the answer is the new account's first session: logged in at once.
            started = {"token": issued["token"], "session": {"expires_at": issued.get("expires_at")}}
            return start_session(request, redirect(target or "/vrijwilliger", "aangemeld"), started)
        return redirect("/inloggen", "aangemeld")

    async def refused(refused_form: Form) -> Response:
        refused_form.values.pop("password", None)
        facets = await client.get_public("registry", "/v1/vacatures/facets")
        return page(request, "volunteer/register.html", status_code=422, form=refused_form, facets=facets, next=target)

    return await submit(form, action, refused)


# -- overview and proposals ---------------------------------------------------------------------------------


async def _proposals(request: Request) -> list[dict[str, Any]]:
    """The volunteer's proposals and matches (registry: task, organisation, contact) with matching's reasons."""
    client = api(request)
    views, scored = await asyncio.gather(
        client.get("registry", "/v1/me/proposals"), client.get("matching", "/v1/me/proposals")
    )
    reasons = {p["match_id"]: p.get("reasons", []) for p in as_list(scored)}
    for view in as_list(views):
        view["reasons"] = reasons.get(view["match_id"], [])
    return as_list(views)


@router.get("/vrijwilliger")
async def overview(request: Request, visitor: VisitorDep) -> Response:
    """What needs the volunteer: open proposals, check-ins, and their matches."""
    require(visitor, "volunteer")
    client = api(request)
    proposals, check_ins = await asyncio.gather(_proposals(request), client.get("registry", "/v1/me/check-ins"))
    return page(
        request,
        "volunteer/overview.html",
        proposals=proposals,
        check_ins=as_list(check_ins),
        answers=CHECK_IN_ANSWERS,
        form=Form(),
    )


@router.get("/vrijwilliger/voorstellen")
async def proposals(request: Request, visitor: VisitorDep) -> Response:
    """Every proposal with the task, organisation, times, place and why; yes or no; matches with contacts."""
    require(visitor, "volunteer")
    return page(request, "volunteer/proposals.html", proposals=await _proposals(request), end_reasons=END_REASONS)


@router.post("/vrijwilliger/voorstellen/{match_id}/ja")
async def agree(match_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """Say yes: the match is made once the organisation said yes too."""
    require(visitor, "volunteer")
    await api(request).post("matching", f"/v1/me/proposals/{match_id}/agree")
    return redirect("/vrijwilliger/voorstellen", "ja-gezegd")


@router.post("/vrijwilliger/voorstellen/{match_id}/nee")
async def decline(match_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """Say no to a proposal."""
    require(visitor, "volunteer")
    await api(request).post("matching", f"/v1/me/proposals/{match_id}/decline")
    return redirect("/vrijwilliger/voorstellen", "nee-gezegd")


@router.post("/vrijwilliger/matches/{match_id}/beeindigen")
async def end_match(match_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """End one's own match, saying why."""
    require(visitor, "volunteer")
    reason = str((await request.form()).get("reason") or "other")
    await api(request).post(
        "matching", f"/v1/me/matches/{match_id}/end", {"reason": reason if reason in END_REASONS else "other"}
    )
    return redirect("/vrijwilliger/voorstellen", "beeindigd")


# -- shifts ------------------------------------------------------------------------------------------------


def _shifts_path(visitor: Visitor, task_id: UUID, shift_id: UUID | None = None) -> str:
    path = f"/v1/centrales/{visitor.centrale_id}/tasks/{task_id}/shifts"
    return f"{path}/{shift_id}/signups" if shift_id else path


@router.get("/vrijwilliger/diensten/{task_id}")
async def shifts(task_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """The dated shifts of a task the volunteer is matched to: places left, their own sign-ups, sign up or cancel."""
    require(visitor, "volunteer")
    client = api(request)
    views, listed = await asyncio.gather(
        client.get("registry", "/v1/me/proposals"), client.get("registry", _shifts_path(visitor, task_id))
    )
    match = next((v for v in as_list(views) if v["task"]["id"] == str(task_id) and v["status"] == "made"), None)
    if match is None:
        # Only a volunteer matched to the task signs up for its shifts: the page shows nothing the API would refuse.
        raise ApiNotFound("no running match for this task")
    return page(request, "volunteer/shifts.html", match=match, shifts=listed.get("shifts", []))


@router.post("/vrijwilliger/diensten/{task_id}/{shift_id}/aanmelden")
async def sign_up_for_shift(task_id: UUID, shift_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """Sign up for a shift; when it is full, on its waiting list."""
    require(visitor, "volunteer")
    signup = await api(request).post("registry", _shifts_path(visitor, task_id, shift_id), {})
    done = "dienst-wachtlijst" if signup.get("status") == "waiting" else "dienst-aangemeld"
    return redirect(f"/vrijwilliger/diensten/{task_id}", done)


@router.post("/vrijwilliger/diensten/{task_id}/{shift_id}/afmelden/{signup_id}")
async def cancel_shift(
    task_id: UUID, shift_id: UUID, signup_id: UUID, request: Request, visitor: VisitorDep
) -> Response:
    """Cancel one's sign-up; the first on the waiting list gets the place."""
    require(visitor, "volunteer")
    await api(request).post("registry", f"{_shifts_path(visitor, task_id, shift_id)}/{signup_id}/cancel")
    return redirect(f"/vrijwilliger/diensten/{task_id}", "dienst-afgemeld")


# -- hours and check-ins ------------------------------------------------------------------------------------


@router.get("/vrijwilliger/uren")
async def hours_page(request: Request, visitor: VisitorDep) -> Response:
    """Log hours for a match; the hours logged so far and whether the organisation confirmed them."""
    require(visitor, "volunteer")
    return await _hours(request, Form(fields=("match_id", "worked_on", "hours")))


async def _hours(request: Request, form: Form, status_code: int = 200) -> Response:
    client = api(request)
    views, export = await asyncio.gather(
        client.get("registry", "/v1/me/proposals"), client.get("registry", "/v1/me/export")
    )
    matches = [v for v in as_list(views) if v.get("status") == "made"]
    titles = {str(v["match_id"]): v["task"]["title"] for v in as_list(views)}
    logged = sorted(as_list(export.get("hours")), key=lambda h: str(h.get("worked_on")), reverse=True)
    options = [(str(v["match_id"]), f"{v['task']['title']} ({v['organisation_name']})") for v in matches]
    return page(
        request,
        "volunteer/hours.html",
        status_code=status_code,
        matches=matches,
        match_options=options,
        logged=logged,
        titles=titles,
        form=form,
        today=dutch_today().isoformat(),
    )


@router.post("/vrijwilliger/uren")
async def log_hours(request: Request, visitor: VisitorDep) -> Response:
    """Log hours worked for a match (they count once the organisation confirms)."""
    require(visitor, "volunteer")
    form = Form.of(await request.form(), ("match_id", "worked_on", "hours"), fallback="hours")

    async def action() -> Response:
        parser = Parser(form)
        match_id = parser.text("match_id", required=True, max_length=40)
        worked_on = parser.day("worked_on", required=True)
        hours = parser.decimal("hours", required=True)
        parser.done()
        body = {"worked_on": worked_on.isoformat() if worked_on else None, "hours": str(hours)}
        await api(request).post("registry", f"/v1/me/matches/{match_id}/hours", body)
        return redirect("/vrijwilliger/uren", "uren-geschreven")

    return await submit(form, action, lambda f: _hours(request, f, 422))


@router.post("/vrijwilliger/checkins/{check_in_id}")
async def answer_check_in(check_in_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """Answer a check-in: good, doubts or stopping, and a note for the consulent."""
    require(visitor, "volunteer")
    form = Form.of(await request.form(), ("answer", "note"), fallback="answer")

    async def action() -> Response:
        parser = Parser(form)
        answer = parser.text("answer", required=True, max_length=20)
        note = parser.text("note", max_length=2000)
        parser.done()
        await api(request).post("registry", f"/v1/me/check-ins/{check_in_id}", {"answer": answer, "note": note})
        return redirect("/vrijwilliger", "beantwoord")

    async def refused(refused_form: Form) -> Response:
        client = api(request)
        proposals_, check_ins = await asyncio.gather(_proposals(request), client.get("registry", "/v1/me/check-ins"))
        return page(
            request,
            "volunteer/overview.html",
            status_code=422,
            proposals=proposals_,
            check_ins=as_list(check_ins),
            answers=CHECK_IN_ANSWERS,
            form=refused_form,
        )

    return await submit(form, action, refused)


# -- appreciation -------------------------------------------------------------------------------------------


@router.get("/vrijwilliger/waardering")
async def appreciation(request: Request, visitor: VisitorDep) -> Response:
    """Organisations, tasks, hours, skills and milestones; the certificate to download."""
    require(visitor, "volunteer")
    record = await api(request).get("appreciation", "/v1/me/appreciation")
    return page(request, "volunteer/appreciation.html", record=record, form=Form(values={"name": [visitor.name or ""]}))


@router.post("/vrijwilliger/waardering/bewijs")
async def certificate(request: Request, visitor: VisitorDep) -> Response:
    """The certificate (PDF) with the name as the volunteer wants it printed (sent, never stored)."""
    require(visitor, "volunteer")
    form = Form.of(await request.form(), ("name",), fallback="name")

    async def action() -> Response:
        parser = Parser(form)
        name = parser.text("name", required=True, max_length=200)
        parser.done()
        pdf = await api(request).post_binary("appreciation", "/v1/me/certificates", {"name": name})
        filename = pdf.filename or "bewijs-van-vrijwillige-inzet.pdf"
        return Response(
            pdf.content,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    async def refused(refused_form: Form) -> Response:
        record = await api(request).get("appreciation", "/v1/me/appreciation")
        return page(request, "volunteer/appreciation.html", status_code=422, record=record, form=refused_form)

    return await submit(form, action, refused)


# -- profile and consents -----------------------------------------------------------------------------------


def _profile_form(me: dict[str, Any]) -> Form:
    values = {name: me.get(name) for name in PROFILE_FIELDS if name not in ("skills", "interests", "languages")}
    for name in ("skills", "interests", "languages"):
        values[name] = ", ".join(me.get(name) or [])
    values["availability"] = availability_choices(me.get("availability") or [])
    values["needs_support"] = "true" if me.get("needs_support") else None
    return Form.of(values, PROFILE_FIELDS)


@router.get("/vrijwilliger/profiel")
async def profile(request: Request, visitor: VisitorDep) -> Response:
    """What you can, may and want, and your consents (each with its text)."""
    require(visitor, "volunteer")
    me = await api(request).get("registry", "/v1/me")
    return page(request, "volunteer/profile.html", me=me, form=_profile_form(me), consents=CONSENTS)


@router.post("/vrijwilliger/profiel")
async def save_profile(request: Request, visitor: VisitorDep) -> Response:
    """Change the profile (matching re-evaluates the volunteer's proposals)."""
    require(visitor, "volunteer")
    form = Form.of(await request.form(), PROFILE_FIELDS, fallback="name")
    client = api(request)

    async def action() -> Response:
        parser = Parser(form)
        body = profile_body(parser, registering=False)
        parser.done()
        await client.patch("registry", "/v1/me", {k: v for k, v in body.items() if v is not None})
        return redirect("/vrijwilliger/profiel", "opgeslagen")

    async def refused(refused_form: Form) -> Response:
        me = await client.get("registry", "/v1/me")
        return page(request, "volunteer/profile.html", status_code=422, me=me, form=refused_form, consents=CONSENTS)

    return await submit(form, action, refused)


@router.post("/vrijwilliger/toestemming/{kind}")
async def consent(kind: str, request: Request, visitor: VisitorDep) -> Response:
    """Give or withdraw one consent (the text version shown is recorded with it)."""
    require(visitor, "volunteer")
    if kind not in CONSENTS:
        raise ApiNotFound()
    granted = (await request.form()).get("granted") == "true"
    body = {"kind": kind, "granted": granted, "text_version": CONSENT_TEXT_VERSION}
    await api(request).post("registry", "/v1/me/consents", body)
    return redirect("/vrijwilliger/profiel", "opgeslagen")


# -- my data ------------------------------------------------------------------------------------------------


@router.get("/vrijwilliger/gegevens")
async def my_data(request: Request, visitor: VisitorDep) -> Response:
    """What the registry holds (summary), who accessed it and why, the download, erasure, notices and calendar."""
    require(visitor, "volunteer")
    client = api(request)
    export, preferences = await asyncio.gather(
        client.get("registry", "/v1/me/export"), _optional(client.get("registry", "/v1/me/notification-preferences"))
    )
    return page(request, "volunteer/data.html", export=export, preferences=preferences, feed_url=None, form=Form())


async def _optional(call: Any) -> Any:
    """A page part from a route the registry may not offer (yet): None instead of the whole page failing."""
    try:
        return await call
    except ApiNotFound:
        return None


@router.get("/vrijwilliger/gegevens/download")
async def download(request: Request, visitor: VisitorDep) -> Response:
    """Everything the registry holds about you, as a JSON file (AVG access and portability)."""
    require(visitor, "volunteer")
    export = await api(request).get("registry", "/v1/me/export")
    body = json.dumps(export, ensure_ascii=False, indent=2)
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="mijn-gegevens.json"'},
    )


@router.post("/vrijwilliger/gegevens/wissen")
async def erase(request: Request, visitor: VisitorDep) -> Response:
    """Erase the account and personal data everywhere (hours stay, anonymously); asks to type a confirmation."""
    require(visitor, "volunteer")
    form = Form.of(await request.form(), ("confirm",), fallback="confirm")
    client = api(request)

    async def action() -> Response:
        if form.value("confirm").strip().lower() not in ("wissen", "erase"):
            raise FormInvalid([FieldError("confirm", _("Type the word to confirm."))])
        await client.delete("registry", "/v1/me")
        response = redirect("/", "verwijderd")
        request.app.state.cookies.clear(response, request.app.state.cookies.session)
        return response

    async def refused(refused_form: Form) -> Response:
        export = await client.get("registry", "/v1/me/export")
        return page(
            request,
            "volunteer/data.html",
            status_code=422,
            export=export,
            preferences=None,
            feed_url=None,
            form=refused_form,
        )

    return await submit(form, action, refused)


@router.post("/vrijwilliger/gegevens/meldingen")
async def save_preferences(request: Request, visitor: VisitorDep) -> Response:
    """How each kind of notice reaches the volunteer (e-mail, digest, not at all)."""
    require(visitor, "volunteer")
    posted = await request.form()
    preferences = {key.removeprefix("pref-"): str(value) for key, value in posted.items() if key.startswith("pref-")}
    await api(request).put("registry", "/v1/me/notification-preferences", preferences)
    return redirect("/vrijwilliger/gegevens", "opgeslagen")


@router.post("/vrijwilliger/gegevens/agenda")
async def calendar_feed(request: Request, visitor: VisitorDep) -> Response:
    """A new private calendar URL (the previous one stops working); shown this once."""
    require(visitor, "volunteer")
    client = api(request)
    feed = await client.post("registry", "/v1/me/calendar-feed")
    export = await client.get("registry", "/v1/me/export")
    return page(request, "volunteer/data.html", export=export, preferences=None, feed_url=feed.get("url"), form=Form())


@router.post("/vrijwilliger/gegevens/agenda/intrekken")
async def revoke_calendar_feed(request: Request, visitor: VisitorDep) -> Response:
    """Revoke the calendar URL."""
    require(visitor, "volunteer")
    await api(request).delete("registry", "/v1/me/calendar-feed")
    return redirect("/vrijwilliger/gegevens", "ingetrokken")
