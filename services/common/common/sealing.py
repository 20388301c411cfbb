"""Crypto-shredding: volunteers' profiles sealed per volunteer, keys wrapped with the region's key (issue 16).

The registry gives each volunteer a random 256-bit data key, seals the profile fields of their events with it
(``Event.sealed_fields``: everything that describes the person, special categories included; AES-256-GCM, the
volunteer id as associated data) and publishes the key wrapped with the region's key-encryption key
(``REGION_KEY_ENCRYPTION_KEY``) on the compacted key topic. On erasure it destroys the key and publishes a
tombstone: every copy of the sealed fields (topics, dead letters, outboxes, backups) becomes unreadable at
once. Services that need the fields learn the keys (``common.keyring``).

Sealed text is ``base64url(nonce ‖ ciphertext)``: a 12-byte random nonce, then AES-GCM's ciphertext and tag.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from common.errors import ContractViolation
from contracts import Event

__all__ = [
    "REGION_KEY_VARIABLE",
    "KeyEncryptionKey",
    "new_data_key",
    "new_region_key",
    "open_profile",
    "placeholders",
    "region_key_from_environment",
    "seal_profile",
]

REGION_KEY_VARIABLE = "REGION_KEY_ENCRYPTION_KEY"
_NONCE_BYTES = 12
_KEY_BYTES = 32
# Associated data binds a sealed text to its purpose and volunteer: a key sealed for one id opens nothing else.
_WRAP_CONTEXT = b"volunteer-data-key:"
# Kept from when only the special categories were sealed, so events sealed then still open.
_SEALED_CONTEXT = b"volunteer-special:"

E = TypeVar("E", bound=Event)


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _seal(key: bytes, plaintext: bytes, context: bytes) -> str:
    nonce = secrets.token_bytes(_NONCE_BYTES)
    return _encode(nonce + AESGCM(key).encrypt(nonce, plaintext, context))


def _open(key: bytes, sealed: str, context: bytes) -> bytes:
    """The plaintext; ValueError when the text was altered, sealed with another key or for another purpose."""
    try:
        raw = _decode(sealed)
        return AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context)
    except (InvalidTag, ValueError) as error:
        raise ValueError("sealed text does not open with this key") from error


def new_data_key() -> bytes:
    """A fresh random data key for one volunteer."""
    return AESGCM.generate_key(bit_length=_KEY_BYTES * 8)


def new_region_key() -> str:
    """A fresh region key-encryption key, as ``REGION_KEY_ENCRYPTION_KEY`` takes it (base64url of 32 bytes)."""
    return _encode(AESGCM.generate_key(bit_length=_KEY_BYTES * 8))


@dataclass(frozen=True)
class KeyEncryptionKey:
    """The region's key-encryption key: wraps and unwraps volunteers' data keys."""

    key: bytes

    @classmethod
    def from_text(cls, text: str) -> KeyEncryptionKey:
        """The key from its base64url text; ValueError when it is not 32 bytes."""
        try:
            key = _decode(text.strip())
        except ValueError as error:
            raise ValueError(f"{REGION_KEY_VARIABLE} is not base64url") from error
        if len(key) != _KEY_BYTES:
            raise ValueError(f"{REGION_KEY_VARIABLE} must be {_KEY_BYTES} bytes, base64url (make one: make region-key)")
        return cls(key)

    @property
    def fingerprint(self) -> str:
        """First 16 hex digits of SHA-256 of the key: names it without revealing it."""
        return hashlib.sha256(self.key).hexdigest()[:16]

    def wrap(self, data_key: bytes, volunteer_id: UUID) -> str:
        """``data_key`` sealed for ``volunteer_id``."""
        return _seal(self.key, data_key, _WRAP_CONTEXT + str(volunteer_id).encode())

    def unwrap(self, wrapped: str, volunteer_id: UUID) -> bytes:
        """The data key ``wrap`` sealed; ValueError when it was wrapped with another key or for another id."""
        return _open(self.key, wrapped, _WRAP_CONTEXT + str(volunteer_id).encode())


def region_key_from_environment() -> KeyEncryptionKey:
    """The region's key-encryption key from ``REGION_KEY_ENCRYPTION_KEY``; RuntimeError when unset or malformed."""
    text = os.environ.get(REGION_KEY_VARIABLE, "")
    if not text:
        raise RuntimeError(
            f"{REGION_KEY_VARIABLE} is not set: the registry, matching, reporting and appreciation need the region's"
            " key-encryption key (one per region, a secret; `make region-key` prints a new one)"
        )
    try:
        return KeyEncryptionKey.from_text(text)
    except ValueError as error:
        raise RuntimeError(str(error)) from error


def placeholders(model: type[Event]) -> dict[str, Any]:
    """What ``model``'s sealed fields read as in the clear and once shredded: their defaults or placeholders."""
    return {name: make() for name, make in _placeholder_makers(model)}


@functools.cache
def _placeholder_makers(model: type[Event]) -> tuple[tuple[str, Callable[[], Any]], ...]:
    """Per sealed field, what makes its placeholder: worked out once per model.

    pydantic's ``get_default(call_default_factory=True)`` inspects the factory's signature on every call (about
    a millisecond: it parses a builtin's text signature), which an import of 100,000 volunteers paid per event.
    A factory is still called per event, so no two events share a mutable default.
    """
    makers: list[tuple[str, Callable[[], Any]]] = []
    for name in model.sealed_fields:
        field_info = model.model_fields[name]
        if name in model.sealed_placeholders:
            makers.append((name, functools.partial(_same, model.sealed_placeholders[name])))
        elif field_info.default_factory is not None:
            makers.append((name, cast(Callable[[], Any], field_info.default_factory)))
        else:
            makers.append((name, field_info.get_default))  # without a factory: a copy of the default, cheap
    return tuple(makers)


def _same(value: Any) -> Any:
    return value


def seal_profile(event: E, data_key: bytes) -> E:
    """``event`` with its ``sealed_fields`` sealed in ``sealed_special`` and at their placeholders in the clear."""
    fields = type(event).sealed_fields
    if not fields:
        return event
    values = event.model_dump(mode="json", include=set(fields))
    plaintext = json.dumps(values, sort_keys=True).encode()
    subject = str(getattr(event, type(event).subject_field))
    return event.model_copy(
        update={
            **placeholders(type(event)),
            "sealed_special": _seal(data_key, plaintext, _SEALED_CONTEXT + subject.encode()),
        }
    )


def open_profile(event: E, data_key: bytes | None) -> E:
    """``event`` with its sealed fields in the clear; without a key (shredded) at their placeholders.

    One AES-GCM open per event. Raises ContractViolation when the sealed text does not open with the key
    (altered, or sealed for another id).
    """
    sealed = getattr(event, "sealed_special", None)
    if sealed is None:
        return event  # published before sealing existed: the clear fields are what there is
    if data_key is None:
        # Shredded: whatever an older event left in the clear (it sealed fewer fields) goes too.
        return event.model_copy(update={**placeholders(type(event)), "sealed_special": None})
    subject = str(getattr(event, type(event).subject_field))
    try:
        values: dict[str, Any] = json.loads(_open(data_key, sealed, _SEALED_CONTEXT + subject.encode()))
    except ValueError as error:
        raise ContractViolation(f"sealed_special of {subject} does not open with its key") from error
    # Validated like the clear fields would be, so a handler never sees what the contract forbids.
    opened = type(event).model_validate({**event.model_dump(), **values, "sealed_special": None})
    return opened
