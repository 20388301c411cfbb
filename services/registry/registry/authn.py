"""Passwords, the second factor and tokens of personal accounts, and the policy that sets their lifetimes.

- Passwords: Argon2id through argon2-cffi (memory-hard; the cost is a setting), verified in a worker thread
  so a login does not stall the event loop; an unknown account is verified against a dummy hash, so the
  answer takes as long whether or not the e-mail address has an account.
- Second factor: TOTP (RFC 6238, 30-second steps, 6 digits) through pyotp; a code of the step before or
  after is accepted for clock drift, and each step works once (the last one used is kept).
- Tokens: 256-bit random (``secrets``), stored only as their SHA-256 (``common.auth.hash_token``).
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
import segno
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from registry.config import Settings

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "AccountPolicy",
    "LoginLimits",
    "Passwords",
    "link_token",
    "new_totp_secret",
    "otpauth_uri",
    "password_problems",
    "qr_svg",
    "session_token",
    "totp_step",
]

MIN_PASSWORD_LENGTH = 12
# Long enough for any passphrase, short enough that hashing one is no way to load the server.
MAX_PASSWORD_LENGTH = 256
TOTP_INTERVAL_S = 30
# Passwords people choose most (length already rules out the shortest ones); refusing them is cheap.
_COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "1234567890123",
        "qwertyuiopas",
        "wachtwoord123",
        "wachtwoord1234",
        "welkom123456",
        "password1234",
        "passwordpassword",
        "vrijwilliger1",
        "vrijwilligers",
        "vrijwilligerswerk",
        "vrijwilligerscentrale",
    }
)


def password_problems(password: str, email: str | None) -> list[str]:
    """Why a new password is refused (NCSC/NIST: length over composition rules); empty when it will do."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"a password has at most {MAX_PASSWORD_LENGTH} characters")
    lowered = password.lower()
    if lowered in _COMMON_PASSWORDS or len(set(password)) < 4:
        problems.append("this password is too easy to guess")
    if email and (lowered == email.lower() or lowered == email.lower().partition("@")[0]):
        problems.append("a password may not be your e-mail address")
    return problems


class Passwords:
    """Argon2id hashing and verification; verification runs in a worker thread."""

    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        self._dummy: str | None = None

    async def hash(self, password: str) -> str:
        """The Argon2id hash of ``password`` (its salt and parameters encoded in it)."""
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, hashed: str | None, password: str) -> bool:
        """Whether ``password`` matches ``hashed``; with no hash, a dummy is verified so the time says nothing."""
        if hashed is None:
            if self._dummy is None:
                self._dummy = await self.hash(secrets.token_urlsafe(16))
            hashed = self._dummy
            known = False
        else:
            known = True
        try:
            await asyncio.to_thread(self._hasher.verify, hashed, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return known

    def needs_rehash(self, hashed: str) -> bool:
        """Whether ``hashed`` was made with other parameters than the current ones (rehash at the next login)."""
        return self._hasher.check_needs_rehash(hashed)


def session_token() -> str:
    """A new bearer token (sessions and API credentials alike): 256 random bits."""
    return f"rp_{secrets.token_urlsafe(32)}"


def link_token() -> str:
    """A new token for an e-mailed link or a login step: 256 random bits."""
    return secrets.token_urlsafe(32)


def new_totp_secret() -> str:
    """A new TOTP secret (160 bits, base32), as authenticator apps expect."""
    return pyotp.random_base32()


def otpauth_uri(secret: str, account_email: str, issuer: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads (from the QR code or typed in)."""
    return pyotp.TOTP(secret, interval=TOTP_INTERVAL_S).provisioning_uri(name=account_email, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The URI as a QR code: an inline SVG element (no script, no external resource)."""
    return str(segno.make(uri, error="m").svg_inline(scale=4, title="QR-code voor je authenticator-app"))


def totp_step(secret: str, code: str, at: datetime, last_step: int | None) -> int | None:
    """The time step ``code`` belongs to (this one, or one either side), if not used before; None when wrong."""
    digits = code.replace(" ", "")
    if len(digits) != 6 or not digits.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=TOTP_INTERVAL_S)
    current = int(at.timestamp()) // TOTP_INTERVAL_S
    for step in (current - 1, current, current + 1):
        if last_step is not None and step <= last_step:
            continue  # a code works once: its step, and those before it, are spent
        if hmac.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


@dataclass(frozen=True)
class LoginLimits:
    """How many attempts login and password reset allow, per client address and per account, in a window."""

    attempts_per_address: int
    attempts_per_account_and_address: int
    attempts_per_account: int
    window: timedelta
    resets_per_address: int
    resets_per_account: int
    reset_window: timedelta


@dataclass(frozen=True)
class AccountPolicy:
    """The region's settings for accounts, sessions and credentials, as use cases need them."""

    passwords: Passwords
    session_idle: timedelta
    session_max_age: timedelta
    invitation_lifetime: timedelta
    reset_lifetime: timedelta
    api_credential_lifetime: timedelta
    totp_issuer: str
    limits: LoginLimits
    enrolment_lifetime: timedelta = timedelta(minutes=10)
    # A session's last use is written at most this often (one write a minute, not one per request).
    touch_every: timedelta = timedelta(minutes=1)

    @classmethod
    def from_settings(cls, settings: Settings) -> AccountPolicy:
        """The policy the settings describe."""
        return cls(
            passwords=Passwords(
                time_cost=settings.password_hash_time_cost,
                memory_kib=settings.password_hash_memory_kib,
                parallelism=settings.password_hash_parallelism,
            ),
            session_idle=timedelta(minutes=settings.session_idle_timeout_min),
            session_max_age=timedelta(hours=settings.session_max_age_h),
            invitation_lifetime=timedelta(hours=settings.invitation_lifetime_h),
            reset_lifetime=timedelta(minutes=settings.password_reset_lifetime_min),
            api_credential_lifetime=timedelta(days=settings.api_credential_lifetime_days),
            totp_issuer=f"Regio-platform {settings.region}",
            limits=LoginLimits(
                attempts_per_address=settings.login_attempts_per_address,
                attempts_per_account_and_address=settings.login_attempts_per_account,
                attempts_per_account=settings.login_attempts_per_account * 4,
                window=timedelta(seconds=settings.login_window_s),
                resets_per_address=settings.password_resets_per_address,
                resets_per_account=settings.password_resets_per_account,
                reset_window=timedelta(seconds=settings.password_reset_window_s),
            ),
        )
