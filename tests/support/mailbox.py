"""A real SMTP server for tests (aiosmtpd on 127.0.0.1 and a free port) and what it received."""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

__all__ = ["Mailbox", "free_port", "link_token", "running_mailbox"]


class Mailbox:
    """What the server received; refuses recipients whose address says so ("refuse")."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.port = 0

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if "refuse" in address:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.messages.append(message_from_bytes(content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        """Messages received for ``address``."""
        return [m for m in self.messages if m["To"] == address]

    async def wait_for(self, address: str, count: int, timeout: float = 30) -> list[EmailMessage]:
        """Wait until ``count`` messages for ``address`` arrived."""
        deadline = time.monotonic() + timeout
        while len(self.to(address)) < count:
            assert time.monotonic() < deadline, f"no message for {address} within {timeout}s"
            await asyncio.sleep(0.05)
        return self.to(address)


def link_token(message: EmailMessage) -> str:
    """The token of the link in an account e-mail (``...token=<token>``)."""
    body = message.get_content()
    found = re.search(r"token=([A-Za-z0-9_-]+)", body)
    assert found is not None, body
    return found.group(1)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_mailbox() -> Iterator[Mailbox]:
    """A real SMTP server on 127.0.0.1; ``mailbox.port`` is where it listens."""
    box = Mailbox()
    box.port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
