"""Import speed: 100,000 volunteers and 1,000,000 historic hours rows, against a plain COPY of the same rows.

``python -m bench.imports [--volunteers N] [--hours N] [--pairs P] [--seed S] [--out DIR] [--profile]``

Generates another system's export (CSV, as a Dutch spreadsheet writes it: ``;``, day-first dates, comma
decimals) of a region's volunteers, organisations, tasks and the hours its volunteers gave over ten years,
then, per pair on a fresh registry database, times:

- **import**: what ``python -m registry import … --apply`` does: read the file, map its columns, check every
  row, resolve references, store the rows (with their import links) and the events, in one transaction, with
  its progress line; from reading the file to the commit;
- **plain COPY**: PostgreSQL reading the same file with ``COPY … FROM STDIN (FORMAT csv)`` into a table of the
  file's own columns (typed: dates as dates, hours as numeric), no key, no checks, no events.

Pairs alternate which goes first; the ratio is the median of the per-pair ratios of rates (rows/s import ÷
rows/s COPY), as DESIGN.md asks. The import's time is split into where it went (checking in Python, each
write, the commit); ``--profile`` runs one more volunteers and hours import under cProfile and lists the
costliest functions of each.
``DATABASE_URL`` names a server to use; otherwise an embedded PostgreSQL starts for the run.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from uuid import uuid4

import asyncpg

from common.clock import SystemClock, dutch_today
from common.db import RUNTIME_MIGRATIONS, Connection, apply_migrations, create_pool
from common.localinfra import LocalPostgres, create_database, drop_database
from common.sealing import REGION_KEY_VARIABLE, new_region_key
from common.uow import Origin
from registry.bulk import Kind, read_sheet
from registry.bulk_cli import _ProgressLine
from registry.unit_of_work import PostgresRegistryUnitOfWork
from registry.use_cases.imports import ImportFile, ImportReport, import_file

__all__ = ["main", "run"]

# The import seals each new volunteer's personal data with the region's key-encryption key: one per run, unless
# the environment brings its own (``.local/infra/env``).
os.environ.setdefault(REGION_KEY_VARIABLE, new_region_key())

REGISTRY_MIGRATIONS = Path(__file__).parents[1] / "services" / "registry" / "migrations"
TARGET_RATIO = 0.5
CENTRALE = "vc-bench"
SOURCE = "vrijwilligersbank"
THEMES = ("zorg", "welzijn", "sport", "buurt", "onderwijs", "cultuur", "natuur", "taal", "voedselhulp", "dieren")
FIRST_NAMES = ("Fatima", "Jan", "Sanne", "Kees", "Anna", "Mohamed", "Eva", "Daan", "Noor", "Lucas", "Yara", "Sem")
LAST_NAMES = ("de Vries", "Jansen", "Bakker", "el Amrani", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Yilmaz")
SKILLS = ("koken", "taalles", "rijbewijs-b", "computer", "tuinieren", "administratie", "muziek", "klussen")

# The other system's columns: its own names, mapped by the import's Dutch defaults (no mapping sent).
VOLUNTEER_COLUMNS = (
    ("Relatienummer", "text"), ("Voornaam", "text"), ("Achternaam", "text"), ("E-mail", "text"),
    ("Telefoon", "text"), ("Postcode", "text"), ("Geboortedatum", "date"), ("Vaardigheden", "text"),
    ("Talen", "text"), ("Ingeschreven op", "date"), ("Toestemming bemiddeling", "date"),
    ("Toestemming waardering", "text"), ("Toestemming versie", "text"),
)  # fmt: skip
HOURS_COLUMNS = (
    ("Registratie", "text"), ("Vrijwilliger", "text"), ("Organisatie", "text"), ("Taak", "text"),
    ("Datum", "date"), ("Uren", "numeric(4, 2)"), ("Thema", "text"),
)  # fmt: skip


@dataclass(frozen=True)
class Files:
    """The generated export of the other system."""

    volunteers: Path
    organisations: Path
    tasks: Path
    hours: Path
    volunteer_rows: int
    hours_rows: int


def _dutch(day: date) -> str:
    return f"{day.day:02d}-{day.month:02d}-{day.year}"


def generate(folder: Path, volunteers: int, hours: int, seed: int) -> Files:
    """Write the other system's export: volunteers, organisations, tasks and hours (about ten years)."""
    rng = random.Random(seed)
    organisations = max(20, volunteers // 50)
    tasks = organisations * 3
    start = date(2015, 1, 1)
    paths = {name: folder / f"{name}.csv" for name in ("volunteers", "organisations", "tasks", "hours")}
    with paths["volunteers"].open("w", encoding="utf-8") as out:
        out.write(";".join(name for name, _ in VOLUNTEER_COLUMNS) + "\n")
        for n in range(volunteers):
            registered = start + timedelta(days=rng.randrange(3650))
            born = date(rng.randint(1940, 2006), rng.randint(1, 12), rng.randint(1, 28))
            skills = ", ".join(rng.sample(SKILLS, rng.randint(0, 3)))
            out.write(
                f"R{n};{rng.choice(FIRST_NAMES)};{rng.choice(LAST_NAMES)};v{n}@example.nl;06{n:08d};"
                f"{rng.randint(1000, 9999)} AB;{_dutch(born)};{skills};nl;{_dutch(registered)};"
                f"{_dutch(registered)};{rng.choice(('ja', 'nee', ''))};vb-{registered.year}\n"
            )
    with paths["organisations"].open("w", encoding="utf-8") as out:
        out.write("Id;Naam;KvK;Postcode;Contactpersoon;E-mail;Verzekerd\n")
        for n in range(organisations):
            out.write(f"O{n};Organisatie {n};{10_000_000 + n};3511 AB;Contact {n};o{n}@example.nl;ja\n")
    with paths["tasks"].open("w", encoding="utf-8") as out:
        out.write("Id;Organisatie;Titel;Omschrijving;Thema;Uren per week;Diensten;Status\n")
        for n in range(tasks):
            out.write(
                f"T{n};O{n % organisations};Taak {n};Een taak van lang geleden bij de organisatie, nu afgerond.;"
                f"{rng.choice(THEMES)};3;di 09:00-12:00;gesloten\n"
            )
    with paths["hours"].open("w", encoding="utf-8") as out:
        out.write(";".join(name for name, _ in HOURS_COLUMNS) + "\n")
        for n in range(hours):
            volunteer = rng.randrange(volunteers)
            task = rng.randrange(tasks)
            with_task = rng.random() < 0.6
            day = start + timedelta(days=rng.randrange(3650))
            amount = rng.choice(("1", "1,5", "2", "2,5", "3", "4", "6", "8"))
            out.write(
                f"H{n};R{volunteer};O{task % organisations};{f'T{task}' if with_task else ''};{_dutch(day)};"
                f"{amount};{'' if with_task else rng.choice(THEMES)}\n"
            )
    return Files(paths["volunteers"], paths["organisations"], paths["tasks"], paths["hours"], volunteers, hours)


class _Clocked:
    """A repository (or unit of work) whose named coroutines add their time to ``spent`` under their name."""

    def __init__(self, inner: Any, names: tuple[str, ...], spent: dict[str, float]) -> None:
        self._inner = inner
        for name in names:
            setattr(self, name, self._clocked(name, getattr(inner, name), spent))

    @staticmethod
    def _clocked(name: str, call: Callable[..., Awaitable[Any]], spent: dict[str, float]) -> Callable[..., Any]:
        async def clocked(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await call(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - started

        return clocked

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _clocked_uow(conn: Any, origin: Origin, spent: dict[str, float]) -> PostgresRegistryUnitOfWork:
    """The registry's unit of work, with the time of each bulk write kept apart."""
    uow = PostgresRegistryUnitOfWork(conn, origin, SystemClock())
    writes = (
        "add_volunteers",
        "add_organisations",
        "add_tasks",
        "add_accesses",
        "save_links",
        "add_links",
        "references",
        "task_references",
        "links",
    )
    uow.imports = _Clocked(uow.imports, writes, spent)
    uow.historic_hours = _Clocked(uow.historic_hours, ("add", "update", "of_source"), spent)
    events = _Clocked(uow, ("emit_all", "emit_encoded"), spent)
    uow.emit_all = events.emit_all  # type: ignore[method-assign]
    uow.emit_encoded = events.emit_encoded  # type: ignore[method-assign]
    return uow


@dataclass
class Timed:
    """One run: its seconds, and for an import where they went."""

    seconds: float
    spent: dict[str, float] = field(default_factory=dict)
    report: ImportReport | None = None


async def time_import(pool: asyncpg.Pool, kind: Kind, path: Path, out: TextIO | None) -> Timed:
    """Import ``path`` as ``python -m registry import --apply`` does; the time from reading it to the commit."""
    spent: dict[str, float] = {}
    origin = Origin(
        source="/regions/bench/registry", region="bench", correlation_id=uuid4(), tenant=CENTRALE, actor="cli:import"
    )
    started = time.perf_counter()
    content = await asyncio.to_thread(path.read_bytes)
    sheet = read_sheet(content)
    command = ImportFile(CENTRALE, kind, SOURCE, sheet, dry_run=False, progress=_ProgressLine(out) if out else None)
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            report = await import_file(command, _clocked_uow(conn, origin, spent))
        except BaseException:
            await transaction.rollback()
            raise
        committed = time.perf_counter()
        await transaction.commit()
        spent["commit"] = time.perf_counter() - committed
    seconds = time.perf_counter() - started
    spent["read_file"] = 0.0  # counted in checking: the rows are read as they are checked
    assert not report.problems, report.problems[:5]
    return Timed(seconds, spent, report)


async def time_copy(conn: Connection, path: Path, columns: tuple[tuple[str, str], ...]) -> Timed:
    """A plain COPY of the file into a fresh table of its own columns; the time of the COPY."""
    table = f"plain_{secrets.token_hex(4)}"
    definition = ", ".join(f'"{name}" {kind}' for name, kind in columns)
    await conn.execute(f"CREATE TABLE {table} ({definition})")
    # Day-first dates and comma decimals, as the file has them; numeric takes no comma, so hours go via text.
    await conn.execute("SET datestyle = 'ISO, DMY'")
    started = time.perf_counter()
    await conn.copy_to_table(table, source=path, format="csv", header=True, delimiter=";")
    seconds = time.perf_counter() - started
    await conn.execute(f"DROP TABLE {table}")
    return Timed(seconds)


async def _row_counts(conn: Connection) -> dict[str, int]:
    """Every table of the registry's schema and how many rows it holds."""
    tables = await conn.fetch(
        "SELECT quote_ident(relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND relname NOT LIKE 'plain\\_%'"
    )
    return {
        row["name"]: int(await conn.fetchval(f"SELECT count(*) FROM {row['name']}"))  # noqa: S608 (catalog names)
        for row in tables
    }


async def time_write_floor(conn: Connection, before: dict[str, int]) -> tuple[float, dict[str, int]]:
    """The seconds plain COPYs take to write as many rows as the import added, into copies of its tables.

    Per table the import wrote to: its rows (as many as were added) copied out, then timed as one binary COPY
    into a fresh table of the same columns, defaults, constraints and indexes (no triggers, no foreign keys).
    No import that stores these rows can be faster than this: its best possible ratio is COPY-of-the-file
    seconds ÷ these seconds.
    """
    added = {name: count - before.get(name, 0) for name, count in (await _row_counts(conn)).items()}
    added = {name: count for name, count in added.items() if count > 0}
    seconds = 0.0
    for name, count in added.items():
        floor = f"floor_{secrets.token_hex(4)}"
        await conn.execute(f"CREATE TABLE {floor} (LIKE {name} INCLUDING ALL)")
        # Generated columns are PostgreSQL's to fill (as in the real table): left out of the COPY.
        columns = await conn.fetchval(
            "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute"
            " WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''",
            name,
        )
        rows = io.BytesIO()
        query = f"SELECT {columns} FROM {name} LIMIT {count}"  # noqa: S608 (catalog names)
        await conn.copy_from_query(query, output=rows, format="binary")
        rows.seek(0)
        started = time.perf_counter()
        await conn.copy_to_table(floor, source=rows, format="binary", columns=columns.split(", "))
        seconds += time.perf_counter() - started
        await conn.execute(f"DROP TABLE {floor}")
    return seconds, added


@asynccontextmanager
async def _server() -> AsyncIterator[tuple[str, str]]:
    """The server's DSN (``DATABASE_URL`` or an embedded one) and where it came from."""
    server_dsn = os.environ.get("DATABASE_URL") or None
    with tempfile.TemporaryDirectory(prefix="bench-imports-pg-") as work:
        if server_dsn is not None:
            yield server_dsn, "DATABASE_URL"
            return
        server = LocalPostgres(Path(work) / "postgres")
        await server.start()
        try:
            yield server.dsn, "embedded PostgreSQL started for this run"
        finally:
            await server.stop()


@asynccontextmanager
async def _registry_database(server_dsn: str) -> AsyncIterator[asyncpg.Pool]:
    """A fresh registry database with its migrations and the centrale, as a pool."""
    name = f"bench_imports_{secrets.token_hex(4)}"
    dsn = await create_database(server_dsn, name)
    pool = await create_pool(dsn, 2)
    try:
        await apply_migrations(pool, RUNTIME_MIGRATIONS, REGISTRY_MIGRATIONS)
        await pool.execute(
            "INSERT INTO centrales (id, name, municipality_code) VALUES ($1, 'Benchcentrale', 'GM0344')", CENTRALE
        )
        yield pool
    finally:
        await pool.close()
        await drop_database(server_dsn, name)


def _numeric_hours(path: Path) -> Path:
    """The hours file with decimal points: PostgreSQL's numeric reads no comma (the import reads both)."""
    plain = path.with_name("hours-points.csv")
    with path.open(encoding="utf-8") as source, plain.open("w", encoding="utf-8") as out:
        for line in source:
            fields = line.split(";")
            fields[5] = fields[5].replace(",", ".")
            out.write(";".join(fields))
    return plain


async def run(volunteers: int, hours: int, pairs: int, seed: int, profile: bool, out: TextIO | None) -> dict[str, Any]:
    """Generate the export, then time imports and plain COPYs in alternating pairs."""
    with tempfile.TemporaryDirectory(prefix="bench-imports-") as work:
        started = time.perf_counter()
        files = generate(Path(work), volunteers, hours, seed)
        hours_for_copy = _numeric_hours(files.hours)
        generate_s = time.perf_counter() - started
        results: dict[str, list[tuple[Timed, Timed]]] = {"volunteers": [], "hours": []}
        floors: dict[str, list[float]] = {"volunteers": [], "hours": []}
        written: dict[str, dict[str, int]] = {}
        async with _server() as (server_dsn, source):
            for pair in range(pairs):
                async with _registry_database(server_dsn) as pool:
                    for kind, path in ((Kind.ORGANISATIONS, files.organisations), (Kind.TASKS, files.tasks)):
                        await time_import(pool, kind, path, None)
                    async with pool.acquire() as conn:
                        for kind, path, copy_path, columns in (
                            (Kind.VOLUNTEERS, files.volunteers, files.volunteers, VOLUNTEER_COLUMNS),
                            (Kind.HOURS, files.hours, hours_for_copy, HOURS_COLUMNS),
                        ):
                            _say(out, f"pair {pair + 1}/{pairs}: {kind.value}")
                            before = await _row_counts(conn)
                            if pair % 2 == 0:
                                imported = await time_import(pool, kind, path, out)
                                copied = await time_copy(conn, copy_path, columns)
                            else:
                                copied = await time_copy(conn, copy_path, columns)
                                imported = await time_import(pool, kind, path, out)
                            floor_s, written[kind.value] = await time_write_floor(conn, before)
                            _say(
                                out,
                                f"  import {imported.seconds:.2f} s, plain COPY {copied.seconds:.2f} s,"
                                f" COPY of what the import wrote {floor_s:.2f} s",
                            )
                            results[kind.value].append((imported, copied))
                            floors[kind.value].append(floor_s)
                    version = await pool.fetchval("SHOW server_version")
            profiled = await _profile(server_dsn, files) if profile else None
    return _result(results, floors, written, files, pairs, seed, source, str(version), generate_s, profiled)


async def _profile(server_dsn: str, files: Files) -> dict[str, list[dict[str, Any]]]:
    """One more volunteers and hours import under cProfile: per kind, the functions with the most time of their own."""
    profiled: dict[str, list[dict[str, Any]]] = {}
    async with _registry_database(server_dsn) as pool:
        for kind, path in ((Kind.ORGANISATIONS, files.organisations), (Kind.TASKS, files.tasks)):
            await time_import(pool, kind, path, None)
        for kind, path in ((Kind.VOLUNTEERS, files.volunteers), (Kind.HOURS, files.hours)):
            profiler = cProfile.Profile()
            profiler.enable()
            await time_import(pool, kind, path, None)
            profiler.disable()
            profiled[kind.value] = _costliest(profiler)
    return profiled


def _costliest(profiler: cProfile.Profile) -> list[dict[str, Any]]:
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = []
    for (filename, line, function), (_, calls, own, cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append(
            {
                "function": f"{Path(filename).name}:{line}({function})",
                "calls": calls,
                "own_s": round(own, 3),
                "cumulative_s": round(cumulative, 3),
            }
        )
    return sorted(rows, key=lambda row: -row["own_s"])[:15]


def _say(out: TextIO | None, line: str) -> None:
    if out is not None:
        out.write(line + "\n")
        out.flush()


def _summary(pairs: list[tuple[Timed, Timed]], floors: list[float], rows: int) -> dict[str, Any]:
    ratios = [copied.seconds / imported.seconds for imported, copied in pairs]
    # The best any import storing the same rows could do: the file's COPY against the COPY of what was stored.
    best = [copied.seconds / floor for (_, copied), floor in zip(pairs, floors, strict=True)]
    import_s = statistics.median(imported.seconds for imported, _ in pairs)
    copy_s = statistics.median(copied.seconds for _, copied in pairs)
    where: dict[str, float] = {}
    for imported, _ in pairs:
        for name, seconds in imported.spent.items():
            where[name] = where.get(name, 0.0) + seconds / len(pairs)
    writes = sum(where.values())
    mean_import = statistics.mean(imported.seconds for imported, _ in pairs)
    where = {"checking (read, map, check, resolve, build)": mean_import - writes, **where}
    ratio = statistics.median(ratios)
    return {
        "rows": rows,
        "import_s": round(import_s, 2),
        "plain_copy_s": round(copy_s, 2),
        "import_rows_per_s": round(rows / import_s),
        "plain_copy_rows_per_s": round(rows / copy_s),
        "ratios": [round(r, 3) for r in ratios],
        "ratio": round(ratio, 3),
        "target": f">= {TARGET_RATIO} x plain COPY",
        "met": ratio >= TARGET_RATIO,
        "write_floor_s": round(statistics.median(floors), 2),
        "best_possible_ratio": round(statistics.median(best), 3),
        # The other reading of "a plain COPY of the same rows": the rows as stored, into the import's own tables.
        "ratio_to_write_floor": round(
            statistics.median(floor / imported.seconds for (imported, _), floor in zip(pairs, floors, strict=True)), 3
        ),
        "where_the_import_time_goes_s": {name: round(s, 2) for name, s in where.items() if s >= 0.005},
    }


def _result(
    results: dict[str, list[tuple[Timed, Timed]]],
    floors: dict[str, list[float]],
    written: dict[str, dict[str, int]],
    files: Files,
    pairs: int,
    seed: int,
    source: str,
    version: str,
    generate_s: float,
    profiled: dict[str, list[dict[str, Any]]] | None,
) -> dict[str, Any]:
    combined = [
        (Timed(v[0].seconds + h[0].seconds), Timed(v[1].seconds + h[1].seconds))
        for v, h in zip(results["volunteers"], results["hours"], strict=True)
    ]
    combined_floors = [v + h for v, h in zip(floors["volunteers"], floors["hours"], strict=True)]
    summary = _summary(combined, combined_floors, files.volunteer_rows + files.hours_rows)
    summary.pop("where_the_import_time_goes_s")
    return {
        "benchmark": "imports",
        "volunteers": _summary(results["volunteers"], floors["volunteers"], files.volunteer_rows),
        "hours": _summary(results["hours"], floors["hours"], files.hours_rows),
        "combined": summary,
        "rows_written": written,
        "pairs": pairs,
        "seed": seed,
        "postgres": f"PostgreSQL {version}, {source}",
        "generate_s": round(generate_s, 1),
        "profile": profiled,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "date": dutch_today().isoformat(),
    }


def markdown(result: dict[str, Any]) -> str:
    """The result as a README table."""
    lines = [
        "| rows | import | plain COPY | ratio (median of pairs) | target | met |"
        " COPY of what the import stored | best possible ratio | import / COPY of what it stored |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in ("volunteers", "hours", "combined"):
        part = result[name]
        label = {"volunteers": "volunteers", "hours": "historic hours", "combined": "both"}[name]
        lines.append(
            f"| {part['rows']:,} {label} | {part['import_s']} s ({part['import_rows_per_s']:,}/s) | "
            f"{part['plain_copy_s']} s ({part['plain_copy_rows_per_s']:,}/s) | {part['ratio']} x | "
            f"{part['target']} | {'yes' if part['met'] else 'no'} | {part['write_floor_s']} s |"
            f" {part['best_possible_ratio']} x | {part['ratio_to_write_floor']} x |"
        )
    return "\n".join(lines)


def _lines(result: dict[str, Any]) -> Iterator[str]:
    yield markdown(result)
    for name, tables in result["rows_written"].items():
        listed = ", ".join(f"{table} {count:,}" for table, count in sorted(tables.items(), key=lambda item: -item[1]))
        yield f"\nrows an import of {name} stored: {listed}"
    for name in ("volunteers", "hours"):
        yield f"\nwhere an import of {name} spends its time (s, mean of the pairs):"
        for part, seconds in result[name]["where_the_import_time_goes_s"].items():
            yield f"  {part:<45} {seconds:>8.2f}"
    for name, costliest in (result["profile"] or {}).items():
        yield f"\n{name} import under cProfile, most time of their own:"
        for row in costliest:
            yield (
                f"  {row['own_s']:>7.2f} s own  {row['cumulative_s']:>7.2f} s cum  {row['calls']:>9} calls"
                f"  {row['function']}"
            )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the table and write JSON and Markdown into ``--out``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--volunteers", type=int, default=100_000)
    parser.add_argument("--hours", type=int, default=1_000_000)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    parser.add_argument("--profile", action="store_true", help="one more volunteers and hours import under cProfile")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.volunteers, args.hours, args.pairs, args.seed, args.profile, sys.stderr))
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    (args.out / f"imports-{stamp}.json").write_text(json.dumps(result, indent=2) + "\n")
    text = "\n".join(_lines(result))
    (args.out / f"imports-{stamp}.md").write_text(text + "\n")
    print(text)
    return 0 if result["volunteers"]["met"] and result["hours"]["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
