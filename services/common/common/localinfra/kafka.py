"""A single-node Apache Kafka broker (KRaft) run from Maven Central jars, for machines without Docker."""

from __future__ import annotations

import asyncio
import atexit
import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from common.kafka import KafkaTarget, bootstrap_of, kafka_client_options

__all__ = [
    "KAFKA_VERSION",
    "LocalKafka",
    "LocalKafkaError",
    "TopicLike",
    "broker_ids",
    "create_topics",
    "default_jar_cache",
    "ensure_kafka_jars",
    "new_cluster_id",
]

KAFKA_VERSION = "4.1.1"
DEFAULT_HEAP = "512m"
DEFAULT_POM = Path(__file__).resolve().parents[4] / "deploy" / "local" / "kafka" / "pom.xml"

# Written last into a complete jar directory, so a download cut short is never mistaken for a cache hit.
_COMPLETE_MARKER = ".complete"
# Kafka error codes create_topics must tell apart (see org.apache.kafka.common.protocol.Errors).
_TOPIC_ALREADY_EXISTS = 36
_MAVEN_TIMEOUT_S = 900.0
_SCRAM_MECHANISMS = ("SCRAM-SHA-256", "SCRAM-SHA-512")
_LOG_TAIL_LINES = 40


class LocalKafkaError(RuntimeError):
    """The local broker could not be provisioned, started, stopped or given its topics."""


class TopicLike(Protocol):
    """What create_topics needs from a catalogue entry (contracts.topics.TopicSpec satisfies it)."""

    @property
    def name(self) -> str:
        """Topic name."""
        ...

    @property
    def partitions(self) -> int:
        """Number of partitions."""
        ...

    def configs(self) -> dict[str, str]:
        """Kafka topic configs to create the topic with."""
        ...


def default_jar_cache() -> Path:
    """Directory the broker jars are cached in: ``$REGIO_CACHE_DIR`` or ``~/.cache/regio-platform``."""
    root = os.environ.get("REGIO_CACHE_DIR")
    base = Path(root).expanduser() if root else Path.home() / ".cache" / "regio-platform"
    # The version is part of the path so bumping KAFKA_VERSION can never run against stale jars.
    return base / f"kafka-{KAFKA_VERSION}" / "lib"


def ensure_kafka_jars(cache_dir: Path | None = None, *, pom: Path = DEFAULT_POM) -> Path:
    """Resolve the broker's runtime classpath with Maven into ``cache_dir`` once and return that directory."""
    lib = (cache_dir or default_jar_cache()).expanduser().resolve()
    if (lib / _COMPLETE_MARKER).is_file():
        return lib
    mvn = shutil.which("mvn")
    if mvn is None:
        raise LocalKafkaError("Maven (mvn) is not on PATH; it is needed once to fetch the Kafka jars")
    if not pom.is_file():
        raise LocalKafkaError(f"throw-away pom not found at {pom}; run from a checkout of the repository")
    lib.parent.mkdir(parents=True, exist_ok=True)
    # Download next to the target and rename into place: concurrent sessions never see a half-filled lib.
    staging = lib.parent / f".{lib.name}.{os.getpid()}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    command = [
        mvn,
        "-q",
        "-B",
        "-f",
        str(pom),
        "dependency:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={staging}",
        f"-Dkafka.version={KAFKA_VERSION}",
    ]
    try:
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=_MAVEN_TIMEOUT_S,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip().splitlines()
            raise LocalKafkaError(
                f"{' '.join(command)} failed with exit code {result.returncode}:\n"
                + "\n".join(output[-_LOG_TAIL_LINES:])
            )
        for required in (f"kafka_2.13-{KAFKA_VERSION}.jar", "slf4j-simple-"):
            if not any(jar.name.startswith(required) for jar in staging.glob("*.jar")):
                raise LocalKafkaError(f"Maven finished but {staging} has no {required}* jar")
        (staging / _COMPLETE_MARKER).write_text(f"kafka {KAFKA_VERSION}\n")
        if lib.exists() and not (lib / _COMPLETE_MARKER).is_file():
            shutil.rmtree(lib)  # a leftover without marker is a broken earlier attempt
        try:
            staging.rename(lib)
        except OSError:
            # Another process renamed its complete copy into place first; theirs is as good as ours.
            if not (lib / _COMPLETE_MARKER).is_file():
                raise
    except subprocess.TimeoutExpired as exc:
        raise LocalKafkaError(f"Maven did not finish within {_MAVEN_TIMEOUT_S:.0f} s") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return lib


