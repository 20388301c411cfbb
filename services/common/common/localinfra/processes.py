"""Run the services as real processes (local platform, end-to-end tests): start, await readiness, SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

__all__ = ["ServiceProcess", "free_port"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ServiceProcess:
    """One service (``python -m <module>``) with its own environment and log file."""

    module: str
    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL of the service's HTTP API."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, detach: bool = False) -> int:
        """Start the process (in its own session when ``detach``); output goes to ``log_path``. Returns the pid."""
        prefix = self.module.upper()
        env = {**os.environ, **self.env, f"{prefix}_HTTP_PORT": str(self.port), f"{prefix}_HTTP_HOST": "127.0.0.1"}
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", self.module],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=detach,
            )
        return self.process.pid

    async def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait until ``/health/ready`` answers 200; fail with the log's tail when the process died."""
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(base_url=self.url, timeout=2) as client:
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.module} exited with {self.process.returncode}:\n{self.log_tail()}")
                try:
                    if (await client.get("/health/ready")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        raise TimeoutError(f"{self.module} not ready after {timeout}s:\n{self.log_tail()}")

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM and wait for a graceful exit (SIGKILL after ``timeout``); returns the exit code."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the process's log."""
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
