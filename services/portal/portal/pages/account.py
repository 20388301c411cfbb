"""Logging in and out (with the second factor), passwords (reset, invitation links), one's account and sessions."""

from __future__ import annotations

import base64
import contextlib
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from portal.backend import Api, ApiRejected, ApiThrottled, FieldError, SessionEnded
from portal.forms import Form, Parser
from portal.i18n import gettext as _
from portal.i18n import ngettext
from portal.pages._base import VisitorDep, api, form_status, redirect, require, safe_next, submit
from portal.rendering import page
from portal.visitor import ROLE_HOME

__all__ = ["router", "start_session"]

router = APIRouter()

LOGIN_FIELDS = ("email", "password", "totp_code")
DEVICE_LABEL = "portal"


def start_session(request: Request, response: Response, started: dict[str, Any]) -> Response:
    """Put a new session's token in the session cookie (until the session's absolute end)."""
    names = request.app.state.cookies
    max_age = None
    expires_at = (started.get("session") or {}).get("expires_at")
    if expires_at:
        ends = datetime.fromisoformat(str(expires_at).replace("Z", "+00:00"))
        max_age = max(0, int((ends - datetime.now(UTC)).total_seconds()))
    names.set(response, names.session, str(started["token"]), max_age=max_age)
    # The anonymous CSRF seed is replaced by the session from now on.
    names.clear(response, names.visitor)
    return response


@router.get("/inloggen")
async def login_page(request: Request, visitor: VisitorDep, volgende: str | None = None) -> Response:
    """The login form (already logged in: on to the own pages)."""
    if visitor.logged_in:
        return redirect(safe_next(volgende, visitor.home))
    return page(request, "account/login.html", form=Form(fields=LOGIN_FIELDS), next=safe_next(volgende, ""))


@router.post("/inloggen")
async def login(request: Request) -> Response:
    """Log in with e-mail, password and (when on) a code; staff and ops without one set it up first."""
    posted = await request.form()
    form = Form.of(posted, LOGIN_FIELDS)
    target = safe_next(str(posted.get("volgende") or ""), "")
    client = api(request)

    async def action() -> Response:
        parser = Parser(form)
        email = parser.text("email", required=True, max_length=320)
        password = parser.text("password", required=True, max_length=256)
        code = parser.text("totp_code", max_length=7)
        parser.done()
        body: dict[str, Any] = {"email": email, "password": password, "label": DEVICE_LABEL}
        if code:
            body["totp_code"] = code.replace(" ", "")
        try:
            answer = await client.post("registry", "/v1/sessions", body)
        except SessionEnded as refused:
            raise ApiRejected([_login_refusal(refused.message)]) from refused
        except ApiThrottled as throttled:
            raise ApiRejected([FieldError("", _wait(throttled.retry_after))]) from throttled
        if answer.get("totp_enrolment_required"):
            # First login of staff or ops: set up the authenticator app, then the session starts.
            enrolment = Form(values={"ticket": [answer["ticket"]]}, fields=("code",))
            return page(
                request,
                "account/totp_enrolment.html",
                enrolment=answer,
                # The registry's SVG shown as an image (data: URI), never inserted into the page as markup.
                qr="data:image/svg+xml;base64," + base64.b64encode(str(answer.get("qr_svg", "")).encode()).decode(),
                form=enrolment,
                next=target,
            )
        return await _logged_in(request, client, answer, target)

    def refused(refused_form: Form) -> Response:
        refused_form.values.pop("password", None)  # never sent back into the page
        return page(request, "account/login.html", status_code=422, form=refused_form, next=target)

    return await submit(form, action, refused)


async def _logged_in(request: Request, client: Api, started: dict[str, Any], target: str) -> Response:
    current = await client.as_token(str(started["token"])).get("registry", "/v1/sessions/current")
    role = ((current.get("membership") or current.get("session") or {}).get("role")) or ""
    return start_session(request, redirect(target or ROLE_HOME.get(role, "/")), started)


def _login_refusal(reason: str) -> FieldError:
    if "authenticator" in reason or "code" in reason:
        return FieldError("totp_code", _("Enter the code from your authenticator app (and your password again)."))
    return FieldError("", _("The e-mail address or password is not right."))


def _wait(seconds: int) -> str:
    return ngettext(
        "Too many attempts. Please wait %(num)s second and try again.",
        "Too many attempts. Please wait %(num)s seconds and try again.",
        seconds,
    )


@router.post("/inloggen/app")
async def finish_enrolment(request: Request) -> Response:
    """Finish a first login: the ticket and the first code from the app switch the second factor on."""
    posted = await request.form()
    form = Form.of(posted, ("code",), fallback="code")
    target = safe_next(str(posted.get("volgende") or ""), "")
    client = api(request)

    async def action() -> Response:
        parser = Parser(form)
        ticket = parser.text("ticket", required=True, max_length=100)
        code = parser.text("code", required=True, max_length=7)
        parser.done()
        body = {"ticket": ticket, "code": (code or "").replace(" ", ""), "label": DEVICE_LABEL}
        started = await client.post("registry", "/v1/sessions/totp-enrolment", body)
        return await _logged_in(request, client, started, target)

    def refused(refused_form: Form) -> Response:
        refused_form.message = _("Log in again to get a new code to scan.")
        return page(
            request,
            "account/login.html",
            status_code=422,
            form=Form(fields=LOGIN_FIELDS).refuse(refused_form.errors, refused_form.message),
            next=target,
        )

    return await submit(form, action, refused)


