"""The peer side: Quix Streams doing the pipeline's work (``bench/peers/quix``), in its own environment and process.

``python -m bench.peer`` installs that environment (``uv sync --frozen``; ``make bench-peer-env``) and
prints the versions in it. A run positions a fresh consumer group at the data set, starts the peer, and
measures it from outside, the way the reporting projection is measured: the window opens when the peer
has its first record in hand (it says so, with the CLOCK_MONOTONIC time) and a record counts once its
row and its offset are committed (the group's offsets, polled every 50 ms). CPU and peak RSS are the
peer process's own, from /proc.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from aiokafka import TopicPartition

from bench.harness import Run
from bench.project import HOURS_COLUMNS
from bench.services import GroupWatcher, process_cpu_seconds, process_peak_rss_bytes
from bench.streams import Offsets, position_group

__all__ = ["PEER_PROJECT", "ensure_peer_env", "peer_python", "peer_throughput", "peer_versions"]

PEER_PROJECT = Path(__file__).parent / "peers" / "quix"
_REPOSITORY = Path(__file__).resolve().parent.parent
_POLL_S = 0.05
_START_TIMEOUT_S = 120.0
_STOP_TIMEOUT_S = 30.0
_SYNC_TIMEOUT_S = 600.0


def peer_python() -> Path:
    """The interpreter of the peer's environment."""
    return PEER_PROJECT / ".venv" / "bin" / "python"


def _uv() -> list[str]:
    """How to call uv: the one running us (``uv run`` sets ``UV``), else on the PATH, else python3's module."""
    found = os.environ.get("UV") or shutil.which("uv")
    return [found] if found else ["python3", "-m", "uv"]


def _base_python() -> str:
    """The interpreter the project's environment was made from: the peer runs on the same Python."""
    candidate = Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    return str(candidate) if candidate.exists() else sys.executable


def ensure_peer_env() -> None:
    """Install the peer's locked environment from PyPI (a no-op when it is in sync); raise with uv's words."""
    env = {name: value for name, value in os.environ.items() if name != "VIRTUAL_ENV"}
    command = [*_uv(), "sync", "--frozen", "--quiet", "--project", str(PEER_PROJECT), "--python", _base_python()]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=_SYNC_TIMEOUT_S, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"`{' '.join(command)}` failed ({result.returncode}): {result.stderr.strip()[-1000:]}")


def peer_versions() -> dict[str, str]:
    """Python, quixstreams, confluent-kafka (librdkafka), psycopg and pydantic of the peer's environment."""
    script = (
        "import json, platform, confluent_kafka; from importlib.metadata import version; "
        "print(json.dumps({'python': platform.python_version(), "
        "**{n: version(n) for n in ('quixstreams', 'confluent-kafka', 'psycopg', 'pydantic')}, "
        "'librdkafka': confluent_kafka.libversion()[0]}))"
    )
    result = subprocess.run([str(peer_python()), "-c", script], capture_output=True, text=True, timeout=60, check=True)
    versions: dict[str, str] = json.loads(result.stdout)
    return versions


async def peer_throughput(
    *,
    bootstrap: str,
    dsn: str,
    group: str,
    topic: str,
    start: Offsets,
    stop_at: Offsets,
    target: int,
    time_limit_s: float,
    batch: int,
) -> Run:
    """The data set through the Quix Streams peer: first record in hand → ``target`` rows and offsets committed."""
    await position_group(bootstrap, group, topic, start)
    spec = {
        "bootstrap": bootstrap,
        "group": group,
        "topic": topic,
        "dsn": dsn,
        "table": "bench_hours",
        "columns": list(HOURS_COLUMNS),
        "batch": batch,
    }
    env = {
        **{name: value for name, value in os.environ.items() if name != "VIRTUAL_ENV"},
        "PYTHONPATH": str(_REPOSITORY),  # contracts, validated by the same models
    }
    first_tp = {TopicPartition(topic, partition): offset for partition, offset in start.items()}
    end_tp = {TopicPartition(topic, partition): offset for partition, offset in stop_at.items()}
    with tempfile.TemporaryDirectory(prefix="regio-bench-peer-") as scratch:
        errors = Path(scratch) / "stderr"
        with errors.open("wb") as stderr:
            process = await asyncio.create_subprocess_exec(
                str(peer_python()),
                str(PEER_PROJECT / "quix_peer.py"),
                json.dumps(spec),
                stdout=asyncio.subprocess.PIPE,
                stderr=stderr,
                env=env,
                cwd=scratch,
            )
        try:
            first = await _expect(process, "first", errors)
            opened = float(first["monotonic"])
            async with GroupWatcher.connect(bootstrap) as watcher:
                done, done_at = 0, opened
                while done < target and time.monotonic() - opened <= time_limit_s:
                    if process.returncode is not None:
                        raise RuntimeError(f"the peer exited with {process.returncode}:\n{_tail(errors)}")
                    await asyncio.sleep(_POLL_S)
                    committed = await watcher.done(group, first_tp, end_tp)
                    if committed > done:
                        done, done_at = committed, time.monotonic()
            cpu = process_cpu_seconds(process.pid) - float(first["cpu_seconds"])
            peak = process_peak_rss_bytes(process.pid)
        finally:
            await _stop(process)
    if not done:
        raise RuntimeError(f"the peer committed nothing within {time_limit_s:.0f} s:\n{_tail(errors)}")
    return Run(
        "peer",
        records=done,
        seconds=done_at - opened,
        cpu_seconds=cpu,
        peak_rss_bytes=peak,
        extra={"reached_target": done >= target},
    )


async def _expect(process: asyncio.subprocess.Process, event: str, errors: Path) -> dict[str, Any]:
    """Protocol lines until ``event`` (``ready`` comes first); the peer's stderr when it died instead."""
    assert process.stdout is not None
    deadline = time.monotonic() + _START_TIMEOUT_S
    while True:
        remaining = deadline - time.monotonic()
        try:
            line = await asyncio.wait_for(process.stdout.readline(), max(remaining, 0.1))
        except TimeoutError:
            raise TimeoutError(
                f"the peer said no {event!r} within {_START_TIMEOUT_S:.0f} s:\n{_tail(errors)}"
            ) from None
        if not line:
            await process.wait()
            raise RuntimeError(f"the peer exited with {process.returncode} before {event!r}:\n{_tail(errors)}")
        with contextlib.suppress(json.JSONDecodeError):
            message: dict[str, Any] = json.loads(line)
            if message.get("event") == event:
                return message


async def _stop(process: asyncio.subprocess.Process) -> None:
    """SIGTERM (Quix finishes its checkpoint), SIGKILL after a bound."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), _STOP_TIMEOUT_S)
        if process.returncode is None:
            process.kill()
            await process.wait()


def _tail(path: Path, characters: int = 2000) -> str:
    """The end of the peer's stderr."""
    return path.read_text(errors="replace")[-characters:] if path.exists() else ""


def main() -> int:
    """``python -m bench.peer``: install the peer's environment and print its versions."""
    ensure_peer_env()
    print(json.dumps({"peer": str(PEER_PROJECT), **peer_versions()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
