"""What the browser journeys stand on: the region set up through the services' APIs (as region ops, staff and an
HR system would), the people of a journey with their passwords and authenticator secrets, a real SMTP server,
axe-core on every page, and keyboard-only moves."""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pyotp
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from playwright.async_api import Page

from common.localinfra.processes import free_port

__all__ = ["A11y", "Mailbox", "Person", "Region", "running_mailbox", "tab_to"]

AXE = Path(__file__).parents[3] / "services" / "portal" / "assets" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "een lange wachtzin voor de test"
TOTP_INTERVAL_S = 30
# PC4 areas of the test region: Utrecht's centre and Zeist.
AREAS = [
    {"pc4": "3511", "lat": 52.0907, "lon": 5.1214, "place": "Utrecht", "district": "Binnenstad"},
    {"pc4": "3512", "lat": 52.0880, "lon": 5.1290, "place": "Utrecht", "district": "Binnenstad"},
    {"pc4": "3701", "lat": 52.0894, "lon": 5.2336, "place": "Zeist", "district": "Centrum"},
]


# -- mail -------------------------------------------------------------------------------------------------------


class Mailbox:
    """An SMTP server's received messages (aiosmtpd handler)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.port = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Keep every message."""
        self.messages.append(message_from_bytes(envelope.original_content or b"", policy=policy.default))
        return "250 Message accepted for delivery"

    async def link_token(self, address: str, timeout: float = 30) -> str:
        """The token of the newest account link e-mailed to ``address`` (waits for it)."""
        deadline = time.monotonic() + timeout
        while True:
            for message in reversed(self.messages):
                if message["To"] == address:
                    body = message.get_body(preferencelist=("plain",))
                    found = re.search(r"token=([A-Za-z0-9_-]+)", body.get_content() if body else "")
                    if found:
                        return found.group(1)
            assert time.monotonic() < deadline, f"no link for {address} within {timeout} s"
            await asyncio.sleep(0.1)


@contextmanager
def running_mailbox() -> Iterator[Mailbox]:
    """A real SMTP server on 127.0.0.1."""
    box = Mailbox()
    box.port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


# -- people ------------------------------------------------------------------------------------------------------


@dataclass
class Person:
    """Someone with an account: how they log in, and who they act for."""

    email: str
    name: str
    role: str
    centrale_id: str | None = None
    subject_id: str | None = None
    password: str = PASSWORD
    totp_secret: str | None = None
    last_step: int = 0

    def code(self) -> str:
        """A TOTP code not used before: the current step's, or the next one's (the registry takes either side)."""
        assert self.totp_secret is not None
        while True:
            current = int(time.time()) // TOTP_INTERVAL_S
            step = max(current, self.last_step + 1)
            if step <= current + 1:
                self.last_step = step
                return pyotp.TOTP(self.totp_secret, interval=TOTP_INTERVAL_S).generate_otp(step)
            time.sleep(1)


def unique(prefix: str) -> str:
    """A unique, readable e-mail address."""
    return f"{prefix}-{secrets.token_hex(3)}@example.org"


# -- the region -------------------------------------------------------------------------------------------------


