"""The web front's defences: CSRF on every post, cookies, CSP and headers, escaping, no open redirects."""

from __future__ import annotations

import re

import httpx
from fastapi.routing import APIRoute

from portal.pages import ROUTERS
from tests.portal.unit.conftest import csrf_of, log_in
from tests.portal.unit.fake_services import ORG_ID, TASK_ID, VOLUNTEER_ID, FakeServices, Session


def _post_routes() -> list[str]:
    """Every POST route of every page router, its path parameters filled with an id."""
    paths = []
    for router in ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute) and "POST" in route.methods:
                paths.append(re.sub(r"\{[a-z_]+\}", VOLUNTEER_ID, route.path))
    return paths


async def test_every_form_post_without_the_token_is_refused_and_reaches_no_service(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    log_in(portal, services, Session("centrale_staff"))
    paths = _post_routes()
    assert len(paths) > 40

    for path in paths:
        services.calls.clear()
        response = await portal.post(path, data={"name": "x"})
        assert response.status_code == 403, path
        assert all(call[2] == "/v1/sessions/current" for call in services.calls), path


async def test_a_token_of_another_session_or_a_cross_site_post_is_refused(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    log_in(portal, services, Session("volunteer", subject_id=VOLUNTEER_ID))
    token = csrf_of((await portal.get("/vrijwilliger/uren")).text)
    log_in(portal, services, Session("volunteer", subject_id=VOLUNTEER_ID), token="token-2")

    stale = await portal.post("/vrijwilliger/uren", data={"csrf_token": token, "hours": "2"})
    fresh_token = csrf_of((await portal.get("/vrijwilliger/uren")).text)
    cross_site = await portal.post(
        "/vrijwilliger/uren", data={"csrf_token": fresh_token}, headers={"Sec-Fetch-Site": "cross-site"}
    )

    assert (stale.status_code, cross_site.status_code) == (403, 403)
    assert fresh_token != token


async def test_every_page_carries_a_strict_policy_and_is_never_stored(portal: httpx.AsyncClient) -> None:
    response = await portal.get("/vacatures")

    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "server" not in response.headers
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)", response.text), "no inline script"
    assert " style=" not in response.text
    assert "<style" not in response.text, "no inline style"


async def test_login_puts_the_session_in_a_host_only_secure_httponly_lax_cookie(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    services.answer("POST", "registry", r"/v1/sessions", {"token": "new-session", "session": {"expires_at": None}}, 201)
    services.login("new-session", Session("volunteer", subject_id=VOLUNTEER_ID))
    token = csrf_of((await portal.get("/inloggen")).text)

    response = await portal.post(
        "/inloggen", data={"csrf_token": token, "email": "f@example.org", "password": "correct horse battery"}
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/vrijwilliger"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("__Host-portal_session="))
    assert "new-session" in cookie
    assert {"Secure", "HttpOnly", "Path=/", "SameSite=lax"} <= {part.strip() for part in cookie.split(";")}
    assert "Domain" not in cookie


async def test_a_refused_login_keeps_the_address_but_never_sends_the_password_back(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    services.refuse("POST", "registry", r"/v1/sessions", 401, {"detail": "wrong", "reason": "credentials"})
    token = csrf_of((await portal.get("/inloggen")).text)

    response = await portal.post(
        "/inloggen", data={"csrf_token": token, "email": "f@example.org", "password": "secret-typed-password"}
    )

    assert response.status_code == 422
    assert 'value="f@example.org"' in response.text
    assert "secret-typed-password" not in response.text
    assert "Het e-mailadres of wachtwoord klopt niet." in response.text


async def test_text_from_the_services_is_escaped_even_inside_the_structured_data(portal: httpx.AsyncClient) -> None:
    search = await portal.get("/vacatures")
    task = await portal.get(f"/vacatures/{TASK_ID}")

    assert "Boodschappenbus &lt;b&gt;rijden&lt;/b&gt;" in search.text
    assert "<b>rijden</b>" not in search.text
    assert "</script><script>x()" not in task.text
    assert "\\u003c/script>" in task.text


async def test_the_language_switch_and_login_never_send_the_browser_to_another_site(
    portal: httpx.AsyncClient,
) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        switched = await portal.get("/taal/en", params={"volgende": target})
        assert switched.headers["location"] == "/", target
    kept = await portal.get("/taal/en", params={"volgende": "/vacatures?q=bus"})
    assert kept.headers["location"] == "/vacatures?q=bus"
    assert "__Host-portal_lang=en" in kept.headers["set-cookie"]


async def test_another_centrales_record_is_the_portals_404_and_a_refused_role_its_403(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    log_in(portal, services, Session("centrale_staff"))
    services.refuse("GET", "registry", rf"/v1/centrales/vc-utrecht/organisations/{ORG_ID}", 404)
    services.refuse("GET", "registry", r"/v1/centrales/vc-utrecht/organisations", 403)

    missing = await portal.get(f"/consulent/organisaties/{ORG_ID}")
    forbidden = await portal.get("/consulent/organisaties")

    assert missing.status_code == 404
    assert "Pagina niet gevonden" in missing.text
    assert forbidden.status_code == 403
    assert "Je hebt geen toegang tot deze pagina" in forbidden.text


async def test_a_service_that_does_not_answer_is_the_503_page_not_a_stack_trace(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    services.refuse("GET", "registry", r"/v1/vacatures/facets", 500, {"detail": "Traceback (most recent call last)"})

    response = await portal.get("/")

    assert response.status_code == 503
    assert "Traceback" not in response.text
    assert "De dienst is nu niet beschikbaar" in response.text


async def test_a_session_other_services_do_not_know_yet_is_waited_for_not_logged_out(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    log_in(portal, services, Session("volunteer", subject_id=VOLUNTEER_ID))
    answers = iter([401, 401, 200])
    services.routes[("GET", "matching", r"/v1/me/proposals")] = lambda _r, _m: httpx.Response(
        status := next(answers, 200), json=[] if status == 200 else {"detail": "unknown or revoked token"}
    )

    late = await portal.get("/vrijwilliger/voorstellen")

    assert late.status_code == 200
    services.refuse("GET", "matching", r"/v1/me/proposals", 401, {"detail": "unknown or revoked token"})
    never = await portal.get("/vrijwilliger/voorstellen")
    assert never.status_code == 503
    assert "set-cookie" not in never.headers, "the person stays logged in: the registry still accepts the session"


async def test_a_page_is_not_sent_when_the_registry_refuses_a_session_it_accepted_a_moment_ago(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    log_in(portal, services, Session("centrale_staff"))
    first = await portal.get("/consulent/organisaties")
    del services.sessions["token-1"]  # revoked (logged out elsewhere, or a colleague ended the membership)
    services.calls.clear()

    second = await portal.get("/consulent/organisaties")

    assert first.status_code == 200
    assert second.status_code == 303
    assert second.headers["location"].startswith("/inloggen?volgende=/consulent/organisaties")
    assert "Buurthuis De Linde" not in second.text
    assert '__Host-portal_session=""' in second.headers["set-cookie"]
    # The page's own call went beside the registry's check (the session's membership was remembered).
    assert {call[2] for call in services.calls} == {"/v1/sessions/current", "/v1/centrales/vc-utrecht/organisations"}
