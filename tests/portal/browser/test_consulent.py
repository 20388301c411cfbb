"""A consulent, from the invitation e-mail to her work: she chooses a password, sets up her authenticator app,
vets an organisation, registers a volunteer at intake and approves a match for someone who needs support."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import BrowserContext, expect

from tests.portal.browser.support import A11y, Journey, Person, Region, unique

pytestmark = pytest.mark.e2e


async def test_a_consulent_vets_an_organisation_does_an_intake_and_approves_a_supported_match(
    region: Region, desktop: BrowserContext, a11y: A11y
) -> None:
    centrale = region.centrale_a
    colleague = await region.session(await region.staff(centrale, "Kees de Vries"))
    organisation_id, organisation = await region.organisation(colleague, centrale, admitted=False)
    anna = Person(unique("anna"), "Anna Jansen", "centrale_staff", centrale)
    body = {"role": "centrale_staff", "centrale_id": centrale, "email": anna.email, "name": anna.name}
    await region.call("POST", "registry", "/v1/invitations", region.ops, json=body)
    link = await region.mailbox.link_token(anna.email)
    journey = await Journey.start(desktop, region.portal, a11y)
    page = journey.page

    # The e-mailed link opens the portal's page to choose a password.
    await journey.goto(f"/account/wachtwoord?token={link}")
    await page.get_by_label("Nieuw wachtwoord", exact=True).fill(anna.password)
    await page.get_by_label("Nieuw wachtwoord nog een keer").fill(anna.password)
    await journey.click("button:has-text('Wachtwoord opslaan')")
    await expect(page.get_by_role("status")).to_contain_text("Je wachtwoord is ingesteld")

    # First login: staff set up the authenticator app (the key is shown beside the QR code).
    await page.get_by_label("E-mailadres").fill(anna.email)
    await page.get_by_label("Wachtwoord", exact=True).fill(anna.password)
    await journey.click("button:has-text('Inloggen')")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Stel je authenticator-app in")
    await journey.screenshot("authenticator")
    anna.totp_secret = (await page.locator("code").inner_text()).strip()
    await page.get_by_label("Code uit de app").fill(anna.code())
    await journey.click("button:has-text('Bevestigen en inloggen')")

    # The work queue: the organisation waits to be vetted.
    assert journey.path() == "/consulent"
    await journey.screenshot("werkvoorraad")
    await expect(page.locator("#vetten")).to_contain_text("te beoordelen")
    await expect(page.locator("main")).to_contain_text(organisation["name"])
    await journey.click(f"a:has-text('{organisation['name']}')")
    await expect(page.get_by_text("te beoordelen")).to_be_visible()
    await journey.click("button:has-text('Toelaten')")
    await expect(page.get_by_role("status")).to_contain_text("De organisatie is toegelaten")

    # Intake on a person's behalf: someone without e-mail who would like support.
    await journey.click("nav >> text=Intake")
    await journey.screenshot("intake")
    await page.get_by_label("Naam").fill("Henk Bakker")
    await page.get_by_label("Postcode").fill("3511 AB")
    await page.get_by_label("Geboortedatum").fill("1958-04-02")
    await page.get_by_label("Wat kun je?").fill("koken, tuinieren")
    await page.get_by_label("dinsdag ochtend").check()
    await page.get_by_label("Hoe ver wil je reizen (km)?").fill("10")
    await page.get_by_label("Ik wil graag dat een consulent me helpt").check()
    await journey.click("button:has-text('De vrijwilliger inschrijven')")
    await expect(page.get_by_role("status")).to_contain_text("De vrijwilliger is ingeschreven")
    volunteer_id = re.search(r"/consulent/vrijwilligers/([0-9a-f-]{36})", page.url).group(1)  # type: ignore[union-attr]
    await expect(page.get_by_role("heading", level=1)).to_have_text("Henk Bakker")

    # The organisation publishes a task that suits people who need support; matching proposes Henk, and only
    # his consulent's approval lets the match go on.
    organisation_user = Person(unique("linde"), "Bea de Linde", "organisation", centrale, organisation_id)
    headers = await region.session(await region.invite(colleague, organisation_user))
    tasks = f"/v1/centrales/{centrale}/organisations/{organisation_id}/tasks"
    task = {
        "title": "Samen koken in het buurthuis",
        "description": "Kook op dinsdagochtend mee met buurtbewoners voor de gezamenlijke lunch in het buurthuis.",
        "theme": "koken",
        "skills": ["koken"],
        "postcode": "3511 AB",
        "shifts": [{"weekday": 2, "start": "09:00", "end": "12:00"}],
        "capacity": 2,
        "hours_per_week": "3",
        "vog_required": False,
        "support_accessible": True,
    }
    task_id = (await region.call("POST", "registry", tasks, headers, json=task))["id"]
    await region.call("POST", "registry", f"{tasks}/{task_id}/publish", headers)
    proposals = f"/v1/centrales/{centrale}/volunteers/{volunteer_id}/proposals"
    proposal = await region.wait_until(
        "matching proposes Henk", lambda: _first(region.call("GET", "matching", proposals, colleague))
    )
    assert proposal["needs_consulent"] is True

    await journey.goto(f"/consulent/vrijwilligers/{volunteer_id}")
    await expect(
        page.get_by_text("een consulent begeleidt deze vrijwilliger").or_(page.get_by_text("Goedkeuren"))
    ).to_be_visible()
    await journey.click("button:has-text('Goedkeuren')")
    await expect(page.get_by_role("status")).to_contain_text("De match is goedgekeurd")
    approved = await region.call("GET", "matching", proposals, colleague)
    assert [p["status"] for p in approved] == ["approved"]
    # The read of Henk's file is in his audit trail, under Anna's name.
    await expect(page.locator("table", has_text="Inzagelog")).to_contain_text("Anna Jansen")
    await journey.screenshot("dossier")

    journey.assert_clean()


async def _first(call: object) -> object:
    found = await call  # type: ignore[misc]
    return found[0] if found else None
