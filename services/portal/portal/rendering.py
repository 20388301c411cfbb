"""Pages from Jinja2 templates: autoescaped, translated, with the visitor, CSRF token and navigation filled in."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChainableUndefined, Environment, FileSystemLoader, select_autoescape

from portal import content, i18n
from portal.forms import Form, field_id
from portal.i18n import N_
from portal.security import csrf_seed, csrf_token
from portal.visitor import checked_visitor

__all__ = ["STATIC", "Templates", "page"]

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

# The navigation of each role: (path, message id). Only pages the role's APIs allow are listed.
NAVIGATION: dict[str, list[tuple[str, str]]] = {
    "volunteer": [
        ("/vrijwilliger", N_("My overview")),
        ("/vrijwilliger/voorstellen", N_("Proposals")),
        ("/vrijwilliger/uren", N_("Hours")),
        ("/vrijwilliger/waardering", N_("Appreciation")),
        ("/vrijwilliger/profiel", N_("Profile")),
        ("/vrijwilliger/gegevens", N_("My data")),
    ],
    "organisation": [
        ("/organisatie", N_("Tasks")),
        ("/organisatie/reacties", N_("Responses")),
        ("/organisatie/vrijwilligers", N_("Volunteers")),
        ("/organisatie/uren", N_("Hours")),
        ("/organisatie/vergoedingen", N_("Allowances")),
        ("/organisatie/gebruikers", N_("Users")),
    ],
    "centrale_staff": [
        ("/consulent", N_("Work queue")),
        ("/consulent/intake", N_("Intake")),
        ("/consulent/vrijwilligers", N_("Volunteers")),
        ("/consulent/organisaties", N_("Organisations")),
        ("/consulent/waardering", N_("Appreciation")),
        ("/consulent/collegas", N_("Colleagues")),
    ],
    "municipality_reader": [("/gemeente", N_("Figures")), ("/gemeente/rapportage", N_("Period report"))],
    "business_partner": [("/bedrijf", N_("Team days")), ("/bedrijf/cijfers", N_("CSR figures"))],
    "region_ops": [
        ("/beheer", N_("Centrales")),
        ("/beheer/sleutels", N_("Credentials")),
        ("/beheer/stroom", N_("Lag and dead letters")),
    ],
}


# Messages a page shows after a form post sent the browser to it (``?gedaan=<key>``); never text from the URL.
ROLE_NAMES = {
    "volunteer": N_("Volunteer"),
    "organisation": N_("Organisation"),
    "centrale_staff": N_("Consulent"),
    "municipality_reader": N_("Municipality"),
    "business_partner": N_("Business partner"),
    "region_ops": N_("Region ops"),
}

FLASH: dict[str, str] = {
    "gereageerd": N_("Your response was sent. The organisation and the centrale will get back to you."),
    "al-voorgesteld": N_("You were already proposed for this task: your message is with that proposal."),
    "sessie-verlopen": N_("Your session has ended. Please log in again."),
    "uitgelogd": N_("You are logged out."),
    "opgeslagen": N_("Saved."),
    "wachtwoord-gekozen": N_("Your password is set. You can log in now."),
    "reset-gevraagd": N_("If the address has an account, an e-mail with a link is on its way."),
    "aangemeld": N_("Welcome! You are registered as a volunteer."),
    "ja-gezegd": N_("You said yes. The match is made once the organisation accepts too."),
    "nee-gezegd": N_("You declined the proposal."),
    "uren-geschreven": N_("Your hours are logged. They count once the organisation confirms them."),
    "gepubliceerd": N_("The task is published in the vacaturebank."),
    "geaccepteerd": N_("You accepted the volunteer."),
    "afgewezen": N_("You declined the volunteer."),
    "toegelaten": N_("The organisation is admitted."),
    "goedgekeurd": N_("The match is approved."),
    "ingeschreven": N_("The volunteer is registered."),
    "uitgenodigd": N_("The invitation is sent."),
    "bevestigd": N_("The hours are confirmed."),
    "verwijderd": N_("Your account and personal data are erased."),
    "beantwoord": N_("Thank you for your answer."),
    "beeindigd": N_("The match is ended."),
    "ingetrokken": N_("Revoked."),
    "diensten-toegevoegd": N_("The shifts are planned."),
    "dienst-aangemeld": N_("You are signed up for the shift."),
    "dienst-wachtlijst": N_("The shift is full: you are on its waiting list and get the place when one comes free."),
    "dienst-afgemeld": N_("You are no longer signed up for the shift."),
}


def _static_versions() -> dict[str, str]:
    """Each static file's content hash, so its URL changes whenever it does (cached for a year)."""
    return {
        str(path.relative_to(STATIC)): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in STATIC.rglob("*")
        if path.is_file()
    }


