"""Issue 16's erasure scan: after an erasure and its retention window, no copy the platform controls links the id.

The registry, matching, appreciation and reporting run as real processes on the session's Kafka and PostgreSQL.
A volunteer registered with every personal and special field is matched (with their consulent's approval), logs
hours, gets an award and a certificate, and is erased. The delivery records' retention job then runs with a clock
past its window, and the scan reads (1) every topic from the beginning, dead letters included, (2) every table of
every service's database and (3) the services' logs: nothing may hold the name, e-mail, phone, postcode or birth
date, and nothing that holds the erased id may hold a profile attribute (PC4, age band, skills, languages,
availability), a target group or the support need. Then every service's read model is rebuilt from the beginning
of its topics: without errors or dead letters, without the person, and reporting still counts them anonymously.

The checks on ``registry.volunteers.v1`` come last: the coarse profile there is sealed by the profile sealing
(see README, "Crypto-shredding"), the rest of the scan does not depend on it.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from common.clock import ManualClock, dutch_today
from common.db import create_pool
from common.jobs import Scheduler
from common.ops.groups import end_offsets, wait_until_caught_up
from common.ops.replay import load_spec, replay_projection
from common.retention import RETENTION_JOBS
from common.settings import ServiceSettings
from common.uow import PostgresUnitOfWork
from contracts import topic_for
from tests.e2e.conftest import Platform
from tests.support.kafka import Record
from tests.support.schedule import a_weekday_not_today

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

VOLUNTEERS = "registry.volunteers.v1"
# Today's hours are logged: no shift today, so the scan runs at any hour (tests/support/schedule.py).
MORNING: list[dict[str, Any]] = [{"weekday": a_weekday_not_today(), "start": "09:15", "end": "11:45"}]
LABEL = "statushouder"
# Keys whose true or non-empty value states a special category.
SPECIAL_KEYS = frozenset({"needs_support", "needs_consulent", "target_groups", "support_need"})
# Strings no person typed: ids, moments, digests (a PC4's four digits occur inside them: the false hits CI had).
_ID_SHAPED = re.compile(
    r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|\d{4}-\d{2}-\d{2}[T ][0-9:.]+(?:Z|[+-][0-9:]+)?"
    r"|[0-9a-f]{32,})$"
)
# Every service's outbox and inbox windows are at most this long by default (7 and 30 days).
RETENTION_PASSED = timedelta(days=31)


@dataclass(frozen=True)
class Person:
    """Everything the volunteer told the centrale, unique to this run so that a hit is theirs."""

    name: str
    email: str
    phone: str
    postcode: str
    birth_date: str
    pc4: str = "3512"
    age_band: str = "30-49"
    skill: str = "fietsreparatie"
    language: str = "ar"

    @classmethod
    def new(cls) -> Person:
        """A person with a name, e-mail and phone nobody else in the session has."""
        tag = secrets.token_hex(3)
        return cls(
            name=f"Yasmina Wissing-{tag}",
            email=f"yasmina-{tag}@example.nl",
            phone=f"06{secrets.randbelow(10**8):08d}",
            postcode="3512 JE",
            birth_date="1987-11-23",
        )

    @property
    def stated_in_text(self) -> tuple[str, ...]:
        """Profile attributes as they would appear inside any text (times of the availability included)."""
        times = tuple(slot[end] for slot in MORNING for end in ("start", "end"))
        return (self.pc4, self.age_band, self.skill, LABEL, *times)

    @property
    def language_code(self) -> re.Pattern[str]:
        """The language as a code of its own ("ar", or in a list: "spreekt nl, ar")."""
        return re.compile(rf"\b{self.language}\b")

    @property
    def identifying(self) -> tuple[str, ...]:
        """Values that identify the person wherever they occur (with or without the id next to them)."""
        return (self.name, self.email, self.phone, self.postcode, self.postcode.replace(" ", ""), self.birth_date)


def _leaves(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """Every scalar of a JSON-like value with the key it sits under."""
    if isinstance(value, Mapping):
        for inner_key, inner in value.items():
            yield from _leaves(inner, str(inner_key))
    elif isinstance(value, list | tuple):
        if key in SPECIAL_KEYS and value:
            yield key, value
        for inner in value:
            yield from _leaves(inner, key)
    else:
        yield key, value


def _parsed(text: str) -> Any:
    """A JSON text as its value, anything else as the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _profile_hits(document: Any, person: Person) -> list[str]:
    """What of the person's profile or special categories a document that holds their id states."""
    hits = []
    for key, value in _leaves(document):
        if key in SPECIAL_KEYS and value not in (False, None, [], ""):
            hits.append(f"{key}={value!r}")
        if not isinstance(value, str) or _ID_SHAPED.match(value):
            continue
        if any(part in value for part in person.stated_in_text) or person.language_code.search(value):
            hits.append(f"{key}={value!r}")
    return hits


