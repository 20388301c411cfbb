"""People who read: a municipality's policy officer opens and prints the period report; a business partner's HR
contact sees a team day's status. Both on a phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import BrowserContext, expect

from common.clock import dutch_today
from tests.portal.browser.support import A11y, Journey, Person, Region, unique

pytestmark = pytest.mark.e2e


async def _log_in(journey: Journey, person: Person) -> None:
    await journey.goto("/inloggen")
    await journey.page.get_by_label("E-mailadres").fill(person.email)
    await journey.page.get_by_label("Wachtwoord", exact=True).fill(person.password)
    await journey.click("button:has-text('Inloggen')")


async def test_a_municipality_reader_opens_and_prints_the_period_report(
    region: Region, phone: BrowserContext, a11y: A11y
) -> None:
    reader = await region.invite(
        region.ops, Person(unique("beleid"), "Mira Beleid", "municipality_reader", region.centrale_a)
    )
    journey = await Journey.start(phone, region.portal, a11y)
    page = journey.page

    await _log_in(journey, reader)
    assert journey.path() == "/gemeente"
    await expect(page.get_by_role("heading", level=1)).to_have_text("Vrijwilligerswerk in Utrecht")
    await expect(page.locator("img.portal-chart").first).to_have_attribute("alt", "Verloop per maand")
    await journey.screenshot("gemeente")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling on a phone"
    # A chart scrolls sideways in its own box instead of shrinking its text to about 6 px.
    chart_width = await page.locator("img.portal-chart").first.evaluate("image => image.getBoundingClientRect().width")
    assert chart_width >= 640, "a chart keeps a width its text is readable at"
    # With the keyboard alone: the chart's box takes focus and the arrow keys scroll it.
    region = page.get_by_role("region", name="Grafiek: Verloop per maand")
    await region.focus()
    await page.keyboard.press("ArrowRight")
    await expect(region).to_be_focused()
    # Keyboard scrolling is animated: wait for it (up to 5 s) rather than read the position at once.
    await region.evaluate_handle(
        "box => new Promise(done => { const t0 = Date.now(); (function check() {"
        " if (box.scrollLeft > 0 || Date.now() - t0 > 5000) done(); else requestAnimationFrame(check); })(); })"
    )
    assert await region.evaluate("box => box.scrollLeft") > 0, "the arrow keys scroll the chart's box"
    await journey.click("main a:has-text('Perioderapportage')")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Vrijwilligerswerk in Utrecht: rapportage")
    charts = await page.evaluate("[...document.images].filter(i => i.complete && i.naturalWidth > 0).length")
    assert charts == 5, "the five charts (supply and demand too) load from the portal (same origin, under its CSP)"
    await journey.screenshot("rapportage")
    async with page.expect_download() as download_info:
        await page.locator("a:has-text('Downloaden als CSV')").first.click()
    csv = await (await download_info.value).path()
    assert csv is not None
    assert "volunteers_registered" in csv.read_text(encoding="utf-8")

    # Printing: the print stylesheet drops the header, menu and buttons; the report prints as a PDF.
    await page.emulate_media(media="print")
    await expect(page.locator("header.portal-header")).to_be_hidden()
    await expect(page.locator("main h1")).to_be_visible()
    pdf = await page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 10_000
    await page.emulate_media(media="screen")

    # Never another municipality's report, never a person's page.
    for path in ("/consulent", "/vrijwilliger", "/organisatie"):
        await journey.goto(path)
        await expect(page.get_by_role("heading", level=1)).to_have_text("Je hebt geen toegang tot deze pagina")

    journey.assert_clean()


async def test_an_hr_contact_sees_the_status_of_a_team_day(region: Region, phone: BrowserContext, a11y: A11y) -> None:
    on_date = dutch_today() + timedelta(days=40)
    # A team task in nature on that day, by an organisation in Utrecht, room for the whole team.
    centrale = region.centrale_a
    staff = await region.session(await region.staff(centrale, "Kees de Vries"))
    organisation_id, _ = await region.organisation(staff, centrale, admitted=True)
    tasks = f"/v1/centrales/{centrale}/organisations/{organisation_id}/tasks"
    team_task = {
        "title": "Wilgen knotten in het park",
        "description": "Knot met je team een dag lang de wilgen langs de vaart in het stadspark, met uitleg erbij.",
        "theme": "natuur",
        "postcode": "3511 AB",
        "one_off_start": f"{on_date.isoformat()}T09:00:00+01:00",
        "one_off_end": f"{on_date.isoformat()}T16:00:00+01:00",
        "capacity": 10,
        "hours_per_week": "7",
        "vog_required": False,
        "team_suitable": True,
    }
    task_id = (await region.call("POST", "registry", tasks, staff, json=team_task))["id"]
    await region.call("POST", "registry", f"{tasks}/{task_id}/publish", staff)
    partner = await region.call(
        "POST", "registry", "/v1/business-partners", region.ops, json={"name": "Bouwbedrijf De Vries"}
    )
    system = await region.call(
        "POST", "registry", f"/v1/business-partners/{partner['id']}/credentials", region.ops, json={"label": "HR"}
    )
    day = {
        "external_ref": f"HR-{unique('day')[:12]}",
        "team_size": 8,
        "on_date": on_date.isoformat(),
        "themes": ["natuur"],
        "postcode": "3511",
    }
    hr_system = {"Authorization": f"Bearer {system['token']}"}
    posted = await region.call("POST", "registry", "/v1/volunteer-days", hr_system, json=day)
    await region.wait_until(
        "matching finds the team's task",
        lambda: _matched(region, hr_system, posted["id"]),
    )
    contact = await region.invite(region.ops, Person(unique("hr"), "Hanna HR", "business_partner", None, partner["id"]))
    journey = await Journey.start(phone, region.portal, a11y)
    page = journey.page

    await _log_in(journey, contact)
    assert journey.path() == "/bedrijf"
    await expect(page.locator("main")).to_contain_text(day["external_ref"])
    await journey.click(f"a[href='/bedrijf/teamdagen/{posted['id']}']")
    await expect(page.locator("main dl")).to_contain_text("8 personen")
    await expect(page.locator("main dl")).to_contain_text(day["external_ref"])
    await expect(page.locator("main dl strong")).to_have_text("taak gevonden")
    await expect(page.locator(f"main a[href='/vacatures/{task_id}']")).to_be_visible()
    await journey.screenshot("teamdag")
    await journey.click("nav a:has-text('MVO-cijfers')")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("MVO-cijfers van")
    await expect(page.locator("main table").first).to_be_visible()

    journey.assert_clean()


async def _matched(region: Region, hr_system: dict[str, str], day_id: str) -> bool:
    day = await region.call("GET", "registry", f"/v1/volunteer-days/{day_id}", hr_system)
    return bool(day["status"] == "matched")
