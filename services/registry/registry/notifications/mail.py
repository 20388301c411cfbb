"""A notice mail as the registry writes it: Dutch, automatic, a plain-text part and an HTML alternative
(``registry.smtp`` sends it)."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from registry.config import Settings

__all__ = ["build_mail"]


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