def new_cluster_id() -> str:
    """A random KRaft cluster id: a 16-byte UUID in unpadded base64url (22 characters)."""
    while True:
        candidate = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode("ascii")
        # The storage tool's argument parser takes an id starting with '-' for an option; Kafka's own
        # Uuid.randomUuid() rejects those for the same reason.
        if not candidate.startswith("-"):
            return candidate


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _java() -> str:
    """Path of the java launcher: ``$JAVA_HOME/bin/java`` or the one on PATH."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise LocalKafkaError("java is not on PATH and JAVA_HOME is unset; Kafka 4.1 needs Java 17+")
    return java


def _tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    """Last lines of a log file, for error messages."""
    try:
        content = path.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return f"(no log at {path})"
    return "\n".join(content[-lines:])


def _startup_report(path: Path) -> str:
    """The first error of the latest start in a broker log plus the log's tail, for error messages."""
    try:
        lines = path.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return f"(no log at {path})"
    starts = [index for index, line in enumerate(lines) if line.startswith("--- ")]
    run = lines[starts[-1] :] if starts else lines
    # The tail of a failed start is shutdown noise; the cause is the first ERROR and its stack trace.
    first_error = next((index for index, line in enumerate(run) if " ERROR " in line), None)
    if first_error is None:
        return f"tail of {path}:\n" + "\n".join(run[-_LOG_TAIL_LINES:])
    cause = "\n".join(run[first_error : first_error + 15])
    return f"first error in {path}:\n{cause}\n...\ntail:\n" + "\n".join(run[-10:])


def _ensure_port_free(port: int, what: str) -> None:
    """Fail before launching when another process listens on ``port``: Kafka's own error comes much later."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the JVM does; TIME_WAIT is fine
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            raise LocalKafkaError(f"{what} port 127.0.0.1:{port} is in use: {exc}") from exc


def _pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists (and is not a zombie, where /proc can tell)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        # An exited process stays a zombie (Z) until its parent or init reaps it: it is gone all the same.
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _cmdline_contains(pid: int, needles: Iterable[str]) -> bool:
    """Whether the process's command line has all needles; True where /proc is unavailable."""
    if not Path("/proc/self").exists():
        return True  # no procfs (macOS): the pid check by the caller is all there is
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    args = raw.decode(errors="replace").split("\0")
    return all(needle in args for needle in needles)


