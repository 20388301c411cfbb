"""Issue 13's hostile-input findings, one test per root cause, against the four services as processes.

Each was a 500 before (NUL in stored text, a lone surrogate, integer overflow, year overflow) or accepted
nonsense, or an unbounded body echoed back; each is now a 4xx that names the field and repeats no value.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fuzz.conftest import Region

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.fuzz]


def _loc(response: httpx.Response) -> list[list[Any]]:
    assert response.status_code == 422, (response.request.method, response.request.url, response.text[:300])
    return [item["loc"] for item in response.json()["detail"]]


async def test_nul_in_stored_text_is_422_on_every_service(region: Region) -> None:
    a = region.a
    c, org = a.centrale_id, a.ids["organisation_id"]
    registry, appreciation, reporting = region.url("registry"), region.url("appreciation"), region.url("reporting")
    async with httpx.AsyncClient(timeout=30) as http:
        volunteer = await http.post(
            f"{registry}/v1/centrales/{c}/volunteers", json={"name": "Jan\u0000"}, headers=a.headers("staff")
        )
        assert _loc(volunteer) == [["body", "name"]]
        task = await http.post(
            f"{registry}/v1/centrales/{c}/organisations/{org}/tasks",
            json={
                "title": "Koken",
                "description": "Samen koken.\u0000",
                "theme": "ouderen",
                "capacity": 1,
                "hours_per_week": "2",
                "vog_required": False,
            },
            headers=a.headers("organisation"),
        )
        assert _loc(task) == [["body", "description"]]
        rule = await http.post(
            f"{appreciation}/v1/centrales/{c}/rules",
            json={"rule_id": "nul-1", "kind": "nldoet", "title": "NL\u0000doet", "params": {"dates": ["2027-03-12"]}},
            headers=a.headers("staff"),
        )
        assert _loc(rule) == [["body", "title"]]
        agreement = await http.put(
            f"{reporting}/v1/municipalities/{a.municipality_code}/agreements/2027",
            json={"title": "Afspraak", "kpis": [{"kpi": "volunteers_active\u0000", "target": 1}]},
            headers=a.headers("staff"),
        )
        assert _loc(agreement) == [["body", "kpis", 0, "kpi"]]
        query = await http.get(
            f"{registry}/v1/centrales/{c}/tasks", params={"status": "\x00"}, headers=a.headers("staff")
        )
        assert _loc(query) == [["query", "status"]]


async def test_a_lone_surrogate_gets_an_encodable_422_naming_the_field(region: Region) -> None:
    a = region.a
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(
            f"{region.url('registry')}/v1/centrales/{a.centrale_id}/volunteers",
            content=b'{"name": "Jan", "email": "\\ud800@example.nl"}',
            headers={**a.headers("staff"), "Content-Type": "application/json"},
        )
        assert _loc(response) == [["body", "email"]]
        response.content.decode("utf-8")  # the reply itself is valid UTF-8


async def test_integer_overflow_is_a_422_on_paging_and_versions(region: Region) -> None:
    a = region.a
    async with httpx.AsyncClient(timeout=30) as http:
        paging = await http.get(
            f"{region.url('registry')}/v1/centrales/{a.centrale_id}/volunteers",
            params={"offset": str(2**63)},
            headers=a.headers("staff"),
        )
        assert _loc(paging) == [["query", "offset"]]
        version = await http.get(
            f"{region.url('reporting')}/v1/municipalities/{a.municipality_code}/agreements/2026",
            params={"version": str(2**31)},
            headers=a.headers("staff"),
        )
        assert _loc(version) == [["query", "version"]]


@pytest.mark.parametrize("period", ["9999", "9999-Q4", "0000-01", "9999-H2", "9999-12", "9998-01..9999-12"])
async def test_year_overflow_in_a_reporting_period_is_a_422(region: Region, period: str) -> None:
    a = region.a
    async with httpx.AsyncClient(timeout=30) as http:
        figures = await http.get(
            f"{region.url('reporting')}/v1/centrales/{a.centrale_id}/figures",
            params={"period": period},
            headers=a.headers("staff"),
        )
        assert _loc(figures) == [["query", "period"]]
        assert period not in figures.text
        report = await http.get(
            f"{region.url('reporting')}/v1/municipalities/{a.municipality_code}/reports/{period}",
            headers=a.headers("staff"),
        )
        assert _loc(report) == [["path", "period"]]


async def test_year_overflow_in_a_payment_is_a_422(region: Region) -> None:
    a = region.a
    allowances = (
        f"{region.url('appreciation')}/v1/centrales/{a.centrale_id}/organisations/{a.ids['organisation_id']}/allowances"
    )
    async with httpx.AsyncClient(timeout=30) as http:
        for paid_on in ("9999-12-31", "0001-01-01"):
            check = await http.post(
                f"{allowances}/check",
                json={"volunteer_id": a.ids["volunteer_id"], "paid_on": paid_on, "amount": "10.00"},
                headers=a.headers("organisation"),
            )
            assert _loc(check) == [["body", "paid_on"]]


async def test_nonsense_dates_are_refused(region: Region) -> None:
    a = region.a
    c, volunteer = a.centrale_id, a.ids["volunteer_id"]
    registry = region.url("registry")
    staff = a.headers("staff")
    async with httpx.AsyncClient(timeout=30) as http:
        for birth_date in ("0001-01-01", "1800-06-01"):
            old = await http.post(
                f"{registry}/v1/centrales/{c}/volunteers", json={"name": "Oud", "birth_date": birth_date}, headers=staff
            )
            assert _loc(old) == [["body", "birth_date"]]
        dates = await http.patch(
            f"{registry}/v1/centrales/{c}/volunteers/{volunteer}", json={"one_off_dates": ["0001-01-01"]}, headers=staff
        )
        assert _loc(dates) == [["body", "one_off_dates", 0]]
        vog = await http.put(
            f"{registry}/v1/centrales/{c}/volunteers/{volunteer}/vog",
            json={"verified_on": "0001-01-01", "verified_by": "Kees", "valid_until": "9999-12-31"},
            headers=staff,
        )
        assert sorted(_loc(vog)) == [["body", "valid_until"], ["body", "verified_on"]]
        forever = await http.put(
            f"{registry}/v1/centrales/{c}/volunteers/{volunteer}/vog",
            json={"verified_on": "2026-01-05", "verified_by": "Kees", "valid_until": "2099-12-31"},
            headers=staff,
        )
        assert _loc(forever) == [["body"]]
        window = await http.post(
            f"{registry}/v1/centrales/{c}/organisations/{a.ids['organisation_id']}/tasks",
            json={
                "title": "Eenmalig",
                "description": "Een dag helpen.",
                "theme": "natuur",
                "capacity": 1,
                "hours_per_week": "2",
                "vog_required": False,
                "one_off_start": "0001-01-01T09:00:00+00:00",
                "one_off_end": "0001-01-01T12:00:00+00:00",
            },
            headers=a.headers("organisation"),
        )
        assert sorted(_loc(window)) == [["body", "one_off_end"], ["body", "one_off_start"]]


async def test_a_huge_anonymous_body_is_413_unread_and_a_422_never_echoes_personal_input(region: Region) -> None:
    url = f"{region.url('registry')}/v1/centrales/{region.a.centrale_id}/volunteers/self-registration"
    async with httpx.AsyncClient(timeout=30) as http:
        huge = await http.post(
            url, content=b"{" + b" " * 5_000_000 + b"}", headers={"Content-Type": "application/json"}
        )
        assert huge.status_code == 413
        assert len(huge.content) < 200
        personal = "fatima.el.amrani@example"
        refused = await http.post(url, json={"name": "Fatima", "email": personal, "phone": "x" * 500})
        assert refused.status_code == 422
        assert personal not in refused.text
        assert "x" * 50 not in refused.text


async def test_every_service_process_sends_the_security_headers_and_no_server_banner(region: Region) -> None:
    # uvicorn itself adds "server: uvicorn" unless told not to: only a real server shows it.
    async with httpx.AsyncClient(timeout=30) as http:
        for service in ("registry", "matching", "appreciation", "reporting"):
            base = region.url(service)
            for response in (
                await http.get(f"{base}/health/live"),
                await http.get(f"{base}/v1/ops/jobs", headers={"Authorization": "Bearer rp_unknown"}),
                await http.get(f"{base}/v1/no-such-route"),
                await http.get(f"{base}/docs"),
            ):
                where = (service, response.request.url.path, response.status_code)
                assert "server" not in response.headers, where
                assert response.headers["x-content-type-options"] == "nosniff", where
                assert response.headers["referrer-policy"] == "no-referrer", where
                assert "frame-ancestors 'none'" in response.headers["content-security-policy"], where
                assert response.headers["cache-control"] == "no-store", where
