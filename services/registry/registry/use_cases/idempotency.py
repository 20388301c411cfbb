"""Idempotency keys: a creating request retried with the same key gets its first response back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from registry.unit_of_work import RegistryUnitOfWork

__all__ = [
    "ClaimIdempotencyKey",
    "FirstUse",
    "KeyReused",
    "RememberResponse",
    "Replay",
    "claim_idempotency_key",
    "remember_response",
]


@dataclass(frozen=True)
class ClaimIdempotencyKey:
    """A caller sends a creating request under its own key; ``fingerprint`` identifies the request."""

    caller: str
    key: str
    fingerprint: str


@dataclass(frozen=True)
class RememberResponse:
    """The first response to a request under its key, kept for retries."""

    caller: str
    key: str
    status_code: int
    body: Any


@dataclass(frozen=True)
class FirstUse:
    """The key is new: handle the request, then remember its response."""


@dataclass(frozen=True)
class Replay:
    """The key was used for this very request: answer what was answered then."""

    status_code: int
    body: Any


@dataclass(frozen=True)
class KeyReused:
    """The key was used for a different request: refuse it."""


async def claim_idempotency_key(cmd: ClaimIdempotencyKey, uow: RegistryUnitOfWork) -> FirstUse | Replay | KeyReused:
    """Take the key for this request, or tell what was answered under it before.

    The key and the request's effects commit together, so a request that fails leaves the key free; a
    concurrent retry waits on the key until the first request's transaction ends.
    """
    if await uow.idempotency_keys.claim(cmd.caller, cmd.key, cmd.fingerprint, uow.now()):
        return FirstUse()
    stored = await uow.idempotency_keys.get(cmd.caller, cmd.key)
    assert stored is not None, "a key that could not be claimed is stored"
    if stored.request_hash != cmd.fingerprint:
        return KeyReused()
    return Replay(stored.status_code, stored.response)


async def remember_response(cmd: RememberResponse, uow: RegistryUnitOfWork) -> None:
    """Keep the response under the key claimed for it."""
    await uow.idempotency_keys.remember(cmd.caller, cmd.key, cmd.status_code, cmd.body)
