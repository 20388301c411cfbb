"""A consulent of centrale B never sees centrale A's pages: A's organisation and volunteer are B's 404, and A's
records appear in none of B's lists."""

from __future__ import annotations

import pytest
from playwright.async_api import BrowserContext, expect

from tests.portal.browser.support import A11y, Journey, Region

pytestmark = pytest.mark.e2e


async def test_staff_of_one_centrale_never_see_another_centrales_pages(
    region: Region, desktop: BrowserContext, a11y: A11y
) -> None:
    staff_a = await region.session(await region.staff(region.centrale_a, "Anna Jansen"))
    organisation_a, organisation = await region.organisation(staff_a, region.centrale_a, admitted=False)
    volunteer = {"name": "Fatima el Amrani", "postcode": "3511 AB"}
    volunteer_a = await region.call(
        "POST", "registry", f"/v1/centrales/{region.centrale_a}/volunteers", staff_a, json=volunteer
    )
    bert = await region.staff(region.centrale_b, "Bert Zeist")
    journey = await Journey.start(desktop, region.portal, a11y)
    page = journey.page

    await journey.goto("/inloggen")
    await page.get_by_label("E-mailadres").fill(bert.email)
    await page.get_by_label("Wachtwoord", exact=True).fill(bert.password)
    await page.get_by_label("Code uit je authenticator-app").fill(bert.code())
    await journey.click("button:has-text('Inloggen')")
    assert journey.path() == "/consulent"
    await expect(page.locator("main")).not_to_contain_text(organisation["name"])

    for path in (
        f"/consulent/organisaties/{organisation_a}",
        f"/consulent/vrijwilligers/{volunteer_a['id']}",
    ):
        await journey.goto(path)
        await expect(page.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden")
        await expect(page.locator("main")).not_to_contain_text("Fatima")
    await journey.goto("/consulent/vrijwilligers")
    await expect(page.locator("main")).not_to_contain_text("Fatima el Amrani")
    await journey.goto("/consulent/organisaties")
    await expect(page.locator("main")).not_to_contain_text(organisation["name"])
    # A form posted against A's organisation, with Bert's own valid form token, is refused the same way.
    token = await page.locator("input[name=csrf_token]").first.input_value()
    response = await page.request.post(
        f"{region.portal}/consulent/organisaties/{organisation_a}/toelaten", form={"csrf_token": token}
    )
    assert response.status == 404
    still = await region.call(
        "GET", "registry", f"/v1/centrales/{region.centrale_a}/organisations/{organisation_a}", staff_a
    )
    assert still["status"] == "pending"

    journey.assert_clean()
