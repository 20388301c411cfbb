"""A short tour through the running local platform, printing what happens at each step.

Registers volunteers for two centrales through the registry's API, shows the event that went over
Kafka (no personal data in it), waits for reporting's per-centrale counts, then re-delivers one event
to show it is counted once. Run ``make demo`` (which starts everything first).
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord

# Run as a script, so its own folder is on sys.path and the sibling module imports directly.
from localplatform import DEMO_OPS_TOKEN, PORTS, ROOT, infra_env

from common.clock import dutch_today
from contracts import topic_for
from reporting import export

OUT = ROOT / ".local" / "reports"
REGISTRY = f"http://127.0.0.1:{PORTS['registry']}"
MATCHING = f"http://127.0.0.1:{PORTS['matching']}"
REPORTING = f"http://127.0.0.1:{PORTS['reporting']}"
PORTAL = f"http://127.0.0.1:{PORTS['portal']}"
# Every demo account's password (local demo only: the accounts live in the demo's own database).
DEMO_PASSWORD = "demo-wachtwoord-2026"
TUESDAY_MORNING = [{"weekday": 2, "start": "09:00", "end": "12:00"}]
CONSENT = [{"kind": "matching", "text_version": "2026-01"}]
AREAS = [{"pc4": "3511", "lat": 52.0907, "lon": 5.1214}, {"pc4": "3512", "lat": 52.0874, "lon": 5.1250},
         {"pc4": "3701", "lat": 52.0894, "lon": 5.2330}]  # fmt: skip
# The registry's copy also names each area's place and district (the vacaturebank shows them).
PLACES = {"3511": ("Utrecht", "Binnenstad"), "3512": ("Utrecht", "Oost"), "3701": ("Zeist", "Centrum")}
OPS = {"Authorization": f"Bearer {DEMO_OPS_TOKEN}"}
CENTRALES = [
    ("vc-utrecht", "Vrijwilligerscentrale Utrecht", "GM0344"),
    ("vc-zeist", "Vrijwilligerscentrale Zeist", "GM0355"),
]
VOLUNTEERS: list[tuple[str, dict[str, Any]]] = [
    ("vc-utrecht", {"name": "Fatima el Amrani", "email": "fatima@example.nl", "postcode": "3511 AB",
                    "birth_date": "1994-05-17", "skills": ["koken", "taalles"], "interests": ["zorg"],
                    "languages": ["nl", "ar"], "availability": TUESDAY_MORNING, "max_distance_km": 5,
                    "consents": CONSENT}),
    ("vc-utrecht", {"name": "Jan de Vries", "postcode": "3512 CD", "birth_date": "1956-02-03",
                    "skills": ["vervoer"], "interests": ["ouderen"], "languages": ["nl"],
                    "availability": TUESDAY_MORNING, "consents": CONSENT}),
    ("vc-zeist", {"name": "Sanne Bakker", "phone": "0612345678", "postcode": "3701 EF",
                  "birth_date": "2008-09-30", "skills": ["sport"], "interests": ["jeugd"], "languages": ["nl", "en"],
                  "needs_support": True}),
]  # fmt: skip


def say(text: str) -> None:
    """Print one step of the tour."""
    print(text, flush=True)


async def count(client: httpx.AsyncClient, centrale_id: str) -> int:
    """Reporting's count of registered volunteers for a centrale."""
    response = await client.get(f"{REPORTING}/v1/centrales/{centrale_id}/volunteers/count", headers=OPS)
    response.raise_for_status()
    return int(response.json()["registered"])


async def wait_for(client: httpx.AsyncClient, expected: dict[str, int], timeout: float = 30) -> dict[str, int]:
    """Poll reporting until every centrale's count reached the expected value."""
    deadline = time.monotonic() + timeout
    while True:
        seen = {centrale: await count(client, centrale) for centrale in expected}
        if all(seen[c] >= n for c, n in expected.items()) or time.monotonic() > deadline:
            return seen
        await asyncio.sleep(0.3)