class LocalKafka:
    """One KRaft broker+controller on 127.0.0.1 whose config, data and log live in a state directory."""

    def __init__(
        self,
        state_dir: Path,
        *,
        port: int | None = None,
        lib_dir: Path | None = None,
        heap: str = DEFAULT_HEAP,
        detached: bool = False,
        scram_users: Mapping[str, str] | None = None,
    ) -> None:
        """Describe a broker in ``state_dir``; ``detached`` leaves it running when this process exits.

        ``scram_users`` (name → password) adds a SASL_PLAINTEXT listener taking SCRAM-SHA-256 and -512
        logins of those users, created when the storage is formatted; the PLAINTEXT listener stays.
        """
        self.state_dir = state_dir.expanduser().resolve()
        self.config_path = self.state_dir / "server.properties"
        self.data_dir = self.state_dir / "data"
        self.log_path = self.state_dir / "kafka.log"
        self._state_path = self.state_dir / "kafka.json"
        self._lib_dir = lib_dir
        self._heap = heap
        self._detached = detached
        self._process: subprocess.Popen[bytes] | None = None
        self._atexit_registered = False
        state = self._load_state()
        # Ports survive restarts: clients keep their bootstrap address and the KRaft voter record (which
        # stores the controller endpoint) stays valid.
        self._port: int | None = port or state.get("port")
        self._controller_port: int | None = state.get("controller_port")
        self._scram_users = dict(scram_users or {})
        self._sasl_port: int | None = state.get("sasl_port")
        self._cluster_id: str | None = state.get("cluster_id")
        self._pid: int | None = state.get("pid")

    @property
    def port(self) -> int:
        """The PLAINTEXT listener port."""
        if self._port is None:
            raise LocalKafkaError("broker has no port yet; call start() first")
        return self._port

    @property
    def bootstrap_servers(self) -> str:
        """Bootstrap address for clients, ``127.0.0.1:PORT``."""
        return f"127.0.0.1:{self.port}"

    @property
    def sasl_bootstrap_servers(self) -> str:
        """Bootstrap address of the SASL_PLAINTEXT (SCRAM) listener; only with ``scram_users``."""
        if self._sasl_port is None:
            raise LocalKafkaError("broker has no SASL listener; give scram_users and call start() first")
        return f"127.0.0.1:{self._sasl_port}"

    @property
    def pid(self) -> int | None:
        """Process id of the running broker, or None."""
        return self._pid if self.is_running() else None

    def is_running(self) -> bool:
        """Whether the broker process of this state directory is alive."""
        if self._process is not None:
            return self._process.poll() is None
        if self._pid is None:
            return False
        # A pid read from disk may have been reused by an unrelated process since: check it is our broker.
        return _pid_alive(self._pid) and _cmdline_contains(self._pid, ("kafka.Kafka", str(self.config_path)))

    async def start(self, timeout: float = 90.0) -> None:
        """Start the broker (fetching jars and formatting storage when needed) and wait until it serves."""
        deadline = time.monotonic() + timeout
        if self.is_running():
            await self.wait_ready(max(deadline - time.monotonic(), 1.0))
            return
        lib = await asyncio.to_thread(ensure_kafka_jars, self._lib_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        if self._port is None:
            self._port = _free_port()
        if self._controller_port is None:
            self._controller_port = _free_port()
        if self._cluster_id is None:
            self._cluster_id = new_cluster_id()
        if self._scram_users and self._sasl_port is None:
            self._sasl_port = _free_port()
        _ensure_port_free(self._port, "Kafka broker")
        _ensure_port_free(self._controller_port, "Kafka controller")
        if self._scram_users:
            assert self._sasl_port is not None
            _ensure_port_free(self._sasl_port, "Kafka SASL listener")
        self._write_config()
        self._save_state()
        if not (self.data_dir / "meta.properties").is_file():
            await asyncio.to_thread(self._format_storage, lib)
        self._launch(lib)
        try:
            await self.wait_ready(max(deadline - time.monotonic(), 1.0))
        except BaseException:
            # Leave nothing half-started behind: a broker that never became ready is useless to the caller.
            await self.stop()
            raise

    async def stop(self, timeout: float = 30.0) -> None:
        """Stop the broker: SIGTERM for a controlled shutdown, SIGKILL if it has not exited by ``timeout``."""
        if not self.is_running():
            self._forget_process()
            return
        pid = self._process.pid if self._process is not None else self._pid
        assert pid is not None
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        if not await self._wait_exit(timeout):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            if not await self._wait_exit(10.0):
                raise LocalKafkaError(f"Kafka (pid {pid}) survived SIGKILL")
        self._forget_process()

    async def restart(self, timeout: float = 90.0) -> None:
        """Stop and start the broker on the same ports and data directory."""
        await self.stop()
        await self.start(timeout)

    async def wait_ready(self, timeout: float = 90.0) -> None:
        """Wait for the port to accept connections, then for a metadata request that lists this broker."""
        deadline = time.monotonic() + timeout
        last_error: BaseException | None = None
        while time.monotonic() < deadline:
            if not self.is_running():
                raise LocalKafkaError(f"Kafka exited during startup; {_startup_report(self.log_path)}")
            try:
                _, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", self.port), 1.0)
            except (TimeoutError, OSError) as exc:
                last_error = exc
                await asyncio.sleep(0.2)
                continue
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
            break
        while time.monotonic() < deadline:
            if not self.is_running():
                raise LocalKafkaError(f"Kafka exited during startup; {_startup_report(self.log_path)}")
            try:
                if await broker_ids(self.bootstrap_servers, timeout=min(5.0, max(deadline - time.monotonic(), 0.1))):
                    return
            except Exception as exc:
                last_error = exc
            await asyncio.sleep(0.5)
        raise LocalKafkaError(
            f"Kafka on {self.bootstrap_servers} not ready within {timeout:.0f} s (last error: {last_error!r}); "
            f"{_startup_report(self.log_path)}"
        )

    def _load_state(self) -> dict[str, Any]:
        """Ports, cluster id and pid recorded by an earlier start in this state directory."""
        try:
            loaded = json.loads(self._state_path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}
        return loaded if isinstance(loaded, dict) else {}

    def _save_state(self) -> None:
        """Record ports, cluster id and pid so other processes (the CLI's status/down) can find the broker."""
        state = {
            "port": self._port,
            "controller_port": self._controller_port,
            "sasl_port": self._sasl_port,
            "cluster_id": self._cluster_id,
            "pid": self._pid,
            "kafka_version": KAFKA_VERSION,
        }
        tmp = self._state_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(state, indent=2) + "\n")
        tmp.replace(self._state_path)

    def _write_config(self) -> None:
        """Write server.properties for a single broker+controller with replication factor 1 everywhere."""
        broker = f"127.0.0.1:{self._port}"
        controller = f"127.0.0.1:{self._controller_port}"
        listeners = f"PLAINTEXT://{broker},CONTROLLER://{controller}"
        protocols = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
        sasl: dict[str, str] = {}
        if self._scram_users:
            listeners += f",SASL_PLAINTEXT://127.0.0.1:{self._sasl_port}"
            protocols += ",SASL_PLAINTEXT:SASL_PLAINTEXT"
            sasl["sasl.enabled.mechanisms"] = ",".join(_SCRAM_MECHANISMS)
            for mechanism in _SCRAM_MECHANISMS:
                # The broker side of SCRAM needs a login module; the credentials are in the metadata log.
                key = f"listener.name.sasl_plaintext.{mechanism.lower()}.sasl.jaas.config"
                sasl[key] = "org.apache.kafka.common.security.scram.ScramLoginModule required;"
        settings: Mapping[str, str] = {
            "process.roles": "broker,controller",
            "node.id": "1",
            # Dynamic quorum (KIP-853), matching `storage format --standalone`.
            "controller.quorum.bootstrap.servers": controller,
            "listeners": listeners,
            "advertised.listeners": listeners,
            "listener.security.protocol.map": protocols,
            **sasl,
            "inter.broker.listener.name": "PLAINTEXT",
            "controller.listener.names": "CONTROLLER",
            "log.dirs": str(self.data_dir),
            # One broker: internal topics cannot have more than one replica.
            "default.replication.factor": "1",
            "min.insync.replicas": "1",
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            # 50 partitions each (the defaults) cost seconds at the first group join on 2 cores for nothing.
            "offsets.topic.num.partitions": "1",
            "transaction.state.log.num.partitions": "1",
            "num.partitions": "1",
            # Tests join and leave groups constantly; the 3 s default delay would stall every one of them.
            "group.initial.rebalance.delay.ms": "0",
            # Every topic comes from the catalogue; a typo must fail instead of creating a new topic.
            "auto.create.topics.enable": "false",
        }
        header = "# Written by common.localinfra.kafka; rewritten on every start.\n"
        self.config_path.write_text(header + "".join(f"{key}={value}\n" for key, value in settings.items()))

    def _format_storage(self, lib: Path) -> None:
        """Format the data directory as a standalone KRaft controller quorum of this one node."""
        command = [
            _java(),
            "-cp",
            f"{lib}/*",
            "kafka.tools.StorageTool",
            "format",
            "--standalone",
            "-t",
            str(self._cluster_id),
            "-c",
            str(self.config_path),
        ]
        for name, password in self._scram_users.items():
            # SCRAM credentials written into the bootstrap metadata (KIP-900), so they exist at first start.
            for mechanism in _SCRAM_MECHANISMS:
                command += ["--add-scram", f"{mechanism}=[name={name},password={password}]"]
        with self.log_path.open("ab") as log:
            log.write(f"--- {time.strftime('%Y-%m-%dT%H:%M:%S')} storage format\n".encode())
            log.flush()
            result = subprocess.run(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=120, check=False
            )
        if result.returncode != 0:
            raise LocalKafkaError(
                f"kafka storage format failed with exit code {result.returncode}; "
                f"tail of {self.log_path}:\n{_tail(self.log_path)}"
            )

    def _launch(self, lib: Path) -> None:
        """Start the broker JVM in its own session with output appended to kafka.log."""
        command = [
            _java(),
            f"-Xmx{self._heap}",
            # The GC flags Kafka's own kafka-run-class.sh uses.
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-XX:InitiatingHeapOccupancyPercent=35",
            "-XX:+ExplicitGCInvokesConcurrent",
            "-Djava.awt.headless=true",
            "-Dorg.slf4j.simpleLogger.showDateTime=true",
            "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSS",
            "-cp",
            f"{lib}/*",
            "kafka.Kafka",
            str(self.config_path),
        ]
        with self.log_path.open("ab") as log:
            log.write(f"--- {time.strftime('%Y-%m-%dT%H:%M:%S')} start\n".encode())
            log.flush()
            # Detached brokers get a session of their own so the terminal that ran `up` can close without
            # taking them along. Attached ones stay in the caller's process group: Ctrl-C or a CI runner
            # killing the group then stops the broker with the tests instead of orphaning it.
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.state_dir,
                start_new_session=self._detached,
            )
        self._pid = self._process.pid
        self._save_state()
        if not self._detached and not self._atexit_registered:
            # Safety net for an interpreter that exits without stop() (a crashed test session).
            atexit.register(self._kill_at_exit)
            self._atexit_registered = True

    async def _wait_exit(self, timeout: float) -> bool:
        """Poll until the broker process is gone; False when ``timeout`` passes first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.is_running():
                return True
            await asyncio.sleep(0.1)
        return not self.is_running()

    def _forget_process(self) -> None:
        """Drop the pid of a broker that has exited (and reap it if it is our child)."""
        if self._process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=1)
            self._process = None
        if self._pid is not None:
            self._pid = None
            if self._state_path.exists():
                self._save_state()

    def _kill_at_exit(self) -> None:
        """Terminate a broker this process started and never stopped."""
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


async def broker_ids(kafka: KafkaTarget, *, timeout: float = 10.0) -> list[int]:
    """Node ids of the brokers a metadata request to ``kafka`` reports; raises when none answers."""
    admin = AIOKafkaAdminClient(**kafka_client_options(kafka), request_timeout_ms=max(int(timeout * 1000), 1000))
    try:
        await asyncio.wait_for(admin.start(), timeout)
        cluster = await asyncio.wait_for(admin.describe_cluster(), timeout)
    finally:
        await admin.close()
    return [int(broker["node_id"]) for broker in cluster.get("brokers", [])]


async def create_topics(
    kafka: KafkaTarget,
    topics: Iterable[TopicLike],
    *,
    replication_factor: int = 1,
    timeout: float = 60.0,
) -> None:
    """Create the given topics idempotently and wait until their metadata shows every partition led."""
    specs = {topic.name: topic for topic in topics}
    deadline = time.monotonic() + timeout
    admin = AIOKafkaAdminClient(**kafka_client_options(kafka), request_timeout_ms=int(timeout * 1000))
    try:
        await asyncio.wait_for(admin.start(), timeout)
        existing = set(await admin.list_topics())
        missing = [spec for name, spec in specs.items() if name not in existing]
        if missing:
            new_topics = [
                NewTopic(spec.name, spec.partitions, replication_factor, topic_configs=spec.configs())
                for spec in missing
            ]
            response = await admin.create_topics(new_topics, timeout_ms=int(timeout * 1000))
            failures = [
                f"{error['topic']}: error {error['error_code']} {error.get('error_message') or ''}".strip()
                for error in response.to_object()["topic_errors"]
                # Already-exists is success: a concurrent provisioner (another test session) got there first.
                if error["error_code"] not in (0, _TOPIC_ALREADY_EXISTS)
            ]
            if failures:
                raise LocalKafkaError(f"could not create topics on {bootstrap_of(kafka)}:\n" + "\n".join(failures))
        await _wait_for_topics(admin, {name: spec.partitions for name, spec in specs.items()}, deadline)
    finally:
        await admin.close()


async def _wait_for_topics(admin: Any, expected: Mapping[str, int], deadline: float) -> None:
    """Poll metadata until every topic has its expected partition count, each with a leader."""
    pending = dict(expected)
    while True:
        described = await admin.describe_topics(sorted(pending))
        for topic in described:
            name = topic["topic"]
            if name not in pending or topic["error_code"] != 0:
                continue
            partitions = topic["partitions"]
            if len(partitions) != pending[name] and all(p["leader"] >= 0 for p in partitions):
                # Keyed topics map keys to partitions by count: silently using another count breaks ordering.
                raise LocalKafkaError(
                    f"topic {name} exists with {len(partitions)} partitions, the catalogue says {pending[name]}"
                )
            if all(p["error_code"] == 0 and p["leader"] >= 0 for p in partitions):
                del pending[name]
        if not pending:
            return
        if time.monotonic() >= deadline:
            raise LocalKafkaError(f"topics without metadata after creation: {', '.join(sorted(pending))}")
        await asyncio.sleep(0.2)
