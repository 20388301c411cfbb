"""Pages of a consulent (centrale staff): the work queue, intake on a person's behalf, volunteers and a volunteer's
file (profile, VOG, consents, proposals, audit trail; respond or put forward on their behalf, approve), the
centrale's organisations (vet: admit or refuse), appreciation rules, and colleagues' accounts."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from portal.backend import ApiNotFound, FieldError
from portal.content import CONSENT_TEXT_VERSION, CONSENTS
from portal.forms import Form, Parser
from portal.i18n import gettext as _
from portal.pages._base import VisitorDep, api, as_list, redirect, require, submit
from portal.pages.volunteer import PROFILE_FIELDS, consents_given, profile_body
from portal.rendering import page
from portal.visitor import Visitor

__all__ = ["router"]

router = APIRouter()

INTAKE_FIELDS = (*PROFILE_FIELDS, "consents", "parental_consent")
SOFT_GATES = ("support", "availability", "distance", "commitments")
AGREEMENT_HOW = ("in_person", "phone", "email", "letter", "other")
VOLUNTEERS_PAGE = 50
# A proposal still without its answers after this many days is on the consulent's work queue.
UNANSWERED_AFTER_DAYS = 7


def _centrale(visitor: Visitor) -> str:
    return f"/v1/centrales/{visitor.centrale_id}"


async def _part(call: Any) -> Any:
    """One block of a page; a route the services do not offer yet (404) leaves the block empty."""
    try:
        return await call
    except ApiNotFound:
        return None


# -- the work queue -----------------------------------------------------------------------------------------


@router.get("/consulent")
async def work_queue(request: Request, visitor: VisitorDep) -> Response:
    """What needs the consulent today: organisations to vet, supported matches to approve, early warnings,
    unanswered proposals and people without e-mail to call."""
    require(visitor, "centrale_staff")
    client = api(request)
    base = _centrale(visitor)
    # Two calls, side by side: each service gives its part of the queue in one answer (one request and one
    # transaction each, where five separate lists took five; the session check runs beside them).
    registry, matching = await asyncio.gather(
        client.get("registry", f"{base}/work-queue"),
        _part(client.get("matching", f"{base}/work-queue", {"waiting_days": str(UNANSWERED_AFTER_DAYS)})),
    )
    matching = matching if isinstance(matching, dict) else {}
    return page(
        request,
        "consulent/queue.html",
        pending=as_list(registry.get("organisations_to_vet")),
        approvals=as_list(matching.get("to_approve")),
        warnings=as_list(registry.get("early_warnings")),
        unanswered=as_list(matching.get("unanswered")),
        calls=as_list(registry.get("call_list")),
    )


@router.post("/consulent/voorstellen/{match_id}/goedkeuren")
async def approve(match_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """Approve a proposal for a volunteer who needs support (the organisation and volunteer still say yes)."""
    require(visitor, "centrale_staff")
    await api(request).post("matching", f"{_centrale(visitor)}/proposals/{match_id}/approve")
    back = str((await request.form()).get("terug") or "/consulent")
    return redirect(back if back.startswith("/consulent") else "/consulent", "goedgekeurd")


@router.post("/consulent/voorstellen/{match_id}/ja-namens")
async def agree_for(match_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """Record the volunteer's yes, given to the consulent (in person, by phone, ...)."""
    require(visitor, "centrale_staff")
    form = await request.form()
    how = str(form.get("how") or "in_person")
    body = {"how": how if how in AGREEMENT_HOW else "other"}
    await api(request).post("matching", f"{_centrale(visitor)}/proposals/{match_id}/agree", body)
    back = str(form.get("terug") or "/consulent")
    return redirect(back if back.startswith("/consulent") else "/consulent", "ja-gezegd")


