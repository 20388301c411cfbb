"""One SMTP conversation with the region's mail server, shared by every mail the registry sends."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from registry.config import Settings

__all__ = ["PermanentFailure", "send_email"]


class PermanentFailure(Exception):
    """The server refused the message for good (e.g. an unknown mailbox): retrying will not help."""


def send_email(settings: Settings, message: EmailMessage) -> None:
    """Send ``message`` (blocking: run it in a worker thread); PermanentFailure when refused for good."""
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
