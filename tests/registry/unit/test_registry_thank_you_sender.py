"""The sender's own work without a database: the e-mail it builds, and how a failed delivery is classed."""

from __future__ import annotations

import secrets
import socket
from typing import Any, cast
from uuid import uuid4

import asyncpg
from pydantic import SecretStr

from common.clock import ManualClock
from registry.config import Settings
from registry.notifications.sender import ThankYouSender
from registry.notifications.use_cases import ThankYouMail
from tests.registry.builders import NOW, a_message


def _sender(**settings: Any) -> ThankYouSender:
    config = Settings(
        database_url=SecretStr("postgresql://unused"),
        ops_token=SecretStr(secrets.token_urlsafe(32)),
        smtp_sender="waardering@vc-test.example",
        **settings,
    )
    return ThankYouSender(cast(asyncpg.Pool, None), config, ManualClock(NOW))


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port  # nothing listens once the probe closes


def test_the_mail_carries_a_message_id_from_the_award_and_says_it_is_automatic() -> None:
    mail = ThankYouMail(uuid4(), "sanne@example.nl", "Dank je wel, Sanne!", "Beste Sanne, ...")
    email = _sender()._email(mail, NOW)
    assert (email["To"], email["From"], email["Subject"]) == (
        "sanne@example.nl",
        "waardering@vc-test.example",
        "Dank je wel, Sanne!",
    )
    assert email["Message-ID"] == f"<{mail.award_id}@vc-test.example>"
    assert (email["Auto-Submitted"], email["Content-Language"]) == ("auto-generated", "nl")
    assert email["Date"] == "Sun, 22 Nov 2026 10:00:00 +0000"
    assert email.get_content().startswith("Beste Sanne")


async def test_a_server_that_does_not_answer_is_a_passing_failure_to_retry() -> None:
    message = a_message("vc-utrecht", uuid4())
    mail = ThankYouMail(message.award_id, "sanne@example.nl", "Dank", "Tekst")
    delivery = await _sender(smtp_host="127.0.0.1", smtp_port=_closed_port(), smtp_timeout_s=2)._deliver(
        message, mail, NOW
    )
    assert (delivery.message, delivery.outcome) == (message, "failed")
    assert "ConnectionRefusedError" in (delivery.error or "")