def _scan_text(where: str, text: str, document: Any, erased: UUID, person: Person) -> list[str]:
    """The leaks in one record, row or log line."""
    found = [f"{where}: {value!r}" for value in person.identifying if value in text]
    if str(erased) in text:
        found += [f"{where} (holds the id): {hit}" for hit in _profile_hits(document, person)]
    return found


async def _until(check: Callable[[], Awaitable[Any]], what: str, timeout: float = 45.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := await check()):
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        await asyncio.sleep(0.25)
    return result


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _fetchval(platform: Platform, service: str, query: str, *args: Any) -> Any:
    conn = await asyncpg.connect(platform.databases[service])
    try:
        return await conn.fetchval(query, *args)
    finally:
        await conn.close()


class Journey:
    """The volunteer's way through the platform, over the services' HTTP APIs."""

    def __init__(self, http: httpx.AsyncClient, platform: Platform) -> None:
        self.http, self.platform = http, platform
        self.ops = _bearer(platform.ops_token)
        self.centrale_id = f"vc-scan-{secrets.token_hex(3)}"
        self.municipality = f"GM8{secrets.randbelow(1000):03d}"
        self.registry = platform.url("registry")

    async def centrale(self) -> None:
        """The centrale, its own municipality in reporting, a staff credential."""
        created = await self.http.post(
            f"{self.registry}/v1/centrales",
            json={"id": self.centrale_id, "name": "Vrijwilligerscentrale Scan", "municipality_code": self.municipality},
            headers=self.ops,
        )
        assert created.status_code == 201, created.text
        mapped = await self.http.put(
            f"{self.platform.url('reporting')}/v1/ops/centrales/{self.centrale_id}",
            json={"municipality_code": self.municipality, "municipality_name": "Scanstad"},
            headers=self.ops,
        )
        assert mapped.status_code == 200, mapped.text
        staff = await self.http.post(
            f"{self.registry}/v1/centrales/{self.centrale_id}/credentials", json={"label": "desk"}, headers=self.ops
        )
        assert staff.status_code == 201, staff.text
        self.staff = _bearer(staff.json()["token"])

    async def volunteer(self, person: Person) -> UUID:
        """Registered with every personal and special field."""
        response = await self.http.post(
            f"{self.registry}/v1/centrales/{self.centrale_id}/volunteers",
            json={
                "name": person.name,
                "email": person.email,
                "phone": person.phone,
                "postcode": person.postcode,
                "birth_date": person.birth_date,
                "skills": [person.skill],
                "languages": ["nl", person.language],
                "availability": MORNING,
                "needs_support": True,
                "target_groups": [LABEL],
                "consents": [
                    {"kind": "matching", "text_version": "2026-01"},
                    {"kind": "target_group_labels", "text_version": "2026-01"},
                ],
            },
            headers=self.staff,
        )
        assert response.status_code == 201, response.text
        return UUID(response.json()["id"])

    async def task(self, person: Person) -> tuple[str, str, dict[str, str]]:
        """An admitted organisation with a published task asking the person's skill; its base URL, task, headers."""
        organisation = await self.http.post(
            f"{self.registry}/v1/centrales/{self.centrale_id}/organisations",
            json={"name": "Fietsenwerkplaats De Spaak", "formal": False, "postcode": "3511 AB",
                  "liability_insured": True, "contact_person": {"name": "Anna", "email": "anna@spaak.example"}},
            headers=self.staff,
        )  # fmt: skip
        assert organisation.status_code == 201, organisation.text
        base = f"{self.registry}/v1/centrales/{self.centrale_id}/organisations/{organisation.json()['id']}"
        assert (await self.http.post(f"{base}/admit", headers=self.staff)).status_code == 204
        token = await self.http.post(f"{base}/credentials", json={"label": "coördinator"}, headers=self.staff)
        org = _bearer(token.json()["token"])
        task = await self.http.post(
            f"{base}/tasks",
            json={"title": "Fietsen maken", "theme": "sport", "skills": [person.skill], "capacity": 1,
                  "hours_per_week": "3", "vog_required": False, "shifts": MORNING, "postcode": "3511 AB",
                  "support_accessible": True,
                  "description": "Repareer 's ochtends fietsen met buurtbewoners in de werkplaats."},
            headers=org,
        )  # fmt: skip
        assert task.status_code == 201, task.text
        task_id = task.json()["id"]
        assert (await self.http.post(f"{base}/tasks/{task_id}/publish", headers=org)).status_code == 204
        return base, task_id, org

    async def match(self, volunteer_id: UUID, task_id: str, org: dict[str, str]) -> UUID:
        """Matching proposes the volunteer; their consulent approves, the organisation and the volunteer agree."""
        matching = f"{self.platform.url('matching')}/v1/centrales/{self.centrale_id}"

        async def proposed() -> list[dict[str, Any]]:
            response = await self.http.get(f"{matching}/tasks/{task_id}/proposals", headers=org)
            return [p for p in response.json() if p["volunteer_id"] == str(volunteer_id)] if response.is_success else []

        [proposal] = await _until(proposed, "a proposal for the volunteer")
        match_id = proposal["match_id"]
        for step in ("approve", "accept", "agree"):
            answer = await self.http.post(
                f"{matching}/proposals/{match_id}/{step}",
                json={"how": "in_person"} if step == "agree" else None,
                headers=org if step == "accept" else self.staff,
            )
            assert answer.is_success, (step, answer.text)
        return UUID(match_id)

    async def hours(self, base: str, match_id: UUID, org: dict[str, str]) -> None:
        """Three hours logged by the organisation (they count at once), once the registry knows the match."""

        async def logged() -> bool:
            response = await self.http.post(
                f"{base}/matches/{match_id}/hours",
                json={"worked_on": dutch_today().isoformat(), "hours": "3"},
                headers=org,
            )
            assert response.status_code in (201, 404), response.text
            return response.status_code == 201

        await _until(logged, "the registry to know the match")

    async def award_and_certificate(self, volunteer_id: UUID, person: Person) -> None:
        """The first-match award arrives; staff print a certificate (the name is printed, not kept)."""
        appreciation = f"{self.platform.url('appreciation')}/v1/centrales/{self.centrale_id}"

        async def awarded() -> bool:
            answer = await self.http.get(f"{appreciation}/volunteers/{volunteer_id}/appreciation", headers=self.staff)
            if answer.status_code != 200:
                return False
            body = answer.json()
            return Decimal(str(body["total_hours"])) == 3 and any(a["rule_id"] == "first-match" for a in body["awards"])

        await _until(awarded, "the first-match award and the hours in appreciation")
        certificate = await self.http.post(
            f"{appreciation}/volunteers/{volunteer_id}/certificates", json={"name": person.name}, headers=self.staff
        )
        assert certificate.status_code == 201, certificate.text
        assert certificate.content.startswith(b"%PDF")

    async def counted(self) -> tuple[int, Decimal]:
        """Reporting's count of the centrale's volunteers and its hours (exact: straight from its facts)."""
        registered = await self.http.get(
            f"{self.platform.url('reporting')}/v1/centrales/{self.centrale_id}/volunteers/count", headers=self.ops
        )
        assert registered.status_code == 200, registered.text
        hours = await _fetchval(
            self.platform, "reporting", "SELECT sum(hours) FROM hours_facts WHERE centrale_id = $1", self.centrale_id
        )
        return registered.json()["registered"], Decimal(hours or 0)


