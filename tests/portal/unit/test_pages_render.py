"""Every page renders for the person it is for, in both languages, asking only their APIs as them."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.portal.unit.conftest import log_in
from tests.portal.unit.fake_services import ORG_ID, PARTNER_ID, TASK_ID, VOLUNTEER_ID, FakeServices, Session

PUBLIC = [
    "/",
    "/vacatures",
    "/vacatures?q=bus&theme=ouderen&postcode=3511",
    f"/vacatures/{TASK_ID}",
    "/contact",
    "/contact?centrale=vc-utrecht",
    "/toegankelijkheid",
    "/privacy",
    "/inloggen",
    "/wachtwoord-vergeten",
    "/wachtwoord-kiezen?token=abc",
    "/aanmelden",
]
PAGES = {
    Session("volunteer", subject_id=VOLUNTEER_ID): [
        "/vrijwilliger",
        "/vrijwilliger/voorstellen",
        f"/vrijwilliger/diensten/{TASK_ID}",
        "/vrijwilliger/uren",
        "/vrijwilliger/waardering",
        "/vrijwilliger/profiel",
        "/vrijwilliger/gegevens",
        "/account",
    ],
    Session("organisation", subject_id=ORG_ID): [
        "/organisatie",
        "/organisatie/taken/nieuw",
        f"/organisatie/taken/{TASK_ID}",
        "/organisatie/reacties",
        "/organisatie/vrijwilligers",
        "/organisatie/uren",
        "/organisatie/vergoedingen",
        "/organisatie/gebruikers",
    ],
    Session("centrale_staff"): [
        "/consulent",
        "/consulent/intake",
        "/consulent/vrijwilligers",
        f"/consulent/vrijwilligers/{VOLUNTEER_ID}",
        "/consulent/organisaties",
        f"/consulent/organisaties/{ORG_ID}",
        "/consulent/waardering",
        "/consulent/collegas",
    ],
    Session("municipality_reader"): ["/gemeente", "/gemeente/rapportage", "/gemeente/rapportage?periode=2026-Q1"],
    Session("business_partner", centrale_id=None, subject_id=PARTNER_ID): ["/bedrijf"],
    Session("region_ops", centrale_id=None): ["/beheer", "/beheer/stroom"],
}


@pytest.mark.parametrize("language", ["nl", "en"])
async def test_every_public_page_renders_in_both_languages_with_its_lang_attribute(
    portal: httpx.AsyncClient, language: str
) -> None:
    for path in PUBLIC:
        response = await portal.get(path, headers={"Accept-Language": language})
        assert response.status_code == 200, (path, response.text[:500])
        assert f'<html lang="{language}"' in response.text, path


@pytest.mark.parametrize("session", list(PAGES), ids=lambda s: s.role)
async def test_every_page_of_a_role_renders_for_that_role(
    portal: httpx.AsyncClient, services: FakeServices, session: Session
) -> None:
    log_in(portal, services, session)
    for path in PAGES[session]:
        response = await portal.get(path)
        assert response.status_code == 200, (path, response.text[:2000])
        assert 'class="utrecht-skip-link' in response.text
        assert {call[3] for call in services.calls} == {"token-1"}, "every API call goes as the person"
        services.calls.clear()


@pytest.mark.parametrize("session", list(PAGES), ids=lambda s: s.role)
async def test_another_roles_pages_are_the_403_page_without_asking_their_apis(
    portal: httpx.AsyncClient, services: FakeServices, session: Session
) -> None:
    log_in(portal, services, session)
    others = [path for other, paths in PAGES.items() if other.role != session.role for path in paths]
    for path in others:
        if path == "/account" or (session.role == "centrale_staff" and path.startswith("/gemeente")):
            continue  # every person has an account page; staff read their municipality's figures too
        services.calls.clear()
        response = await portal.get(path)
        assert response.status_code == 403, (session.role, path)
        assert [call[2] for call in services.calls] == ["/v1/sessions/current"], (session.role, path)


async def test_a_visitor_not_logged_in_is_sent_to_log_in_and_back_to_the_page(portal: httpx.AsyncClient) -> None:
    response = await portal.get("/vrijwilliger/uren")

    assert response.status_code == 303
    assert response.headers["location"] == "/inloggen?volgende=/vrijwilliger/uren"


async def test_an_expired_session_drops_the_cookie_and_asks_to_log_in_again(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    portal.cookies.set("__Host-portal_session", "revoked-token", domain="portal.test")

    response = await portal.get("/consulent")

    assert response.status_code == 303
    assert response.headers["location"].startswith("/inloggen?volgende=/consulent")
    assert '__Host-portal_session=""' in response.headers["set-cookie"]


def test_every_menu_entry_of_every_role_is_a_page_of_the_portal() -> None:
    from fastapi.routing import APIRoute

    from portal.pages import ROUTERS
    from portal.rendering import NAVIGATION

    pages = {route.path for router in ROUTERS for route in router.routes if isinstance(route, APIRoute)}
    assert {href for entries in NAVIGATION.values() for href, _ in entries} <= pages


async def test_a_draft_task_matching_does_not_know_yet_is_its_page_without_proposals_not_a_404(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    log_in(portal, services, Session("organisation", subject_id=ORG_ID))
    # Matching learns a task from TaskPosted: a draft (or a task published a moment ago) is unknown there.
    services.refuse("GET", "matching", rf"/v1/centrales/vc-utrecht/tasks/{TASK_ID}/proposals", 404)

    response = await portal.get(f"/organisatie/taken/{TASK_ID}")

    assert response.status_code == 200
    assert "Boodschappenbus rijden" in response.text
    assert "Nog geen voorstellen" in response.text


async def test_a_volunteers_shifts_page_marks_proposals_in_the_menu_the_entry_it_is_reached_from(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    log_in(portal, services, Session("volunteer", subject_id=VOLUNTEER_ID))

    response = await portal.get(f"/vrijwilliger/diensten/{TASK_ID}")

    assert response.status_code == 200
    current = re.findall(r'href="([^"]+)" aria-current="page"', response.text)
    assert current == ["/vrijwilliger/voorstellen"]
