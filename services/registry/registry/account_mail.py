"""E-mails about a person's account: an invitation (choose a first password), a password reset, a new role.

A link's token exists in clear only in the use case's answer and in this e-mail; the registry keeps its hash.
So the mail is sent from the request that made the link, after its transaction committed (a background task
of the response): a failure is logged (``account_mail_failed``, without address or token) and the person or
their inviter asks again. Logs never carry the address or the token.
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

from common.auth import Role
from common.clock import utc_now
from common.logging import get_logger
from registry.config import Settings
from registry.smtp import PermanentFailure, send_email

__all__ = ["AccountMail", "AccountMailer", "render_account_mail"]

log = get_logger(__name__)

_DUTCH_TIME = ZoneInfo("Europe/Amsterdam")
ROLE_NAMES = {
    Role.CENTRALE_STAFF: ("medewerker", "staff member"),
    Role.ORGANISATION: ("gebruiker namens een organisatie", "user for an organisation"),
    Role.VOLUNTEER: ("vrijwilliger", "volunteer"),
    Role.MUNICIPALITY_READER: ("lezer namens de gemeente", "reader for the municipality"),
    Role.BUSINESS_PARTNER: ("contactpersoon namens een bedrijf", "contact for a business partner"),
    Role.REGION_OPS: ("beheerder van de regio", "region operator"),
}

MailKind = Literal["invitation", "password_reset", "membership_added"]


@dataclass(frozen=True)
class AccountMail:
    """What to tell a person about their account; ``token`` only for mails with a link."""

    to: str
    name: str | None
    kind: MailKind
    role: Role
    where: str | None
    """The centrale, organisation or partner the role is for, by name (None: the region)."""
    token: str | None = None
    expires_at: datetime | None = None


def _when(moment: datetime) -> str:
    return moment.astimezone(_DUTCH_TIME).strftime("%d-%m-%Y %H:%M")


def render_account_mail(mail: AccountMail, link_url: str, sender: str, now: datetime) -> EmailMessage:
    """The e-mail, Dutch first and English after, plain text; ``link_url`` has a ``{token}`` placeholder."""
    dutch_role, english_role = ROLE_NAMES[mail.role]
    where_nl = f" bij {mail.where}" if mail.where else " in de regio"
    where_en = f" at {mail.where}" if mail.where else " in the region"
    greeting = f"Beste {mail.name}," if mail.name else "Beste,"
    if mail.kind == "membership_added":
        subject = f"Je account heeft een nieuwe rol: {dutch_role}{where_nl}"
        text = (
            f"{greeting}\n\nJe account op het platform van de vrijwilligerscentrales heeft er een rol bij:"
            f" {dutch_role}{where_nl}. Log in zoals je gewend bent en kies na het inloggen de rol waarmee je"
            " wilt werken.\n\nVerwachtte je dit niet? Neem dan contact op met de centrale.\n\n---\n\n"
            f"Your account on the volunteer centres' platform has a new role: {english_role}{where_en}."
            " Log in as usual and choose the role to work in.\n"
        )
    else:
        assert mail.token is not None, "a mail with a link needs its token"
        assert mail.expires_at is not None, "and when the link stops working"
        link = link_url.replace("{token}", mail.token)
        until = _when(mail.expires_at)
        if mail.kind == "invitation":
            subject = f"Uitnodiging: je account als {dutch_role}{where_nl}"
            text = (
                f"{greeting}\n\nJe bent uitgenodigd als {dutch_role}{where_nl} op het platform van de"
                " vrijwilligerscentrales. Kies je wachtwoord via deze link; hij werkt één keer, tot"
                f" {until}:\n\n{link}\n\nVerwachtte je deze uitnodiging niet? Dan kun je dit bericht negeren.\n\n"
                f"---\n\nYou have been invited as {english_role}{where_en} on the volunteer centres' platform."
                f" Choose your password with the link above; it works once, until {until} (Dutch time).\n"
            )
        else:
            subject = "Je wachtwoord opnieuw instellen"
            text = (
                f"{greeting}\n\nIemand (hopelijk jij) vroeg om een nieuw wachtwoord voor je account. Kies het via"
                f" deze link; hij werkt één keer, tot {until}:\n\n{link}\n\nNiet gevraagd? Negeer dit bericht:"
                " je wachtwoord blijft zoals het was.\n\n---\n\nSomeone (hopefully you) asked to reset your"
                f" password. Choose a new one with the link above; it works once, until {until} (Dutch time)."
                " If you did not ask, ignore this message: your password stays as it is.\n"
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
    # After set_content, which replaces every Content-* header.
    message["Content-Language"] = "nl, en"
    return message


class AccountMailer:
    """Sends account e-mails over the registry's SMTP settings; logs the outcome, never raises."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @property
    def settings(self) -> Settings:
        """The SMTP settings it sends with."""
        return self._settings

    async def send(self, mail: AccountMail) -> bool:
        """Send ``mail`` (in a worker thread); whether the server accepted it."""
        settings = self._settings
        if settings.smtp_host is None:
            log.warning("account_mail_not_sent", kind=mail.kind, reason="smtp_not_configured")
            return False
        message = render_account_mail(mail, settings.account_link_url, settings.smtp_sender, utc_now())
        try:
            await asyncio.to_thread(send_email, settings, message)
        except (PermanentFailure, OSError, smtplib.SMTPException) as error:
            log.warning("account_mail_failed", kind=mail.kind, error_class=type(error).__name__)
            return False
        log.info("account_mail_sent", kind=mail.kind)
        return True
