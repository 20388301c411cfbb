"""A volunteer on a phone: finds a task in the vacaturebank, registers, responds, agrees to the match once the
organisation said yes, logs hours and downloads the certificate of volunteer work."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import BrowserContext, Page, expect
from pypdf import PdfReader

from common.clock import dutch_today
from tests.portal.browser.support import A11y, Journey, Region, unique

pytestmark = pytest.mark.e2e

MESSAGE = "Ik lees graag voor en heb donderdagmiddag tijd."


async def test_a_volunteer_finds_a_task_registers_responds_agrees_logs_hours_and_gets_a_certificate(
    region: Region, phone: BrowserContext, a11y: A11y
) -> None:
    centrale = region.centrale_a
    staff = await region.session(await region.staff(centrale, "Kees de Vries"))
    organisation_id, _ = await region.organisation(staff, centrale, admitted=True)
    tasks = f"/v1/centrales/{centrale}/organisations/{organisation_id}/tasks"
    title = "Voorlezen in de bibliotheek"
    task = {
        "title": title,
        "description": "Lees op donderdagmiddag voor aan kinderen in de bibliotheek en praat met ze over het boek.",
        "theme": "taal",
        "skills": ["voorlezen"],
        "postcode": "3512 AB",
        "shifts": [{"weekday": 4, "start": "13:00", "end": "17:00"}],
        "capacity": 2,
        "hours_per_week": "2",
        "vog_required": False,
    }
    task_id = (await region.call("POST", "registry", tasks, staff, json=task))["id"]
    await region.call("POST", "registry", f"{tasks}/{task_id}/publish", staff)
    await region.wait_until("the task in the vacaturebank", lambda: _searchable(region, title))
    email = unique("sanne")
    journey = await Journey.start(phone, region.portal, a11y)
    page = journey.page

    # Anyone: search by words and place, open the task.
    await journey.goto("/")
    await journey.screenshot("start")
    await page.get_by_label("Wat wil je doen?").fill("voorlezen bibliotheek")
    await page.get_by_label("In de buurt van postcode").fill("3511")
    await journey.click("button:has-text('Vacatures zoeken')")
    await expect(page.locator("#resultaten")).to_contain_text(title)
    await journey.screenshot("vacaturebank")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await journey.click(f"#resultaten a:has-text('{title}')")
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)
    await journey.screenshot("vacature")

    # Register (kunnen, mogen, willen; consents with their text), and be back at the task, logged in.
    await journey.click("main a:has-text('Aanmelden als vrijwilliger')")
    await journey.screenshot("aanmelden")
    await page.get_by_label("Je vrijwilligerscentrale").select_option(centrale)
    await page.get_by_label("Naam", exact=True).fill("Sanne Bakker")
    await page.get_by_label("E-mailadres", exact=True).fill(email)
    await page.get_by_label("Telefoonnummer").fill("06 12345678")
    await page.get_by_label("Postcode").fill("3512 AB")
    await page.get_by_label("Geboortedatum").fill("1990-06-01")
    await page.get_by_label("Wat kun je?").fill("voorlezen")
    await page.get_by_label("donderdag middag").check()
    await page.get_by_label("Hoe ver wil je reizen (km)?").fill("10")
    await expect(page.get_by_text("Zonder deze toestemming krijg je geen voorstellen.")).to_be_visible()
    await page.get_by_label("Contact door organisaties").check()
    await page.get_by_label("Kies een wachtwoord").fill("een lange wachtzin voor sanne")
    await journey.click("button:has-text('Aanmelden')")
    assert journey.path() == f"/vacatures/{task_id}"
    await expect(page.get_by_role("status")).to_contain_text("Welkom! Je bent aangemeld als vrijwilliger.")

    # Respond with a message.
    await page.get_by_label("Bericht aan de organisatie").fill(MESSAGE)
    await journey.click("button:has-text('Reageer op deze vacature')")
    assert journey.path() == "/vrijwilliger/voorstellen", await page.locator("main").inner_text()
    # Matching may have proposed her already (she fits): then her response is that proposal, with her message.
    await expect(page.get_by_role("status")).to_contain_text(
        re.compile("Je reactie is verstuurd|Je was al voorgesteld")
    )
    await expect(page.locator("main")).to_contain_text(title)

    # The organisation says yes to her (the response with her message); she agrees on her proposals page.
    match_id = await region.wait_until(
        "her response reaches the organisation", lambda: _hers(region, staff, centrale, organisation_id)
    )
    await region.call("POST", "matching", f"/v1/centrales/{centrale}/proposals/{match_id}/accept", staff)
    await region.wait_until(
        "the acceptance reaches the registry",
        lambda: _status(region, staff, centrale, organisation_id, match_id, "accepted"),
    )
    await journey.goto("/vrijwilliger/voorstellen")
    await expect(page.locator("main")).to_contain_text("de organisatie zei ja")
    await journey.screenshot("voorstellen")
    # Her proposal for this task: matching may have proposed her other tasks of the shared region too.
    await journey.click(f"article[aria-labelledby='voorstel-{match_id}'] button:has-text('Ja, dit wil ik doen')")
    await region.wait_until(
        "the match is made", lambda: _status(region, staff, centrale, organisation_id, match_id, "made")
    )
    await journey.goto("/vrijwilliger/voorstellen")
    await expect(page.locator("main")).to_contain_text("match rond")

    # The task gets dated shifts (every Thursday afternoon, two places): she signs up for the first and cancels.
    pattern = {"rule": "FREQ=WEEKLY;BYDAY=TH", "starts_on": dutch_today().isoformat(), "start": "13:00", "end": "17:00"}
    patterns = f"/v1/centrales/{centrale}/tasks/{task_id}/shift-patterns"
    await region.call("POST", "registry", patterns, staff, json=pattern)
    await journey.click(f"article[aria-labelledby='voorstel-{match_id}'] a:has-text('Diensten: aanmelden of afmelden')")
    assert journey.path() == f"/vrijwilliger/diensten/{task_id}"
    await journey.click("tbody tr:first-child button:has-text('Aanmelden')")
    await expect(page.get_by_role("status")).to_contain_text("Je bent aangemeld voor de dienst.")
    await expect(page.locator("tbody tr:first-child")).to_contain_text("1 van 2")
    await journey.screenshot("diensten")
    await journey.click("tbody tr:first-child button:has-text('Afmelden')")
    await expect(page.get_by_role("status")).to_contain_text("Je bent afgemeld voor de dienst.")
    await expect(page.locator("tbody tr:first-child")).to_contain_text("2 van 2")

    # Log hours; the organisation confirms them.
    await journey.click("nav a:has-text('Uren')")
    # Today: the match was made today, and hours before a match are refused.
    await page.get_by_label("Datum").fill(dutch_today().isoformat())
    await page.get_by_label("Uren", exact=True).fill("2,5")
    await journey.click("button:has-text('Uren schrijven')")
    await expect(page.get_by_role("status")).to_contain_text("Je uren zijn geschreven")
    await expect(page.locator("table")).to_contain_text("2,5")
    await journey.screenshot("uren")

    # The organisation confirms them; appreciation learns of them from Kafka.
    hours_path = f"/v1/centrales/{centrale}/organisations/{organisation_id}/hours"
    [entry] = [h for h in await region.call("GET", "registry", hours_path, staff) if h["match_id"] == match_id]
    await region.call("POST", "registry", f"{hours_path}/{entry['id']}/confirm", staff)
    await region.wait_until("appreciation counts her hours", lambda: _counted(page, journey.base))

    # The certificate: a PDF with her name as she types it, hours and the organisation.
    await journey.click("nav a:has-text('Waardering')")
    await expect(page.locator(".portal-figure").first).to_contain_text("2,5")
    await page.get_by_label("Naam op het bewijs").fill("Sanne Bakker")
    async with page.expect_download() as download_info:
        await page.locator("button:has-text('Bewijs downloaden (pdf)')").click()
    path = await (await download_info.value).path()
    text = "".join(p.extract_text() for p in PdfReader(str(path)).pages)
    assert "Sanne Bakker" in text

    journey.assert_clean()


async def _searchable(region: Region, title: str) -> bool:
    found = await region.call("GET", "registry", "/v1/vacatures", {}, params={"q": title})
    return any(item["title"] == title for item in found["items"])


async def _responses(region: Region, staff: dict[str, str], centrale: str, organisation_id: str) -> list[Any]:
    path = f"/v1/centrales/{centrale}/organisations/{organisation_id}/responses"
    return list(await region.call("GET", "registry", path, staff))


async def _hers(region: Region, staff: dict[str, str], centrale: str, organisation_id: str) -> str | None:
    mine = [r for r in await _responses(region, staff, centrale, organisation_id) if r["message"] == MESSAGE]
    return str(mine[0]["match_id"]) if mine else None


async def _status(
    region: Region, staff: dict[str, str], centrale: str, organisation_id: str, match_id: str, status: str
) -> bool:
    found = await _responses(region, staff, centrale, organisation_id)
    return any(str(r["match_id"]) == match_id and r["status"] == status for r in found)


async def _counted(page: Page, base: str) -> bool:
    answer = await page.request.get(f"{base}/vrijwilliger/waardering")
    return ">2,5<" in await answer.text()