@dataclass
class Region:
    """The running region and what journeys ask of its APIs as ops, staff or an HR system."""

    urls: dict[str, str]
    ops_token: str
    mailbox: Mailbox
    started_in_s: float = 0.0
    http: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=30))
    centrale_a: str = "vc-a"
    centrale_b: str = "vc-b"

    @property
    def portal(self) -> str:
        """The portal's address."""
        return self.urls["portal"]

    @property
    def ops(self) -> dict[str, str]:
        """The region ops token as a header."""
        return {"Authorization": f"Bearer {self.ops_token}"}

    async def call(self, method: str, service: str, path: str, headers: dict[str, str], **kwargs: Any) -> Any:
        """One API call that must succeed; its JSON (None without a body)."""
        response = await self.http.request(method, self.urls[service] + path, headers=headers, **kwargs)
        assert response.status_code < 400, (method, path, response.status_code, response.text[:500])
        return response.json() if response.content else None

    async def close(self) -> None:
        """Close the API client."""
        await self.http.aclose()

    async def set_up(self) -> None:
        """Two centrales (Utrecht, Zeist), PC4 areas for distances, and reporting's municipalities and districts."""
        self.centrale_a = f"vc-a-{secrets.token_hex(2)}"
        self.centrale_b = f"vc-b-{secrets.token_hex(2)}"
        for centrale, name, code, municipality in (
            (self.centrale_a, "Vrijwilligerscentrale Utrecht", "GM0344", "Utrecht"),
            (self.centrale_b, "Vrijwilligerscentrale Zeist", "GM0355", "Zeist"),
        ):
            body = {"id": centrale, "name": name, "municipality_code": code}
            await self.call("POST", "registry", "/v1/centrales", self.ops, json=body)
            mapping = {"municipality_code": code, "municipality_name": municipality, "centrale_name": name}
            await self.call("PUT", "reporting", f"/v1/ops/centrales/{centrale}", self.ops, json=mapping)
            contact = {"email": f"info@{centrale}.example.org", "phone": "030 123 45 67"}
            await self.call("PUT", "registry", f"/v1/centrales/{centrale}/public-contact", self.ops, json=contact)
        await self.call("PUT", "registry", "/v1/postcode-areas", self.ops, json=AREAS)
        centroids = [{k: a[k] for k in ("pc4", "lat", "lon")} for a in AREAS]
        await self.call("PUT", "matching", "/v1/postcode-areas", self.ops, json=centroids)
        districts = [
            {"postcode_area": "3511", "district_code": "WK034401", "district_name": "Binnenstad"},
            {"postcode_area": "3512", "district_code": "WK034401", "district_name": "Binnenstad"},
            {"postcode_area": "3701", "district_code": "WK035501", "district_name": "Centrum"},
        ]
        await self.call("PUT", "reporting", "/v1/ops/districts", self.ops, json={"districts": districts})

    # People: invited by whoever may invite them, password chosen through the e-mailed link.

    async def invite(self, inviter: dict[str, str], person: Person) -> Person:
        """Invite ``person``; they choose their password from the e-mail's link (as the browser would post it)."""
        body = {"role": person.role, "centrale_id": person.centrale_id, "subject_id": person.subject_id}
        if person.role != "volunteer":
            body.update(email=person.email, name=person.name)
        await self.call("POST", "registry", "/v1/invitations", inviter, json=body)
        token = await self.mailbox.link_token(person.email)
        await self.call("POST", "registry", "/v1/passwords", {}, json={"token": token, "password": person.password})
        return person

    async def session(self, person: Person) -> dict[str, str]:
        """Log ``person`` in through the API (setting up the authenticator first when staff); their bearer header."""
        body: dict[str, Any] = {"email": person.email, "password": person.password, "label": "test"}
        if person.totp_secret:
            body["totp_code"] = person.code()
        answer = await self.call("POST", "registry", "/v1/sessions", {}, json=body)
        if answer.get("totp_enrolment_required"):
            person.totp_secret = answer["secret"]
            enrol = {"ticket": answer["ticket"], "code": person.code(), "label": "test"}
            answer = await self.call("POST", "registry", "/v1/sessions/totp-enrolment", {}, json=enrol)
        return {"Authorization": f"Bearer {answer['token']}"}

    async def staff(self, centrale: str, name: str = "Anna Jansen", *, with_app: bool = True) -> Person:
        """A consulent of ``centrale`` with a password (and, unless told otherwise, the authenticator app set up)."""
        person = await self.invite(self.ops, Person(unique("consulent"), name, "centrale_staff", centrale))
        if with_app:
            await self.session(person)
        return person

    async def organisation(self, staff: dict[str, str], centrale: str, *, admitted: bool) -> tuple[str, dict[str, Any]]:
        """An organisation registered by the centrale's staff (admitted or still to vet); its id and record."""
        body = {
            "name": f"Buurthuis De Linde {secrets.token_hex(2)}",
            "formal": False,
            "postcode": "3511 AB",
            "liability_insured": True,
            "contact_person": {"name": "Anna de Boer", "email": unique("linde")},
        }
        created = await self.call("POST", "registry", f"/v1/centrales/{centrale}/organisations", staff, json=body)
        if admitted:
            await self.call("POST", "registry", f"/v1/centrales/{centrale}/organisations/{created['id']}/admit", staff)
        return created["id"], body

    async def wait_until(self, what: str, check: Any, timeout: float = 60) -> Any:
        """Poll ``check()`` (async) until it returns something truthy: events travel through Kafka."""
        deadline = time.monotonic() + timeout
        while True:
            found = await check()
            if found:
                return found
            assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
            await asyncio.sleep(0.3)


# -- accessibility ----------------------------------------------------------------------------------------------


