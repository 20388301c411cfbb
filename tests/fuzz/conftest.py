"""The fuzzing tier's region: the four services as real processes on the session's Kafka and PostgreSQL, with
two tenants (A and B) set up through the real APIs, each with a credential of every role.

Tenant B has one of everything a route can name (centrale, organisation, volunteer, task, proposal made into
a match, hours, partner with its team day and a webhook delivery, certificate, rule, agreement, a Beursvloer
evening with an offer, a request and a deal, a training with a booking), so the tenant matrix can aim every
operation at B's records, and schemathesis meets real data as well as random ids.
"""

from __future__ import annotations

import asyncio
import secrets
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from common.clock import dutch_today
from common.localinfra.postgres import create_database
from common.localinfra.processes import ServiceProcess
from tests.support.schedule import a_weekday_not_today

SERVICES = ("registry", "matching", "appreciation", "reporting")
ROLES = ("staff", "organisation", "volunteer", "reader", "partner")
# How long the set-up waits for an event to travel from one service to another.
_PROPAGATION_S = 60.0
# Each tenant's hours are logged for today: no shift today, so the set-up holds at any hour (tests/support/schedule.py).
_MORNING = [{"weekday": a_weekday_not_today(), "start": "09:00", "end": "12:00"}]

Headers = dict[str, str]


@dataclass
class Tenant:
    """One centrale of the region: its records' ids, personal values used, and a token per role."""

    name: str
    centrale_id: str
    municipality_code: str
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    personal_values: list[str] = field(default_factory=list)

    def headers(self, role: str) -> Headers:
        """Bearer headers of the tenant's credential for ``role``."""
        return {"Authorization": f"Bearer {self.tokens[role]}"}


@dataclass
class Region:
    """The running services and the two tenants."""

    services: dict[str, ServiceProcess]
    ops_token: str
    a: Tenant
    b: Tenant
    setup_s: float = 0.0

    def url(self, service: str) -> str:
        """Base URL of a service's HTTP API."""
        return self.services[service].url

    @property
    def ops(self) -> Headers:
        """Bearer headers of region ops."""
        return {"Authorization": f"Bearer {self.ops_token}"}


async def _eventually(what: str, attempt: Callable[[], Awaitable[Any]]) -> Any:
    """``attempt()`` until it returns something other than None (events travel through Kafka)."""
    deadline = time.monotonic() + _PROPAGATION_S
    while True:
        result = await attempt()
        if result is not None:
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.3)


def _created(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201, 202, 204), (response.request.method, response.request.url, response.text)
    return response.json() if response.content else None


