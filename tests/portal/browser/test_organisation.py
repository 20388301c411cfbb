"""An organisation publishes a task, with the keyboard only: first refused with the NOV reasons at the fields,
then published; it accepts the proposed volunteer and, once both said yes, sees how to reach them."""

from __future__ import annotations

import pytest
from playwright.async_api import BrowserContext, expect

from tests.portal.browser.support import A11y, Journey, Person, Region, tab_to, unique

pytestmark = pytest.mark.e2e


async def test_an_organisation_publishes_a_task_refused_first_accepts_a_volunteer_and_sees_their_contact(
    region: Region, desktop: BrowserContext, a11y: A11y
) -> None:
    centrale = region.centrale_a
    staff = await region.session(await region.staff(centrale, "Kees de Vries"))
    organisation_id, _ = await region.organisation(staff, centrale, admitted=True)
    bea = await region.invite(staff, Person(unique("bea"), "Bea de Linde", "organisation", centrale, organisation_id))
    # Saturday mornings: no other journey's volunteer fits, so the one proposal is hers.
    volunteer = {
        "name": "Sanne Bakker",
        "email": unique("sanne"),
        "phone": "06 12345678",
        "postcode": "3512 AB",
        "skills": ["rijbewijs"],
        "availability": [{"weekday": 6, "start": "09:00", "end": "12:00"}],
        "max_distance_km": 10,
        "consents": [{"kind": "matching", "text_version": "2026-01"}, {"kind": "contact_by_organisations",
                                                                         "text_version": "2026-01"}],
    }  # fmt: skip
    sanne = await region.call("POST", "registry", f"/v1/centrales/{centrale}/volunteers", staff, json=volunteer)
    journey = await Journey.start(desktop, region.portal, a11y)
    page, keyboard = journey.page, journey.page.keyboard

    # Log in with the keyboard: the skip link first, then the fields in order.
    await journey.goto("/inloggen")
    await keyboard.press("Tab")
    await expect(page.locator(".utrecht-skip-link")).to_be_focused()
    await tab_to(page, "#veld-email")
    await keyboard.type(bea.email)
    await keyboard.press("Tab")
    await expect(page.locator("#veld-password")).to_be_focused()
    await keyboard.type(bea.password)
    await tab_to(page, "button:has-text('Inloggen')")
    await journey.press("Enter")
    assert journey.path() == "/organisatie"

    # A new task asking too much: publishing is refused, each NOV reason at its field, what was typed kept.
    await tab_to(page, "a:has-text('Nieuwe taak')")
    await journey.press("Enter")
    await tab_to(page, "#veld-title")
    await keyboard.type("Boodschappenbus rijden")
    await keyboard.press("Tab")
    await keyboard.type("Rijden.")
    await keyboard.press("Tab")
    await keyboard.type("ouderen")
    await tab_to(page, "#dienst-6-ochtend")
    await keyboard.press("Space")
    await tab_to(page, "#veld-hours_per_week")
    await keyboard.type("30")
    await tab_to(page, "button[name=publish]")
    await journey.press("Enter")
    hours = page.locator(".utrecht-form-field", has=page.locator("#veld-hours_per_week"))
    await expect(hours).to_contain_text("vraagt 30.00 uur per week; de NOV-criteria staan hoogstens 20 toe")
    await expect(page.locator("#veld-hours_per_week")).to_have_value("30")
    await expect(page.locator("#veld-hours_per_week")).to_have_attribute("aria-invalid", "true")
    description = page.locator(".utrecht-form-field", has=page.locator("#veld-description"))
    await expect(description).to_contain_text("minstens 40 tekens")
    await expect(page.locator("#dienst-6-ochtend")).to_be_checked()
    await journey.screenshot("taak-geweigerd")
    # The error summary takes focus and links to the field; following the link moves focus there.
    await expect(page.locator("#foutmeldingen")).to_be_focused()
    await tab_to(page, "#foutmeldingen a[href='#veld-hours_per_week']")
    await keyboard.press("Enter")
    await expect(page).to_have_url(f"{journey.base}{journey.path()}#veld-hours_per_week")

    # Fixed, it is published.
    await page.locator("#veld-hours_per_week").focus()
    await keyboard.press("Control+A")
    await keyboard.type("3")
    await page.locator("#veld-description").focus()
    await keyboard.press("Control+A")
    await keyboard.type("Rijd op zaterdagochtend de boodschappenbus voor ouderen uit de wijk naar de markt.")
    await tab_to(page, "button[name=publish]")
    await journey.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("De taak staat in de vacaturebank")
    task_url = journey.path()

    # Matching proposes Sanne; the organisation accepts her.
    await region.wait_until("a proposal for the task", lambda: _has_proposal(region, staff, centrale, task_url))
    await journey.goto(task_url)
    await tab_to(page, "button:has-text('Accepteren')")
    await journey.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("Je hebt de vrijwilliger geaccepteerd")

    # Sanne says yes too (through her own pages in her journey; here through the API); then the organisation
    # sees her name and how to reach her, since she consented to contact by organisations.
    sanne_session = await region.session(
        await region.invite(staff, Person(volunteer["email"], "Sanne Bakker", "volunteer", centrale, sanne["id"]))
    )
    # Her session reaches matching through Kafka (CredentialIssued) within moments.
    match = await region.wait_until("matching knows Sanne's session", lambda: _first_proposal(region, sanne_session))
    await region.call("POST", "matching", f"/v1/me/proposals/{match['match_id']}/agree", sanne_session)
    await tab_to(page, "nav a:has-text('Vrijwilligers')")
    await journey.press("Enter")
    await region.wait_until("the match reaches the registry", lambda: _made(region, staff, centrale, organisation_id))
    await journey.goto("/organisatie/vrijwilligers")
    await expect(page.locator("main")).to_contain_text("Sanne Bakker")
    await expect(page.locator("main")).to_contain_text("06 12345678")
    await journey.screenshot("organisatie-vrijwilligers")

    journey.assert_clean()


async def _has_proposal(region: Region, staff: dict[str, str], centrale: str, task_url: str) -> bool:
    task_id = task_url.rsplit("/", 1)[1]
    found = await region.call("GET", "matching", f"/v1/centrales/{centrale}/tasks/{task_id}/proposals", staff)
    return bool(found)


async def _made(region: Region, staff: dict[str, str], centrale: str, organisation_id: str) -> bool:
    path = f"/v1/centrales/{centrale}/organisations/{organisation_id}/responses"
    return any(r["status"] == "made" for r in await region.call("GET", "registry", path, staff))


async def _first_proposal(region: Region, session: dict[str, str]) -> dict[str, object] | None:
    response = await region.http.get(f"{region.urls['matching']}/v1/me/proposals", headers=session)
    return response.json()[0] if response.status_code == 200 and response.json() else None
