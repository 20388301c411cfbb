"""The match conversation end to end on real Kafka, PostgreSQL and SMTP (issue 14): a volunteer responds, the
organisation accepts, the volunteer agrees, both are mailed, the organisation reaches the volunteer only with their
consent, a check-in after the centrale's interval is answered with doubts and lands on the consulent's list, the
volunteer ends the match with a reason, and reporting counts it. A consulent puts forward a volunteer without
digital skills and says their yes; an overridden soft gate records who and why; VOG and consent never yield.

Registry (on a clock the test moves), matching and reporting run in this process, each on its own database,
talking only through the broker; the registry mails through a real SMTP server.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

import httpx
import pytest

from common.clock import ManualClock
from common.localinfra.postgres import create_database
from matching.config import Settings as MatchingSettings
from matching.main import create_app as create_matching
from tests.reporting.integration.conftest import Reporting, running_reporting
from tests.support.mailbox import Mailbox, running_mailbox
from tests.support.registry_client import Headers, Registry, running_registry

pytestmark = pytest.mark.integration

T = TypeVar("T")
AREAS = [
    {"pc4": "3511", "lat": 52.0907, "lon": 5.1214},  # Utrecht centrum
    {"pc4": "3512", "lat": 52.0874, "lon": 5.1250},  # Utrecht centrum-oost
    {"pc4": "3811", "lat": 52.1561, "lon": 5.3878},  # Amersfoort, ~19 km
]
TUESDAY = [{"weekday": 2, "start": "09:00", "end": "12:00"}]
CONSENT = {"kind": "matching", "text_version": "2026-01"}
CONTACT_CONSENT = {"kind": "contact_by_organisations", "text_version": "2026-01"}


async def eventually(probe: Callable[[], Awaitable[T | None]], what: str, timeout: float = 45.0) -> T:
    """Poll ``probe`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = await probe()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


@dataclass
class Region:
    """The three services, the mailbox and the registry's clock."""

    registry: Registry
    matching: httpx.AsyncClient
    reporting: Reporting
    mailbox: Mailbox
    clock: ManualClock

    async def known_to_matching(self, headers: Headers) -> Headers:
        """Wait until matching learned the credential from the registry's events."""

        async def accepted() -> bool:
            return (await self.matching.get("/v1/me/proposals", headers=headers)).status_code != 401

        await eventually(accepted, "matching to learn a credential")
        return headers

    async def volunteer(self, centrale_id: str, staff: Headers, **body: Any) -> tuple[UUID, Headers]:
        """A volunteer registered at intake, known to matching, and their own credential."""
        volunteer_id = await self.registry.register_volunteer(centrale_id, staff, **body)
        token = await self.registry.credential(
            f"/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/credentials", staff
        )
        return volunteer_id, await self.known_to_matching(token)

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
    dsn = await create_database(postgres_server_dsn, f"matching_{secrets.token_hex(5)}")
    matching_app = create_matching(
        MatchingSettings(
            kafka_bootstrap_servers=kafka_bootstrap, region="testregio", database_url=dsn, ops_token=ops_token,
            consumer_retry_backoff_s=0.05, outbox_poll_interval_s=0.2, proposals_per_task=1,
        )
    )  # fmt: skip
    with running_mailbox() as mailbox:
        port = mailbox.port
        async with (
            running_reporting(kafka_bootstrap, postgres_server_dsn) as reporting,
            running_registry(
                kafka_bootstrap, postgres_server_dsn, ops_token, clock=clock, scheduler_enabled=False,
                smtp_host="127.0.0.1", smtp_port=port, smtp_sender="bemiddeling@vc-test.example",
                messages_poll_interval_s=0.1, notice_gather_s=0, portal_url="https://portaal.vc-test.example",
            ) as registry,
            matching_app.router.lifespan_context(matching_app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=matching_app), base_url="http://matching", timeout=30
            ) as matching,
        ):  # fmt: skip
            ops = {"Authorization": f"Bearer {ops_token}"}
            assert (await matching.put("/v1/postcode-areas", json=AREAS, headers=ops)).status_code == 200
            yield Region(registry, matching, reporting, mailbox, clock)


async def test_a_volunteer_responds_both_say_yes_both_are_mailed_and_the_match_is_followed_up(region: Region) -> None:
    registry, matching, box = region.registry, region.matching, region.mailbox
    centrale_id, staff = await registry.new_centrale()
    contact = {"name": "Bemiddeling Utrecht", "email": "bemiddeling@vc-test.example", "phone": "030 123 45 67"}
    assert (
        await registry.http.put(f"/v1/centrales/{centrale_id}/contact", json=contact, headers=staff)
    ).status_code == 200
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    org_mail = "contact@voedselbank.example"
    # matching proposes one volunteer per task here: the first volunteer takes the only place on the shortlist.
    profile = {"availability": TUESDAY, "postcode": "3512 AB", "max_distance_km": 10, "skills": ["koken"]}
    await region.volunteer(centrale_id, staff, consents=[CONSENT], **profile)
    task_id = await registry.published_task(centrale_id, organisation_id, organisation, vog_required=False)
    fatima_mail = f"fatima.{secrets.token_hex(3)}@example.nl"
    fatima, fatima_token = await region.volunteer(
        centrale_id, staff, name="Fatima el Amrani", email=fatima_mail, consents=[CONSENT, CONTACT_CONSENT], **profile
    )

    # The volunteer responds (reageren) with a message the registry keeps.
    responded = await matching.post("/v1/me/interests", json={"task_id": str(task_id)}, headers=fatima_token)
    assert responded.status_code == 201, responded.text
    match_id = responded.json()["match_id"]
    message = {"text": "Ik kook graag en heb dinsdagochtend tijd."}
    put = await registry.http.put(f"/v1/me/proposals/{match_id}/message", json=message, headers=fatima_token)
    assert put.status_code == 204, put.text
    [response_mail] = await box.wait_for(org_mail, 1)
    assert response_mail["Subject"] == "Een reactie op uw taak: Boodschappenbus rijden"

    # The organisation sees the response and the message, not yet who it is.
    responses_path = f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/responses"

    async def listed() -> list[dict[str, Any]] | None:
        shown: list[dict[str, Any]] = (await registry.http.get(responses_path, headers=organisation)).json()
        return [s for s in shown if s["match_id"] == match_id] or None

    [seen] = await eventually(listed, "the response at the organisation")
    assert (seen["match_id"], seen["message"], seen["contact"]) == (match_id, message["text"], None)
    organisation_matching = await region.known_to_matching(organisation)
    accepted = await matching.post(
        f"/v1/centrales/{centrale_id}/proposals/{match_id}/accept", headers=organisation_matching
    )
    assert accepted.json()["status"] == "accepted"
    [accepted_mail] = await box.wait_for(fatima_mail, 1)
    assert accepted_mail["Subject"] == "Voedselbank zegt ja: Boodschappenbus rijden"

    # The volunteer sees whom to contact from the proposal on, and agrees: the match is made, both are mailed.
    mine = (await registry.http.get(f"/v1/me/proposals/{match_id}", headers=fatima_token)).json()
    assert (mine["task"]["title"], mine["organisation_name"], mine["contact"]["kind"]) == (
        "Boodschappenbus rijden", "Voedselbank", "organisation",
    )  # fmt: skip
    agreed = await matching.post(f"/v1/me/proposals/{match_id}/agree", headers=fatima_token)
    assert agreed.json()["status"] == "made"
    _, made_mail = await box.wait_for(fatima_mail, 2)
    _, org_made_mail = await box.wait_for(org_mail, 2)
    assert made_mail["Subject"] == org_made_mail["Subject"] == "Het is een match: Boodschappenbus rijden"
    text, html = made_mail.get_body(("plain",)), made_mail.get_body(("html",))
    assert text is not None  # a plain-text part
    assert html is not None  # and an HTML one
    assert f"https://portaal.vc-test.example/voorstellen/{match_id}" in text.get_content()
    assert '<html lang="nl">' in html.get_content()

    # Both said yes and she consents: the organisation sees her name and how to reach her.
    contact_path = f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/matches/{match_id}/contact"

    async def her_contact() -> dict[str, Any] | None:
        response = await registry.http.get(contact_path, headers=organisation)
        return response.json() if response.status_code == 200 else None

    phone = await _phone(registry, fatima)
    assert (await eventually(her_contact, "the match's contact")) == {
        "kind": "volunteer", "name": "Fatima el Amrani", "email": fatima_mail, "phone": phone,
    }  # fmt: skip

    # After the centrale's interval (two weeks), a check-in; "doubts" puts the match on the consulent's list.
    region.clock.advance(timedelta(days=15))
    run = await region.run_job("check-ins")
    assert (run["status"], run["counts"]["asked"]) == ("done", 2)
    _, _, check_in_mail = await box.wait_for(fatima_mail, 3)
    assert check_in_mail["Subject"] == "Hoe gaat het met Boodschappenbus rijden?"
    [check_in] = (await registry.http.get("/v1/me/check-ins", headers=fatima_token)).json()
    answer = {"answer": "doubts", "note": "Het is wat veel naast mijn studie."}
    answered = await registry.http.post(f"/v1/me/check-ins/{check_in['id']}", json=answer, headers=fatima_token)
    assert answered.status_code == 200, answered.text
    warnings = (await registry.http.get(f"/v1/centrales/{centrale_id}/early-warnings", headers=staff)).json()
    assert [(w["why"], w["check_in"]["match_id"], w["check_in"]["note"]) for w in warnings] == [
        ("doubts", match_id, answer["note"])
    ]

    # She ends the match herself, saying why; reporting counts the reason.
    ended = await matching.post(f"/v1/me/matches/{match_id}/end", json={"reason": "no_time"}, headers=fatima_token)
    assert ended.status_code == 204, ended.text
    year = str(datetime.now(UTC).year)

    async def counted() -> dict[str, Any] | None:
        figures = await region.reporting.json("/v1/region/figures", period=year)
        [reasons] = [t for t in figures["tables"] if t["id"] == "ended_by_reason"]
        rows = {row["key"]: row["values"]["matches_ended"] for row in reasons["rows"]}
        return rows if "no_time" in rows else None

    assert (await eventually(counted, "the ended match in reporting"))["no_time"] in (1, "<5")
    # The ended match leaves the early-warning list; staff see every notice and how it went.
    assert (await registry.http.get(f"/v1/centrales/{centrale_id}/early-warnings", headers=staff)).json() == []
    notices = (await registry.http.get(f"/v1/centrales/{centrale_id}/notices?status=sent", headers=staff)).json()
    assert {(n["recipient_kind"], n["kind"]) for n in notices} >= {
        ("organisation", "response_new"), ("volunteer", "accepted"), ("volunteer", "match_made"),
        ("organisation", "match_made"), ("volunteer", "check_in"),
    }  # fmt: skip


async def test_a_consulent_puts_forward_and_answers_for_a_volunteer_without_digital_skills(region: Region) -> None:
    registry, matching = region.registry, region.matching
    centrale_id, staff = await registry.new_centrale()
    organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
    task_id = await registry.published_task(centrale_id, organisation_id, organisation, vog_required=False)
    vog_task = await registry.published_task(centrale_id, organisation_id, organisation, vog_required=True)
    # Henk has no e-mail address and no consent to be contacted by organisations; he lives ~19 km away.
    henk = await registry.register_volunteer(
        centrale_id, staff, email=None, postcode="3811 AA", max_distance_km=10, availability=TUESDAY,
        consents=[CONSENT],
    )  # fmt: skip
    staff_matching = await region.known_to_matching(staff)

    async def in_matching() -> bool:
        listed = await matching.get(f"/v1/centrales/{centrale_id}/volunteers/{henk}/proposals", headers=staff_matching)
        return listed.status_code == 200

    await eventually(in_matching, "Henk in matching")
    responses = f"/v1/centrales/{centrale_id}/volunteers/{henk}/responses"
    forward: dict[str, Any] = {"task_id": str(task_id), "via": "put_forward", "agreement": {"how": "in_person"}}
    reason = "Zijn buurman rijdt hem elke dinsdag; met de organisatie afgestemd."

    async def put_forward(body: dict[str, Any]) -> httpx.Response:
        return await matching.post(responses, json=body, headers=staff_matching)

    refused = await eventually(
        lambda: _not_404(put_forward(forward)), "the tasks in matching"
    )  # the task may still be on its way to matching
    never_vog = await put_forward({**forward, "task_id": str(vog_task), "overrides": {"vog": "Ken hem al jaren."}})
    vog_gate = await put_forward({**forward, "task_id": str(vog_task), "overrides": {"distance": reason}})
    never_consent = await put_forward({**forward, "overrides": {"consent": "Hij zei het mondeling."}})
    done = await put_forward({**forward, "overrides": {"distance": reason}})

    assert refused.status_code == 422
    assert [(d["gate"], d["overridable"]) for d in refused.json()["detail"]] == [("distance", True)]
    assert never_vog.status_code == never_consent.status_code == 422
    assert "nooit worden overschreven" in never_vog.json()["detail"][0]["msg"]
    assert [(d["gate"], d["overridable"]) for d in vog_gate.json()["detail"]] == [("vog", False)]
    assert done.status_code == 201, done.text
    match_id = done.json()["match_id"]
    mediation = (
        await matching.get(f"/v1/centrales/{centrale_id}/proposals/{match_id}/mediation", headers=staff_matching)
    ).json()
    assert [(o["gate"], o["reason"]) for o in mediation["overrides"]] == [("distance", reason)]
    assert mediation["overrides"][0]["overridden_by"].startswith("credential:")
    # His message, written down by the consulent; the organisation accepts, the consulent records his yes.
    message = f"/v1/centrales/{centrale_id}/volunteers/{henk}/proposals/{match_id}/message"
    assert (await registry.http.put(message, json={"text": "Ik help graag mee."}, headers=staff)).status_code == 204
    organisation_matching = await region.known_to_matching(organisation)
    accept = f"/v1/centrales/{centrale_id}/proposals/{match_id}/accept"
    assert (await matching.post(accept, headers=organisation_matching)).json()["status"] == "accepted"
    agree = f"/v1/centrales/{centrale_id}/proposals/{match_id}/agree"
    agreed = await matching.post(agree, json={"how": "phone"}, headers=staff_matching)
    assert agreed.json()["status"] == "made"

    # Without his consent, the organisation reaches him through the centrale.
    contact_path = f"/v1/centrales/{centrale_id}/organisations/{organisation_id}/matches/{match_id}/contact"

    async def through_the_centrale() -> dict[str, Any] | None:
        response = await registry.http.get(contact_path, headers=organisation)
        return response.json() if response.status_code == 200 else None

    assert (await eventually(through_the_centrale, "the match's contact"))["kind"] == "centrale"

    # Henk has no e-mail: what would have been mailed to him is on the consulent's call list.
    async def his_calls() -> list[dict[str, Any]] | None:
        calls: list[dict[str, Any]] = (
            await registry.http.get(f"/v1/centrales/{centrale_id}/call-list", headers=staff)
        ).json()
        his = [c for c in calls if c["notice"]["recipient_id"] == str(henk)]
        return his if any(c["notice"]["kind"] == "match_made" for c in his) else None

    calls = await eventually(his_calls, "Henk on the call list")
    # (The registry's clock stands still in this test, so they share one moment: compared as a set.)
    assert {(c["notice"]["kind"], c["task_title"]) for c in calls} == {
        ("proposal_new", "Boodschappenbus rijden"),
        ("accepted", "Boodschappenbus rijden"),
        ("match_made", "Boodschappenbus rijden"),
    }
    assert {c["phone"] for c in calls} != {None}
    done_call = f"/v1/centrales/{centrale_id}/call-list/{calls[0]['notice']['id']}/done"
    assert (await registry.http.post(done_call, headers=staff)).status_code == 204
    left = (await registry.http.get(f"/v1/centrales/{centrale_id}/call-list", headers=staff)).json()
    assert len([c for c in left if c["notice"]["recipient_id"] == str(henk)]) == 2  # the call made left the list


async def _not_404(response: Awaitable[httpx.Response]) -> httpx.Response | None:
    answered = await response
    return answered if answered.status_code != 404 else None


async def _phone(registry: Registry, volunteer_id: UUID) -> str:
    phone: str = await registry.pool.fetchval("SELECT phone FROM volunteers WHERE id = $1", volunteer_id)
    return phone