async def _topics(bootstrap: str) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return sorted(topic for topic in await admin.list_topics() if not topic.startswith("__"))
    finally:
        await admin.close()


def _record_text(record: Record) -> tuple[str, Any]:
    key = (record.key or b"").decode(errors="replace")
    value = (record.value or b"").decode(errors="replace")
    headers = {name: data.decode(errors="replace") for name, data in record.headers}
    return f"{key} {value} {json.dumps(headers)}", {"key": key, "value": _parsed(value), "headers": headers}


async def _every_record(bootstrap: str, topics: list[str], timeout: float = 120.0) -> list[Record]:
    """Every record of ``topics`` up to their current end offsets, read by one consumer (one per topic is slow)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, max_poll_records=5000)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for topic in topics for p in range(topic_for(topic).partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        behind = {tp for tp, end in ends.items() if end > 0}
        records: list[Record] = []
        deadline = time.monotonic() + timeout
        while behind:
            assert time.monotonic() < deadline, f"could not read {len(behind)} partitions to their end"
            for partition_records in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(partition_records)
            behind = {tp for tp in behind if await consumer.position(tp) < ends[tp]}
        return records
    finally:
        await consumer.stop()


async def _scan_topics(bootstrap: str, erased: UUID, person: Person) -> dict[str, list[str]]:
    """Leaks per topic, every topic read from the beginning (dead letters included)."""
    found: dict[str, list[str]] = {}
    for record in await _every_record(bootstrap, await _topics(bootstrap)):
        text, document = _record_text(record)
        hits = _scan_text(f"{record.topic}@{record.partition}:{record.offset}", text, document, erased, person)
        if hits:
            found.setdefault(record.topic, []).extend(hits)
    return found


def _cell(value: Any) -> Any:
    """A column's value as JSON-like data (json columns parsed, the rest as text)."""
    if isinstance(value, str):
        return _parsed(value) if value[:1] in "[{" else value
    if isinstance(value, list | tuple):
        return [_cell(item) for item in value]
    return value if value is None or isinstance(value, bool) else str(value)