class Templates:
    """The Jinja2 environment: autoescaping on for every template, gettext of the request's language."""

    def __init__(self) -> None:
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(default=True, default_for_string=True),
            auto_reload=False,  # templates are part of the release: no stat() of each file on every page
            # A field an API leaves out renders as nothing (a page never fails on an optional field it lacks).
            undefined=ChainableUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
        versions = _static_versions()
        self.env.globals.update(
            static=lambda path: f"/static/{path}?v={versions.get(path, '0')}",
            format_day=i18n.format_day,
            format_moment=i18n.format_moment,
            format_number=i18n.format_number,
            urlencode=lambda params: urlencode([(k, v) for k, v in params if v not in (None, "")], doseq=True),
            quote=quote,
            LANGUAGES=i18n.LANGUAGES,
            field_id=field_id,
            weekdays=content.WEEKDAYS,
            day_parts=content.DAY_PARTS,
            commitments=content.COMMITMENTS,
            consent_texts=content.CONSENTS,
            end_reasons=content.END_REASONS,
            check_in_answers=content.CHECK_IN_ANSWERS,
            proposal_statuses=content.PROPOSAL_STATUSES,
            notice_kinds=content.NOTICE_KINDS,
            proposal_statuses_org=content.PROPOSAL_STATUSES_ORG,
            task_statuses=content.TASK_STATUSES,
            warning_reasons=content.WARNING_REASONS,
            agreement_how=content.AGREEMENT_HOW,
            gates=content.GATES,
            chart_names=content.CHART_NAMES,
            organisation_statuses=content.ORGANISATION_STATUSES,
            day_statuses=content.DAY_STATUSES,
            access_kinds=content.ACCESS_KINDS,
            access_actions=content.ACCESS_ACTIONS,
            access_whats=content.ACCESS_WHATS,
            access_purposes=content.ACCESS_PURPOSES,
            shift_repeats=content.SHIFT_REPEATS,
            signup_statuses=content.SIGNUP_STATUSES,
        )
        self.env.filters["role_name"] = lambda role: ROLE_NAMES.get(str(role), str(role))
        self.env.filters["options"] = lambda mapping: [(str(k), i18n.gettext(v)) for k, v in mapping.items()]
        self.env.filters["id_name"] = lambda records: [(str(r["id"]), str(r["name"])) for r in records]
        # A time of day as people write it: 09:00, whether the API gave 09:00 or 09:00:00.
        self.env.filters["hhmm"] = lambda value: str(value or "")[:5]
        self.env.filters["pairs"] = lambda values: [(str(v), str(v)) for v in values]

    def render(self, name: str, context: dict[str, Any]) -> str:
        """The template filled in."""
        return self.env.get_template(name).render(context)


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page for this request's visitor, in their language."""
    settings = request.app.state.settings
    visitor = checked_visitor(request.state)
    seed = csrf_seed(request)
    language = i18n.current_language()
    path = request.url.path
    full = path + (f"?{request.url.query}" if request.url.query else "")
    navigation = NAVIGATION.get(visitor.role or "", [])
    values = {
        "request": request,
        "visitor": visitor,
        "lang": language,
        "other_languages": [lang for lang in i18n.LANGUAGES if lang != language],
        "current_path": path,
        "current_url": full,
        "csrf_token": csrf_token(settings.secret.get_secret_value(), seed) if seed else "",
        "navigation": navigation,
        "active_nav": _active(navigation, path),
        "form": context.pop("form", None) or Form(),
        "flash": i18n.gettext(FLASH[done]) if (done := request.query_params.get("gedaan", "")) in FLASH else "",
        **context,
    }
    html = request.app.state.templates.render(template, values)
    return HTMLResponse(html, status_code=status_code)


# Pages whose address is not under the menu entry they are reached from: a volunteer's shifts are opened from
# a running match on their proposals page, so that entry is the one marked current.
_REACHED_FROM = {"/vrijwilliger/diensten": "/vrijwilliger/voorstellen"}


def _active(navigation: list[tuple[str, str]], path: str) -> str:
    """The navigation entry the path is under (the longest that fits), or the one its page is reached from."""
    for prefix, section in _REACHED_FROM.items():
        if path == prefix or path.startswith(prefix + "/"):
            path = section
    fitting = [href for href, _ in navigation if path == href or path.startswith(href + "/")]
    return max(fitting, key=len, default="")