@dataclass
class A11y:
    """Runs axe-core in the page (WCAG 2.0/2.1 A and AA rules); collects what it found per page."""

    checked: list[str] = field(default_factory=list)
    serious: dict[str, list[str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    async def check(self, page: Page) -> None:
        """Run axe on the page as it is now (the script is evaluated by the test, outside the page's CSP)."""
        await page.wait_for_load_state("load")
        if not await page.evaluate("typeof window.axe !== 'undefined'"):
            await page.evaluate(AXE.read_text())
        result = await page.evaluate(
            """async () => {
                const r = await axe.run(document, {runOnly: {type: 'tag',
                    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']});
                return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
                    targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
            }"""
        )
        path = urlsplit(page.url).path
        self.checked.append(path)
        self.counts[path] = len(result)
        report = os.environ.get("PORTAL_AXE_REPORT")
        if report:
            # One line per page checked: what axe found there (the report's numbers come from these lines).
            line = json.dumps({"page": path, "violations": result}) + "\n"
            await asyncio.to_thread(_append, Path(report), line)
        bad = [f"{v['id']} ({v['impact']}): {v['targets']}" for v in result if v["impact"] in ("serious", "critical")]
        if bad:
            self.serious[path] = bad

    def assert_clean(self, visited: list[str]) -> None:
        """Every visited page was checked, and none had a serious or critical violation."""
        missed = sorted({urlsplit(url).path for url in visited} - set(self.checked))
        assert missed == [], f"pages visited without an axe check: {missed}"
        assert self.serious == {}, self.serious


def _append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as out:
        out.write(line)


def track(page: Page) -> list[str]:
    """The URLs the page's main frame navigated to (to hold against the axe checks)."""
    visited: list[str] = []
    page.on("framenavigated", lambda frame: visited.append(frame.url) if frame == page.main_frame else None)
    return visited


def refuse_csp_violations(page: Page) -> list[str]:
    """Collect console errors: a strict CSP reports inline scripts or styles it blocked there."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


# -- the keyboard ------------------------------------------------------------------------------------------------


async def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element ``selector`` has focus, and check its focus is visible (an outline)."""
    target = page.locator(selector).first
    for _ in range(limit):
        if await target.evaluate("el => el === document.activeElement"):
            outline = await target.evaluate(
                "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }"
            )
            assert outline[0] != "none" or outline[2] != "none", f"{selector} has no visible focus: {outline}"
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"{selector} not reached with {limit} Tabs")


# -- a journey through the pages ----------------------------------------------------------------------------------


@dataclass
class Journey:
    """A person's pages in one browser tab: every page reached is checked with axe, CSP errors are collected."""

    page: Page
    base: str
    a11y: A11y
    visited: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    @classmethod
    async def start(cls, context: Any, base: str, a11y: A11y) -> Journey:
        """A new tab in ``context``."""
        page = await context.new_page()
        journey = cls(page, base, a11y)
        journey.visited = track(page)
        journey.console_errors = refuse_csp_violations(page)
        return journey

    async def goto(self, path: str) -> None:
        """Open a page (as if typed in the address bar) and check it."""
        await self.page.goto(self.base + path)
        await self.a11y.check(self.page)

    async def click(self, selector: str) -> None:
        """Click something that loads a new page (a link, a form's button), then check that page."""
        async with self.page.expect_navigation():
            await self.page.locator(selector).first.click()
        await self.a11y.check(self.page)

    async def press(self, key: str) -> None:
        """Press a key that loads a new page (Enter on a link or a button), then check that page."""
        async with self.page.expect_navigation():
            await self.page.keyboard.press(key)
        await self.a11y.check(self.page)

    async def screenshot(self, name: str) -> None:
        """With PORTAL_SCREENSHOTS=<dir> set, save the page at phone and desktop width (the README's pictures)."""
        folder = os.environ.get("PORTAL_SCREENSHOTS")
        if not folder:
            return
        size = self.page.viewport_size
        for label, width, height in (("phone", 390, 844), ("desktop", 1280, 900)):
            await self.page.set_viewport_size({"width": width, "height": height})
            await self.page.screenshot(path=str(Path(folder) / f"{name}-{label}.png"))
        if size:
            await self.page.set_viewport_size(size)

    def path(self) -> str:
        """Where the tab is."""
        return urlsplit(self.page.url).path

    def assert_clean(self) -> None:
        """Every page checked and clean, and the CSP blocked nothing (no inline script or style anywhere)."""
        self.a11y.assert_clean(self.visited)
        blocked = [e for e in self.console_errors if "Content Security Policy" in e]
        assert blocked == [], blocked