async def _set_up_tenant(http: httpx.AsyncClient, region: Region, tenant: Tenant) -> None:
    """Everything a route can name, for one tenant, made through the APIs as its people would."""
    registry, matching, appreciation, reporting = (region.url(s) for s in SERVICES)
    ops = region.ops
    c = tenant.centrale_id
    _created(
        await http.post(
            f"{registry}/v1/centrales",
            json={"id": c, "name": f"Centrale {tenant.name}", "municipality_code": tenant.municipality_code},
            headers=ops,
        )
    )
    staff = _created(await http.post(f"{registry}/v1/centrales/{c}/credentials", json={"label": "desk"}, headers=ops))
    tenant.tokens["staff"] = staff["token"]
    tenant.ids["credential_id"] = staff["id"]
    reader = _created(
        await http.post(
            f"{registry}/v1/centrales/{c}/credentials",
            json={"label": "gemeente", "role": "municipality_reader"},
            headers=ops,
        )
    )
    tenant.tokens["reader"] = reader["token"]
    _created(
        await http.put(
            f"{reporting}/v1/ops/centrales/{c}",
            json={"municipality_code": tenant.municipality_code, "municipality_name": f"Gemeente {tenant.name}"},
            headers=ops,
        )
    )
    staff_h = tenant.headers("staff")
    contact = f"Contact{tenant.name}{secrets.token_hex(3)}"
    organisation = _created(
        await http.post(
            f"{registry}/v1/centrales/{c}/organisations",
            json={
                "name": f"Voedselbank {tenant.name}",
                "formal": True,
                "kvk_number": "12345678",
                "postcode": "3511 AB",
                "liability_insured": True,
                "contact_person": {"name": contact, "email": f"{contact.lower()}@example.org"},
            },
            headers=staff_h,
        )
    )["id"]
    tenant.ids["organisation_id"] = organisation
    _created(await http.post(f"{registry}/v1/centrales/{c}/organisations/{organisation}/admit", headers=staff_h))
    org_token = _created(
        await http.post(
            f"{registry}/v1/centrales/{c}/organisations/{organisation}/credentials", json={"label": "coordinator"},
            headers=staff_h,
        )
    )  # fmt: skip
    tenant.tokens["organisation"] = org_token["token"]
    marker = secrets.token_hex(4)
    person = {
        "name": f"Naam{tenant.name}{marker}",
        "email": f"mail{marker}@example.nl",
        "phone": f"06{int(marker, 16) % 10**8:08d}",
    }
    tenant.personal_values += [contact, *person.values()]
    volunteer = _created(
        await http.post(
            f"{registry}/v1/centrales/{c}/volunteers",
            json={
                **person,
                "postcode": "3511 AB",
                "birth_date": "1990-04-01",
                "skills": ["koken"],
                "interests": ["ouderen"],
                "languages": ["nl"],
                "availability": _MORNING,
                "consents": [{"kind": "matching", "text_version": "2026-01"}],
            },
            headers=staff_h,
        )
    )["id"]
    tenant.ids["volunteer_id"] = volunteer
    tenant.tokens["volunteer"] = _created(
        await http.post(f"{registry}/v1/centrales/{c}/volunteers/{volunteer}/credentials", json={"label": "self"},
                        headers=staff_h)
    )["token"]  # fmt: skip
    partner = _created(
        await http.post(f"{registry}/v1/business-partners", json={"name": f"Partner {tenant.name}"}, headers=ops)
    )["id"]
    tenant.ids["partner_id"] = partner
    tenant.tokens["partner"] = _created(
        await http.post(f"{registry}/v1/business-partners/{partner}/credentials", json={"label": "HR"}, headers=ops)
    )["token"]
    day = _created(
        await http.post(
            f"{registry}/v1/volunteer-days",
            json={
                "external_ref": f"HR-{marker}",
                "team_size": 5,
                "on_date": (datetime.now(UTC) + timedelta(days=30)).date().isoformat(),
                "themes": ["natuur"],
                "postcode": "3511",
            },
            headers=tenant.headers("partner"),
        )
    )["id"]
    tenant.ids["day_id"] = day
    # A webhook and one delivery in its log (a ping; its receiver never answers, which is fine here).
    partner_h = tenant.headers("partner")
    hooks = f"{registry}/v1/business-partners/{partner}/webhook"
    _created(await http.put(hooks, json={"url": "https://hr.example.invalid/hook"}, headers=partner_h))
    tenant.ids["delivery_id"] = str(_created(await http.post(f"{hooks}/ping", headers=partner_h))["delivery_id"])
    org_h = tenant.headers("organisation")
    tasks = f"{registry}/v1/centrales/{c}/organisations/{organisation}/tasks"
    task = _created(
        await http.post(
            tasks,
            json={
                "title": "Koken in het buurthuis",
                "description": "Samen koken voor ouderen uit de wijk, 's ochtends.",
                "theme": "ouderen",
                "skills": ["koken"],
                "postcode": "3511 AB",
                "shifts": _MORNING,
                "capacity": 2,
                "hours_per_week": "3",
                "vog_required": False,
            },
            headers=org_h,
        )
    )["id"]
    tenant.ids["task_id"] = task
    _created(await http.post(f"{tasks}/{task}/publish", headers=org_h))

    async def proposal() -> str | None:
        listed = await http.get(f"{matching}/v1/centrales/{c}/tasks/{task}/proposals", headers=staff_h)
        mine = [p for p in listed.json() if p["volunteer_id"] == volunteer] if listed.status_code == 200 else []
        return mine[0]["match_id"] if mine else None

    match = await _eventually(f"{tenant.name}'s proposal", proposal)
    tenant.ids["match_id"] = match
    # Two-sided yes: the organisation accepts, the volunteer agrees, and the match is made.
    _created(await http.post(f"{matching}/v1/centrales/{c}/proposals/{match}/accept", headers=org_h))

    async def agreed() -> bool | None:
        answer = await http.post(f"{matching}/v1/me/proposals/{match}/agree", headers=tenant.headers("volunteer"))
        return True if answer.status_code in (200, 201, 204) else None

    await _eventually(f"{tenant.name}'s volunteer agreeing", agreed)

    async def hours() -> str | None:
        logged = await http.post(
            f"{registry}/v1/centrales/{c}/organisations/{organisation}/matches/{match}/hours",
            json={"worked_on": dutch_today().isoformat(), "hours": "2"},
            headers=org_h,
        )
        return str(logged.json()["id"]) if logged.status_code == 201 else None

    tenant.ids["hours_id"] = await _eventually(f"{tenant.name}'s match in the registry", hours)

    async def certificate() -> str | None:
        issued = await http.post(
            f"{appreciation}/v1/me/certificates", json={"name": person["name"]}, headers=tenant.headers("volunteer")
        )
        return issued.headers["X-Certificate-Id"] if issued.status_code == 201 else None

    tenant.ids["certificate_id"] = await _eventually(f"{tenant.name}'s certificate", certificate)
    await _set_up_programmes(http, registry, tenant)
    rule = f"fuzz-{tenant.name.lower()}-75"
    _created(
        await http.post(
            f"{appreciation}/v1/centrales/{c}/rules",
            json={"rule_id": rule, "kind": "hours_milestone", "title": "75 uur", "params": {"hours": 75}},
            headers=staff_h,
        )
    )
    tenant.ids["rule_id"] = rule
    _created(
        await http.put(
            f"{reporting}/v1/municipalities/{tenant.municipality_code}/agreements/2026",
            json={"title": f"Afspraak {tenant.name}", "kpis": [{"kpi": "volunteers_active", "target": 40}]},
            headers=staff_h,
        )
    )

    # Every token works on every service (credentials travel as events).
    for service in SERVICES:
        for role in ROLES:

            async def accepted(service: str = service, role: str = role) -> bool | None:
                answer = await http.get(f"{region.url(service)}/v1/ops/jobs", headers=tenant.headers(role))
                return True if answer.status_code != 401 else None

            await _eventually(f"{tenant.name}'s {role} token on {service}", accepted)