async def _scan_tables(platform: Platform, erased: UUID, person: Person) -> list[str]:
    """Leaks in every row of every table of every service's database."""
    found = []
    for service, url in platform.databases.items():
        conn = await asyncpg.connect(url)
        try:
            tables = await conn.fetch(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                " AND table_type = 'BASE TABLE'"
            )
            for table in (row["table_name"] for row in tables):
                # The names come from the catalogue, not from input.
                for row in await conn.fetch(f'SELECT * FROM "{table}"'):  # noqa: S608
                    document = {column: _cell(value) for column, value in row.items()}
                    text = json.dumps(document, default=str, ensure_ascii=False)
                    found += _scan_text(f"{service}.{table}", text, document, erased, person)
        finally:
            await conn.close()
    return found


def _scan_logs(platform: Platform, erased: UUID, person: Person) -> list[str]:
    """Leaks in every line the service processes logged."""
    found = []
    for service, process in platform.services.items():
        for number, line in enumerate(process.log_path.read_text(errors="replace").splitlines(), 1):
            found += _scan_text(f"{service}.log:{number}", line, _parsed(line), erased, person)
    return found


async def _retention_window_passes(platform: Platform) -> dict[str, dict[str, int]]:
    """Every service's delivery-record purge, run with a clock past the longest default window."""
    counts = {}
    clock = ManualClock(datetime.now(UTC) + RETENTION_PASSED)
    for service, url in platform.databases.items():
        pool = await create_pool(url, 2)
        try:
            scheduler = Scheduler(
                service=service, region="testregio", jobs=RETENTION_JOBS, pool=pool, clock=clock,
                factory=PostgresUnitOfWork, settings=ServiceSettings(development=True),
            )  # fmt: skip
            run = await scheduler.run_now("purge-delivery-records")
            assert run.status == "done", run
            counts[service] = dict(run.counts)
        finally:
            await pool.close()
    return counts


async def _dead_letters_of(bootstrap: str, centrale_id: str) -> list[str]:
    """Dead letters (any topic) of events of the centrale: what a replay must not produce."""
    found = []
    for record in await _every_record(bootstrap, [t for t in await _topics(bootstrap) if t.endswith(".dlq")]):
        headers = {name: data.decode(errors="replace") for name, data in record.headers}
        if headers.get("ce_tenant") == centrale_id or centrale_id.encode() in (record.value or b""):
            found.append(
                f"{record.topic}@{record.offset}: {headers.get('dlq_consumer')} {headers.get('dlq_error_class')}"
            )
    return found


