"""Vacaturebank search speed: 50,000 published tasks in a region, text + theme + 10 km from a postcode.

``python -m bench.vacaturebank [--tasks N] [--queries Q] [--seed S] [--out DIR]``. Loads a seeded region
(the municipalities, towns and PC4 ranges of ``bench.generator``; organisations and tasks with Dutch texts
drawn here) into a fresh registry database with the registry's own migrations, then times searches through
the registry's real path: a read-only transaction on a pooled connection and the ``search_vacatures`` use
case on ``PostgresRegistryUnitOfWork`` (area lookup, the stop-word check, the page with its total), as the
public route runs it minus HTTP. Beside each search, PostgreSQL's own execution and
planning time for the same statements (``EXPLAIN (ANALYZE)``), so the report shows where the time goes.
``DATABASE_URL`` names a server to use; otherwise an embedded PostgreSQL starts in a temporary directory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.generator import SKILLS, THEMES, UTRECHT_WEST
from common.clock import SystemClock, dutch_today
from common.db import RUNTIME_MIGRATIONS, Connection, apply_migrations, create_pool
from common.localinfra import LocalPostgres, create_database, drop_database
from common.uow import Origin
from registry.repositories.vacatures import search_statements
from registry.unit_of_work import PostgresRegistryUnitOfWork
from registry.use_cases.vacaturebank import SearchVacatures, search_vacatures
from registry.vacaturebank import Criteria, Sort, search_terms

__all__ = ["main", "run"]

REGISTRY_MIGRATIONS = Path(__file__).parents[1] / "services" / "registry" / "migrations"
TARGET_P95_MS = 50.0
RADIUS_KM = 10.0
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)

# Per theme: what its tasks are about (titles and the words people search for).
ACTIVITIES: dict[str, tuple[str, ...]] = {
    "zorg": ("wandelen met bewoners", "voorlezen", "koffie schenken", "gezelschap bieden", "rolstoelwandeling",
             "activiteitenbegeleiding", "muziekmiddag", "boodschappen doen"),
    "welzijn": ("maatje zijn", "thuisadministratie", "huisbezoek", "formulieren invullen", "buurtkamer",
                "samen koken", "telefooncirkel", "klussen aan huis"),
    "sport": ("jeugdtrainer", "scheidsrechter", "kantinedienst", "toernooiorganisatie", "zwemles begeleiden",
              "materiaalbeheer", "sportdag", "wedstrijdsecretariaat"),
    "buurt": ("repair café", "buurtfeest", "buurttuin", "bardienst buurthuis", "klussendienst", "buurtmaaltijd",
              "schoonmaakactie", "bewonersavond"),
    "onderwijs": ("huiswerkbegeleiding", "voorlezen op school", "rekenmaatje", "schooltuin", "bibliotheekhulp",
                  "leesclub", "computerles", "bijles"),
    "cultuur": ("gastvrouw museum", "rondleidingen", "decorbouw", "kassadienst", "festivalcrew", "podiumtechniek",
                "archief ordenen", "koorbegeleiding"),
    "natuur": ("natuurwerkdag", "snoeien", "stadsboerderij", "vogeltelling", "excursies", "bomen planten",
               "wandelroutes onderhouden", "moestuin"),
    "taal": ("taalcoach", "taalcafé", "conversatie oefenen", "nieuwkomers begeleiden", "lezen en schrijven",
             "inburgering", "digitaal taalhuis", "spreekuur"),
    "voedselhulp": ("voedselbank uitgifte", "sorteren", "chauffeur", "inpakken", "kledingbank", "buurtmaaltijd koken",
                    "ophaaldienst", "magazijn"),
    "dieren": ("honden uitlaten", "dierenverzorging", "kinderboerderij", "voeren", "dierenambulance",
               "katten socialiseren", "stallen uitmesten", "rondleiding"),
}  # fmt: skip
ORGANISATION_KINDS: dict[str, tuple[str, ...]] = {
    "zorg": ("Zorgcentrum", "Hospice", "Verpleeghuis"),
    "welzijn": ("Buurtteam", "Stichting Welzijn", "Humanitas"),
    "sport": ("Voetbalvereniging", "Hockeyclub", "Zwemvereniging"),
    "buurt": ("Bewonersinitiatief", "Buurthuis", "Repair Café"),
    "onderwijs": ("Huiswerkklas", "Bibliotheek", "Basisschool"),
    "cultuur": ("Muziekvereniging", "Toneelvereniging", "Museum"),
    "natuur": ("Natuurvereniging", "IVN", "Stadsboerderij"),
    "taal": ("Taalhuis", "Taalcafé", "VluchtelingenWerk"),
    "voedselhulp": ("Voedselbank", "Kledingbank", "Buurtmaaltijd"),
    "dieren": ("Dierenasiel", "Kinderboerderij", "Dierenambulance"),
}
SENTENCES = (
    "Wij zoeken een enthousiaste vrijwilliger voor {activity} bij {organisation} in {place}.",
    "Samen met een vaste groep vrijwilligers help je bij {activity}; ervaring is niet nodig.",
    "Je krijgt een inwerkperiode, een vaste contactpersoon en een onkostenvergoeding.",
    "Heb je affiniteit met {theme} en wil je iets betekenen voor je buurt? Dan zoeken we jou.",
    "Kun je goed luisteren en ben je betrouwbaar? Je werkt mee aan {activity2}.",
    "De taak is ook geschikt voor mensen die de Nederlandse taal nog leren.",
    "We werken in kleine teams en sluiten de maand af met een gezellige borrel.",
)


@dataclass(frozen=True)
class Area:
    """A PC4 area of the generated region."""

    pc4: str
    lat: float
    lon: float
    place: str
    district: str
    centrale_id: str


def _areas(rng: random.Random) -> list[Area]:
    """Every PC4 area of the region's towns, scattered around their town centre (wider for bigger towns)."""
    areas = []
    for spec in UTRECHT_WEST:
        for town in spec.towns:
            codes = range(town.pc4_first, town.pc4_last + 1)
            spread = 0.8 + 2.2 * math.sqrt(spec.population * town.share / 350_000)
            for index, code in enumerate(codes):
                dlat = rng.gauss(0, spread) / 111.2
                dlon = rng.gauss(0, spread) / (111.2 * math.cos(math.radians(town.lat)))
                district = f"{town.name} {('Centrum', 'Noord', 'Oost', 'Zuid', 'West')[index % 5]}"
                areas.append(Area(str(code), town.lat + dlat, town.lon + dlon, town.name, district, spec.centrale_id))
    return areas