async def _set_up_programmes(http: httpx.AsyncClient, registry: str, tenant: Tenant) -> None:
    """The tenant's Beursvloer (an evening, an offer, a request, a deal) and a training with a booking."""
    c, staff_h = tenant.centrale_id, tenant.headers("staff")
    floor = f"{registry}/v1/centrales/{c}/beursvloer"
    soon = datetime.now(UTC) + timedelta(days=40)
    event = _created(
        await http.post(
            f"{floor}/events",
            json={
                "title": f"Beursvloer {tenant.name}",
                "place": "Stadhuis",
                "starts_at": soon.isoformat(),
                "ends_at": (soon + timedelta(hours=3)).isoformat(),
            },
            headers=staff_h,
        )
    )["id"]
    tenant.ids["event_id"] = str(event)
    posting = {"category": "hands", "description": "Schilderen van het buurthuis", "hours": "8", "event_id": event}
    offer = _created(await http.post(f"{floor}/offers", json=posting, headers=tenant.headers("partner")))["id"]
    tenant.ids["offer_id"] = str(offer)
    request = _created(await http.post(f"{floor}/requests", json=posting, headers=tenant.headers("organisation")))
    tenant.ids["request_id"] = str(request["id"])
    # A deal naming the parties keeps the offer and the request on the floor for the routes that name them.
    deal = _created(
        await http.post(
            f"{floor}/deals",
            json={
                "partner_id": tenant.ids["partner_id"],
                "organisation_id": tenant.ids["organisation_id"],
                "category": "goods",
                "description": "Verf en kwasten",
                "quantity": 4,
                "due_on": soon.date().isoformat(),
            },
            headers=staff_h,
        )
    )["id"]
    tenant.ids["deal_id"] = str(deal)
    training = _created(
        await http.post(
            f"{registry}/v1/centrales/{c}/trainings",
            json={
                "title": "Omgaan met dementie",
                "description": "Een avond over omgaan met mensen met dementie.",
                "audience": "both",
                "sessions": [{"starts_at": soon.isoformat(), "ends_at": (soon + timedelta(hours=2)).isoformat()}],
                "place": "Buurthuis De Linde",
                "capacity": 10,
            },
            headers=staff_h,
        )
    )["id"]
    tenant.ids["training_id"] = str(training)
    booking = _created(
        await http.post(
            f"{registry}/v1/centrales/{c}/trainings/{training}/bookings", json={}, headers=tenant.headers("volunteer")
        )
    )["id"]
    tenant.ids["booking_id"] = str(booking)
    # A dated shift of the task, and the matched volunteer's sign-up for it.
    task_path = f"{registry}/v1/centrales/{c}/tasks/{tenant.ids['task_id']}"
    pattern = {"rule": "FREQ=WEEKLY;COUNT=4", "starts_on": soon.date().isoformat(), "start": "09:00", "end": "12:00",
               "capacity": 2}  # fmt: skip
    _created(await http.post(f"{task_path}/shift-patterns", json=pattern, headers=tenant.headers("organisation")))
    listed = await http.get(f"{task_path}/shifts", headers=staff_h)
    assert listed.status_code == 200, listed.text
    shift = listed.json()["shifts"][0]["id"]
    tenant.ids["shift_id"] = str(shift)
    signup = _created(
        await http.post(f"{task_path}/shifts/{shift}/signups", json={}, headers=tenant.headers("volunteer"))
    )["id"]
    tenant.ids["signup_id"] = str(signup)


_HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The fuzzing tier runs last, schemathesis last of all.

    Its services join the consumer groups of their names, as every service does, so no other test's services
    may run beside them: with the tier at the end, its region starts after every other test, and it is stopped
    when the tier is done (package scope), before the benchmark tests that the bench conftest moves after it. And
    schemathesis writes as region ops (it may link B's centrale to A's municipality, or erase A's volunteer),
    so the tests that rely on the region as set up run before it.
    """

    def rank(item: pytest.Item) -> int:
        if item.path.parent != _HERE:
            return 0
        return 2 if item.path.name == "test_schemathesis.py" else 1

    items.sort(key=rank)


@pytest.fixture(scope="package")
async def region(
    kafka_bootstrap: str, postgres_server_dsn: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Region]:
    """The four services as processes, with tenants A and B set up; stopped with SIGTERM afterwards."""
    logs = tmp_path_factory.mktemp("fuzz-service-logs")
    suffix = secrets.token_hex(4)
    ops_token = secrets.token_urlsafe(32)
    databases = {service: await create_database(postgres_server_dsn, f"fz_{service}_{suffix}") for service in SERVICES}
    services = {
        service: ServiceProcess(
            module=service,
            env={
                "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
                "REGION": "fuzzregio",
                "LOG_LEVEL": "INFO",
                f"{service.upper()}_DATABASE_URL": databases[service],
                "OPS_TOKEN": ops_token,
                f"{service.upper()}_CONSUMER_RETRY_BACKOFF_S": "0.05",
                f"{service.upper()}_OUTBOX_POLL_INTERVAL_S": "0.3",
                # Fuzzing sends thousands of requests from one address: the limits have their own tests.
                "RATE_LIMIT_FAILED_AUTH": "0/60",
                "RATE_LIMIT_SELF_REGISTRATION": "0/60",
                "RATE_LIMIT_CERTIFICATE_LOOKUP": "0/60",
            },
            log_path=Path(logs) / f"{service}.log",
        )
        for service in SERVICES
    }
    for process in services.values():
        process.start()
    started = time.monotonic()
    try:
        for process in services.values():
            await process.wait_ready()
        tag = secrets.token_hex(3)
        region = Region(
            services=services,
            ops_token=ops_token,
            a=Tenant("A", f"vc-fuzz-a-{tag}", "GM0344"),
            b=Tenant("B", f"vc-fuzz-b-{tag}", "GM0355"),
        )
        async with httpx.AsyncClient(timeout=30) as http:
            _created(
                await http.put(
                    f"{region.url('matching')}/v1/postcode-areas",
                    json=[
                        {"pc4": "3511", "lat": 52.0907, "lon": 5.1214},
                        {"pc4": "3512", "lat": 52.0894, "lon": 5.1137},
                    ],
                    headers=region.ops,
                )
            )
            for tenant in (region.a, region.b):
                await _set_up_tenant(http, region, tenant)
        region.setup_s = time.monotonic() - started
        yield region
    finally:
        exit_codes = {name: process.stop() for name, process in services.items()}
        unclean = {
            name: services[name].log_tail() for name, code in exit_codes.items() if code not in (0, -signal.SIGTERM)
        }
        assert unclean == {}, unclean