@router.post("/consulent/waarschuwingen/{check_in_id}/opgepakt")
async def warning_handled(check_in_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """The consulent took an early warning up: it leaves the list."""
    require(visitor, "centrale_staff")
    await api(request).post("registry", f"{_centrale(visitor)}/early-warnings/{check_in_id}/handled")
    return redirect("/consulent", "opgeslagen")


@router.post("/consulent/bellen/{notice_id}/gedaan")
async def called(notice_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """A person on the call list was called."""
    require(visitor, "centrale_staff")
    await api(request).post("registry", f"{_centrale(visitor)}/call-list/{notice_id}/done")
    return redirect("/consulent", "opgeslagen")


# -- intake -------------------------------------------------------------------------------------------------


@router.get("/consulent/intake")
async def intake_page(request: Request, visitor: VisitorDep) -> Response:
    """Register a volunteer at an intake conversation (also people without e-mail or digital skills)."""
    require(visitor, "centrale_staff")
    form = Form(values={"commitment": ["either"], "consents": ["matching"]}, fields=INTAKE_FIELDS)
    return page(request, "consulent/intake.html", form=form)


@router.post("/consulent/intake")
async def intake(request: Request, visitor: VisitorDep) -> Response:
    """The volunteer's record with the consents they gave, the text version shown recorded with each."""
    require(visitor, "centrale_staff")
    form = Form.of(await request.form(), INTAKE_FIELDS, fallback="name")

    async def action() -> Response:
        parser = Parser(form)
        body = profile_body(parser, registering=False)
        body["birth_date"] = parser.day("birth_date")
        parser.done()
        body["birth_date"] = body["birth_date"].isoformat() if body["birth_date"] else None
        body["consents"] = consents_given(form)
        created = await api(request).post(
            "registry", f"{_centrale(visitor)}/volunteers", {k: v for k, v in body.items() if v is not None}
        )
        return redirect(f"/consulent/vrijwilligers/{created['id']}", "ingeschreven")

    return await submit(form, action, lambda f: page(request, "consulent/intake.html", status_code=422, form=f))


# -- volunteers and a volunteer's file ------------------------------------------------------------------------


@router.get("/consulent/vrijwilligers")
async def volunteers(request: Request, visitor: VisitorDep, pagina: int = 1, q: str = "") -> Response:
    """The centrale's volunteers, a page at a time (filtered by name on the page)."""
    require(visitor, "centrale_staff")
    number = max(1, min(pagina, 1000))
    listed = await api(request).get(
        "registry",
        f"{_centrale(visitor)}/volunteers",
        {"limit": VOLUNTEERS_PAGE, "offset": (number - 1) * VOLUNTEERS_PAGE},
    )
    needle = q.strip().lower()[:100]
    shown = [v for v in as_list(listed) if not needle or needle in str(v.get("name", "")).lower()]
    return page(
        request,
        "consulent/volunteers.html",
        volunteers=shown,
        page_number=number,
        q=q[:100],
        more=len(as_list(listed)) == VOLUNTEERS_PAGE,
    )


async def _file(request: Request, visitor: Visitor, volunteer_id: UUID) -> dict[str, Any]:
    """Everything the volunteer's file shows, asked of the services at once (the read is audited as mediation)."""
    client = api(request)
    base = f"{_centrale(visitor)}/volunteers/{volunteer_id}"
    record, proposals, trail, appreciation = await asyncio.gather(
        client.get("registry", base, {"purpose": "mediation"}),
        # Matching answers 404 for a volunteer it has not learned yet (just registered, the event in flight): no
        # proposals yet. Another centrale's volunteer is refused by the registry's record above all the same.
        _part(client.get("matching", f"{base}/proposals")),
        _part(client.get("registry", f"{base}/access-log")),
        _part(client.get("appreciation", f"{base}/appreciation")),
    )
    return {"record": record, "proposals": as_list(proposals), "trail": trail, "appreciation": appreciation}


@router.get("/consulent/vrijwilligers/{volunteer_id}")
async def volunteer_file(volunteer_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """A volunteer's file: profile, VOG, consents, proposals and matches, appreciation, audit trail."""
    require(visitor, "centrale_staff")
    context = await _file(request, visitor, volunteer_id)
    return page(request, "consulent/volunteer.html", volunteer_id=volunteer_id, form=Form(), vog_form=Form(), **context)


@router.post("/consulent/vrijwilligers/{volunteer_id}/vog")
async def record_vog(volunteer_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """Record that an original VOG was seen (never a copy): when, by whom, valid until."""
    require(visitor, "centrale_staff")
    form = Form.of(await request.form(), ("verified_on", "verified_by", "valid_until"), fallback="verified_on")
    client = api(request)

    async def action() -> Response:
        parser = Parser(form)
        verified_on = parser.day("verified_on", required=True)
        verified_by = parser.text("verified_by", required=True, max_length=200)
        valid_until = parser.day("valid_until", required=True)
        parser.done()
        body = {"verified_on": str(verified_on), "verified_by": verified_by, "valid_until": str(valid_until)}
        await client.put("registry", f"{_centrale(visitor)}/volunteers/{volunteer_id}/vog", body)
        return redirect(f"/consulent/vrijwilligers/{volunteer_id}", "opgeslagen")

    async def refused(refused_form: Form) -> Response:
        context = await _file(request, visitor, volunteer_id)
        return page(
            request,
            "consulent/volunteer.html",
            status_code=422,
            volunteer_id=volunteer_id,
            form=Form(),
            vog_form=refused_form,
            **context,
        )

    return await submit(form, action, refused)


@router.post("/consulent/vrijwilligers/{volunteer_id}/toestemming/{kind}")
async def record_consent(volunteer_id: UUID, kind: str, request: Request, visitor: VisitorDep) -> Response:
    """Record a consent the volunteer gave or withdrew in the conversation (the text version shown with it)."""
    require(visitor, "centrale_staff")
    if kind not in CONSENTS:
        raise ApiNotFound()
    granted = (await request.form()).get("granted") == "true"
    body = {"kind": kind, "granted": granted, "text_version": CONSENT_TEXT_VERSION}
    await api(request).post("registry", f"{_centrale(visitor)}/volunteers/{volunteer_id}/consents", body)
    return redirect(f"/consulent/vrijwilligers/{volunteer_id}", "opgeslagen")


@router.post("/consulent/vrijwilligers/{volunteer_id}/reageren")
async def respond_for(volunteer_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """Respond to a task for the volunteer, or put them forward, with their agreement; soft gates may be set aside
    with a reason (consent and VOG never). The gates that fail come back at the form."""
    require(visitor, "centrale_staff")
    posted = await request.form()
    form = Form.of(
        posted, ("task_id", "via", "how", "message", *(f"override.{g}" for g in SOFT_GATES)), fallback="task_id"
    )
    client = api(request)

    async def action() -> Response:
        parser = Parser(form)
        task_id = parser.text("task_id", required=True, max_length=40)
        message = parser.text("message", max_length=2000)
        overrides = {g: r for g in SOFT_GATES if (r := parser.text(f"override.{g}", max_length=1000))}
        try:
            UUID(task_id or "")
        except ValueError:
            parser.errors.append(FieldError("task_id", _("Paste the task's number from its page in the vacaturebank.")))
        parser.done()
        via = form.value("via") if form.value("via") in ("on_behalf", "put_forward") else "on_behalf"
        how = form.value("how") if form.value("how") in AGREEMENT_HOW else "in_person"
        body = {"task_id": task_id, "via": via, "agreement": {"how": how}, "overrides": overrides}
        created = await client.post("matching", f"{_centrale(visitor)}/volunteers/{volunteer_id}/responses", body)
        if message and created.get("match_id"):
            path = f"{_centrale(visitor)}/volunteers/{volunteer_id}/proposals/{created['match_id']}/message"
            await client.put("registry", path, {"text": message})
        return redirect(f"/consulent/vrijwilligers/{volunteer_id}", "gereageerd")

    async def refused(refused_form: Form) -> Response:
        # Gates come back as reasons at "overrides.<gate>": shown at the field where the reason to set it aside goes.
        refused_form.errors = [
            FieldError(e.field.replace("overrides.", "override."), e.message) if e.field.startswith("overrides") else e
            for e in refused_form.errors
        ]
        context = await _file(request, visitor, volunteer_id)
        return page(
            request,
            "consulent/volunteer.html",
            status_code=422,
            volunteer_id=volunteer_id,
            form=refused_form,
            vog_form=Form(),
            **context,
        )

    return await submit(form, action, refused)


# -- organisations ------------------------------------------------------------------------------------------


@router.get("/consulent/organisaties")
async def organisations(request: Request, visitor: VisitorDep) -> Response:
    """The centrale's organisations: pending (to vet), admitted, refused."""
    require(visitor, "centrale_staff")
    listed = await api(request).get("registry", f"{_centrale(visitor)}/organisations")
    return page(request, "consulent/organisations.html", organisations=as_list(listed), form=Form())


@router.get("/consulent/organisaties/{organisation_id}")
async def organisation(organisation_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """One organisation: what the NOV criteria ask of it (contact person, insurance), its tasks; admit or refuse."""
    require(visitor, "centrale_staff")
    client = api(request)
    record = await client.get("registry", f"{_centrale(visitor)}/organisations/{organisation_id}")
    return page(request, "consulent/organisation.html", organisation=record, form=Form(fields=("reason",)))


@router.post("/consulent/organisaties/{organisation_id}/toelaten")
async def admit(organisation_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """Admit the organisation after vetting: its tasks may be published."""
    require(visitor, "centrale_staff")
    await api(request).post("registry", f"{_centrale(visitor)}/organisations/{organisation_id}/admit")
    return redirect(f"/consulent/organisaties/{organisation_id}", "toegelaten")


@router.post("/consulent/organisaties/{organisation_id}/weigeren")
async def refuse(organisation_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """Refuse the organisation, saying why."""
    require(visitor, "centrale_staff")
    form = Form.of(await request.form(), ("reason",), fallback="reason")
    client = api(request)
    path = f"{_centrale(visitor)}/organisations/{organisation_id}"

    async def action() -> Response:
        parser = Parser(form)
        reason = parser.text("reason", required=True, max_length=1000)
        parser.done()
        await client.post("registry", f"{path}/refuse", {"reason": reason})
        return redirect(f"/consulent/organisaties/{organisation_id}", "opgeslagen")

    async def refused(refused_form: Form) -> Response:
        record = await client.get("registry", path)
        return page(request, "consulent/organisation.html", status_code=422, organisation=record, form=refused_form)

    return await submit(form, action, refused)


# -- appreciation, colleagues ---------------------------------------------------------------------------------


@router.get("/consulent/waardering")
async def appreciation(request: Request, visitor: VisitorDep) -> Response:
    """The centrale's appreciation rules (milestones, years, NLdoet, MDT) and the thank-you templates."""
    require(visitor, "centrale_staff")
    client = api(request)
    rules, templates = await asyncio.gather(
        client.get("appreciation", f"{_centrale(visitor)}/rules"),
        _part(client.get("registry", f"{_centrale(visitor)}/appreciation-templates")),
    )
    return page(request, "consulent/appreciation.html", rules=as_list(rules), templates=templates)


@router.post("/consulent/waardering/regels/{rule_id}")
async def toggle_rule(rule_id: str, request: Request, visitor: VisitorDep) -> Response:
    """Switch a rule on or off (awards already given stay)."""
    require(visitor, "centrale_staff")
    active = (await request.form()).get("active") == "true"
    await api(request).patch("appreciation", f"{_centrale(visitor)}/rules/{rule_id[:80]}", {"active": active})
    return redirect("/consulent/waardering", "opgeslagen")


@router.get("/consulent/collegas")
async def colleagues(request: Request, visitor: VisitorDep) -> Response:
    """Who works for the centrale; invite a colleague, end a colleague's membership when they leave."""
    require(visitor, "centrale_staff")
    members = await api(request).get("registry", f"{_centrale(visitor)}/memberships", {"role": "centrale_staff"})
    return page(request, "consulent/colleagues.html", members=as_list(members), form=Form(fields=("name", "email")))


@router.post("/consulent/collegas")
async def invite(request: Request, visitor: VisitorDep) -> Response:
    """Invite a colleague (they choose a password and set up the authenticator app)."""
    require(visitor, "centrale_staff")
    form = Form.of(await request.form(), ("name", "email"), fallback="email")
    client = api(request)

    async def action() -> Response:
        parser = Parser(form)
        name = parser.text("name", required=True, max_length=200)
        email = parser.text("email", required=True, max_length=320)
        parser.done()
        body = {"role": "centrale_staff", "centrale_id": visitor.centrale_id, "email": email, "name": name}
        await client.post("registry", "/v1/invitations", body)
        return redirect("/consulent/collegas", "uitgenodigd")

    async def refused(refused_form: Form) -> Response:
        members = await client.get("registry", f"{_centrale(visitor)}/memberships", {"role": "centrale_staff"})
        return page(request, "consulent/colleagues.html", status_code=422, members=as_list(members), form=refused_form)

    return await submit(form, action, refused)


@router.post("/consulent/collegas/{membership_id}/beeindigen")
async def end_membership(membership_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """A colleague leaves: their sessions stop working on every service within seconds."""
    require(visitor, "centrale_staff")
    await api(request).delete("registry", f"/v1/memberships/{membership_id}")
    return redirect("/consulent/collegas", "ingetrokken")
