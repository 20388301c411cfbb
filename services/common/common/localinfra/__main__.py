"""Command line: ``python -m common.localinfra up|status|down [--state-dir DIR]``."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import sys
import time
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from common.localinfra.kafka import KAFKA_VERSION, LocalKafka, LocalKafkaError, broker_ids, create_topics
from common.localinfra.postgres import LocalPostgres, LocalPostgresError, ping
from common.sealing import REGION_KEY_VARIABLE, new_region_key

SERVICE_DATABASES = ("registry", "matching", "appreciation", "reporting")
REPO_ROOT = Path(__file__).resolve().parents[4]
DEFAULT_STATE_DIR = REPO_ROOT / ".local" / "infra"


def _local_region_key(state_dir: Path) -> str:
    """The local region's key-encryption key: generated once and kept with the data it opens (never in a region)."""
    path = state_dir / "region-key"
    if not path.exists():
        path.write_text(new_region_key() + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


class _Stack:
    """Paths and recorded choices of one state directory."""

    def __init__(self, state_dir: Path) -> None:
        """Lay out the state directory: kafka/, postgres/, env and infra.json."""
        self.state_dir = state_dir
        self.kafka_dir = state_dir / "kafka"
        self.postgres_dir = state_dir / "postgres"
        self.env_path = state_dir / "env"
        self.record_path = state_dir / "infra.json"

    def recorded(self) -> dict[str, Any]:
        """What the last `up` wrote: addresses and whether each server is ours."""
        try:
            loaded = json.loads(self.record_path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}
        return loaded if isinstance(loaded, dict) else {}

    def has_local_kafka(self) -> bool:
        """Whether a broker was ever started in this state directory."""
        return (self.kafka_dir / "kafka.json").is_file()

    def has_local_postgres(self) -> bool:
        """Whether a PostgreSQL data directory exists in this state directory."""
        return (self.postgres_dir / "PG_VERSION").exists()


def _external(variable: str, ours: object) -> str | None:
    """The value of ``variable`` when it names a server other than the one `up` recorded as ours."""
    value = os.environ.get(variable) or None
    # After `source <state>/env` the variables point at our own servers: those are not "external".
    return None if value is None or value == ours else value


def _display(path: Path) -> str:
    """A path relative to the current directory when it is below it, for shorter output."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _redact(dsn: str) -> str:
    """A DSN with its password masked, for printing."""
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@", 1)))


def _reason(exc: BaseException) -> str:
    """A one-line reason for a failed check, with the exception type named once."""
    text = str(exc) or repr(exc)
    name = type(exc).__name__
    return text if text.startswith(name) else f"{name}: {text}"


def _kafka_port() -> int | None:
    """The broker port from ``$KAFKA_PORT``, or None for a free one."""
    raw = os.environ.get("KAFKA_PORT")
    if not raw:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SystemExit(f"KAFKA_PORT must be a TCP port number, not {raw!r}")
    return int(raw)


async def _up(stack: _Stack) -> int:
    """Start what is not given by environment, provision topics and databases, write the env file."""
    from contracts.topics import TOPICS  # imported late: status/down must work even if contracts break

    stack.state_dir.mkdir(parents=True, exist_ok=True)
    recorded = stack.recorded()
    external_kafka = _external(
        "KAFKA_BOOTSTRAP_SERVERS", recorded.get("kafka_local") and recorded.get("kafka_bootstrap")
    )
    external_pg = _external("DATABASE_URL", recorded.get("postgres_local") and recorded.get("database_url"))

    began = time.monotonic()
    if external_kafka is not None:
        bootstrap = external_kafka
        try:
            await broker_ids(bootstrap)  # fail now, not halfway through topic creation
        except Exception as exc:
            raise LocalKafkaError(f"KAFKA_BOOTSTRAP_SERVERS={bootstrap} does not answer: {exc!r}") from exc
        print(f"Kafka         {bootstrap} (from KAFKA_BOOTSTRAP_SERVERS, not started here)")
    else:
        kafka = LocalKafka(stack.kafka_dir, port=_kafka_port(), detached=True)
        await kafka.start()
        bootstrap = kafka.bootstrap_servers
        print(
            f"Kafka {KAFKA_VERSION}   {bootstrap}  pid {kafka.pid}  log {_display(kafka.log_path)}"
            f"  ({time.monotonic() - began:.1f} s)"
        )

    began = time.monotonic()
    postgres = LocalPostgres(stack.postgres_dir, dsn=external_pg, detached=True)
    await postgres.start()
    if postgres.launched:
        print(
            f"PostgreSQL    {postgres.dsn}  pid {postgres.pid}  log {_display(postgres.log_path)}"
            f"  ({time.monotonic() - began:.1f} s)"
        )
    else:
        print(f"PostgreSQL    {_redact(postgres.dsn)} (from DATABASE_URL, not started here)")

    await create_topics(bootstrap, TOPICS)
    print(f"Topics        {len(TOPICS)} catalogue topics present")
    databases = {name: await postgres.create_database(name) for name in SERVICE_DATABASES}
    print(f"Databases     {', '.join(databases)}")

    exports = {"KAFKA_BOOTSTRAP_SERVERS": bootstrap, "DATABASE_URL": postgres.dsn}
    exports.update({f"{name.upper()}_DATABASE_URL": dsn for name, dsn in databases.items()})
    exports[REGION_KEY_VARIABLE] = _local_region_key(stack.state_dir)
    header = f"# Written by `python -m common.localinfra up` on {time.strftime('%Y-%m-%d %H:%M:%S')}.\n"
    stack.env_path.write_text(header + "".join(f"export {k}={shlex.quote(v)}\n" for k, v in exports.items()))
    record = {
        "kafka_bootstrap": bootstrap,
        "kafka_local": external_kafka is None,
        "database_url": postgres.dsn,
        "postgres_local": postgres.launched,
    }
    stack.record_path.write_text(json.dumps(record, indent=2) + "\n")
    print(f"Environment   source {_display(stack.env_path)}")
    print("Stop with     python -m common.localinfra down" + _state_dir_flag(stack))
    return 0


def _state_dir_flag(stack: _Stack) -> str:
    """The --state-dir flag to repeat in hints, empty for the default."""
    return "" if stack.state_dir == DEFAULT_STATE_DIR else f" --state-dir {shlex.quote(str(stack.state_dir))}"


async def _status(stack: _Stack) -> int:
    """Report whether each server answers; exit status 0 only when both do."""
    recorded = stack.recorded()
    healthy = True

    if stack.has_local_kafka():
        kafka = LocalKafka(stack.kafka_dir)
        where = f"{kafka.bootstrap_servers}  pid {kafka.pid}" if kafka.is_running() else kafka.bootstrap_servers
        bootstrap: str | None = kafka.bootstrap_servers if kafka.is_running() else None
    else:
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or recorded.get("kafka_bootstrap")
        where = f"{bootstrap} (external)" if bootstrap else "not configured"
    kafka_state = "down"
    if bootstrap:
        try:
            brokers = await broker_ids(bootstrap, timeout=5.0)
            kafka_state = f"up ({len(brokers)} broker{'s' if len(brokers) != 1 else ''})"
        except Exception as exc:  # any failure means "not serving", and is reported as such
            kafka_state = f"down ({_reason(exc)})"
    healthy &= kafka_state.startswith("up")
    print(f"Kafka         {kafka_state:<14} {where}")

    if stack.has_local_postgres():
        postgres = LocalPostgres(stack.postgres_dir)
        dsn: str | None = postgres.dsn if postgres.is_running() else None
        where = f"{_redact(dsn)}  pid {postgres.pid}" if dsn else _display(stack.postgres_dir)
    else:
        dsn = os.environ.get("DATABASE_URL") or recorded.get("database_url")
        where = f"{_redact(dsn)} (external)" if dsn else "not configured"
    pg_state = "down"
    if dsn:
        try:
            await ping(dsn)
            pg_state = "up"
        except Exception as exc:  # any failure means "not serving", and is reported as such
            pg_state = f"down ({_reason(exc)})"
    healthy &= pg_state == "up"
    print(f"PostgreSQL    {pg_state:<14} {where}")
    return 0 if healthy else 1


async def _down(stack: _Stack) -> int:
    """Stop the servers this state directory launched; external ones are left alone. Data is kept."""
    if stack.has_local_kafka():
        kafka = LocalKafka(stack.kafka_dir)
        was_running = kafka.is_running()
        await kafka.stop()
        print(f"Kafka         {'stopped' if was_running else 'was not running'}")
    else:
        print("Kafka         nothing local to stop")
    if stack.has_local_postgres():
        postgres = LocalPostgres(stack.postgres_dir)
        was_running = postgres.is_running()
        await postgres.stop()
        print(f"PostgreSQL    {'stopped' if was_running else 'was not running'}")
    else:
        print("PostgreSQL    nothing local to stop")
    # The env file would point at dead servers; data stays, so the next `up` brings the same state back.
    stack.env_path.unlink(missing_ok=True)
    print(f"Data kept in  {_display(stack.state_dir)} (delete it for a clean slate)")
    return 0


_COMMANDS: dict[str, Callable[[_Stack], Coroutine[Any, Any, int]]] = {"up": _up, "status": _status, "down": _down}


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and run one command."""
    parser = argparse.ArgumentParser(
        prog="python -m common.localinfra",
        description="Kafka and PostgreSQL for local development, without Docker.",
    )
    parser.add_argument(
        "command",
        choices=sorted(_COMMANDS),
        help="up: start in the background and provision; status: check; down: stop (keeps data)",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=DEFAULT_STATE_DIR,
        help=f"where config, data, logs, pids and the env file live (default: {_display(DEFAULT_STATE_DIR)})",
    )
    args = parser.parse_args(argv)
    stack = _Stack(args.state_dir.expanduser().resolve())
    try:
        return asyncio.run(_COMMANDS[args.command](stack))
    except (LocalKafkaError, LocalPostgresError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        if args.command == "up":
            print("Whatever did start keeps running; `down` stops it.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