async def fetch_event(bootstrap: str, volunteer_id: str) -> tuple[TopicPartition, ConsumerRecord[bytes, bytes]]:
    """Read the volunteers topic from the start until the event keyed by ``volunteer_id`` shows up."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        topic = "registry.volunteers.v1"
        partitions = [TopicPartition(topic, p) for p in range(topic_for(topic).partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for tp, records in (await consumer.getmany(timeout_ms=500)).items():
                for record in records:
                    if record.key == volunteer_id.encode():
                        return tp, record
        raise TimeoutError("event did not arrive")
    finally:
        await consumer.stop()


async def main() -> None:
    """Run the tour."""
    bootstrap = infra_env()["KAFKA_BOOTSTRAP_SERVERS"]
    async with httpx.AsyncClient(timeout=10) as client:
        say("1. Region ops adds two centrales and issues each an intake credential")
        staff: dict[str, dict[str, str]] = {}
        for centrale_id, name, municipality in CENTRALES:
            created = await client.post(
                f"{REGISTRY}/v1/centrales",
                json={"id": centrale_id, "name": name, "municipality_code": municipality},
                headers=OPS,
            )
            note = "created" if created.status_code == 201 else "exists already"
            credential = await client.post(
                f"{REGISTRY}/v1/centrales/{centrale_id}/credentials", json={"label": "intake desk"}, headers=OPS
            )
            credential.raise_for_status()
            staff[centrale_id] = {"Authorization": f"Bearer {credential.json()['token']}"}
            say(f"   {centrale_id:11} {name} ({municipality}): {note}, staff token issued")

        before = {centrale_id: await count(client, centrale_id) for centrale_id, _, _ in CENTRALES}
        say(f"2. Reporting's counts before: {before}")

        say("3. Staff register volunteers at intake (HTTP → registry table + outbox row in one transaction)")
        ids = []
        for centrale_id, body in VOLUNTEERS:
            response = await client.post(
                f"{REGISTRY}/v1/centrales/{centrale_id}/volunteers", json=body, headers=staff[centrale_id]
            )
            response.raise_for_status()
            ids.append(response.json()["id"])
            say(f"   {centrale_id:11} registered {body['name']!r:20} → volunteer id {ids[-1]}")

        refused = await client.post(
            f"{REGISTRY}/v1/centrales/vc-zeist/volunteers", json={"name": "X"}, headers=staff["vc-utrecht"]
        )
        say(f"   vc-utrecht staff writing to vc-zeist → HTTP {refused.status_code} (tenants never see each other)")
        invalid = await client.post(
            f"{REGISTRY}/v1/centrales/vc-utrecht/volunteers",
            json={"name": "Y", "postcode": "12345"},
            headers=staff["vc-utrecht"],
        )
        detail = invalid.json()["detail"][0]
        say(f"   a bad postcode → HTTP {invalid.status_code}: {detail['loc'][-1]}: {detail['msg']}")

        tp, record = await fetch_event(bootstrap, ids[0])
        say(f"4. The relay published VolunteerRegistered on {tp.topic}[{tp.partition}], key = volunteer id")
        headers = {name: value.decode() for name, value in record.headers}
        say(f"   headers: ce_type={headers['ce_type']} ce_tenant={headers['ce_tenant']} "
            f"ce_correlationid={headers['ce_correlationid']}")  # fmt: skip
        payload = json.loads(record.value)
        shown = {k: payload[k] for k in ("volunteer_id", "postcode_area", "age_band", "skills", "languages")}
        say(f"   payload (no name, e-mail, phone, address or birth date): {shown}")
        sealed = payload["sealed_special"][:16]
        say(f"   the profile travels sealed per volunteer (crypto-shredding): sealed_special={sealed}…")

        expected = {c: before[c] + sum(1 for v, _ in VOLUNTEERS if v == c) for c in before}
        after = await wait_for(client, expected)
        say(f"5. Reporting consumed the events through its inbox; counts now: {after}")

        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await producer.start()
        try:
            await producer.send_and_wait(
                tp.topic,
                value=record.value,
                key=record.key,
                headers=list(record.headers),
            )
        finally:
            await producer.stop()
        await asyncio.sleep(3)
        again = {centrale_id: await count(client, centrale_id) for centrale_id in before}
        say(f"6. The same event delivered a second time; counts still: {again} (inbox dedupe)")
        if again != after or after != expected:
            raise SystemExit(f"unexpected counts: expected {expected}, got {after} then {again}")
        organisation_id = await matching_tour(client, staff["vc-utrecht"])
    await reporting_tour()
    async with httpx.AsyncClient(timeout=30) as client:
        await portal_tour(client, staff["vc-utrecht"], organisation_id, fatima_id=ids[0])
    say("Done. Services keep running: see `make status`, logs in .local/logs/, stop with `make down`.")


async def matching_tour(client: httpx.AsyncClient, staff: dict[str, str]) -> str:
    """An organisation is vetted, its task checked and published, matching proposes, both sides say yes."""
    loaded = await client.put(f"{MATCHING}/v1/postcode-areas", json=AREAS, headers=OPS)
    loaded.raise_for_status()
    named = [{**area, "place": PLACES[str(area["pc4"])][0], "district": PLACES[str(area["pc4"])][1]} for area in AREAS]
    (await client.put(f"{REGISTRY}/v1/postcode-areas", json=named, headers=OPS)).raise_for_status()
    say(f"7. Ops loaded {loaded.json()['loaded']} PC4 centroids into matching and the registry (distances, never "
        "addresses)")  # fmt: skip
    organisation = await client.post(
        f"{REGISTRY}/v1/centrales/vc-utrecht/organisations",
        json={"name": "Buurthuis De Linde", "formal": False, "postcode": "3511 AB", "liability_insured": True,
              "contact_person": {"name": "Anna de Boer", "email": "anna@buurthuis.example"}},
        headers=staff,
    )  # fmt: skip
    organisation.raise_for_status()
    organisation_id = organisation.json()["id"]
    (await client.post(f"{REGISTRY}/v1/centrales/vc-utrecht/organisations/{organisation_id}/admit",
                       headers=staff)).raise_for_status()  # fmt: skip
    credential = await client.post(
        f"{REGISTRY}/v1/centrales/vc-utrecht/organisations/{organisation_id}/credentials",
        json={"label": "coördinator"}, headers=staff,
    )  # fmt: skip
    org = {"Authorization": f"Bearer {credential.json()['token']}"}
    say("8. Staff registered and admitted Buurthuis De Linde (an informal initiative) and gave it a token")
    tasks = f"{REGISTRY}/v1/centrales/vc-utrecht/organisations/{organisation_id}/tasks"
    task = {"title": "Samen koken op dinsdag", "theme": "zorg", "skills": ["koken"], "capacity": 1,
            "description": "Kook op dinsdagochtend mee in het buurthuis voor ouderen uit de wijk, samen met twee vaste "
                           "vrijwilligers.", "hours_per_week": "30", "vog_required": False,
            "postcode": "3511 AB", "shifts": TUESDAY_MORNING}  # fmt: skip
    task_id = (await client.post(tasks, json=task, headers=org)).json()["id"]
    refused = await client.post(f"{tasks}/{task_id}/publish", headers=org)
    say(f"9. Publishing asks 30 h/week → HTTP {refused.status_code}: {refused.json()['detail'][0]['msg']}")
    (await client.put(f"{tasks}/{task_id}", json={**task, "hours_per_week": "3"}, headers=org)).raise_for_status()
    (await client.post(f"{tasks}/{task_id}/publish", headers=org)).raise_for_status()
    say("   with 3 h/week it passes the NOV check and is published (TaskPosted)")
    search = {"q": "koken", "theme": "zorg", "postcode": "3512", "within_km": "5"}
    found = (await client.get(f"{REGISTRY}/v1/vacatures", params=search)).json()
    for item in found["items"]:
        say(f"   anyone finds it in the vacaturebank (no login, GET /v1/vacatures?q=koken&theme=zorg&postcode=3512"
            f"&within_km=5): '{item['title']}' by {item['organisation']}, {item['area']['pc4']} "
            f"{item['area']['place']}, {item['distance_km']} km")  # fmt: skip
    if [item["id"] for item in found["items"]] != [task_id]:
        raise SystemExit(f"the vacaturebank did not find the task: {found}")
    proposals_url = f"{MATCHING}/v1/centrales/vc-utrecht/tasks/{task_id}/proposals"
    deadline = time.monotonic() + 30
    while True:
        response = await client.get(proposals_url, headers=staff)
        if response.status_code == 200 and response.json():
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"no proposals from matching: {response.status_code} {response.text}")
        await asyncio.sleep(0.3)
    say("10. Matching proposed, with its reasons:")
    for proposal in response.json():
        say(f"    score {proposal['score']:.2f}  volunteer {proposal['volunteer_id'][:8]}…  "
            f"{'; '.join(proposal['reasons'])}")  # fmt: skip
    best = response.json()[0]
    accepted = await client.post(f"{MATCHING}/v1/centrales/vc-utrecht/proposals/{best['match_id']}/accept", headers=org)
    accepted.raise_for_status()
    say(f"11. The organisation accepts the best proposal → {accepted.json()['status']} (MatchAccepted): a match takes "
        "the volunteer's yes too")  # fmt: skip
    token = await client.post(
        f"{REGISTRY}/v1/centrales/vc-utrecht/volunteers/{best['volunteer_id']}/credentials",
        json={"label": "telefoon"}, headers=staff,
    )  # fmt: skip
    volunteer = {"Authorization": f"Bearer {token.json()['token']}"}
    agree = f"{MATCHING}/v1/me/proposals/{best['match_id']}/agree"
    deadline = time.monotonic() + 30
    # 401 until matching learned the volunteer's new credential from the registry's events.
    while (agreed := await client.post(agree, headers=volunteer)).status_code == 401:
        if time.monotonic() > deadline:
            raise SystemExit("matching never learned the volunteer's credential")
        await asyncio.sleep(0.3)
    agreed.raise_for_status()
    say(f"    the volunteer agrees → {agreed.json()['status']}: MatchMade published (both said yes)")
    deadline = time.monotonic() + 30
    while (status := (await client.get(f"{tasks}/{task_id}", headers=org)).json()["status"]) != "filled":
        if time.monotonic() > deadline:
            raise SystemExit(f"task not filled: {status}")
        await asyncio.sleep(0.3)
    say("    the registry learned the match from Kafka: capacity 1 reached, task status 'filled'")
    gone = await client.get(f"{REGISTRY}/v1/vacatures/{task_id}")
    say(f"    its public page now answers HTTP {gone.status_code}: {gone.json()['detail']}")
    shifts = f"{REGISTRY}/v1/centrales/vc-utrecht/tasks/{task_id}"
    pattern = {"rule": "FREQ=WEEKLY;BYDAY=TU", "starts_on": dutch_today().isoformat(), "start": "09:00", "end": "12:00"}
    planned = await client.post(f"{shifts}/shift-patterns", json=pattern, headers=org)
    planned.raise_for_status()
    first = (await client.get(f"{shifts}/shifts", headers=volunteer)).json()["shifts"][0]
    signup = await client.post(f"{shifts}/shifts/{first['id']}/signups", json={}, headers=volunteer)
    signup.raise_for_status()
    say(f"    the organisation plans dated shifts (every Tuesday 09:00-12:00: {planned.json()['shifts']} in the next"
        f" six months); the volunteer signs up for the first → {signup.json()['status']}")  # fmt: skip
    return str(organisation_id)


async def reporting_tour() -> None:
    """Reporting maps centrales and districts, then writes Utrecht's report page, CSV and charts."""
    await export.configure(
        REPORTING, DEMO_OPS_TOKEN,
        {"vc-utrecht": ("GM0344", "Utrecht", "Vrijwilligerscentrale Utrecht"),
         "vc-zeist": ("GM0355", "Zeist", "Vrijwilligerscentrale Zeist")},
        [("3511", "WK034401", "Binnenstad"), ("3512", "WK034402", "Oost"), ("3701", "WK035501", "Zeist-Centrum")],
    )  # fmt: skip
    year = str(datetime.now(UTC).year)
    written = await export.export_report(REPORTING, DEMO_OPS_TOKEN, "GM0344", year, OUT)
    say(f"12. Reporting wrote Utrecht's {year} report (figures of 1-4 people show as <5):")
    for kind, path in sorted(written.items()):
        say(f"    {kind:18} {path.relative_to(OUT.parent.parent)}")


