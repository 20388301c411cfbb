"""The browser tier: the four services and the portal as processes on the session's Kafka and PostgreSQL, a real
SMTP server for the registry's e-mails, and Debian's Chromium driven by Playwright.

One region for the whole tier (starting five processes takes a while on two cores); each journey makes its own
people and records, so they do not depend on one another.
"""

from __future__ import annotations

import secrets
import signal
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, async_playwright

from common.localinfra.postgres import create_database
from common.localinfra.processes import ServiceProcess, free_port
from tests.portal.browser.support import A11y, Mailbox, Region, running_mailbox

SERVICES = ("registry", "matching", "appreciation", "reporting")
CHROMIUM = Path("/usr/bin/chromium")
# What the issue asks Chromium to run with here: no sandbox (containers), no GPU, and nothing that phones home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="package")
def mailbox() -> Iterator[Mailbox]:
    """The region's mail server: invitations and password links arrive here."""
    with running_mailbox() as box:
        yield box


@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def region(
    kafka_bootstrap: str, postgres_server_dsn: str, mailbox: Mailbox, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Region]:
    """The services and the portal as processes; stopped with SIGTERM (cleanly) afterwards."""
    started = time.monotonic()
    logs = tmp_path_factory.mktemp("portal-browser-logs")
    suffix = secrets.token_hex(4)
    ops_token = secrets.token_urlsafe(32)
    portal_port = free_port()
    portal_url = f"http://127.0.0.1:{portal_port}"
    processes: dict[str, ServiceProcess] = {}
    common_env = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "REGION": "testregio",
        "LOG_LEVEL": "INFO",
        "OPS_TOKEN": ops_token,
    }
    for service in SERVICES:
        prefix = service.upper()
        env = {
            **common_env,
            f"{prefix}_DATABASE_URL": await create_database(postgres_server_dsn, f"{service}_portal_{suffix}"),
            f"{prefix}_OUTBOX_POLL_INTERVAL_S": "0.2",
            f"{prefix}_CONSUMER_RETRY_BACKOFF_S": "0.05",
        }
        if service == "registry":
            env.update(
                REGISTRY_SMTP_HOST="127.0.0.1",
                REGISTRY_SMTP_PORT=str(mailbox.port),
                REGISTRY_MESSAGES_POLL_INTERVAL_S="0.2",
                REGISTRY_ACCOUNT_LINK_URL=f"{portal_url}/account/wachtwoord?token={{token}}",
            )
        processes[service] = ServiceProcess(module=service, env=env, log_path=Path(logs) / f"{service}.log")
    for process in processes.values():
        process.start()
    for process in processes.values():
        await process.wait_ready(timeout=120)
    # The portal as in production: Secure `__Host-` cookies (Chromium keeps them on http://127.0.0.1).
    portal_env = {
        "REGION": "testregio",
        "PORTAL_SECRET": secrets.token_urlsafe(32),
        **{f"PORTAL_{s.upper()}_URL": processes[s].url for s in SERVICES},
    }
    processes["portal"] = ServiceProcess(
        module="portal", env=portal_env, log_path=Path(logs) / "portal.log", port=portal_port
    )
    processes["portal"].start()
    await processes["portal"].wait_ready(timeout=60)
    region = Region(
        urls={name: process.url for name, process in processes.items()},
        ops_token=ops_token,
        mailbox=mailbox,
        started_in_s=time.monotonic() - started,
    )
    try:
        await region.set_up()
        yield region
    finally:
        await region.close()
        codes = {name: process.stop() for name, process in processes.items()}
        unclean = {
            name: processes[name].log_tail()
            for name, code in codes.items()
            if code not in (0, -signal.SIGTERM) or '"service_stopped"' not in processes[name].log_path.read_text()
        }
        assert unclean == {}, unclean


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium, which .ci/run installs with apt-get."""
    assert CHROMIUM.exists(), "install Debian's chromium (apt-get install chromium), as .ci/run does"
    return CHROMIUM


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    """Debian's Chromium (Playwright's own browser download cannot work here), headless."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest_asyncio.fixture(loop_scope="session")
async def phone(browser: Browser) -> AsyncIterator[BrowserContext]:
    """A fresh browser profile 390 px wide, Dutch."""
    context = await browser.new_context(viewport=PHONE, locale="nl-NL", has_touch=True, is_mobile=True)
    yield context
    await context.close()


@pytest_asyncio.fixture(loop_scope="session")
async def desktop(browser: Browser) -> AsyncIterator[BrowserContext]:
    """A fresh browser profile 1280 px wide, Dutch."""
    context = await browser.new_context(viewport=DESKTOP, locale="nl-NL")
    yield context
    await context.close()


@pytest.fixture
def a11y() -> A11y:
    """axe-core on every page a journey visits; the test asserts none was missed and none failed."""
    return A11y()
