"""The README's pictures of the portal: its main pages as the demo's people see them, on a phone and a desktop.

Run after ``make demo`` (it logs in with the demo's accounts): ``uv run python services/portal/scripts/screenshots.py``.
Writes ``docs/portal/<page>-<phone|desktop>.png`` with Debian's headless Chromium. Staff and ops set up their
authenticator app at their first login; the key is kept in ``.local/portal-demo-totp.json`` for the next run.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import pyotp
from playwright.async_api import Page, async_playwright

ROOT = Path(__file__).resolve().parents[3]
OUT = ROOT / "docs" / "portal"
SECRETS = ROOT / ".local" / "portal-demo-totp.json"
PORTAL = "http://127.0.0.1:8005"
PASSWORD = "demo-wachtwoord-2026"
SIZES = {"phone": (390, 844), "desktop": (1280, 900)}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]  # fmt: skip

# (who logs in, the pages to picture as (file name, path))
TOUR: list[tuple[str | None, list[tuple[str, str]]]] = [
    (None, [("start", "/"), ("vacaturebank", "/vacatures?q=koken&postcode=3512"), ("aanmelden", "/aanmelden")]),
    ("fatima@example.nl", [("vrijwilliger", "/vrijwilliger"), ("vrijwilliger-voorstellen", "/vrijwilliger/voorstellen"),
                           ("vrijwilliger-diensten", "/vrijwilliger/voorstellen > Diensten: aanmelden of afmelden"),
                           ("vrijwilliger-gegevens", "/vrijwilliger/gegevens")]),
    ("coordinator@buurthuis.example", [("organisatie-taken", "/organisatie"), ("organisatie-nieuwe-taak",
                                        "/organisatie/taken/nieuw"),
                                       ("organisatie-diensten", "/organisatie > Samen koken op dinsdag #diensten"),
                                       ("organisatie-vrijwilligers", "/organisatie/vrijwilligers")]),
    ("consulent@vc-utrecht.example", [("werkvoorraad", "/consulent"), ("intake", "/consulent/intake")]),
    ("beleid@utrecht.example", [("gemeente", "/gemeente"), ("rapportage", "/gemeente/rapportage")]),
    ("hr@bouwbedrijf.example", [("bedrijf", "/bedrijf")]),
]  # fmt: skip


async def log_in(page: Page, email: str, secrets: dict[str, str]) -> None:
    """Log in through the login page; set up the authenticator app the first time (staff, ops)."""
    await page.goto(f"{PORTAL}/inloggen")
    await page.get_by_label("E-mailadres").fill(email)
    await page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    if email in secrets:
        await page.get_by_label("Code uit je authenticator-app").fill(_code(secrets[email]))
    async with page.expect_navigation():
        await page.locator("button:has-text('Inloggen')").click()
    if await page.locator("input[name=ticket]").count():
        secrets[email] = (await page.locator("code").inner_text()).strip()
        await page.get_by_label("Code uit de app").fill(_code(secrets[email]))
        async with page.expect_navigation():
            await page.locator("button:has-text('Bevestigen en inloggen')").click()
    if page.url.endswith("/inloggen"):
        raise SystemExit(f"could not log in as {email}: is `make demo` running?")


def _code(secret: str) -> str:
    """A fresh code (the registry takes each time step once: wait for the next one when needed)."""
    totp = pyotp.TOTP(secret)
    step = int(time.time()) // 30
    used = _code.__dict__.setdefault("used", set())
    while (secret, step) in used:
        time.sleep(1)
        step = int(time.time()) // 30
    used.add((secret, step))
    return totp.at(step * 30)


async def main() -> int:
    """Take every picture."""
    OUT.mkdir(parents=True, exist_ok=True)
    secrets: dict[str, str] = json.loads(SECRETS.read_text()) if SECRETS.exists() else {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for email, pages in TOUR:
            context = await browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
            page = await context.new_page()
            if email:
                await log_in(page, email, secrets)
                SECRETS.write_text(json.dumps(secrets))
            for name, path in pages:
                await _open(page, path)
                for size, (width, height) in SIZES.items():
                    await page.set_viewport_size({"width": width, "height": height})
                    # A lazy chart starts loading only once laid out at the new size: wait until every image is drawn.
                    await _images_drawn(page)
                    if " #" in path:  # a section of the page: at the top of the picture
                        await page.locator("#" + path.rsplit(" #", 1)[1]).evaluate("e => e.scrollIntoView()")
                    await page.screenshot(path=str(OUT / f"{name}-{size}.png"))
                print(f"screenshots: {name} ({path})")
            await context.close()
        await browser.close()
    return 0


async def _images_drawn(page: Page, timeout: float = 10) -> None:
    """Until every image of the page has loaded (polled: the portal's CSP forbids the eval of wait_for_function)."""
    deadline = time.monotonic() + timeout
    drawn = "[...document.images].every((i) => i.complete && i.naturalWidth > 0)"
    while not await page.evaluate(drawn) and time.monotonic() < deadline:  # noqa: ASYNC110  (the page is polled)
        await asyncio.sleep(0.1)


async def _open(page: Page, spec: str) -> None:
    """Open ``/path``, or ``/path > link text [#section]``: a page whose address holds an id, reached by its link."""
    path, _, link = spec.partition(" > ")
    await page.goto(PORTAL + path)
    if link:
        text = link.partition(" #")[0]
        async with page.expect_navigation():
            await page.get_by_role("link", name=text).first.click()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