async def portal_tour(client: httpx.AsyncClient, staff: dict[str, str], organisation_id: str, fatima_id: str) -> None:
    """Accounts for every kind of person (invited, password chosen through the link), and where to log in."""
    partner = await client.post(f"{REGISTRY}/v1/business-partners", json={"name": "Bouwbedrijf De Vries"}, headers=OPS)
    partner_id = partner.json()["id"]
    hr_system = await client.post(
        f"{REGISTRY}/v1/business-partners/{partner_id}/credentials", json={"label": "HR-systeem"}, headers=OPS
    )
    day = {"external_ref": "HR-DEMO-1", "team_size": 8, "on_date": f"{datetime.now(UTC).year + 1}-03-13",
           "themes": ["natuur"], "postcode": "3511"}  # fmt: skip
    await client.post(
        f"{REGISTRY}/v1/volunteer-days", json=day, headers={"Authorization": f"Bearer {hr_system.json()['token']}"}
    )
    people = [
        ("Consulent (set up the authenticator app at first login)", "centrale_staff", "vc-utrecht", None,
         "consulent@vc-utrecht.example", "Anna Jansen", OPS),
        ("Organisation (Buurthuis De Linde)", "organisation", "vc-utrecht", organisation_id,
         "coordinator@buurthuis.example", "Bea de Linde", staff),
        ("Volunteer (Fatima el Amrani)", "volunteer", "vc-utrecht", fatima_id, "fatima@example.nl", None, staff),
        ("Municipality (Utrecht)", "municipality_reader", "vc-utrecht", None, "beleid@utrecht.example",
         "Mira Beleid", OPS),
        ("Business partner HR (Bouwbedrijf De Vries)", "business_partner", None, partner_id,
         "hr@bouwbedrijf.example", "Hanna HR", OPS),
        ("Region ops (set up the authenticator app at first login)", "region_ops", None, None,
         "ops@regio.example", "Olaf Ops", OPS),
    ]  # fmt: skip
    say(f"13. The portal: {PORTAL}  (people log in with their own accounts; password of every demo account: "
        f"{DEMO_PASSWORD})")  # fmt: skip
    for label, role, centrale_id, subject_id, email, name, inviter in people:
        body: dict[str, Any] = {"role": role, "centrale_id": centrale_id, "subject_id": subject_id}
        if role != "volunteer":
            body.update(email=email, name=name)
        invited = await client.post(f"{REGISTRY}/v1/invitations", json=body, headers=inviter)
        token = invited.json().get("development_link_token") if invited.status_code == 201 else None
        if token:
            chosen = await client.post(f"{REGISTRY}/v1/passwords", json={"token": token, "password": DEMO_PASSWORD})
            chosen.raise_for_status()
        say(f"    {label:58} {email}")
    say(f"    the vacaturebank, open to anyone: {PORTAL}/vacatures")


if __name__ == "__main__":
    asyncio.run(main())
