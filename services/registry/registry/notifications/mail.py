"""E-mail over SMTP, as every sender of the registry writes it: the message, one SMTP conversation, and whether a
failure is for good or passing."""

from __future__ import annotations

import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from registry.config import Settings

__all__ = ["PermanentFailure", "build_mail", "send_mail"]


class PermanentFailure(Exception):
    """The server refused the message for good (e.g. an unknown mailbox): retrying will not help."""


def build_mail(
    settings: Settings, *, to: str, subject: str, text: str, html: str | None, message_id: str, now: datetime
) -> EmailMessage:
    """An automatic Dutch mail with a plain-text part (and an HTML alternative, when given)."""
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    domain = settings.smtp_sender.rpartition("@")[2] or "localhost"
    # Derived from what the mail is about: in the one window where a mail can go out twice (the process dies
    # after the server accepted it, before its rows were marked) mail clients see one message.
    message["Message-ID"] = f"<{message_id}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    # After set_content, which replaces every Content-* header (set before, it was silently dropped).
    message["Content-Language"] = "nl"
    return message


def send_mail(settings: Settings, message: EmailMessage) -> None:
    """One SMTP conversation (blocking: run it in a worker thread); PermanentFailure for a refusal for good."""
    assert settings.smtp_host is not None
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_s) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            smtp.login(settings.smtp_username, password)
        try:
            smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            raise PermanentFailure("recipient refused") from error
        except smtplib.SMTPResponseException as error:
            if error.smtp_code >= 500:
                raise PermanentFailure(f"{error.smtp_code} {error.smtp_error!r}") from error
            raise
