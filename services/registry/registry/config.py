"""Settings of the registry service (environment variables prefixed ``REGISTRY_``)."""

from __future__ import annotations

from datetime import time

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from common.settings import ServiceSettings

__all__ = ["Settings"]


class Settings(ServiceSettings):
    """Registry settings."""

    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore", frozen=True)

    smtp_host: str | None = Field(
        None, description="SMTP server for volunteers' thank-you messages; unset: messages are recorded, not sent."
    )
    smtp_port: int = Field(25, ge=1, le=65535, description="Port of the SMTP server.")
    smtp_sender: str = Field(
        "waardering@vrijwilligerscentrale.invalid", description="From address of thank-you messages."
    )
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS before sending.")
    smtp_username: str | None = Field(None, description="SMTP login, when the server requires one.")
    smtp_password: SecretStr | None = Field(None, description="SMTP password.")
    smtp_timeout_s: float = Field(10.0, gt=0, le=120, description="Timeout of one SMTP conversation.")
    messages_poll_interval_s: float = Field(
        2.0, gt=0, le=300, description="How often the thank-you and notice senders look for messages due."
    )
    notice_gather_s: float = Field(
        60.0,
        ge=0,
        le=3600,
        description="How long a notice waits before it is mailed, so a burst to one person goes as one mail.",
    )
    notice_digest_at: time = Field(
        time(8, 0), description="When the daily digest of notices goes out (08:00 Europe/Amsterdam), for who chose it."
    )
    portal_url: str | None = Field(
        None, description="Base URL of the portal, for links in notices; unset: notices say to ask the centrale."
    )
    vog_reminder_days: int = Field(
        60, ge=1, le=365, description="A volunteer is reminded this many days before their VOG expires."
    )
    proposal_reminder_days: int = Field(
        7, ge=1, le=60, description="Whoever has not answered a proposal after this many days is reminded once."
    )
    # Programmes (issue 18): the Beursvloer's follow-up and the trainings' reminders.
    beursvloer_follow_up_days: int = Field(
        7, ge=0, le=365, description="A Beursvloer deal is followed up (both sides asked) these days after its date."
    )
    training_reminder_days: int = Field(
        2, ge=1, le=60, description="Whoever booked a training is reminded this many days before it starts."
    )
    # Personal accounts, sessions and credentials (issue 13).
    session_idle_timeout_min: int = Field(
        30, ge=1, le=24 * 60, description="A session not used for this many minutes is revoked."
    )
    session_max_age_h: int = Field(12, ge=1, le=24 * 30, description="A session ends this many hours after login.")
    invitation_lifetime_h: int = Field(
        72, ge=1, le=24 * 14, description="How long an invitation's link (set a first password) works."
    )
    password_reset_lifetime_min: int = Field(30, ge=5, le=24 * 60, description="How long a password-reset link works.")
    api_credential_lifetime_days: int = Field(
        365, ge=1, le=3650, description="Default lifetime of a new API credential (a request may ask for less or more)."
    )
    account_link_url: str = Field(
        "http://127.0.0.1:8005/account/wachtwoord?token={token}",
        pattern=r"\{token\}",
        description="The page e-mailed links open (the portal's); {token} is replaced by the link's token.",
    )
    guardian_link_url: str = Field(
        "http://127.0.0.1:8005/ouder/toestemming?token={token}",
        pattern=r"\{token\}",
        description="The page a guardian's consent link opens (the portal's); {token} is replaced by the token.",
    )
    guardian_link_lifetime_days: int = Field(
        14, ge=1, le=90, description="How long the link asking a parent's or guardian's consent works."
    )
    reconfirm_link_url: str = Field(
        "http://127.0.0.1:8005/blijven?token={token}",
        pattern=r"\{token\}",
        description="The page a re-confirmation link opens (the portal's); {token} is replaced by the token.",
    )
    volunteer_inactive_after_days: int = Field(
        730, ge=30, le=3650, description="A volunteer inactive this long is asked by e-mail to re-confirm."
    )
    reconfirm_window_days: int = Field(
        30, ge=1, le=365, description="How long a volunteer asked to re-confirm has; unanswered, they are erased."
    )
    closed_task_text_retention_days: int = Field(
        365, ge=1, le=3650, description="A closed, filled or expired task's description and offer are removed after."
    )
    organisation_contact_retention_days: int = Field(
        730,
        ge=1,
        le=3650,
        description="An organisation refused, or without any task, this long loses its contact person's details.",
    )
    password_hash_time_cost: int = Field(2, ge=1, le=10, description="Argon2id passes per password hash.")
    password_hash_memory_kib: int = Field(
        19 * 1024, ge=1024, le=1024 * 1024, description="Argon2id memory per password hash, in KiB (OWASP: 19 MiB)."
    )
    password_hash_parallelism: int = Field(1, ge=1, le=16, description="Argon2id lanes per password hash.")
    login_attempts_per_address: int = Field(
        30, ge=1, le=10_000, description="Login attempts one client address may make per login window (then 429)."
    )
    login_attempts_per_account: int = Field(
        5,
        ge=1,
        le=1000,
        description="Login attempts on one account from one address per window before a lockout until the window"
        " ends; from all addresses together four times as many.",
    )
    login_window_s: int = Field(
        900, ge=10, le=86_400, description="Length of a login window in seconds (a lockout lasts at most this long)."
    )
    password_resets_per_address: int = Field(
        10, ge=1, le=10_000, description="Password-reset requests one client address may make per reset window."
    )
    password_resets_per_account: int = Field(
        3, ge=1, le=100, description="Password-reset e-mails one address (e-mail) may be sent per reset window."
    )
    password_reset_window_s: int = Field(3600, ge=10, le=86_400, description="Length of a reset window in seconds.")
    audit_retention_days: int = Field(
        730, ge=30, le=3650, description="Days the audit trail of personal data access is kept (then purged daily)."
    )
    hours_correction_days: int = Field(
        30,
        ge=0,
        le=366,
        description="Days after logging hours within which whoever logged them may correct the amount (0: never).",
    )
    public_url: str | None = Field(
        None,
        pattern=r"^https?://[^\s]+[^/\s]$",
        description="The registry's public address, for links in feeds and calendar-feed URLs; unset: the address "
        "each request came in on.",
        examples=["https://api.regio-utrecht.example"],
    )
    vacaturebank_url: str | None = Field(
        None,
        pattern=r"^https?://[^\s]+$",
        description="The vacaturebank's human home page (feeds link to it); unset: the search API.",
        examples=["https://vacatures.regio-utrecht.example/"],
    )
    vacature_page_url: str | None = Field(
        None,
        pattern=r"^https?://[^\s]*\{task_id\}[^\s]*$",
        description="A task's human page, with {task_id} in it (feeds and JSON-LD link to it); unset: the "
        "task's public API page.",
        examples=["https://vacatures.regio-utrecht.example/vacatures/{task_id}"],
    )
    # Partners' webhooks (issue 18): team-day news signed and sent to the URL a partner registered.
    webhook_timeout_s: float = Field(
        10.0, gt=0, le=60, description="How long one webhook delivery may take, connecting and answering."
    )
    webhook_poll_interval_s: float = Field(
        2.0, gt=0, le=300, description="How often the webhook sender looks for deliveries due."
    )
    webhook_first_retry_s: float = Field(
        30.0, gt=0, le=3600, description="Wait after a failed webhook delivery; it doubles after each failure."
    )
    webhook_max_retry_s: float = Field(
        6 * 3600.0, gt=0, le=86_400, description="Longest wait between two attempts of a webhook delivery."
    )
    webhook_max_attempts: int = Field(
        15,
        ge=1,
        le=50,
        description="Attempts before a webhook delivery is given up as failed (the partner or ops can send it again).",
    )
    webhook_allow_http: bool = Field(
        False, description="Accept http:// webhook URLs (development and tests only); otherwise only https://."
    )

    @property
    def service_name(self) -> str:
        """Name of the service."""
        return "registry"