@router.post("/uitloggen")
async def logout(request: Request, visitor: VisitorDep) -> Response:
    """End the session everywhere (all services stop accepting it) and drop the cookie."""
    if visitor.logged_in:
        with contextlib.suppress(SessionEnded):
            await api(request).delete("registry", "/v1/sessions/current")
    request.app.state.memberships.forget(visitor.token or "")
    response = redirect("/", "uitgelogd")
    request.app.state.cookies.clear(response, request.app.state.cookies.session)
    return response


@router.get("/wachtwoord-vergeten")
async def reset_page(request: Request, visitor: VisitorDep) -> Response:
    """Ask for a password-reset link."""
    return page(request, "account/reset.html", form=Form(fields=("email",)))


@router.post("/wachtwoord-vergeten")
async def request_reset(request: Request, visitor: VisitorDep) -> Response:
    """Send the reset e-mail (the same answer whether or not the address has an account)."""
    form = Form.of(await request.form(), ("email",), fallback="email")
    client = api(request)

    async def action() -> Response:
        parser = Parser(form)
        email = parser.text("email", required=True, max_length=320)
        parser.done()
        try:
            await client.post("registry", "/v1/password-resets", {"email": email})
        except ApiThrottled as throttled:
            raise ApiRejected([FieldError("", _wait(throttled.retry_after))]) from throttled
        return redirect("/inloggen", "reset-gevraagd")

    return await submit(form, action, lambda f: page(request, "account/reset.html", status_code=422, form=f))


@router.get("/wachtwoord-kiezen")
@router.get("/account/wachtwoord")  # the address the registry's e-mailed links open (REGISTRY_ACCOUNT_LINK_URL)
async def password_page(request: Request, visitor: VisitorDep, token: str = "") -> Response:
    """Choose a password with the link from an invitation or a reset e-mail."""
    return page(request, "account/password.html", form=Form(values={"token": [token]}, fields=("password",)))


@router.post("/wachtwoord-kiezen")
async def choose_password(request: Request, visitor: VisitorDep) -> Response:
    """Set the password; every other session of the account ends."""
    form = Form.of(await request.form(), ("password", "password_again"), fallback="password")

    async def action() -> Response:
        parser = Parser(form)
        token = parser.text("token", required=True, max_length=100)
        password = parser.text("password", required=True, max_length=256)
        again = parser.text("password_again", required=True, max_length=256)
        if password and again and password != again:
            parser.errors.append(FieldError("password_again", _("The two passwords are not the same.")))
        parser.done()
        await api(request).post("registry", "/v1/passwords", {"token": token, "password": password})
        return redirect("/inloggen", "wachtwoord-gekozen")

    def refused(refused_form: Form) -> Response:
        refused_form.values.pop("password", None)
        refused_form.values.pop("password_again", None)
        return page(request, "account/password.html", status_code=422, form=refused_form)

    return await submit(form, action, refused)


@router.get("/account")
async def account(request: Request, visitor: VisitorDep) -> Response:
    """One's account: name, address, second factor, memberships to switch to, sessions (devices)."""
    require(visitor)
    sessions = await api(request).get("registry", "/v1/account/sessions")
    return page(request, "account/account.html", sessions=sessions, form=Form())


@router.post("/account/rol")
async def switch_membership(request: Request, visitor: VisitorDep) -> Response:
    """Act as another of one's memberships (another centrale, or another role): a new session replaces this one."""
    require(visitor)
    form = await request.form()
    membership_id = str(form.get("membership_id") or "")
    try:
        UUID(membership_id)
    except ValueError:
        return redirect("/account")
    started = await api(request).post("registry", "/v1/sessions/current/membership", {"membership_id": membership_id})
    current = await api(request).as_token(str(started["token"])).get("registry", "/v1/sessions/current")
    role = ((current.get("membership") or {}).get("role")) or ""
    return start_session(request, redirect(ROLE_HOME.get(role, "/")), started)


@router.post("/account/sessies/{session_id}/beeindigen")
async def end_session(session_id: UUID, request: Request, visitor: VisitorDep) -> Response:
    """End one of one's sessions (a lost phone)."""
    require(visitor)
    await api(request).delete("registry", f"/v1/account/sessions/{session_id}")
    return redirect("/account", "ingetrokken")


@router.post("/account/wachtwoord")
async def change_password(request: Request, visitor: VisitorDep) -> Response:
    """Change the password with the current one; other sessions end."""
    require(visitor)
    form = Form.of(await request.form(), ("current_password", "new_password"), fallback="new_password")
    client = api(request)

    async def action() -> Response:
        parser = Parser(form)
        current = parser.text("current_password", required=True, max_length=256)
        new = parser.text("new_password", required=True, max_length=256)
        parser.done()
        await client.put("registry", "/v1/account/password", {"current_password": current, "new_password": new})
        return redirect("/account", "opgeslagen")

    async def refused(refused_form: Form) -> Response:
        refused_form.values.clear()
        sessions = await client.get("registry", "/v1/account/sessions")
        return page(
            request, "account/account.html", status_code=form_status(refused_form), sessions=sessions, form=refused_form
        )

    return await submit(form, action, refused)
