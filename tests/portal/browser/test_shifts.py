"""An organisation on a phone plans dated shifts for its task: first refused at the field with what it typed kept,
then planned and listed with their places."""

from __future__ import annotations

import pytest
from playwright.async_api import BrowserContext, expect

from tests.portal.browser.support import A11y, Journey, Person, Region, unique

pytestmark = pytest.mark.e2e


async def test_an_organisation_plans_shifts_every_other_saturday_and_sees_them_with_their_places(
    region: Region, phone: BrowserContext, a11y: A11y
) -> None:
    centrale = region.centrale_a
    staff = await region.session(await region.staff(centrale, "Kees de Vries"))
    organisation_id, _ = await region.organisation(staff, centrale, admitted=True)
    coordinator = await region.invite(
        staff, Person(unique("coordinator"), "Bea de Linde", "organisation", centrale, organisation_id)
    )
    tasks = f"/v1/centrales/{centrale}/organisations/{organisation_id}/tasks"
    task = {
        "title": "Kledingbank sorteren",
        "description": "Sorteer op zaterdagochtend de gedoneerde kleding en zet de rekken klaar voor de uitgifte.",
        "theme": "armoede",
        "postcode": "3512 AB",
        "shifts": [{"weekday": 6, "start": "09:00", "end": "12:00"}],
        "capacity": 3,
        "hours_per_week": "3",
        "vog_required": False,
    }
    task_id = (await region.call("POST", "registry", tasks, staff, json=task))["id"]
    journey = await Journey.start(phone, region.portal, a11y)
    page = journey.page
    await journey.goto("/inloggen")
    await page.get_by_label("E-mailadres").fill(coordinator.email)
    await page.get_by_label("Wachtwoord", exact=True).fill(coordinator.password)
    await journey.click("button:has-text('Inloggen')")

    await journey.goto(f"/organisatie/taken/{task_id}")
    await expect(page.locator("#diensten")).to_have_text("Diensten")
    await expect(page.locator("main")).to_contain_text("Geen diensten gepland in de komende acht weken.")
    await page.get_by_label("Hoe vaak").select_option("fortnightly")
    await page.get_by_label("Op", exact=True).select_option("6")
    await page.get_by_label("Begintijd").fill("09:00")
    await page.get_by_label("Eindtijd").fill("12:00")
    await page.get_by_label("Plaatsen per dienst").fill("twee")
    await journey.click("button:has-text('Diensten plannen')")
    # Refused before the registry is asked: each reason at its field, the rest as typed.
    places = page.locator(".utrecht-form-field", has=page.locator("#veld-shift_capacity"))
    await expect(places).to_contain_text("Vul een heel getal in van 1 tot en met 1000.")
    await expect(page.locator("#veld-shift_capacity")).to_have_value("twee")
    await expect(page.locator(".utrecht-form-field", has=page.locator("#veld-shift_starts_on"))).to_contain_text(
        "Vul een datum in."
    )
    await expect(page.locator("#veld-shift_repeat")).to_have_value("fortnightly")
    await expect(page.locator("#foutmeldingen")).to_be_visible()

    # The pattern may start in the past; the shifts listed start from today.
    await page.get_by_label("Eerste dag").fill("2026-10-03")
    await page.locator("#veld-shift_capacity").fill("2")
    await journey.click("button:has-text('Diensten plannen')")
    await expect(page.get_by_role("status")).to_contain_text("De diensten zijn gepland.")
    rows = page.locator("#diensten + .portal-table-scroll tbody tr")
    # Every other Saturday within eight weeks: four shifts, each 0 of 2 places taken.
    await expect(rows).to_have_count(4)
    await expect(rows.first).to_contain_text("09:00–12:00")
    await expect(rows.first).to_contain_text("0 van 2")
    await journey.screenshot("organisatie-diensten")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling on a phone"

    journey.assert_clean()