def _text(rng: random.Random, theme: str, organisation: str, place: str) -> tuple[str, str, str]:
    """Title, description and offer of one task."""
    activity, activity2 = rng.sample(ACTIVITIES[theme], 2)
    title = rng.choice(("Vrijwilliger {a}", "{A} gezocht", "Help mee: {a}", "{A} bij {o}")).format(
        a=activity, A=activity.capitalize(), o=organisation
    )
    chosen = rng.sample(SENTENCES, rng.randint(3, 5))
    description = " ".join(
        sentence.format(activity=activity, activity2=activity2, organisation=organisation, place=place, theme=theme)
        for sentence in chosen
    )
    offer = rng.choice(("Onkostenvergoeding en een inwerkdag", "Training en begeleiding", "Een gezellig team", ""))
    return title, description, offer


async def load(conn: Connection, task_count: int, seed: int) -> list[Area]:
    """The region's centrales, PC4 areas, organisations and ``task_count`` published tasks (plus others)."""
    rng = random.Random(seed)
    areas = _areas(rng)
    centrales = sorted({(spec.centrale_id, spec.code) for spec in UTRECHT_WEST})
    await conn.executemany(
        "INSERT INTO centrales (id, name, municipality_code) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        [(centrale, f"Vrijwilligerscentrale {centrale[3:].title()}", code) for centrale, code in centrales],
    )
    await conn.copy_records_to_table(
        "postcode_areas",
        records=[(a.pc4, a.lat, a.lon, a.place, a.district) for a in areas],
        columns=["pc4", "lat", "lon", "place", "district"],
    )
    themes, weights = list(THEMES), list(THEMES.values())
    organisations = []
    for _ in range(max(50, task_count // 25)):
        area = rng.choice(areas)
        theme = rng.choices(themes, weights)[0]
        name = f"{rng.choice(ORGANISATION_KINDS[theme])} {area.place}"
        organisations.append((uuid.UUID(int=rng.getrandbits(128)), area, theme, name))
    await conn.copy_records_to_table(
        "organisations",
        records=[
            (org_id, area.centrale_id, name, True, "12345678", area.pc4, area.pc4, True, True, "admitted", NOW)
            for org_id, area, _theme, name in organisations
        ],
        columns=[
            "id", "centrale_id", "name", "formal", "kvk_number", "postcode", "postcode_area", "liability_insured",
            "free_vog_scheme", "status", "registered_at",
        ],
    )  # fmt: skip
    records = []
    # A tenth more in other states (drafts, filled, closed): the search must pass them by.
    for index in range(task_count + task_count // 10):
        org_id, area, org_theme, name = rng.choice(organisations)
        theme = org_theme if rng.random() < 0.85 else rng.choices(themes, weights)[0]
        title, description, offer = _text(rng, theme, name, area.place)
        one_off = rng.random() < 0.25
        published = NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 180))
        start = NOW + timedelta(days=rng.randint(1, 120), hours=rng.randint(0, 8))
        day = rng.randint(1, 7)
        hour = rng.choice((9, 10, 13, 14, 19))
        shifts = [] if one_off else [{"weekday": day, "start": f"{hour:02d}:00:00", "end": f"{hour + 3:02d}:00:00"}]
        status = "published" if index < task_count else rng.choice(("draft", "filled", "closed"))
        records.append(
            (
                uuid.UUID(int=rng.getrandbits(128)), area.centrale_id, org_id, title, description, theme,
                list(rng.sample(SKILLS, rng.randint(0, 2))), area.pc4, area.pc4,
                start if one_off else None, start + timedelta(hours=4) if one_off else None, json.dumps(shifts),
                rng.choice((1, 1, 2, 3, 5)), Decimal(rng.choice((2, 3, 4, 6, 8))), theme in ("zorg", "onderwijs"),
                rng.random() < 0.2, rng.random() < 0.3, None, False, status, published - timedelta(days=1),
                None if status == "draft" else published, offer or None,
            )
        )  # fmt: skip
    await conn.copy_records_to_table(
        "tasks",
        records=records,
        columns=[
            "id", "centrale_id", "organisation_id", "title", "description", "theme", "skills", "postcode",
            "postcode_area", "one_off_start", "one_off_end", "shifts", "capacity", "hours_per_week", "vog_required",
            "team_suitable", "support_accessible", "closing_date", "replaces_paid_work", "status", "created_at",
            "published_at", "offer",
        ],
    )  # fmt: skip
    await conn.execute("VACUUM ANALYZE tasks")
    await conn.execute("VACUUM ANALYZE postcode_areas")
    await conn.execute("ANALYZE organisations")
    return areas


def _queries(rng: random.Random, areas: list[Area], count: int) -> list[SearchVacatures]:
    """Searches as people make them: a word of a theme's activities, that theme, 10 km from a postcode."""
    themes, weights = list(THEMES), list(THEMES.values())
    queries = []
    for _ in range(count):
        theme = rng.choices(themes, weights)[0]
        word = rng.choice(rng.choice(ACTIVITIES[theme]).split())
        area = rng.choice(areas)
        queries.append(SearchVacatures(text=word, themes=(theme,), postcode=area.pc4, within_km=RADIUS_KM))
    return queries


async def _explain(conn: Connection, sql: str, params: list[Any]) -> tuple[float, float, list[str]]:
    """PostgreSQL's execution and planning time (ms) for one statement, from ``EXPLAIN (ANALYZE)``, and the
    indexes its plan reads."""
    plan = json.loads(await conn.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", *params))[0]
    return float(plan["Execution Time"]), float(plan["Planning Time"]), sorted(set(_indexes(plan["Plan"])))


def _indexes(node: dict[str, Any]) -> list[str]:
    """Every index a plan node and its children scan."""
    own = [node["Index Name"]] if "Index Name" in node else []
    return own + [name for child in node.get("Plans", []) for name in _indexes(child)]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


@asynccontextmanager
async def _database() -> AsyncIterator[tuple[str, str]]:
    """A fresh database (DSN) on ``DATABASE_URL``'s server or an embedded one, and where it came from."""
    server_dsn = os.environ.get("DATABASE_URL") or None
    with tempfile.TemporaryDirectory(prefix="bench-vacaturebank-") as work:
        server = None
        if server_dsn is None:
            server = LocalPostgres(Path(work) / "postgres")
            await server.start()
            server_dsn = server.dsn
        name = f"bench_vacaturebank_{secrets.token_hex(4)}"
        try:
            dsn = await create_database(server_dsn, name)
            try:
                yield dsn, "DATABASE_URL" if server is None else "embedded PostgreSQL started for this run"
            finally:
                await drop_database(server_dsn, name)
        finally:
            if server is not None:
                await server.stop()


async def run(task_count: int, query_count: int, seed: int) -> dict[str, Any]:
    """Load the region, then time each search end to end and ask PostgreSQL for its own time."""
    async with _database() as (dsn, source):
        pool = await create_pool(dsn, 2)
        try:
            await apply_migrations(pool, RUNTIME_MIGRATIONS, REGISTRY_MIGRATIONS)
            started = time.perf_counter()
            async with pool.acquire() as conn:
                areas = await load(conn, task_count, seed)
                version = await conn.fetchval("SHOW server_version")
            load_s = time.perf_counter() - started
            origin = Origin(source="/regions/bench/registry", region="bench", correlation_id=uuid.uuid4())
            queries = _queries(random.Random(seed + 1), areas, query_count)
            total_ms: list[float] = []
            postgres_ms: list[float] = []
            planning_ms: list[float] = []
            found: list[int] = []
            slowest: dict[str, Any] = {"search_ms": 0.0}
            for index, query in enumerate([*queries[:5], *queries]):  # five warm-up searches, not counted
                begin = time.perf_counter()
                async with pool.acquire() as conn, conn.transaction(readonly=True):
                    uow = PostgresRegistryUnitOfWork(conn, origin, SystemClock())
                    result = await search_vacatures(query, uow)
                elapsed = (time.perf_counter() - begin) * 1000
                if index < 5:
                    continue
                total_ms.append(elapsed)
                found.append(result.total)
                async with pool.acquire() as conn:
                    area = next(a for a in areas if a.pc4 == query.postcode)
                    criteria = Criteria(
                        terms=search_terms(query.text), themes=query.themes, origin=(area.lat, area.lon),
                        within_km=query.within_km,
                    )  # fmt: skip
                    page, _count = search_statements(criteria, Sort.RELEVANCE, query.page_size, 0)
                    execution, planning, indexes = await _explain(conn, page.sql, page.params)
                if elapsed > slowest["search_ms"]:
                    slowest = {
                        "search_ms": round(elapsed, 2),
                        "postgres_execution_ms": round(execution, 2),
                        "text": query.text,
                        "theme": query.themes[0],
                        "postcode": query.postcode,
                        "matches": result.total,
                        "indexes": indexes,
                    }
                postgres_ms.append(execution)
                planning_ms.append(planning)
        finally:
            await pool.close()
    p95 = _percentile(total_ms, 0.95)
    return {
        "benchmark": "vacaturebank_search",
        "published_tasks": task_count,
        "queries": query_count,
        "seed": seed,
        "radius_km": RADIUS_KM,
        "postgres": f"PostgreSQL {version}, {source}",
        "load_s": round(load_s, 1),
        "search_ms": {"p50": round(_percentile(total_ms, 0.5), 2), "p95": round(p95, 2)},
        "postgres_execution_ms": {
            "p50": round(_percentile(postgres_ms, 0.5), 2),
            "p95": round(_percentile(postgres_ms, 0.95), 2),
        },
        "postgres_planning_ms": {
            "p50": round(_percentile(planning_ms, 0.5), 2),
            "p95": round(_percentile(planning_ms, 0.95), 2),
        },
        "matches_per_search": {"median": statistics.median(found), "max": max(found)},
        "slowest": slowest,
        "target": f"p95 <= {TARGET_P95_MS:g} ms",
        "met": p95 <= TARGET_P95_MS,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "date": dutch_today().isoformat(),
    }


def markdown(result: dict[str, Any]) -> str:
    """The result as a README table row."""
    return (
        "| goal | search p50 / p95 | PostgreSQL execution p50 / p95 | planning p50 / p95 | matches (median) "
        "| target | met |\n|---|---|---|---|---|---|---|\n"
        f"| text + theme + {result['radius_km']:g} km among {result['published_tasks']:,} published tasks "
        f"({result['queries']} searches) | {result['search_ms']['p50']} / {result['search_ms']['p95']} ms | "
        f"{result['postgres_execution_ms']['p50']} / {result['postgres_execution_ms']['p95']} ms | "
        f"{result['postgres_planning_ms']['p50']} / {result['postgres_planning_ms']['p95']} ms | "
        f"{result['matches_per_search']['median']} | {result['target']} | {'yes' if result['met'] else 'no'} |"
    )


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: prints the table and the JSON result, writes both when ``--out`` is given."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tasks", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.tasks, args.queries, args.seed))
    table = markdown(result)
    sys.stdout.write(table + "\n" + json.dumps(result) + "\n")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "vacaturebank.json").write_text(json.dumps(result, indent=2) + "\n")
        (args.out / "vacaturebank.md").write_text(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
