"""The centrale's programmes end to end on real Kafka, PostgreSQL and SMTP (issue 18).

The Beursvloer: at an evening a company offers hands and an organisation asks for them; matching pairs them with
its reasons; the organisation proposes the deal and the company confirms it; after its date plus the follow-up
days both are mailed, both say it was done, and reporting counts the deal, that it was carried out and its hours.
The kennisfunctie: a training with one seat, a second volunteer on the waiting list moves up when the first
cancels (and is mailed), attends, and the training is printed on her certificate (read back with pypdf).

Registry (on a clock the test moves), matching, appreciation and reporting run in this process, each on its own
database and consumer group, talking only through the broker; the registry mails through a real SMTP server.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
import pytest
from pypdf import PdfReader

from appreciation.config import Settings as AppreciationSettings
from appreciation.main import SPEC as APPRECIATION
from common.clock import ManualClock
from common.localinfra.postgres import create_database
from common.ops.groups import commit_offsets, end_offsets
from common.service import create_service_app
from contracts import TOPICS
from contracts.events import BeursvloerOfferPosted, BeursvloerRequestPosted
from matching.config import Settings as MatchingSettings
from matching.main import build_spec as matching_spec
from tests.reporting.integration.conftest import Reporting, running_reporting
from tests.support.mailbox import Mailbox, running_mailbox
from tests.support.registry_client import Headers, Registry, running_registry

pytestmark = pytest.mark.integration

T = TypeVar("T")
AREAS = [
    {"pc4": "3511", "lat": 52.0907, "lon": 5.1214},  # Utrecht centrum
    {"pc4": "3512", "lat": 52.0874, "lon": 5.1250},  # Utrecht centrum-oost, ~0.4 km
]
STREAMS = [topic.name for topic in TOPICS if not topic.name.endswith(".dlq")]
DUTCH = ZoneInfo("Europe/Amsterdam")
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")  # fmt: skip


async def eventually(probe: Callable[[], Awaitable[T | None]], what: str, timeout: float = 60.0) -> T:
    """Poll ``probe`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = await probe()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


async def _group_at_the_end(bootstrap: str, prefix: str) -> str:
    """A consumer group of its own that starts at the current end of every stream (other tests' events are old)."""
    group = f"{prefix}-{secrets.token_hex(4)}"
    await commit_offsets(bootstrap, group, await end_offsets(bootstrap, STREAMS))
    return group


@dataclass
class Region:
    """The four services, the mailbox and the registry's clock."""

    registry: Registry
    matching: httpx.AsyncClient
    appreciation: httpx.AsyncClient
    reporting: Reporting
    mailbox: Mailbox
    clock: ManualClock

    async def run_job(self, name: str) -> dict[str, Any]:
        """Ops run one of the registry's jobs now and wait for it to finish."""
        started = await self.registry.http.post(f"/v1/ops/jobs/{name}/runs", headers=self.registry.ops)
        assert started.status_code == 202, started.text

        async def finished() -> dict[str, Any] | None:
            run: dict[str, Any] = (
                await self.registry.http.get(started.headers["Location"], headers=self.registry.ops)
            ).json()
            return run if run["status"] != "running" else None

        return await eventually(finished, f"job {name}")


@pytest.fixture(scope="module")
async def region(kafka_bootstrap: str, postgres_server_dsn: str) -> AsyncIterator[Region]:
    ops_token = secrets.token_urlsafe(24)
    clock = ManualClock(datetime.now(UTC))
    matching_settings = MatchingSettings(
        kafka_bootstrap_servers=kafka_bootstrap, region="testregio", ops_token=ops_token, consumer_retry_backoff_s=0.05,
        outbox_poll_interval_s=0.2,
        database_url=await create_database(postgres_server_dsn, f"matching_{secrets.token_hex(5)}"),
    )  # fmt: skip
    matching_app = create_service_app(
        matching_settings,
        dataclasses.replace(
            matching_spec(matching_settings), name=await _group_at_the_end(kafka_bootstrap, "matching-programmes")
        ),
    )
    appreciation_settings = AppreciationSettings(
        kafka_bootstrap_servers=kafka_bootstrap, region="testregio", ops_token=ops_token, consumer_retry_backoff_s=0.05,
        outbox_poll_interval_s=0.2, public_url="https://waardering.example",
        database_url=await create_database(postgres_server_dsn, f"appreciation_{secrets.token_hex(5)}"),
    )  # fmt: skip
    appreciation_app = create_service_app(
        appreciation_settings,
        dataclasses.replace(APPRECIATION, name=await _group_at_the_end(kafka_bootstrap, "appreciation-programmes")),
    )
    reporting_start = await end_offsets(kafka_bootstrap, STREAMS)
    with running_mailbox() as mailbox:
        async with (
            running_reporting(kafka_bootstrap, postgres_server_dsn, reporting_start) as reporting,
            running_registry(
                kafka_bootstrap, postgres_server_dsn, ops_token, clock=clock, scheduler_enabled=False,
                smtp_host="127.0.0.1", smtp_port=mailbox.port, smtp_sender="beursvloer@vc-test.example",
                messages_poll_interval_s=0.1, notice_gather_s=0, portal_url="https://portaal.vc-test.example",
            ) as registry,
            matching_app.router.lifespan_context(matching_app),
            appreciation_app.router.lifespan_context(appreciation_app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=matching_app), base_url="http://matching", timeout=30
            ) as matching,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=appreciation_app), base_url="http://appreciation", timeout=30
            ) as appreciation,
        ):  # fmt: skip
            ops = {"Authorization": f"Bearer {ops_token}"}
            assert (await matching.put("/v1/postcode-areas", json=AREAS, headers=ops)).status_code == 200
            yield Region(registry, matching, appreciation, reporting, mailbox, clock)


def _text(message: EmailMessage) -> str:
    """A mail's plain-text part."""
    body = message.get_body(("plain",))
    assert isinstance(body, EmailMessage)
    return str(body.get_content())


async def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def test_an_offer_and_a_request_are_paired_the_deal_is_followed_to_done_and_reporting_counts_it(
    region: Region,
) -> None:
    registry, box, http = region.registry, region.mailbox, region.registry.http
    centrale_id, staff = await registry.new_centrale()
    municipality = f"GM7{secrets.randbelow(900) + 100}"
    await region.reporting.configure({centrale_id: (municipality, "Beursgemeente")}, [])
    _organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    partner = await _ok(
        await http.post("/v1/business-partners", json={"name": "Schildersbedrijf Jansen"}, headers=registry.ops), 201
    )
    partner_id = partner["id"]
    company = await registry.credential(f"/v1/business-partners/{partner_id}/credentials", registry.ops)
    company_mail = f"eva.{secrets.token_hex(3)}@jansen.example"
    contact = {"name": "Eva Jansen", "email": company_mail}
    await _ok(await http.put(f"/v1/beursvloer/partners/{partner_id}/contact", json=contact, headers=company))

    floor = f"/v1/centrales/{centrale_id}/beursvloer"
    now = region.clock.now()
    evening = {
        "title": "Maatschappelijke Beursvloer", "place": "Stadhuis, zaal 2",
        "starts_at": (now + timedelta(days=2)).isoformat(), "ends_at": (now + timedelta(days=2, hours=3)).isoformat(),
    }  # fmt: skip
    event_id = (await _ok(await http.post(f"{floor}/events", json=evening, headers=staff), 201))["id"]
    offer = {
        "category": "hands", "description": "Vier schilders van ons bedrijf schilderen een dag bij u",
        "tags": ["schilderen"], "hours": "16", "postcode": "3511 AB", "event_id": event_id,
        "available_until": (now + timedelta(days=60)).date().isoformat(),
    }  # fmt: skip
    offer_id = (await _ok(await http.post(f"{floor}/offers", json=offer, headers=company), 201))["id"]
    wish = {
        "category": "hands", "description": "Het clubhuis van onze voetbalclub moet geschilderd",
        "tags": ["schilderen", "klussen"], "hours": "12", "postcode": "3512", "event_id": event_id,
        "needed_by": (now + timedelta(days=45)).date().isoformat(),
    }  # fmt: skip
    request_id = (await _ok(await http.post(f"{floor}/requests", json=wish, headers=organisation), 201))["id"]

    # Matching pairs them and says why; the board of the evening shows it (to the company as to staff).
    board_path = f"{floor}/events/{event_id}/board"

    async def paired() -> list[dict[str, Any]] | None:
        board = await _ok(await http.get(board_path, headers=company))
        return board["pairs"] or None

    [pair] = await eventually(paired, "matching's pair on the board")
    assert (pair["offer_id"], pair["request_id"], pair["partner"], pair["organisation"]) == (
        offer_id, request_id, "Schildersbedrijf Jansen", "Voedselbank",
    )  # fmt: skip
    assert pair["reasons"] == [
        "categorie: handen",
        "onderwerp 1/2: schilderen",
        "genoeg: 16 uur aangeboden, 12 gevraagd",
        _timing(now + timedelta(days=45), now + timedelta(days=60)),
        "afstand 0.4 km",
        "op dezelfde Beursvloer",
    ]
    # 0.4 * 1/2 of the tags + 0.3 (enough hours) + 0.3 * (1 - 0.44 km / 25 km)
    assert pair["score"] == 0.79
    # What either side wrote stays in the registry: the topic carries ids, kinds, tags and amounts.
    [offered] = await registry.events(BeursvloerOfferPosted.topic, offer_id, 1)
    [asked] = await registry.events(BeursvloerRequestPosted.topic, request_id, 1)
    assert b"schilders van ons bedrijf" not in offered.value
    assert b"clubhuis" not in asked.value

    # The organisation proposes the deal from the pair; it stands once the company confirms it.
    due_on = (now + timedelta(days=7)).astimezone(DUTCH).date()
    deal_body = {"offer_id": offer_id, "request_id": request_id, "due_on": due_on.isoformat()}
    deal = await _ok(await http.post(f"{floor}/deals", json=deal_body, headers=organisation), 201)
    assert deal["status"] == "pending"
    [to_confirm] = await box.wait_for(company_mail, 1)
    assert (
        to_confirm["Subject"]
        == "Bevestig uw Beursvloer-afspraak: Vier schilders van ons bedrijf schilderen een dag bij u"
    )
    confirmed = await _ok(await http.post(f"{floor}/deals/{deal['id']}/confirm", headers=company))
    assert confirmed == {"id": deal["id"], "status": "made"}
    board = await _ok(await http.get(board_path, headers=staff))
    assert (board["counts"]["deals_made"], board["counts"]["offers_open"], board["counts"]["requests_open"]) == (
        1,
        0,
        0,
    )
    shown = await _ok(await http.get(f"{floor}/deals/{deal['id']}", headers=organisation))
    assert (shown["hours"], shown["contacts"]["partner"]["email"]) == ("12.00", company_mail)

    # The date plus the follow-up days (7) pass; the job asks both sides once, by mail.
    region.clock.advance(timedelta(days=15))
    run = await region.run_job("beursvloer-follow-up")
    assert run["status"] == "done", run
    assert run["counts"] == {"deals": 1, "notices": 2}
    _, company_asked = await box.wait_for(company_mail, 2)
    [organisation_asked] = [m for m in await box.wait_for("contact@voedselbank.example", 1) if "gelukt" in m["Subject"]]
    assert company_asked["Subject"] == organisation_asked["Subject"]
    assert f"https://portaal.vc-test.example/beursvloer/afspraken/{deal['id']}" in _text(company_asked)
    region.clock.advance(timedelta(minutes=1))  # one run per moment: the next run is a minute later
    assert (await region.run_job("beursvloer-follow-up"))["counts"] == {"deals": 0, "notices": 0}

    # Both say it was done: the deal is settled, with the deal's 12 hours given.
    follow_up = f"{floor}/deals/{deal['id']}/follow-up"
    assert (await _ok(await http.post(follow_up, json={"outcome": "done"}, headers=company)))["status"] == "made"
    assert (await _ok(await http.post(follow_up, json={"outcome": "done"}, headers=organisation)))["status"] == "done"
    settled = await _ok(await http.get(f"{floor}/deals/{deal['id']}", headers=staff))
    assert (settled["hours_given"], settled["follow_up"]["settled_by"]) == ("12.00", "parties")

    # Reporting counts the deal, that it was carried out, and its hours, in the municipality and month it was made.
    made = now.astimezone(DUTCH)

    async def counted() -> dict[str, Any] | None:
        figures: dict[str, Any] = await region.reporting.json(
            f"/v1/municipalities/{municipality}/programmes", period=f"{made:%Y-%m}"
        )
        return figures if figures["beursvloer"]["done"] == 1 else None

    figures = await eventually(counted, "reporting to count the deal done")
    beursvloer = figures["beursvloer"]
    assert {k: v for k, v in beursvloer.items() if k != "months"} == {
        "deals_made": 1, "followed_up": 1, "done": 1, "partly": 0, "not": 0, "hours_given": 12,
        "carried_out_percentage": 100.0, "deals_by_category": {"goods": 0, "knowledge": 0, "hands": 1}, "evenings": 1,
    }  # fmt: skip


def _timing(needed_by: datetime, available_until: datetime) -> str:
    def dutch(moment: datetime) -> str:
        day = moment.date()
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"

    return f"op tijd: nodig vóór {dutch(needed_by)}, aangeboden tot {dutch(available_until)}"


async def _volunteer(registry: Registry, centrale_id: str, staff: Headers, name: str) -> tuple[UUID, Headers, str]:
    mail = f"{name.split()[0].lower()}.{secrets.token_hex(3)}@example.nl"
    volunteer_id = await registry.register_volunteer(centrale_id, staff, name=name, email=mail)
    token = await registry.credential(f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/credentials", staff)
    return volunteer_id, token, mail


async def test_a_training_is_booked_from_the_waiting_list_attended_and_printed_on_the_certificate(
    region: Region,
) -> None:
    registry, box, http = region.registry, region.mailbox, region.registry.http
    centrale_id, staff = await registry.new_centrale()
    municipality = f"GM6{secrets.randbelow(900) + 100}"
    await region.reporting.configure({centrale_id: (municipality, "Leergemeente")}, [])
    _, anna_token, _ = await _volunteer(registry, centrale_id, staff, "Anna de Wit")
    _, sanne_token, sanne_mail = await _volunteer(registry, centrale_id, staff, "Sanne Bakker")

    start = region.clock.now() + timedelta(days=3)
    training = {
        "title": "Omgaan met dementie", "description": "Een avond over het contact met mensen met dementie.",
        "audience": "volunteers", "theme": "zorg", "place": "Buurthuis De Linde", "postcode": "3511 AB", "capacity": 1,
        "sessions": [{"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()}],
    }  # fmt: skip
    trainings = f"/v1/centrales/{centrale_id}/trainings"
    training_id = (await _ok(await http.post(trainings, json=training, headers=staff), 201))["id"]

    first = await _ok(await http.post(f"{trainings}/{training_id}/bookings", json={}, headers=anna_token), 201)
    second = await _ok(await http.post(f"{trainings}/{training_id}/bookings", json={}, headers=sanne_token), 201)
    assert (first["status"], second["status"]) == ("booked", "waiting")
    listed = await _ok(await http.get(trainings, headers=sanne_token))
    assert [(t["id"], t["seats_left"], t["waiting"]) for t in listed] == [(training_id, 0, 1)]

    # Anna cannot come after all: the seat goes to Sanne, who hears of it by mail.
    moved = await _ok(await http.post(f"{trainings}/{training_id}/bookings/{first['id']}/cancel", headers=anna_token))
    assert moved == {"moved_up": [second["id"]]}
    [placed] = await box.wait_for(sanne_mail, 1)
    assert placed["Subject"] == "Er is plaats voor je: Omgaan met dementie"
    assert f"https://portaal.vc-test.example/trainingen/{training_id}" in _text(placed)

    # The evening has been; staff record who came.
    region.clock.advance(timedelta(days=3, hours=1))
    attendance = {"entries": [{"booking_id": second["id"], "attended": True}]}
    assert await _ok(await http.put(f"{trainings}/{training_id}/attendance", json=attendance, headers=staff)) == {
        "recorded": 1
    }
    record = await _ok(await http.get("/v1/me", headers=sanne_token))
    assert [(t["training_id"], t["title"], t["attended"]) for t in record["trainings"]] == [
        (training_id, "Omgaan met dementie", True)
    ]

    # Appreciation learned it from the events: the training is on her record and printed on her certificate.
    async def on_record() -> list[dict[str, Any]] | None:
        response = await region.appreciation.get("/v1/me/appreciation", headers=sanne_token)
        return response.json()["trainings"] if response.status_code == 200 and response.json()["trainings"] else None

    [followed] = await eventually(on_record, "appreciation to record the training")
    day = start.astimezone(DUTCH).date()
    assert (followed["title"], followed["on"]) == ("Omgaan met dementie", day.isoformat())
    certificate = await region.appreciation.post(
        "/v1/me/certificates", json={"name": "Sanne Bakker"}, headers=sanne_token
    )
    assert certificate.status_code == 201, certificate.text
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(certificate.content)).pages).split())
    assert f"Trainingen - Omgaan met dementie ({day.day} {MONTHS[day.month - 1]} {day.year})" in text
    assert "Naam: Sanne Bakker" in text
    anna_record = await region.appreciation.get("/v1/me/appreciation", headers=anna_token)
    assert anna_record.status_code == 200
    assert anna_record.json()["trainings"] == []

    # Reporting counts the reach: one volunteer is a small number, shown as <5.
    async def reached() -> dict[str, Any] | None:
        figures: dict[str, Any] = await region.reporting.json(
            f"/v1/municipalities/{municipality}/programmes", period=f"{day:%Y-%m}"
        )
        return figures["trainings"] if figures["trainings"]["trainings_held"] == 1 else None

    reach = await eventually(reached, "reporting to count the training")
    assert reach["participants"] == {"total": "<5", "volunteers": "<5", "organisations": 0}
    assert reach["organisations_reached"] == 0
