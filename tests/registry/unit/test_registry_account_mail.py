"""Account e-mails without a server: what an invitation, a reset and a new role say, and a missing server."""

from __future__ import annotations

import secrets
from datetime import timedelta

from pydantic import SecretStr

from common.auth import Role
from registry.account_mail import AccountMail, AccountMailer, render_account_mail
from registry.config import Settings
from tests.registry.builders import NOW

LINK = "https://portal.vc.example/wachtwoord?token={token}"


def test_an_invitation_links_to_the_portal_with_its_token_until_it_expires_in_dutch_and_english() -> None:
    mail = AccountMail(
        "kees@vc.example",
        "Kees",
        "invitation",
        Role.CENTRALE_STAFF,
        "Centrale Utrecht",
        "tok-123",
        NOW + timedelta(hours=72),
    )
    email = render_account_mail(mail, LINK, "accounts@vc.example", NOW)
    text = email.get_content()
    assert (email["To"], email["From"], email["Auto-Submitted"]) == (
        "kees@vc.example",
        "accounts@vc.example",
        "auto-generated",
    )
    assert email["Subject"] == "Uitnodiging: je account als medewerker bij Centrale Utrecht"
    assert "https://portal.vc.example/wachtwoord?token=tok-123" in text
    assert "25-11-2026 11:00" in text, "the expiry in Dutch time"
    assert "Beste Kees," in text
    assert "You have been invited as staff member at Centrale Utrecht" in text
    assert "tok-123" not in email["Subject"]


def test_a_reset_says_to_ignore_it_when_not_asked_and_a_new_role_carries_no_link() -> None:
    reset = AccountMail(
        "a@vc.example", None, "password_reset", Role.VOLUNTEER, None, "tok", NOW + timedelta(minutes=30)
    )
    text = render_account_mail(reset, LINK, "accounts@vc.example", NOW).get_content()
    assert "Niet gevraagd? Negeer dit bericht" in text
    assert "22-11-2026 11:30" in text
    added = AccountMail("a@vc.example", "Anna", "membership_added", Role.ORGANISATION, "Voedselbank (Centrale Zeist)")
    email = render_account_mail(added, LINK, "accounts@vc.example", NOW)
    assert (
        email["Subject"]
        == "Je account heeft een nieuwe rol: gebruiker namens een organisatie bij Voedselbank (Centrale Zeist)"
    )
    assert "token=" not in email.get_content()


async def test_without_a_mail_server_nothing_is_sent_and_the_mailer_says_so() -> None:
    settings = Settings(database_url=SecretStr("postgresql://unused"), ops_token=SecretStr(secrets.token_urlsafe(32)))
    mail = AccountMail("a@vc.example", None, "password_reset", Role.VOLUNTEER, None, "tok", NOW + timedelta(minutes=30))
    assert not await AccountMailer(settings).send(mail)
