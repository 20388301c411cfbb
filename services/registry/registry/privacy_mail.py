"""E-mails of the privacy rules: a guardian asked to consent for a minor, a volunteer asked to re-confirm.

Like account mails, a link's token exists in clear only in the use case's answer and in this e-mail (the registry
keeps its hash), so the mail is sent after the transaction that made the link committed. A failure is logged
(``privacy_mail_failed``, without address or token); logs never carry the address, the name or the token.
"""

from __future__ import annotations

import asyncio
import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Literal
from zoneinfo import ZoneInfo

from common.clock import utc_now
from common.logging import get_logger
from registry.config import Settings
from registry.smtp import PermanentFailure, send_email

__all__ = ["PrivacyMail", "PrivacyMailer", "render_privacy_mail"]

log = get_logger(__name__)

_DUTCH_TIME = ZoneInfo("Europe/Amsterdam")

PrivacyMailKind = Literal["guardian_consent", "reconfirm"]


@dataclass(frozen=True)
class PrivacyMail:
    """Whom to write, about whom, and the link's token and end."""

    kind: PrivacyMailKind
    to: str
    greeting_name: str
    volunteer_name: str
    centrale: str
    token: str
    expires_at: datetime


def render_privacy_mail(mail: PrivacyMail, link_url: str, sender: str, now: datetime) -> EmailMessage:
    """The e-mail, Dutch first and English after, plain text; ``link_url`` has a ``{token}`` placeholder."""
    link = link_url.replace("{token}", mail.token)
    until = mail.expires_at.astimezone(_DUTCH_TIME).strftime("%d-%m-%Y")
    greeting = f"Beste {mail.greeting_name}," if mail.greeting_name else "Beste,"
    if mail.kind == "guardian_consent":
        subject = f"Toestemming gevraagd: {mail.volunteer_name} wil vrijwilligerswerk doen"
        text = (
            f"{greeting}\n\n{mail.volunteer_name} heeft zich ingeschreven bij {mail.centrale} als vrijwilliger."
            " Omdat hij of zij jonger is dan 16, zoeken we pas passend vrijwilligerswerk als een ouder of voogd"
            f" toestemming geeft. Lees en geef de toestemming via deze link (tot {until}):\n\n{link}\n\n"
            "Geen toestemming? Doe dan niets: er wordt dan niet gezocht.\n\n---\n\n"
            f"{mail.volunteer_name} registered as a volunteer with {mail.centrale}. Being under 16, they are matched"
            f" to volunteer work only after a parent's or guardian's consent. Read and give it with the link above"
            f" (until {until}). No consent? Do nothing: no work will be looked for.\n"
        )
    else:
        subject = f"Wil je ingeschreven blijven bij {mail.centrale}?"
        text = (
            f"{greeting}\n\nJe staat al lange tijd ingeschreven als vrijwilliger bij {mail.centrale} zonder dat we"
            " iets van je hoorden. We bewaren je gegevens alleen zolang je dat wilt. Wil je ingeschreven blijven?"
            f" Bevestig het via deze link vóór {until}:\n\n{link}\n\nBevestig je niet, dan wissen we je gegevens"
            " na die datum. Je gewerkte uren blijven alleen als anonieme telling bestaan.\n\n---\n\n"
            f"You have been registered as a volunteer with {mail.centrale} for a long time without activity. We"
            f" keep your data only as long as you want us to. To stay registered, confirm with the link above before"
            f" {until}; otherwise your data is erased after that date (your hours remain only as anonymous counts).\n"
        )
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    domain = sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<{uuid.uuid4()}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message["Content-Language"] = "nl, en"
    return message


class PrivacyMailer:
    """Sends privacy e-mails over the registry's SMTP settings; logs the outcome, never raises."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def send(self, mail: PrivacyMail) -> bool:
        """Send ``mail`` (in a worker thread); whether the server accepted it."""
        settings = self._settings
        if settings.smtp_host is None:
            log.warning("privacy_mail_not_sent", kind=mail.kind, reason="smtp_not_configured")
            return False
        link_url = settings.guardian_link_url if mail.kind == "guardian_consent" else settings.reconfirm_link_url
        message = render_privacy_mail(mail, link_url, settings.smtp_sender, utc_now())
        try:
            await asyncio.to_thread(send_email, settings, message)
        except (PermanentFailure, OSError, smtplib.SMTPException) as error:
            log.warning("privacy_mail_failed", kind=mail.kind, error_class=type(error).__name__)
            return False
        log.info("privacy_mail_sent", kind=mail.kind)
        return True