async def _replay(platform: Platform, service: str) -> None:
    """The documented offline replay (``python -m common.ops replay``): stop, reset and empty, start, catch up."""
    process = platform.services[service]
    process.stop()
    spec = load_spec(f"{service}.main:SPEC")
    result = await replay_projection(platform.bootstrap, spec, platform.databases[service], wait_for_empty_s=60)
    targets = await end_offsets(platform.bootstrap, {tp.topic for tp in result.offsets})
    process.start()
    await process.wait_ready()
    await wait_until_caught_up(platform.bootstrap, spec.name, targets, timeout=120)


async def test_after_erasure_and_its_window_no_copy_links_the_id_to_the_person(platform: Platform) -> None:
    person = Person.new()
    async with httpx.AsyncClient(timeout=20) as http:
        journey = Journey(http, platform)
        await journey.centrale()
        erased = await journey.volunteer(person)
        base, task_id, org = await journey.task(person)
        match_id = await journey.match(erased, task_id, org)
        await journey.hours(base, match_id, org)
        await journey.award_and_certificate(erased, person)
        assert await _until(lambda: _counted_as(journey, (1, Decimal(3))), "reporting's count and hours")

        erase = await http.delete(
            f"{platform.url('registry')}/v1/centrales/{journey.centrale_id}/volunteers/{erased}", headers=journey.staff
        )
        assert erase.status_code == 204, erase.text
        await _until(lambda: _erased_everywhere(platform, erased), "every service applied the erasure")
        purged = await _retention_window_passes(platform)
        # Reporting publishes nothing; the others' published rows (copies of their events) all go.
        assert all(purged[service]["outbox_rows"] > 0 for service in ("registry", "matching", "appreciation")), purged

        # (2) every table, (3) the logs, (1) every topic but the profile stream: nothing links the id to the person.
        topics = await _scan_topics(platform.bootstrap, erased, person)
        profile_stream = topics.pop(VOLUNTEERS, [])
        found = {
            "tables": await _scan_tables(platform, erased, person),
            "logs": _scan_logs(platform, erased, person),
            "topics": topics,
        }
        assert found == {"tables": [], "logs": [], "topics": {}}

        # The replays: appreciation's projections and matching's volunteers (the ops tool) and reporting's (its online
        # rebuild) rebuilt from the beginning of their topics: no dead letters, the person gone, still counted, and
        # matching proposes nobody again (profiles from before its replay are history to it).
        proposals = "SELECT count(*) FROM proposals"
        proposals_before = await _fetchval(platform, "matching", proposals)
        await _replay(platform, "appreciation")
        await _replay(platform, "matching")
        assert await _fetchval(platform, "matching", proposals) == proposals_before
        await platform.rebuild_reporting(http)
        assert await _dead_letters_of(platform.bootstrap, journey.centrale_id) == []
        assert await journey.counted() == (1, Decimal(3))  # the erased volunteer, anonymously
        assert await _scan_tables(platform, erased, person) == []
        assert await _erased_everywhere(platform, erased)

        # Last: the profile stream (sealed by the profile sealing) holds nothing of the person under the id.
        assert profile_stream == []


async def _counted_as(journey: Journey, expected: tuple[int, Decimal]) -> bool:
    return await journey.counted() == expected


async def _erased_everywhere(platform: Platform, erased: UUID) -> bool:
    """No service's projection knows the volunteer by their id any more (tombstones aside)."""
    queries = {
        "registry": "SELECT count(*) FROM volunteers WHERE id = $1 AND erased_at IS NULL",
        "matching": "SELECT count(*) FROM volunteers WHERE volunteer_id = $1",
        "appreciation": "SELECT count(*) FROM volunteers WHERE id = $1",
        "reporting": "SELECT count(*) FROM volunteer_facts WHERE person_key = $1",
    }
    for service, query in queries.items():
        if await _fetchval(platform, service, query, erased):
            return False
    return True
