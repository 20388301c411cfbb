"""Start or stop the four services and the portal locally as background processes, on `make infra-up`'s infrastructure.

``python deploy/local/localplatform.py up|down|status``. State (pids, ports) in ``.local/services/``, logs in
``.local/logs/``. Reads Kafka and database addresses from ``.local/infra/env``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import signal
import sys
import time
from pathlib import Path

import httpx

from common.localinfra.processes import ServiceProcess

ROOT = Path(__file__).resolve().parents[2]
STATE = ROOT / ".local" / "services"
LOGS = ROOT / ".local" / "logs"
INFRA_ENV = ROOT / ".local" / "infra" / "env"
SERVICES = ("registry", "matching", "appreciation", "reporting", "portal")
PORTS = {"registry": 8001, "matching": 8002, "appreciation": 8003, "reporting": 8004, "portal": 8005}
DEMO_OPS_TOKEN = "demo-ops-token-local-only"
# The portal's CSRF key for the local demo only (DEVELOPMENT=true allows it; a region sets its own secret).
DEMO_PORTAL_SECRET = "demo-portal-secret-local-only"


def infra_env() -> dict[str, str]:
    """The variables `python -m common.localinfra up` wrote (``export NAME=value`` lines)."""
    if not INFRA_ENV.exists():
        sys.exit(f"{INFRA_ENV} not found: start the infrastructure first (make infra-up)")
    env = {}
    for line in INFRA_ENV.read_text().splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = shlex.split(value)[0] if value else ""
    return env


def portal_env() -> dict[str, str]:
    """Where the portal finds the services, and where the registry's e-mailed links point (the portal's pages)."""
    urls = {f"PORTAL_{service.upper()}_URL": f"http://127.0.0.1:{_port(service)}" for service in SERVICES[:4]}
    return {
        **urls,
        "PORTAL_SECRET": DEMO_PORTAL_SECRET,
        # Plain http on this machine: browsers other than Chromium refuse Secure cookies there (tests keep them on).
        "PORTAL_COOKIE_SECURE": "false",
        "REGISTRY_ACCOUNT_LINK_URL": f"http://127.0.0.1:{_port('portal')}/account/wachtwoord?token={{token}}",
    }


def _port(service: str) -> int:
    return int(os.environ.get(f"{service.upper()}_HTTP_PORT", PORTS[service]))


async def up() -> None:
    """Start every service that is not running yet and wait until all are ready."""
    STATE.mkdir(parents=True, exist_ok=True)
    env = {"REGION": "demo-regio", "DEVELOPMENT": "true", "OPS_TOKEN": DEMO_OPS_TOKEN, **infra_env(), **portal_env()}
    started = []
    for service in SERVICES:
        if _running(service):
            print(f"{service:13} already running")
            continue
        process = ServiceProcess(module=service, env=env, log_path=LOGS / f"{service}.log", port=_port(service))
        pid = process.start(detach=True)
        (STATE / f"{service}.json").write_text(json.dumps({"pid": pid, "url": process.url}))
        started.append(process)
    for process in started:
        await process.wait_ready()
        print(f"{process.module:13} ready at {process.url}  (log: {process.log_path.relative_to(ROOT)})")


def _state(service: str) -> dict[str, object] | None:
    path = STATE / f"{service}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _running(service: str) -> bool:
    state = _state(service)
    if state is None:
        return False
    try:
        os.kill(int(str(state["pid"])), 0)
    except ProcessLookupError:
        return False
    return True


def down(timeout: float = 30.0) -> None:
    """SIGTERM every running service and wait for it to exit."""
    for service in SERVICES:
        state = _state(service)
        if state is None:
            continue
        pid = int(str(state["pid"]))
        if _running(service):
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while _running(service) and time.monotonic() < deadline:
                time.sleep(0.2)
            if _running(service):
                os.kill(pid, signal.SIGKILL)
        (STATE / f"{service}.json").unlink()
        print(f"{service:13} stopped")


def status() -> int:
    """Print each service's readiness; non-zero when one is not ready."""
    failures = 0
    for service in SERVICES:
        state = _state(service)
        if state is None or not _running(service):
            print(f"{service:13} not running")
            failures += 1
            continue
        try:
            ready = httpx.get(f"{state['url']}/health/ready", timeout=2).json()
        except httpx.HTTPError as error:
            ready = {"status": f"unreachable ({error})"}
        print(f"{service:13} {state['url']}  {ready}")
        failures += ready.get("status") != "ok"
    return 1 if failures else 0


def main() -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["up", "down", "status"])
    command = parser.parse_args().command
    if command == "up":
        asyncio.run(up())
    elif command == "down":
        down()
    else:
        return status()
    return 0


if __name__ == "__main__":
    sys.exit(main())
