"""Portal page speed: 50 simulated people at once browse the vacaturebank and consulenten their work queue.

``python -m bench.portal [--users N] [--seconds S] [--tasks T] [--seed S] [--out DIR]``. Starts the registry,
matching and the portal as processes on the benchmark's Kafka and PostgreSQL (``bench.infra``: the servers
``KAFKA_BOOTSTRAP_SERVERS``/``DATABASE_URL`` name, else started here), loads the bench generator's region into
the registry (``bench.vacaturebank.load``: its centrales, PC4 areas, organisations and published tasks), makes
consulent accounts (invited, password, authenticator app: real sessions), then runs the people for a while:
half search the vacaturebank and open tasks anonymously, half open their work queue and a volunteer list as a
logged-in consulent, each waiting a moment between pages as a reader would. The portal times each page itself
(``Server-Timing: app``, from request in to response out, the services' calls included) and says how many API
calls it made (``api;desc="N calls"``): the table gives p50/p95 per page against the 300 ms target, with the
calls per page beside it. Appreciation and reporting are not started: none of these pages calls them.

The machine may be shared, so times alone say little about a change: the run also counts the CPU the portal,
the registry, matching and their PostgreSQL backends used while the people browsed (Linux ``/proc``), per page
served, which other work on the machine hardly moves.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pyotp

from bench.generator import THEMES, UTRECHT_WEST
from bench.infra import bench_infra
from bench.vacaturebank import ACTIVITIES, load
from common.localinfra import create_database
from common.localinfra.processes import ServiceProcess, free_port

__all__ = ["main", "run"]

TARGET_P95_MS = 300.0
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SERVICES = ("registry", "matching")
PASSWORD = "een lange wachtzin voor de benchmark"
_TIMING = re.compile(r'app;dur=(?P<app>[0-9.]+), api;desc="(?P<calls>[0-9]+) calls";dur=(?P<api>[0-9.]+)')


@dataclass
class Sample:
    """One page load as the portal timed it."""

    page: str
    server_ms: float
    client_ms: float
    api_calls: int
    status: int
    api_ms: float = 0.0


@dataclass
class Load:
    """What the simulated people did."""

    samples: list[Sample] = field(default_factory=list)


async def _platform(bootstrap: str, server_dsn: str, work: Path) -> tuple[dict[str, ServiceProcess], str]:
    """The registry, matching and the portal as processes (the registry in development mode: the bench has no
    mail server, so invitations answer with their link's token)."""
    ops_token = secrets.token_urlsafe(32)
    suffix = secrets.token_hex(4)
    processes: dict[str, ServiceProcess] = {}
    for service in SERVICES:
        prefix = service.upper()
        env = {
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "REGION": "bench",
            "LOG_LEVEL": "WARNING",
            "OPS_TOKEN": ops_token,
            "DEVELOPMENT": "true",
            f"{prefix}_DATABASE_URL": await create_database(server_dsn, f"bench_portal_{service}_{suffix}"),
            f"{prefix}_DB_POOL_SIZE": "20",
            f"{prefix}_OUTBOX_POLL_INTERVAL_S": "0.2",
        }
        processes[service] = ServiceProcess(module=service, env=env, log_path=work / f"{service}.log")
    for process in processes.values():
        process.start()
    for process in processes.values():
        await process.wait_ready(timeout=180)
    portal_env = {
        "REGION": "bench",
        "LOG_LEVEL": "WARNING",
        "PORTAL_SECRET": secrets.token_urlsafe(32),
        **{f"PORTAL_{s.upper()}_URL": processes[s].url for s in SERVICES},
    }
    processes["portal"] = ServiceProcess(
        module="portal", env=portal_env, log_path=work / "portal.log", port=free_port()
    )
    processes["portal"].start()
    await processes["portal"].wait_ready(timeout=60)
    return processes, ops_token


async def _consulent_sessions(registry: str, ops_token: str, count: int) -> list[str]:
    """``count`` consulenten of the region's centrales, each logged in once (password and authenticator app)."""
    centrales = sorted({spec.centrale_id for spec in UTRECHT_WEST})
    tokens = []
    async with httpx.AsyncClient(base_url=registry, timeout=30) as http:
        ops = {"Authorization": f"Bearer {ops_token}"}
        for index in range(count):
            email = f"consulent-{index}-{secrets.token_hex(3)}@bench.example"
            invite = {"role": "centrale_staff", "centrale_id": centrales[index % len(centrales)], "email": email,
                      "name": f"Consulent {index}"}  # fmt: skip
            invited = (await http.post("/v1/invitations", json=invite, headers=ops)).raise_for_status().json()
            chosen = await http.post(
                "/v1/passwords", json={"token": invited["development_link_token"], "password": PASSWORD}
            )
            chosen.raise_for_status()
            enrolment = (await http.post("/v1/sessions", json={"email": email, "password": PASSWORD})).json()
            code = pyotp.TOTP(enrolment["secret"]).now()
            started = await http.post("/v1/sessions/totp-enrolment", json={"ticket": enrolment["ticket"], "code": code})
            tokens.append(started.raise_for_status().json()["token"])
    return tokens


async def _wait_known(portal: str, token: str, timeout: float = 60) -> None:
    """Until matching learned the session (CredentialIssued travels through Kafka)."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=portal, cookies={"__Host-portal_session": token}, timeout=30) as http:
        while (await http.get("/consulent")).status_code != 200:
            if time.monotonic() > deadline:
                raise TimeoutError("the portal's work queue did not answer 200 for a consulent")
            await asyncio.sleep(0.5)


def _pages_anonymous(rng: random.Random, task_ids: list[str], pc4s: list[str]) -> list[tuple[str, str]]:
    """A visit to the vacaturebank: a search (words, theme, place), the next page, a task."""
    themes, weights = list(THEMES), list(THEMES.values())
    theme = rng.choices(themes, weights)[0]
    word = rng.choice(rng.choice(ACTIVITIES[theme]).split())
    search = f"/vacatures?q={word}&theme={theme}&postcode={rng.choice(pc4s)}&within_km=10"
    return [
        ("vacaturebank: search", search),
        ("vacaturebank: all, page 2", "/vacatures?page=2"),
        ("vacaturebank: a task", f"/vacatures/{rng.choice(task_ids)}"),
        ("start", "/"),
    ]


def _pages_consulent() -> list[tuple[str, str]]:
    """A consulent's round: the work queue, the volunteers, the organisations."""
    return [
        ("consulent: work queue", "/consulent"),
        ("consulent: volunteers", "/consulent/vrijwilligers"),
        ("consulent: organisations", "/consulent/organisaties"),
    ]


async def _person(
    portal: str, token: str | None, pages: Any, until: float, think_s: tuple[float, float], rng: random.Random,
    load_: Load,
) -> None:  # fmt: skip
    """One simulated person, page after page with a pause between, until the time is up."""
    cookies = {"__Host-portal_session": token} if token else {}
    # People arrive spread over one pause, as visitors do, rather than all 50 asking their first page in the same
    # millisecond: that herd queued 50 cold pages on two cores and was most of the first run's p95.
    await asyncio.sleep(rng.uniform(0, think_s[1]))
    async with httpx.AsyncClient(base_url=portal, cookies=cookies, timeout=60) as http:
        while time.monotonic() < until:
            for name, path in pages():
                started = time.perf_counter()
                response = await http.get(path)
                client_ms = (time.perf_counter() - started) * 1000
                timing = _TIMING.search(response.headers.get("server-timing", ""))
                if timing:
                    load_.samples.append(
                        Sample(
                            name,
                            float(timing["app"]),
                            client_ms,
                            int(timing["calls"]),
                            response.status_code,
                            float(timing["api"]),
                        )
                    )
                await asyncio.sleep(rng.uniform(*think_s))
                if time.monotonic() >= until:
                    return


def _cpu_s(pid: int) -> float:
    """User and system CPU seconds a process has used so far (0 when it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    after_name = stat.rsplit(")", 1)[1].split()  # utime and stime are the 14th and 15th fields
    return (int(after_name[11]) + int(after_name[12])) / _CLOCK_TICKS


def _backends(databases: list[str]) -> dict[int, str]:
    """PostgreSQL backend processes serving ``databases`` (their title names the database) → which."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        for database in databases:
            if title.startswith("postgres: ") and f" {database} " in title:
                found[int(entry.name)] = database
    return found


def _cpu_use(processes: dict[str, ServiceProcess], databases: dict[str, str]) -> dict[str, float]:
    """CPU seconds used so far per service process and per service's database backends (``postgres <service>``)."""
    use = {name: _cpu_s(process.process.pid) for name, process in processes.items() if process.process}
    by_name = {database: service for service, database in databases.items()}
    for pid, database in _backends(list(databases.values())).items():
        key = f"postgres {by_name[database]}"
        use[key] = use.get(key, 0.0) + _cpu_s(pid)
    return use


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


async def run(users: int, seconds: float, task_count: int, seed: int, think_s: tuple[float, float]) -> dict[str, Any]:
    """Set up, run the people, and summarise per page."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="bench-portal-") as work_dir:
        work = Path(work_dir)
        async with bench_infra(work) as infra:
            processes, ops_token = await _platform(infra.kafka_bootstrap, infra.server_dsn or infra.database_dsn, work)
            try:
                registry_dsn = processes["registry"].env["REGISTRY_DATABASE_URL"]
                conn = await asyncpg.connect(registry_dsn)
                try:
                    loaded = time.monotonic()
                    areas = await load(conn, task_count, seed)
                    load_s = time.monotonic() - loaded
                    task_ids = [str(r["id"]) for r in await conn.fetch(
                        "SELECT id FROM tasks WHERE status = 'published' ORDER BY random() LIMIT 500")]  # fmt: skip
                finally:
                    await conn.close()
                consulenten = max(1, users // 10)
                tokens = await _consulent_sessions(processes["registry"].url, ops_token, consulenten)
                portal = processes["portal"].url
                for token in tokens:
                    await _wait_known(portal, token)
                pc4s = [area.pc4 for area in areas]
                load_ = Load()
                until = time.monotonic() + seconds
                people = []
                for index in range(users):
                    person_rng = random.Random(rng.getrandbits(32))
                    if index % 2 == 0:
                        people.append(_person(portal, None, lambda r=person_rng: _pages_anonymous(r, task_ids, pc4s),
                                              until, think_s, person_rng, load_))  # fmt: skip
                    else:
                        token = tokens[index % len(tokens)]
                        people.append(_person(portal, token, _pages_consulent, until, think_s, person_rng, load_))
                databases = {
                    s: urlsplit(processes[s].env[f"{s.upper()}_DATABASE_URL"]).path.lstrip("/") for s in SERVICES
                }
                cpu_before = _cpu_use(processes, databases)
                await asyncio.gather(*people)
                cpu_after = _cpu_use(processes, databases)
            finally:
                for process in processes.values():
                    process.stop()
    by_page: dict[str, list[Sample]] = defaultdict(list)
    for sample in load_.samples:
        by_page[sample.page].append(sample)
    pages = []
    for name, samples in sorted(by_page.items()):
        server = [s.server_ms for s in samples]
        p95 = _percentile(server, 0.95)
        pages.append({
            "page": name,
            "requests": len(samples),
            "statuses": sorted({s.status for s in samples}),
            "server_p50_ms": round(statistics.median(server), 1),
            "server_p95_ms": round(p95, 1),
            "client_p95_ms": round(_percentile([s.client_ms for s in samples], 0.95), 1),
            # The services' share: the page's calls added up (concurrent calls overlap, so this can exceed the page).
            "api_p50_ms": round(statistics.median(s.api_ms for s in samples), 1),
            "api_calls": sorted({s.api_calls for s in samples}),
            "met": p95 <= TARGET_P95_MS,
        })  # fmt: skip
    # Backends that started during the run count from zero; one that ended during it is missed (pools keep theirs).
    cpu_s = {name: round(used - cpu_before.get(name, 0.0), 2) for name, used in sorted(cpu_after.items())}
    served = max(1, len(load_.samples))
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        # The machine is shared: its load says how much of the two cores the run really had.
        "load_average_at_end": [round(value, 1) for value in os.getloadavg()],
        "users": users,
        "seconds": seconds,
        "think_s": list(think_s),
        "tasks": task_count,
        "load_s": round(load_s, 1),
        "kafka": infra.kafka_source,
        "postgres": infra.postgres_source,
        "requests": len(load_.samples),
        "cpu_s": cpu_s,
        "cpu_ms_per_page": round(sum(cpu_s.values()) * 1000 / served, 1),
        "target_p95_ms": TARGET_P95_MS,
        "pages": pages,
        "met": all(page["met"] for page in pages),
    }


def markdown(result: dict[str, Any]) -> str:
    """The result as the README's table."""
    lines = [
        f"{result['users']} people for {result['seconds']:.0f} s ({result['think_s'][0]}–{result['think_s'][1]} s "
        f"between pages), {result['tasks']:,} published tasks; {result['requests']:,} pages served; load average "
        f"at the end {result['load_average_at_end']} on {os.cpu_count()} CPUs.",
        "",
        f"CPU used while they browsed: {result['cpu_ms_per_page']} ms per page served ("
        + ", ".join(f"{name} {seconds} s" for name, seconds in result["cpu_s"].items())
        + ").",
        "",
        "| page | pages | server p50 | server p95 | client p95 | API calls | their time p50 | p95 ≤ 300 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for page in result["pages"]:
        calls = ", ".join(str(c) for c in page["api_calls"])
        lines.append(
            f"| {page['page']} | {page['requests']} | {page['server_p50_ms']} ms | {page['server_p95_ms']} ms | "
            f"{page['client_p95_ms']} ms | {calls} | {page['api_p50_ms']} ms | {'met' if page['met'] else 'missed'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--tasks", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--think", type=float, nargs=2, default=(0.5, 1.5), metavar=("MIN_S", "MAX_S"))
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.users, args.seconds, args.tasks, args.seed, tuple(args.think)))
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    (args.out / f"portal-{stamp}.json").write_text(json.dumps(result, indent=2))
    table = markdown(result)
    (args.out / f"portal-{stamp}.md").write_text(table + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
